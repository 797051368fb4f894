"""POST /receiver/<type> into the WooCommerce sandbox, over real sockets: no duplicates, no echo, lines
reconciled, batches, answers Sesam can act on. Write quirks pinned are FACTS §4–§9 (recordings named inline)."""
from __future__ import annotations

import logging
from typing import Any

import pytest
import requests

from service.connectors.woocommerce_emails import ascii_domain
from service.settings import Secret
from tests.integration.conftest import Service, Woo, push, total_writes, woo_settings


def meta(record: dict[str, Any], key: str) -> Any:
    return next((m["value"] for m in record["meta_data"] if m["key"] == key), None)


def listed(woo: Woo, resource: str, **params: Any) -> list[dict[str, Any]]:
    return woo.http.get(f"{woo.api}/{resource}", params={"per_page": 100, **params}).json()


def test_creates_are_stamped_with_their_origin(woo: Woo, service: Service):
    answer = push(service.url, "product", [
        {"_id": "customwebshop-product:7", "sesam_origin": "customwebshop-product:7", "name": "Lamp",
         "sku": "LAMP-1", "regular_price": "49.00", "_updated": 12, "_hash": "abc", "$ids": ["x"]}])
    assert answer.status_code == 200 and answer.json()["created"] == 1
    [product] = listed(woo, "products", sku="LAMP-1")
    assert product["name"] == "Lamp" and product["regular_price"] == "49.00"
    assert meta(product, "sesam_origin") == "customwebshop-product:7"


def test_an_update_sends_only_what_changed_and_unchanged_data_is_not_written(woo: Woo, service: Service):
    """products-put-empty-body-bumps-modified: even `{}` bumps date_modified, so nothing unchanged is written."""
    product = woo.create("products", {"name": "Chair", "sku": "CH-1", "regular_price": "80.00",
                                      "dimensions": {"length": "50", "width": "50", "height": "90"}})
    woo.store.clock.advance(5)
    before = total_writes(woo)
    same = {"_id": "p1", "id": product["id"], "name": "Chair", "regular_price": "80",  # 80 == "80.00"
            "dimensions": {"height": "90"}}
    assert push(service.url, "product", [same]).json() == {"created": 0, "updated": 0, "unchanged": 1,
                                                            "deleted": 0, "skipped": 0, "superseded": 0, "gone": 0}
    assert total_writes(woo) == before, "an unchanged entity is not written at all"
    assert push(service.url, "product", [{**same, "name": "Armchair"}]).json()["updated"] == 1
    after = woo.http.get(f"{woo.api}/products/{product['id']}").json()
    assert after["name"] == "Armchair" and after["dimensions"] == product["dimensions"]
    assert after["date_modified_gmt"] > product["date_modified_gmt"]


def test_a_create_replayed_after_the_connection_died_finds_what_it_made(woo: Woo, service: Service):
    """The upstream write lands, our answer never does (a dropped connection), Sesam re-sends the batch."""
    batch = {
        "product": [{"_id": "s:1", "sesam_origin": "customwebshop-product:1", "name": "Desk", "sku": "DESK-1"},
                    {"_id": "s:2", "sesam_origin": "customwebshop-product:2", "name": "No SKU"}],
        "customer": [{"_id": "c:1", "sesam_origin": "customwebshop-customer:1", "email": "Kim@Example.test",
                      "first_name": "Kim"}],
        "order": [{"_id": "o:1", "sesam_origin": "customwebshop-order:1", "customer_note": "first order"}],
    }
    for type_name, entities in batch.items():
        woo.faults({"drop": [{"count": 1, "after_bytes": 10, "path": f"/wp-json/wc/v3/{type_name}s/batch"}]})
        killed = push(service.url, type_name, entities)
        assert killed.status_code == 503 and killed.json()["failed"][0]["retriable"] is True
        replayed = push(service.url, type_name, entities)
        # The first attempt made them: the replay finds what it made and has nothing to change (honest counts).
        assert replayed.status_code == 200, replayed.text
        assert (replayed.json()["created"], replayed.json()["unchanged"]) == (0, len(entities)), replayed.text
        again = push(service.url, type_name, [{**e} for e in entities][:1])  # one more, entity by entity
        assert again.status_code == 200
    assert [p["sku"] for p in listed(woo, "products")] .count("DESK-1") == 1
    assert len(listed(woo, "products")) == 2 and len(listed(woo, "customers")) == 1 and len(listed(woo, "orders")) == 1


def test_order_lines_are_reconciled_with_existing_line_ids(woo: Woo, service: Service):
    """orders-li-01: a line without id is appended; orders-li-04: quantity 0 removes; orders-li-02: quantity
    alone does not reprice, so totals are sent along."""
    mug = woo.create("products", {"name": "Mug", "sku": "MUG", "regular_price": "10.00"})
    cup = woo.create("products", {"name": "Cup", "sku": "CUP", "regular_price": "5.00"})
    bowl = woo.create("products", {"name": "Bowl", "sku": "BOWL", "regular_price": "7.00"})
    order = woo.create("orders", {"line_items": [{"product_id": mug["id"], "quantity": 1},
                                                 {"product_id": cup["id"], "quantity": 2}]})
    desired = {"_id": "o", "id": order["id"], "line_items": [
        {"product_id": mug["id"], "quantity": 3, "subtotal": "30.00", "total": "30.00"},
        {"product_id": bowl["id"], "quantity": 1, "subtotal": "7.00", "total": "7.00"}]}
    assert push(service.url, "order", [desired]).json()["updated"] == 1
    after = woo.http.get(f"{woo.api}/orders/{order['id']}").json()
    lines = {line["product_id"]: line for line in after["line_items"]}
    assert set(lines) == {mug["id"], bowl["id"]}, "no duplicate, the removed line is gone"
    assert lines[mug["id"]]["id"] == order["line_items"][0]["id"], "the mug line was updated in place"
    assert (lines[mug["id"]]["quantity"], lines[mug["id"]]["total"]) == (3, "30.00")
    assert after["total"] == "37.00"
    before = total_writes(woo)
    assert push(service.url, "order", [desired]).json()["unchanged"] == 1, "the same lines again change nothing"
    assert total_writes(woo) == before


def test_deletes_trash_orders_and_products_and_remove_customers(woo: Woo, service: Service):
    """orders-delete-no-force-trash, products-delete-no-force-trash, customers-delete-no-force-501 (force needed)."""
    order = woo.create("orders", {"customer_note": "x"})
    product = woo.create("products", {"name": "Old"})
    customer = woo.create("customers", {"email": "gone@example.test"})
    for type_name, record in (("order", order), ("product", product), ("customer", customer)):
        answer = push(service.url, type_name, [{"_id": "d", "id": record["id"], "_deleted": True}])
        assert answer.json()["deleted"] == 1, answer.text
        assert push(service.url, type_name, [{"_id": "d", "id": record["id"], "_deleted": True}]).status_code == 200
    assert woo.http.get(f"{woo.api}/orders/{order['id']}").json()["status"] == "trash"
    assert woo.http.get(f"{woo.api}/products/{product['id']}").json()["status"] == "trash"
    assert woo.http.get(f"{woo.api}/customers/{customer['id']}").status_code == 404
    before = total_writes(woo)
    edit = push(service.url, "customer", [{"_id": "c", "id": customer["id"], "first_name": "Back"}])
    assert (edit.status_code, edit.json()["gone"]) == (200, 1), "an edit of a deleted record: the delete wins"
    assert total_writes(woo) == before and woo.http.get(f"{woo.api}/customers").json() == []


def test_replaced_entities_are_not_deletes(woo: Woo, service: Service):
    product = woo.create("products", {"name": "Kept"})
    answer = push(service.url, "product", [{"_id": "r", "id": product["id"], "_deleted": True, "$replaced": True}])
    assert answer.json()["skipped"] == 1
    assert woo.http.get(f"{woo.api}/products/{product['id']}").json()["status"] == "publish"


def test_250_updates_take_two_requests_per_hundred(woo: Woo, service: Service):
    created = woo.batch_create("products", [{"name": f"P{n}", "sku": f"S{n}"} for n in range(250)])
    requests.delete(woo.url + "/_sandbox/requests")
    answer = push(service.url, "product", [{"_id": str(p["id"]), "id": p["id"], "name": p["name"] + "!"}
                                           for p in created])
    assert answer.json()["updated"] == 250
    assert requests.get(woo.url + "/_sandbox/requests").json() == {"GET": 3, "POST": 3}


def test_item_errors_inside_a_200_batch_are_reported_per_entity(woo: Woo, service: Service):
    """products-batch-mixed-one-failing: a failing item does not fail the batch answer."""
    good = woo.create("products", {"name": "Good"})
    answer = push(service.url, "product", [{"_id": "ok", "id": good["id"], "name": "Better"},
                                           {"_id": "bad", "sesam_origin": "x:1", "name": "Bad", "type": "bogus"}])
    assert answer.status_code == 422
    body = answer.json()
    assert body["updated"] == 1 and [f["_id"] for f in body["failed"]] == ["bad"]
    assert body["failed"][0]["retriable"] is False
    assert body["failed"][0]["fields"] == {"type": "type is not one of simple, grouped, external, and variable."}
    assert body["failed"][0]["reason"].startswith("type: "), "the store's own field-level reason reaches Sesam"
    assert woo.http.get(f"{woo.api}/products/{good['id']}").json()["name"] == "Better", "the rest stays applied"


def test_an_unreachable_store_is_a_503_that_sesam_may_retry(woo: Woo, service: Service):
    woo.faults({"fail": [{"status": 503, "count": 50}]})
    answer = push(service.url, "customer", [{"_id": "c", "sesam_origin": "s:1", "email": "a@example.test"}])
    assert answer.status_code == 503 and answer.json()["failed"][0]["retriable"] is True


def test_categories_pushed_by_name_are_filed_under_their_ids(woo: Woo, service: Service):
    """products-e29: an unknown category id silently becomes "Uncategorized", so names are resolved first."""
    product = woo.create("products", {"name": "Teapot"})
    entity = {"_id": "t", "id": product["id"], "categories": [{"name": "Kitchen"}, {"name": "uncategorized"}]}
    assert push(service.url, "product", [entity]).json()["updated"] == 1
    names = sorted(c["name"] for c in woo.http.get(f"{woo.api}/products/{product['id']}").json()["categories"])
    assert names == ["Kitchen", "Uncategorized"]
    before = total_writes(woo)
    assert push(service.url, "product", [entity]).json()["unchanged"] == 1, "the same names again change nothing"
    assert total_writes(woo) == before


def test_two_versions_of_one_record_in_a_batch_are_one_write_of_the_last(woo: Woo, service: Service):
    """Issue 11 item 4: both versions used to be planned against one read; the batch order is offset order, so
    the last occurrence is the newest (service/sesam/batch.py)."""
    product = woo.create("products", {"name": "Lamp", "sku": "LAMP"})
    before = total_writes(woo)
    answer = push(service.url, "product", [{"_id": "p", "id": product["id"], "name": "Lamp v2"},
                                           {"_id": "p", "id": product["id"], "name": "Lamp v3"}])
    assert answer.json() == {"created": 0, "updated": 1, "unchanged": 0, "deleted": 0, "skipped": 0,
                             "superseded": 1, "gone": 0}
    assert total_writes(woo) - before == 1
    assert woo.http.get(f"{woo.api}/products/{product['id']}").json()["name"] == "Lamp v3"
    order = woo.create("orders", {"line_items": [{"product_id": product["id"], "quantity": 1}]})
    lines = [{"product_id": product["id"], "quantity": 2, "subtotal": "0.00", "total": "0.00"}]
    push(service.url, "order", [{"_id": "o", "id": order["id"], "line_items": lines},
                                {"_id": "o", "id": order["id"], "line_items": [{**lines[0], "quantity": 5}]}])
    [line] = woo.http.get(f"{woo.api}/orders/{order['id']}").json()["line_items"]
    assert line["quantity"] == 5, "the lines of the two versions did not merge"


def test_records_of_two_systems_sharing_an_id_are_both_written(woo: Woo, service: Service):
    """Sesam's json sink strips namespaces: customwebshop-customer:4 and woocommerce-customer:4 both arrive as "4".
    The identity is the target id or the origin, never `_id` (issue 9, item 2)."""
    existing = woo.create("customers", {"email": "linked@example.test"})
    answer = push(service.url, "customer", [
        {"_id": "4", "sesam_origin": "customwebshop-customer:4", "email": "new@example.test"},
        {"_id": "4", "id": existing["id"], "first_name": "Linked"}])
    assert (answer.json()["created"], answer.json()["updated"], answer.json()["superseded"]) == (1, 1, 0)
    assert {c["email"] for c in listed(woo, "customers")} == {"linked@example.test", "new@example.test"}


def test_a_refused_login_is_a_503_saying_so_never_a_422(woo: Woo, serve_service):
    """A rotated key must not dead-letter everything: credentials can be fixed, then Sesam's retry applies it."""
    service = serve_service(woo_settings(woo.url, woocommerce_consumer_secret=Secret("cs_rotated")))
    for entities in ([{"_id": "c", "sesam_origin": "s:1", "email": "a@example.test"}],
                     [{"_id": "c", "id": 5, "first_name": "X"}]):
        answer = push(service.url, "customer", entities)
        assert answer.status_code == 503, answer.text
        [failure] = answer.json()["failed"]
        assert failure["retriable"] is True and "refused our credentials" in failure["reason"]


def test_a_negative_quantity_and_a_missing_product_are_refused_naming_the_line(woo: Woo, service: Service):
    """A negative quantity puts stock back when the order reduces stock (FACTS §6); a line for a product the store
    lacks is stored as product 0 at 0.00 and answered "created" (orders-create-nonexistent-product.json)."""
    mug = woo.create("products", {"name": "Mug", "regular_price": "5.00"})
    before = total_writes(woo)
    answer = push(service.url, "order", [
        {"_id": "o1", "sesam_origin": "s:1", "line_items": [{"product_id": mug["id"], "quantity": -2}]},
        {"_id": "o2", "sesam_origin": "s:2", "line_items": [{"product_id": mug["id"], "quantity": 1},
                                                            {"product_id": 99999, "quantity": 1}]},
        {"_id": "o3", "sesam_origin": "s:3", "line_items": [{"product_id": mug["id"], "quantity": 1}]}])
    assert answer.status_code == 422 and answer.json()["created"] == 1
    failed = {f["_id"]: f for f in answer.json()["failed"]}
    assert failed["o1"]["fields"] == {"line_items[0].quantity": "must not be negative (WooCommerce would put stock "
                                                                "back)"}
    assert list(failed["o2"]["fields"]) == ["line_items[1].product_id"]
    assert failed["o2"]["reason"].startswith("line_items[1].product_id: product 99999 does not exist in WooCommerce")
    assert total_writes(woo) - before == 1, "only the good order was written"


@pytest.mark.parametrize("email,reason", [
    ("jürgen@example.de", "WooCommerce refuses non-ASCII e-mail local parts"),
    ("ana@☃.net", "WooCommerce refuses this e-mail domain: it has no IDNA form (xn--…) it could hold"),
    ("a@b.c", "WooCommerce refuses e-mail addresses shorter than 6 characters"),
])
def test_an_email_woocommerce_refuses_is_answered_field_by_field_without_a_round_trip(woo: Woo, service: Service,
                                                                                     email, reason):
    """WordPress's is_email() decides (service/connectors/woocommerce_rules.py); the sandbox refuses the same."""
    requests.delete(woo.url + "/_sandbox/requests")
    answer = push(service.url, "customer", [{"_id": "c", "sesam_origin": "s:1", "email": email}])
    assert answer.status_code == 422
    [failure] = answer.json()["failed"]
    assert (failure["fields"], failure["retriable"]) == ({"email": reason}, False)
    assert failure["reason"] == f"email: {reason}"
    assert requests.get(woo.url + "/_sandbox/requests").json() == {}, "no request reached the store"
    assert woo.http.post(f"{woo.api}/customers", json={"email": email}).json()["code"] == "customer_invalid_email"


def test_the_receiver_refuses_exactly_the_emails_the_store_refuses(woo: Woo, service: Service):
    samples = ["ok@example.test", "o'brien+x@example.co.uk", "x..y@example.test", "jürgen@example.de", "a@b.c",
               "ana@-example.test", "ana@localhost", "ana@exa_mple.test", "李@example.cn", "ana@bücher.de", "ana@☃.net",
               "Ana.B@Example.Test", "a b@example.test", "ana@example..test", "ana@example.test."]
    for n, email in enumerate(samples):
        ours = push(service.url, "customer", [{"_id": "c", "sesam_origin": f"s:{n}", "email": email}])
        # The store is offered what the receiver writes (a domain in IDNA form); taken if we created it: not invalid.
        store = woo.http.post(f"{woo.api}/customers", json={"email": ascii_domain(email)})
        refused_by_store = store.status_code == 400 and store.json()["code"] == "customer_invalid_email"
        assert (ours.status_code == 422) == refused_by_store, (email, ours.text, store.text)


def test_an_email_in_another_letter_case_is_not_sent(woo: Woo, service: Service):
    """A real store refuses a case-only change of a customer's own e-mail as taken (customers controller
    update_item); the two are the same address, so the receiver has nothing to write."""
    customer = woo.create("customers", {"email": "kim@example.test"})
    before = total_writes(woo)
    answer = push(service.url, "customer", [{"_id": "c", "id": customer["id"], "email": "KIM@Example.test"}])
    assert answer.status_code == 200 and answer.json()["unchanged"] == 1
    assert total_writes(woo) == before


def test_a_failed_push_is_logged_at_warning_with_its_reasons(woo: Woo, service: Service, caplog):
    caplog.set_level(logging.INFO)
    push(service.url, "customer", [{"_id": "c9", "sesam_origin": "s:1", "email": "jürgen@example.de"}])
    [line] = [r for r in caplog.records if r.name == "service.sesam.routes"]
    assert line.levelno == logging.WARNING
    assert "c9: email: WooCommerce refuses non-ASCII e-mail local parts" in line.getMessage()


def test_an_international_email_domain_is_written_in_idna_form_and_read_back_in_unicode(woo: Woo, service: Service):
    """is_email() allows only [a-z0-9-] in a domain (service/connectors/woocommerce_emails.py): the same domain in
    IDNA form is the same address, so it is written that way and shown in Unicode on the way back."""
    answer = push(service.url, "customer", [{"_id": "c", "sesam_origin": "customwebshop-customer:3",
                                             "email": "ana@bücher.de", "billing": {"email": "konto@почта.рф"}}])
    assert answer.json()["created"] == 1, answer.text
    [stored] = woo.http.get(f"{woo.api}/customers").json()
    assert (stored["email"], stored["billing"]["email"]) == ("ana@xn--bcher-kva.de", "konto@xn--80a1acny.xn--p1ai")
    [read] = [e for e in service.entities("customer") if e["id"] == stored["id"]]
    assert (read["email"], read["billing"]["email"]) == ("ana@bücher.de", "konto@почта.рф")
    again = push(service.url, "customer", [{"_id": "c", "id": stored["id"], "email": "ana@bücher.de"}])
    assert again.json()["unchanged"] == 1, "the same address in its other form is not a change"
