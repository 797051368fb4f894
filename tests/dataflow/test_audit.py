"""`python -m dataflow audit` against real worlds (both shops, both services, the pipes), over real sockets."""
from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, jsonify, request

from dataflow.__main__ import main as dataflow_main
from dataflow.audit import KNOWN, ONE_SIDED, FolderDeadLetters, NodeDeadLetters, Progress, audit, main
from dataflow.audit_read import service_session
from harness import World, start_world
from harness.world import SERVICE_TOKEN
from sandbox.serving import ServedApp


@pytest.fixture()
def world(tmp_path: Path) -> Iterator[World]:
    started = start_world(tmp_path / "state")
    yield started
    started.stop()


def run_cli(world: World, *extra: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--woocommerce", world.woo_service.url, "--customwebshop", world.shop_service.url,
                 "--token", SERVICE_TOKEN, "--config", str(world.config), *extra], out, err)
    return code, out.getvalue(), err.getvalue()


def test_two_shops_that_disagree_are_named_record_and_property_and_agree_after_a_sync(world: World):
    world.woo_create("products", {"name": "Desk (woo)", "sku": "DESK-1", "regular_price": "100.00"})
    world.shop_create("products", {"sku": "DESK-1", "name": "Desk (shop)", "price": "100.00"})
    code, out, _ = run_cli(world)
    assert code == 1
    lines = out.splitlines()
    assert ("product 'DESK-1' (woocommerce 10, customwebshop 1): name: woocommerce \"Desk (woo)\" ≠ customwebshop "
            "\"Desk (shop)\"") in lines
    assert lines[-1].endswith("0 records on one side only, 0 known differences: the shops disagree")
    world.sync()
    code, out, _ = run_cli(world)
    assert (code, out.splitlines()) == (0, ["audit: 1 pairs compared (product 1); 0 disagreements, 0 records on "
                                            "one side only, 0 known differences: the shops agree"])


def test_money_compares_as_decimals_and_references_by_the_records_they_link(world: World):
    product = world.woo_create("products", {"name": "Mug", "sku": "MUG", "regular_price": "10"})
    buyer = world.woo_create("customers", {"email": "bo@example.test", "first_name": "Bo"})
    world.woo_create("orders", {"customer_id": buyer["id"], "status": "processing", "currency": "EUR",
                                "billing": {"email": "bo@example.test"},
                                "line_items": [{"product_id": product["id"], "quantity": 3}]})
    world.sync()
    report = world.audit()
    assert report.agree, report.text()
    assert report.pairs == {"customer": 1, "order": 1, "product": 1}
    [shop_order] = world.shop_list("orders")
    other = world.shop_create("customers", {"email": "someone.else@example.test"})
    world.next_second()
    world.shop_http.patch(f"{world.shop.url}/orders/{shop_order['id']}",
                          json={"customer_id": other["id"]}).raise_for_status()
    lines = world.audit().text().splitlines()
    assert any(line.startswith("order ") and "customer (woocommerce customer_id, customwebshop customer_id): "
               f'woocommerce "woocommerce-customer:{buyer["id"]}" ≠ customwebshop '
               f'"customwebshop-customer:{other["id"]}"' in line for line in lines), lines


def test_records_on_one_side_only_carry_the_reason_known(world: World):
    refused = world.shop_create("customers", {"email": "jürgen.müller@example.de", "first_name": "Jürgen"})
    lamp = world.shop_create("products", {"sku": "LAMP", "name": "Lamp", "price": "40.00"})
    world.shop_create("orders", {"currency": "EUR", "customer_id": refused["id"], "status": "pending",
                                 "email": "jürgen.müller@example.de", "grand_total": "40.00",
                                 "lines": [{"product_id": lamp["id"], "sku": "LAMP", "name": "Lamp", "quantity": 1,
                                            "unit_price": "40.00", "line_total": "40.00"}]})
    gone = world.woo_create("products", {"name": "Kettle", "sku": "KETTLE", "regular_price": "30.00"})
    world.woo_create("orders", {"status": "processing", "currency": "EUR", "billing": {"email": "g@example.test"},
                                "line_items": [{"product_id": gone["id"], "quantity": 1}]})
    world.woo_http.delete(f"{world.woo_api}/products/{gone['id']}").raise_for_status()
    world.emulator().run()  # WooCommerce refuses the customer: the pipes dead-letter it
    report = world.audit()
    one_sided = {finding.record: finding.detail for finding in report.findings if finding.kind == ONE_SIDED}
    assert one_sided[f"'jürgen.müller@example.de' (customwebshop {refused['id']})"] == (
        "only in customwebshop: refused by woocommerce (dead-lettered in woocommerce-customer-share-dead-letters)")
    [waiting] = [detail for detail in one_sided.values() if detail.startswith("only in customwebshop: waiting")]
    assert waiting == (f"only in customwebshop: waiting for a reference: customer 'jürgen.müller@example.de' "
                       f"(customwebshop {refused['id']}) is not in woocommerce (refused by woocommerce "
                       f"(dead-lettered in woocommerce-customer-share-dead-letters))")
    [kettle_order] = [detail for detail in one_sided.values() if "KETTLE" in detail]
    assert kettle_order == (f"only in woocommerce: waiting for a reference: product 'KETTLE' (woocommerce "
                            f"{gone['id']}) is not in customwebshop (deleted in woocommerce before it reached "
                            f"customwebshop)")
    assert not report.agree


def test_without_dead_letters_a_record_on_one_side_only_has_no_reason_known(world: World):
    shop_customer = world.shop_create("customers", {"email": "new@example.test"})
    code, out, _ = run_cli(world)
    assert code == 1
    assert f"customer 'new@example.test' (customwebshop {shop_customer['id']}): only in customwebshop: no reason " \
           f"known" in out.splitlines()


def test_a_known_difference_is_reported_but_does_not_fail(world: World):
    """Tax included in the webshop's prices (VAT, as in Norway) has no figure of its own in WooCommerce, which
    computes its own taxes: the order agrees in every other property and its grand total, and the audit says why
    the tax figures differ."""
    service = world.shop_create("products", {"sku": "SERVICE", "name": "Service", "price": "100.00"})
    world.shop_create("orders", {"currency": "NOK", "status": "processing", "email": "t@example.test",
                                 "prices_include_tax": True, "tax_total": "20.00", "grand_total": "100.00",
                                 "lines": [{"product_id": service["id"], "sku": "SERVICE", "name": "Service",
                                            "quantity": 1, "unit_price": "100.00", "line_total": "100.00"}]})
    world.sync()
    [woo_order] = world.woo_list("orders")
    assert (woo_order["total"], woo_order["total_tax"]) == ("100.00", "0.00")
    report = world.audit()
    known = [finding.detail for finding in report.findings if finding.kind == KNOWN]
    assert report.agree, report.text()
    assert any(detail.startswith('tax_total (woocommerce total_tax, customwebshop tax_total): woocommerce "0.00" '
                                 '≠ customwebshop "20.00"') and "WooCommerce computes its own taxes" in detail
               for detail in known), known
    code, out, _ = run_cli(world, "--state", str(world.state))
    assert code == 0 and out.splitlines()[-1].endswith(f"{len(known)} known differences: the shops agree")
    assert out.splitlines()[0].startswith("known difference: order ")


def test_progress_goes_to_stderr_and_the_report_to_stdout(world: World):
    world.woo_create("products", {"name": "Cup", "sku": "CUP", "regular_price": "5.00"})
    code, out, err = run_cli(world)
    assert "read woocommerce product: 1 records" in err.splitlines()
    assert "read customwebshop product: 0 records" in err.splitlines()
    assert "linked product: 1 merged records" in err.splitlines()
    assert "read " not in out and code == 1


@pytest.mark.parametrize("arguments, message", [
    ([], "the following arguments are required: --woocommerce, --customwebshop"),
    (["--woocommerce", "localhost:1", "--customwebshop", "http://x"], "--woocommerce 'localhost:1': give the "
                                                                       "service's http(s) base URL"),
    (["--woocommerce", "http://x", "--customwebshop", "http://y", "--state", "/nonexistent", "--dead-letters",
      "/tmp"], "not allowed with argument"),
    (["--woocommerce", "http://x", "--customwebshop", "http://y", "--dead-letters", "/nonexistent/folder"],
     "--dead-letters /nonexistent/folder: not a folder and not an http(s) URL"),
    (["--woocommerce", "http://x", "--customwebshop", "http://y", "--state", "/nonexistent"],
     "/nonexistent is not an emulator state directory (no pipes.json)"),
])
def test_bad_arguments_exit_2_with_a_clear_message(arguments: list[str], message: str, capsys):
    assert dataflow_main(["audit", *arguments]) == 2
    assert message in capsys.readouterr().err


def test_a_service_it_cannot_read_exits_2_without_echoing_the_token(world: World):
    out, err = io.StringIO(), io.StringIO()
    code = main(["--woocommerce", world.woo_service.url, "--customwebshop", world.shop_service.url,
                 "--token", "wrong-token-123"], out, err)
    assert code == 2 and out.getvalue() == ""
    assert "/entities/customer" in err.getvalue() and "answered 401" in err.getvalue()
    assert "wrong-token-123" not in err.getvalue()
    world.shop_service.stop()
    code = main(["--woocommerce", world.woo_service.url, "--customwebshop", world.shop_service.url,
                 "--token", SERVICE_TOKEN], out, err)
    assert code == 2 and "failed: ConnectionError" in err.getvalue()


def write_error(letter: dict[str, Any], message: str) -> dict[str, Any]:
    """A dead letter as a node writes it: the entity inside a write-error record (pump-execution.rst)."""
    return {"_id": f"write-error:{letter['_id']}", "event_type": "write-error", "dead": True, "entity": letter,
            "original_error_message": message}


REFUSAL = "billing.email: WooCommerce refuses non-ASCII e-mail local parts"


def refused_customer(world: World) -> dict[str, Any]:
    customer = world.shop_create("customers", {"email": "søren@example.dk"})
    return write_error({"_id": "customwebshop-customer:1", "email": "søren@example.dk",
                        "sesam_origin": f"customwebshop-customer:{customer['id']}"}, REFUSAL)


def test_dead_letters_from_a_node_export_folder_give_the_targets_reason(world: World, tmp_path: Path):
    letter = refused_customer(world)
    (tmp_path / "woocommerce-customer-share-dead-letters.json").write_text(json.dumps([letter]), encoding="utf-8")
    report = audit(world.woo_service.url, world.shop_service.url, SERVICE_TOKEN, config=world.config,
                   dead_letters=FolderDeadLetters(tmp_path), progress=Progress(io.StringIO()))
    [finding] = report.findings
    assert finding.detail == (f"only in customwebshop: refused by woocommerce: {REFUSAL} (dead-lettered in "
                              f"woocommerce-customer-share-dead-letters)")


def test_dead_letters_from_a_node_api(world: World):
    letter = refused_customer(world)
    node = Flask("node")
    asked = []

    @node.get("/api/datasets/<dataset>/entities")
    def entities(dataset: str) -> Any:
        asked.append((dataset, dict(request.args), request.headers.get("Authorization")))
        return jsonify([letter] if dataset == "woocommerce-customer-share-dead-letters" else [])

    served = ServedApp(node).start()
    try:
        report = audit(world.woo_service.url, world.shop_service.url, SERVICE_TOKEN, config=world.config,
                       dead_letters=NodeDeadLetters(served.url + "/api", service_session("jwt", None)),
                       progress=Progress(io.StringIO()))
    finally:
        served.stop()
    assert REFUSAL in report.findings[0].detail
    assert ("woocommerce-customer-share-dead-letters", {"history": "false", "deleted": "false"},
            "Bearer jwt") in asked
