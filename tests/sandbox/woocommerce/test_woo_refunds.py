"""Refunds: `POST/GET /orders/{id}/refunds`, stock given back, the order becoming refunded, setting refunded directly.

The recorded sequence (`refunds-r00-…` … `refunds-r26-…`) is replayed step by step with the clock at each write's
recorded second, so product dates compare exactly.
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
from woo_recordings import RECORDINGS, Replay, order_summary, recording

PRODUCT_STOCK_FIELDS = ("sku", "manage_stock", "stock_quantity", "stock_status", "total_sales")
RECORDED_WRITE_TIMES = {  # the second each recorded write happened at (its response's creation date)
    "refunds-r00": "2026-12-01T21:41:35", "refunds-r01": "2026-12-01T21:41:35", "refunds-r03-": "2026-12-01T21:41:38",
    "refunds-r04": "2026-12-01T21:41:39", "refunds-r08": "2026-12-01T21:41:42", "refunds-r13": "2026-12-01T21:41:42",
    "refunds-r20": "2026-12-01T21:41:43", "refunds-r21": "2026-12-01T21:41:43", "refunds-r24": "2026-12-01T21:41:44",
}


def _names(prefix: str) -> list[str]:
    return sorted(path.name for path in RECORDINGS.glob(f"{prefix}*.json"))


def refund_summary(refund: dict[str, Any], ids: dict[int, int] | None = None) -> dict[str, Any]:
    """A refund's money and lines, each line naming the (mapped) item it refunds."""
    mapped = ids or {}

    def refunded_item(line: dict[str, Any]) -> int:
        (value,) = [m["value"] for m in line["meta_data"] if m["key"] == "_refunded_item_id"]
        assert [m["key"] for m in line["meta_data"]] == ["_refunded_item_id"]
        return mapped.get(int(value), int(value))

    return {
        **{key: refund[key] for key in ("amount", "reason", "refunded_by", "refunded_payment", "meta_data",
                                         "tax_lines", "fee_lines")},
        "line_items": [(mapped.get(line["product_id"], line["product_id"]), line["quantity"], line["subtotal"],
                        line["total"], line["price"], refunded_item(line)) for line in refund["line_items"]],
        "shipping_lines": [(line["method_id"], line["total"], refunded_item(line))
                           for line in refund["shipping_lines"]],
    }


def _note_texts(notes: list[dict[str, Any]], ids: dict[int, int] | None = None) -> list[str]:
    """Notes' texts, product ids mapped. Sorted: within one second the recorded order is not stable
    (`refunds-r07-…` lists the same-second notes oldest first, `orders-status-23-notes-list.json` newest first)."""
    mapped = ids or {}
    return sorted(re.sub(r"Item #(\d+)", lambda m: f"Item #{mapped.get(int(m.group(1)), m.group(1))}", n["note"])
                  for n in notes)


def test_refund_sequence(shop):
    """`refunds-r00-create-simple-managed-stock.json` … `refunds-r26-product-after-line-only-refund.json`."""
    replay = Replay(shop, {})
    ours_by_name: dict[str, Any] = {}
    for name in _names("refunds-"):
        moment = next((t for prefix, t in RECORDED_WRITE_TIMES.items() if name.startswith(prefix)), None)
        if moment is not None:
            shop.store.clock.freeze(datetime.fromisoformat(moment))
        recorded, ours = replay.send(name)  # statuses, error bodies, totals headers and Allow as recorded
        ours_by_name[name] = ours
        ids = replay.ids
        if isinstance(recorded, list) and recorded and "note" in recorded[0]:
            assert _note_texts(ours) == _note_texts(recorded, ids), name
        elif isinstance(recorded, list):
            assert [r["id"] for r in ours] == [ids[r["id"]] for r in recorded], name  # newest first
            assert [refund_summary(r) for r in ours] == [refund_summary(r, ids) for r in recorded], name
        elif "amount" in recorded:
            assert refund_summary(ours) == refund_summary(recorded, ids), name
            assert set(ours) == set(recorded), name
            assert ours["date_created_gmt"] == recorded["date_created_gmt"], name
        elif "line_items" in recorded:
            assert order_summary(ours) == order_summary(recorded, ids), name
            assert [r["id"] for r in ours["refunds"]] == [ids[r["id"]] for r in recorded["refunds"]], name
            assert ours["date_completed_gmt"] is None, name
        elif "stock_quantity" in recorded:
            assert {k: ours[k] for k in PRODUCT_STOCK_FIELDS} == {k: recorded[k] for k in PRODUCT_STOCK_FIELDS}, name
            assert ours["date_modified_gmt"] == recorded["date_modified_gmt"], name
    # Refund ids come from the order sequence, the failed refund using one up (order 7029, refunds 7031 and 7032).
    order_id = ours_by_name["refunds-r01-create-processing-order.json"]["id"]
    assert ours_by_name["refunds-r04-partial-refund-api-refund-false.json"]["id"] == order_id + 2
    assert ours_by_name["refunds-r08-full-remaining-refund.json"]["id"] == order_id + 3
    # The order's date_modified moves with each refund (recorded a second later than the refund: request time).
    assert ours_by_name["refunds-r05-order-after-partial.json"]["date_modified_gmt"] == "2026-12-01T21:41:39"


def _processing_order(shop, product: dict[str, Any], quantity: int, **extra: Any) -> dict[str, Any]:
    billing = {"first_name": "Zoë", "last_name": "Müller", "email": "zoe@example.test"}
    return shop.created("/orders", {"status": "processing", "billing": billing,
                                    "line_items": [{"product_id": product["id"], "quantity": quantity}], **extra})


@pytest.fixture()
def lamp(shop) -> dict[str, Any]:
    return shop.created("/products", recording("refunds-r00-create-simple-managed-stock.json")["request"]["body"])


def _stock(shop, product: dict[str, Any]) -> int:
    return shop.get(f"/products/{product['id']}").json()["stock_quantity"]


def test_cancelling_after_a_partial_refund_gives_back_only_what_is_still_out(shop, lamp):
    """Stock counts each unit once: 3 sold, 1 refunded and restocked (`refunds-r05-…`: `_reduced_stock` 3 → 2),
    then cancelled: 2 come back, not 3 (`wc_increase_stock_levels` restores `_reduced_stock`)."""
    order = _processing_order(shop, lamp, 3)
    line = order["line_items"][0]["id"]
    refund = shop.post(f"/orders/{order['id']}/refunds", {
        "api_refund": False, "amount": "25.00", "line_items": [{"id": line, "quantity": 1, "refund_total": 25}]})
    assert refund.status_code == 201 and _stock(shop, lamp) == 8
    cancelled = shop.put(f"/orders/{order['id']}", {"status": "cancelled"}).json()
    assert _stock(shop, lamp) == 10
    assert cancelled["line_items"][0]["meta_data"][0]["key"] == "_restock_refunded_items"
    notes = [n["note"] for n in shop.get(f"/orders/{order['id']}/notes").json()]
    assert notes[1] == "Stock levels increased: Rec 38cf33 Lamp (REC-38cf33-LAMP) 8&rarr;10"


def test_total_sales_count_a_sale_once(shop, lamp):
    """`refunds-r02-product-after-order.json`: a processing order of 3 counts 3 in total_sales, and a refund leaves
    it (`refunds-r06-…`); completing does not count again, cancelling takes it back (FACTS, stock-s18: the parent's
    total_sales 4 → 2; `wc_update_total_sales_counts`), and counting is no edit of the product."""
    order = _processing_order(shop, lamp, 3)
    shop.advance(5)
    shop.put(f"/orders/{order['id']}", {"status": "completed"})
    completed = shop.get(f"/products/{lamp['id']}").json()
    assert (completed["total_sales"], completed["date_modified_gmt"]) == (3, "2026-11-28T03:17:00")
    shop.put(f"/orders/{order['id']}", {"status": "cancelled"})
    assert shop.get(f"/products/{lamp['id']}").json()["total_sales"] == 0
    shop.put(f"/orders/{order['id']}", {"status": "pending"})
    assert shop.get(f"/products/{lamp['id']}").json()["total_sales"] == 0


def test_a_fully_restocked_order_gives_nothing_back_when_cancelled(shop, lamp):
    """`refunds-r09-order-after-full.json` leaves `_reduced_stock` "0"; a later cancellation skips the line."""
    order = _processing_order(shop, lamp, 2)
    line = order["line_items"][0]["id"]
    shop.post(f"/orders/{order['id']}/refunds", {"api_refund": False,
                                                 "line_items": [{"id": line, "quantity": 2, "refund_total": 50}]})
    assert _stock(shop, lamp) == 10
    assert shop.put(f"/orders/{order['id']}", {"status": "cancelled"}).status_code == 200
    assert _stock(shop, lamp) == 10


def test_api_restock_false_refunds_money_only_and_restock_items_is_not_read(shop, lamp):
    """`api_restock` decides (default true); `restock_items` is no parameter of the v3 controller
    (class-wc-rest-order-refunds-controller.php, RestApiUtil::adjust_create_refund_request_parameters)."""
    order = _processing_order(shop, lamp, 2)
    line = order["line_items"][0]["id"]
    path = f"/orders/{order['id']}/refunds"
    shop.post(path, {"api_refund": False, "api_restock": False,
                     "line_items": [{"id": line, "quantity": 1, "refund_total": 25}]})
    assert _stock(shop, lamp) == 8
    shop.post(path, {"api_refund": False, "restock_items": False,
                     "line_items": [{"id": line, "quantity": 1, "refund_total": 25}]})
    assert _stock(shop, lamp) == 9


def test_failed_refunds_change_nothing(shop, lamp):
    """`refunds-r03-…`/`-r03b-…` (no payment method), `refunds-r13-refund-more-than-remaining.json`; a gateway of
    WooCommerce's own cannot refund either, and a negative amount is refused (the controller's WP_Error carries a
    bare status, so the answer is 500)."""
    order = _processing_order(shop, lamp, 1, payment_method="bacs")
    path = f"/orders/{order['id']}/refunds"
    before = shop.get(f"/orders/{order['id']}").json()
    bacs = shop.post(path, {"amount": "5.00"})
    assert (bacs.status_code, bacs.json()) == (500, {
        "code": "woocommerce_rest_cannot_create_order_refund",
        "message": "The payment gateway for this order does not support automatic refunds.", "data": 500})
    negative = shop.post(path, {"amount": "-1.00", "api_refund": False})
    assert (negative.status_code, negative.json()["data"]) == (500, 400)
    assert negative.json()["code"] == "woocommerce_rest_invalid_order_refund"
    too_much = shop.post(path, {"amount": "25.01", "api_refund": False})
    assert too_much.json() == recording("refunds-r13-refund-more-than-remaining.json")["body"]
    assert shop.get(f"/orders/{order['id']}").json() == before
    assert shop.get(path).json() == [] and _stock(shop, lamp) == 9


def test_refund_of_a_missing_order_and_lookups_across_orders(shop, lamp):
    """The controller's checks (class-wc-rest-order-refunds-v2-controller.php): an order that does not exist has
    no refunds to list and cannot be refunded; a refund is found only under its own order."""
    missing = shop.post("/orders/999999/refunds", {"amount": "1.00", "api_refund": False})
    assert (missing.status_code, missing.json()) == (500, {"code": "woocommerce_rest_invalid_order_id",
                                                           "message": "Invalid order ID.", "data": 404})
    listed = shop.get("/orders/999999/refunds")
    assert (listed.status_code, listed.json(), listed.headers["X-WP-Total"]) == (200, [], "0")
    first, second = _processing_order(shop, lamp, 1), _processing_order(shop, lamp, 1)
    refund = shop.created(f"/orders/{first['id']}/refunds", {"amount": "1.00", "api_refund": False})
    elsewhere = shop.get(f"/orders/{second['id']}/refunds/{refund['id']}")
    assert (elsewhere.status_code, elsewhere.json()["code"]) == (500, "woocommerce_rest_invalid_order_refund_id")
    unknown = shop.get(f"/orders/{first['id']}/refunds/999999")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "woocommerce_rest_shop_order_refund_invalid_id")


def test_setting_refunded_is_a_refund_too(shop, lamp):
    """`orders-status-08-pending-to-refunded.json`: the automatic full refund is a refund like the others, listed by
    `GET /orders/{id}/refunds`, taking what earlier refunds left (`wc_order_fully_refunded`). Stock stays."""
    order = _processing_order(shop, lamp, 2)
    path = f"/orders/{order['id']}"
    shop.created(f"{path}/refunds", {"amount": "10.00", "reason": "dent", "api_refund": False})
    refunded = shop.put(path, {"status": "refunded"}).json()
    assert [(r["reason"], r["total"]) for r in refunded["refunds"]] == [("Order fully refunded.", "-40.00"),
                                                                        ("dent", "-10.00")]
    listed = shop.get(f"{path}/refunds").json()
    assert [(r["id"], r["amount"], r["line_items"]) for r in listed] == [
        (refunded["refunds"][0]["id"], "40.00", []), (refunded["refunds"][1]["id"], "10.00", [])]
    assert _stock(shop, lamp) == 8
    notes = [n["note"] for n in shop.get(f"{path}/notes").json()]
    reminder = recording("orders-status-23-notes-list.json")["body"][2]["note"]
    assert notes[:2] == ["Order status changed from Processing to Refunded.", reminder]


def test_setting_refunded_on_a_fully_refunded_or_free_order_adds_no_refund(shop, lamp):
    """`wc_order_fully_refunded` returns when nothing is left to refund: no refund, no reminder note."""
    free = shop.created("/orders", {"line_items": [{"product_id": lamp["id"], "total": "0", "subtotal": "0"}]})
    refunded = shop.put(f"/orders/{free['id']}", {"status": "refunded"}).json()
    assert refunded["refunds"] == [] and shop.get(f"/orders/{free['id']}/refunds").json() == []
    notes = [n["note"] for n in shop.get(f"/orders/{free['id']}/notes").json()]
    assert notes == ["Order status changed from Pending payment to Refunded."]


def test_deleting_an_order_for_good_deletes_its_refunds(shop, lamp):
    order = _processing_order(shop, lamp, 1)
    refund = shop.created(f"/orders/{order['id']}/refunds", {"amount": "5.00", "api_refund": False})
    assert shop.delete(f"/orders/{order['id']}", force="true").status_code == 200
    assert shop.store.refunds.find(refund["id"]) is None
