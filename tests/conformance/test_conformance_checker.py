"""The checker against the reference shop (all pass) and against each broken variant (the right check fails, with a
reason that names the method and path).

Every breakage is a mistake a real shop makes (sandbox/webshop/broken.py says which); each must be caught on a
seeded shop, and the listing ones on an empty shop too, since a shop's developers often run the checker on an empty
test install.
"""
from __future__ import annotations

import json
import re

import pytest
import requests

from sandbox.serving import ServedApp
from sandbox.webshop.app import create_app
from sandbox.webshop.broken import BREAKAGES
from sandbox.webshop.seed import product, store_of
from service.conformance.__main__ import main
from service.conformance.client import RequestFailed, ShopClient
from service.conformance.checks import CHECKS, FINAL_CHECKS
from service.conformance.report import Outcome
from service.conformance.runner import RESOURCES, run_checks

TOKEN = "checker-test-token"
# (breakage, the check that must fail, a pattern its reason must match)
CAUGHT = [
    ("offset_cursor", "listing_stable_under_writes", r"GET /customers\?updated_after=\S+&limit=3 .*never returned"),
    ("timestamp_cursor", "ties_across_page_boundary",
     r"GET /customers\?limit=1 \(all pages\) .*cursor must hold \(updated_at, id\)"),
    ("unstable_order", "listing_stable_under_writes", r"GET /customers\?\S+ is not ordered by \(updated_at, id\)"),
    ("inclusive_updated_after", "updated_after_exclusive", r"GET /customers\?updated_after=.*must be exclusive"),
    ("no_tombstones", "tombstones_include_deleted",
     r"GET /customers\?\S*include_deleted=true \(all pages\) must list /customers/\d+ once as a tombstone"),
    ("ignores_if_match", "if_match_412", r"PATCH /customers/\d+ with a stale If-Match answered 200, expected 412"),
    ("bumps_unchanged", "unchanged_write_keeps_version", r"PUT /customers/\d+ with .*must not change version"),
    ("wrong_error_shape", "error_shapes", r"GET /customers/<unknown id> .*\"error\": \"not_found\""),
    ("early_stamps", "stamped_when_visible",
     r"PATCH /customers/\d+ \(its body sent .* after its headers\) got updated_at .*never returns the change"),
    ("origin_not_unique", "origin_unique", r"POST /customers creating a record .*answered 201, expected 409"),
    ("short_scans", "full_listings", r"GET /customers\?limit=\d \(all pages\) returned customers/\d+ 0 times"),
    ("drops_from_big_pages", "listing_order_and_cursors",
     r"GET /customers\?updated_after=\S+ \(all pages\) returned customers/\d+ 0 times"),
    ("drops_from_full_listings", "full_listings", r"GET /customers\?limit=\d+ \(all pages\) (returned|skipped)"),
    ("id_ordered_full_listings", "full_listings", r"GET /customers\?limit=500 is not ordered by \(updated_at, id\)"),
    ("listing_omits_nested", "listing_items_match_get",
     r"GET /customers\?\S+ lists /customers/\d+ unlike GET /customers/\d+: properties missing \['billing', "
     r"'shipping'\]"),
    ("listing_omits_origin", "listing_items_match_get", r"GET /customers\?\S+ lists .*missing \['origin'\]"),
    ("origin_prefix_match", "origin_filter_exact",
     r"GET /customers\?origin=\S+-origin-1&limit=1 returned \[\d+, \d+\], expected only \d+: origin must match"),
    ("tombstones_without_origin", "tombstones_include_deleted",
     r"GET /customers\?\S+: the tombstone of /customers/\d+ must have exactly the properties"),
    ("tombstones_expire", "tombstones_retained",
     r"GET /customers\?\S+ \(all pages\) no longer lists the tombstones of customers \[[\d, ]+\], the oldest deleted"),
    ("deleted_values_taken", "deleted_values_free",
     r"POST /customers with the email and origin of deleted /customers/\d+ answered 409, expected 201"),
    ("auth_only_on_listing", "auth_required", r"POST /customers without Authorization answered 201, expected 401"),
    ("echoes_credentials", "credentials_never_echoed",
     r"GET /customers/2147483647 \(answered 404\) repeats the bearer token it was sent in its body"),
    ("drops_unknown_properties", "unknown_properties_refused",
     r"POST /customers with the unknown property colour answered 201, expected 422"),
    ("drops_metadata", "metadata_kept_as_sent", r"POST /customers holds metadata \{\}, expected it as sent"),
    ("metadata_apart", "metadata_kept_as_sent",
     r"PATCH /customers/\d+ with a field and metadata went from version 1 to 3: a write and the metadata"),
]
# Breakages of orders, checked on orders.
CAUGHT_ON_ORDERS = [
    ("copies_move_stock", "stock_moved_by_checkouts_only",
     r"POST /orders with origin \(a copy\) for 2: GET /products/\d+ has stock_quantity 8, expected 10"),
    ("checkouts_keep_stock", "stock_moved_by_checkouts_only",
     r"POST /orders without origin \(a checkout\) for 2 of stock 10: GET /products/\d+ has stock_quantity 10, "
     r"expected 8"),
]
# Breakages of variants, caught by the checks that run for variants alone.
CAUGHT_IN_VARIANTS = [
    ("variant_skus_apart", "variant_skus_share_the_product_space",
     r"POST /variants with the sku of /products/\d+ in other case answered 201, expected 409"),
    ("variants_move", "variant_stays_with_its_product",
     r"PATCH /variants/\d+ moving it to /products/\d+ answered 200, expected 422"),
    ("variant_sales_from_product", "variant_lines_move_the_variants_stock",
     r"after POST /orders \(a checkout of 2 × /variants/\d+, .*\): variant and product stock are \(10, 48\), "
     r"expected \(8, 50\)"),
    ("orphan_variants", "deleted_product_takes_its_variants",
     r"GET /variants/\d+ after DELETE /products/\d+ answered 200, expected 404"),
]
LISTING_BREAKAGES = ["short_scans", "drops_from_big_pages", "drops_from_full_listings", "id_ordered_full_listings",
                     "listing_omits_nested", "origin_prefix_match", "tombstones_expire"]


def outcomes_for(broken: set[str], resources: tuple[str, ...], seed: str | None = "demo") -> list[Outcome]:
    with ServedApp(create_app(token=TOKEN, seed=seed, broken=broken)) as served:
        return run_checks(served.url, TOKEN, resources)


def freeze_clock(base_url: str) -> None:
    requests.put(f"{base_url}/_sandbox/clock", json={"now": "2026-11-28T03:17:04.5Z"}, timeout=5).raise_for_status()


def failures(outcomes: list[Outcome]) -> dict[tuple[str, str], str]:
    return {(o.resource, o.check): o.reason for o in outcomes if o.status == "fail"}


def test_reference_shop_passes_every_check_and_is_left_clean() -> None:
    app = create_app(token=TOKEN, seed="demo")
    with ServedApp(app) as served:
        outcomes = run_checks(served.url, TOKEN)
    assert failures(outcomes) == {}
    assert not [o for o in outcomes if o.status == "skip"]
    expected = {(resource, name) for resource in RESOURCES for name, _, only in CHECKS if not only or resource in only}
    expected |= {(resource, name) for resource in RESOURCES for name, _ in FINAL_CHECKS}
    assert {(o.resource, o.check) for o in outcomes} == expected | {("-", "clean_up")}
    live, _ = store_of(app).list("customers", {"limit": "500"})
    assert not [item for item in live if "conformance-" in item["email"]]


def test_every_breakage_is_caught_by_a_test() -> None:
    tested = {broken for broken, _, _ in CAUGHT + CAUGHT_ON_ORDERS + CAUGHT_IN_VARIANTS} | {
        "second_stamps", "recomputes_totals", "trickles"}
    assert tested == set(BREAKAGES)


@pytest.mark.parametrize(("broken", "check", "reason"), CAUGHT_ON_ORDERS)
def test_each_order_breakage_fails_its_check(broken: str, check: str, reason: str) -> None:
    found = failures(outcomes_for({broken}, ("orders",)))
    assert re.search(reason, found.get(("orders", check), "")), found


@pytest.mark.parametrize(("broken", "check", "reason"), CAUGHT)
def test_each_breakage_fails_its_check_with_a_reason_naming_method_and_path(broken: str, check: str,
                                                                           reason: str) -> None:
    found = failures(outcomes_for({broken}, ("customers",)))
    assert re.search(reason, found.get(("customers", check), "")), found


@pytest.mark.parametrize(("broken", "check", "reason"), CAUGHT_IN_VARIANTS)
def test_each_variant_breakage_fails_its_check(broken: str, check: str, reason: str) -> None:
    found = failures(outcomes_for({broken}, ("variants",)))
    assert re.search(reason, found.get(("variants", check), "")), found


@pytest.mark.parametrize(("broken", "check", "reason"), [row for row in CAUGHT if row[0] in LISTING_BREAKAGES])
def test_listing_breakages_are_caught_on_an_empty_shop_too(broken: str, check: str, reason: str) -> None:
    found = failures(outcomes_for({broken}, ("customers",), seed=None))
    assert re.search(reason, found.get(("customers", check), "")), found


def test_a_recalculated_order_total_is_caught() -> None:
    found = failures(outcomes_for({"recomputes_totals"}, ("orders",)))
    assert re.search(r"the answer to POST /orders has other amounts than were sent: sent \{'grand_total': '83.44'\}, "
                     r"got \{'grand_total': '83.45'\}", found[("orders", "money_kept_as_sent")])


def test_full_listings_fit_a_shop_that_keeps_many_tombstones() -> None:
    """Tombstones are kept for weeks: a small page size that the live records afford may not fit them."""
    app = create_app(token=TOKEN, seed="demo")
    shop = store_of(app)
    for id_ in shop.insert_many("products", (product(n) for n in range(100, 800)), same_stamp=False):
        shop.delete("products", id_, None)
    with ServedApp(app) as served:
        assert failures(run_checks(served.url, TOKEN, ("products",))) == {}


def test_second_resolution_stamps_fail_when_writes_share_a_second() -> None:
    """A frozen sandbox clock makes every write land in one second, as a fast client's writes do on a real shop."""
    app = create_app(token=TOKEN, seed="demo", broken={"second_stamps"})
    with ServedApp(app) as served:
        freeze_clock(served.url)
        found = failures(run_checks(served.url, TOKEN, ("products",)))
    assert re.search(r"PATCH /products/\d+: a change must move updated_at forward",
                     found[("products", "create_read_update_delete")])
    assert "must come again with version 2" in found[("products", "listing_stable_under_writes")]
    assert re.search(r"PATCH /products/\d+ \(its body sent", found[("products", "stamped_when_visible")])


def test_reference_shop_passes_with_a_frozen_clock() -> None:
    with ServedApp(create_app(token=TOKEN, seed="demo")) as served:
        freeze_clock(served.url)
        assert failures(run_checks(served.url, TOKEN, ("orders",))) == {}


def test_an_empty_shop_skips_the_tie_check_instead_of_failing() -> None:
    with ServedApp(create_app(token=TOKEN)) as served:
        outcomes = run_checks(served.url, TOKEN, ("products",))
    skipped = [o for o in outcomes if o.status == "skip"]
    assert [o.check for o in skipped] == ["ties_across_page_boundary"]
    assert failures(outcomes) == {}


def test_a_rejected_token_is_one_failure_and_nothing_is_written(capsys: pytest.CaptureFixture[str]) -> None:
    app = create_app(token=TOKEN, seed="demo")
    with ServedApp(app) as served:
        status = main([served.url, "--token", "not-the-token", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert status == 1
    assert [(r["check"], r["status"]) for r in report["results"]] == [("token_accepted", "fail")]
    assert "GET /customers answered 401 to the token given" in report["results"][0]["reason"]
    assert all(count == 0 for counts in store_of(app).stats_json().values() for count in counts.values())


def test_the_request_deadline_covers_the_whole_answer_of_a_trickling_shop() -> None:
    """An answer arriving one byte every 3 s is cut at the deadline, body included: a timeout per socket read alone
    would wait for it for minutes."""
    with ServedApp(create_app(token=TOKEN, seed="demo", broken={"trickles"})) as served:
        client = ShopClient(served.url, TOKEN, request_seconds=0.5)
        customer_id = client.page("customers", {"limit": 1})[0][0]["id"]
        with pytest.raises(RequestFailed) as failed:
            client.get("customers", customer_id)
    assert str(failed.value) == (f"GET /customers/{customer_id} did not complete within 0.5 s (the deadline covers "
                                 "the whole answer)")


def test_a_trickling_shop_ends_at_the_run_bound_and_is_cleaned_up(capsys: pytest.CaptureFixture[str]) -> None:
    """With a request deadline longer than the run's bound, the first GET by id of a trickling shop is cut by the
    bound itself, so every later check is not run, however fast or slow the machine; the clean-up still runs."""
    with ServedApp(create_app(token=TOKEN, seed="demo", broken={"trickles"})) as served:
        status = main([served.url, "--token", TOKEN, "--resource", "customers", "--json",
                       "--request-seconds", "30", "--run-seconds", "2"])
    captured = capsys.readouterr()
    results = {r["check"]: r for r in json.loads(captured.out)["results"]}
    cut = [check for check, result in results.items()
           if re.fullmatch(r"GET /customers/\d+ did not complete before the run's time bound", result["reason"])]
    not_run = [check for check, result in results.items()
               if result["reason"] == "not run: the run reached its time bound of 2 s"]
    assert status == 1 and len(cut) == 1 and "tombstones_retained" in not_run
    assert list(results).index(cut[0]) < min(list(results).index(check) for check in not_run)
    assert results["clean_up"]["status"] == "pass"
    assert re.search(r"\d+/\d+ customers \w+: fail", captured.err)


def test_command_line_exits_non_zero_and_prints_json_on_failure(capsys: pytest.CaptureFixture[str]) -> None:
    with ServedApp(create_app(token=TOKEN, seed="demo", broken={"ignores_if_match"})) as served:
        status = main([served.url, "--token", TOKEN, "--resource", "products", "--json", "--quiet"])
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert status == 1 and report["passed"] is False and captured.err == ""
    assert TOKEN not in json.dumps(report)
    assert {r["check"] for r in report["results"] if r["status"] == "fail"} == {"if_match_412"}


def test_command_line_reports_an_unreachable_shop(capsys: pytest.CaptureFixture[str]) -> None:
    with ServedApp(create_app(token=TOKEN)) as served:
        url = served.url
    assert main([url, "--token", TOKEN]) == 2
    assert "cannot reach" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["0", "-1", "soon", "nan"])
def test_command_line_refuses_a_bound_that_is_not_a_positive_number(value: str,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["http://127.0.0.1:9", "--token", TOKEN, "--request-seconds", value])
    assert exit_.value.code == 2 and "--request-seconds" in capsys.readouterr().err
