"""Shipping and fee lines: their bodies, their meta, what a new one must name, how they are removed."""
from __future__ import annotations

from typing import Any

import pytest
from woo_recordings import recording


@pytest.fixture()
def chair(shop) -> dict[str, Any]:
    return shop.created("/products", recording("orders-money-00-create-product-20.json")["request"]["body"])


def _without_ids(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**item, "id": 0, "meta_data": [{**m, "id": 0} for m in item["meta_data"]]} for item in items]


def test_shipping_and_fees_as_recorded(shop, chair):
    """`orders-money-01-guest-shipping-and-fees.json`: a guest order with shipping and two fees, one negative;
    every item's body as recorded but its id, and no order-level subtotal."""
    body = recording("orders-money-01-guest-shipping-and-fees.json")["request"]["body"]
    body["line_items"][0]["product_id"] = chair["id"]
    order = shop.created("/orders", body)
    recorded = recording("orders-money-01-guest-shipping-and-fees.json")["body"]
    for kind in ("shipping_lines", "fee_lines"):
        assert _without_ids(order[kind]) == _without_ids(recorded[kind]), kind
    money = ("customer_id", "total", "shipping_total", "discount_total", "total_tax")
    assert {k: order[k] for k in money} == {k: recorded[k] for k in money}
    assert "subtotal" not in order


def test_negative_fee_as_recorded(shop, product):
    """`orders-create-negative-fee.json`: the fee's body, `tax_status` as sent, and no discount_total."""
    recorded = recording("orders-create-negative-fee.json")
    body = {**recorded["request"]["body"], "line_items": [{"product_id": product["id"], "quantity": 1}]}
    del body["customer_id"]
    order = shop.created("/orders", body)
    assert _without_ids(order["fee_lines"]) == _without_ids(recorded["body"]["fee_lines"])
    assert (order["total"], order["discount_total"]) == (recorded["body"]["total"], recorded["body"]["discount_total"])


def test_a_negative_fee_takes_the_order_to_zero_no_further(shop, chair):
    """`calculate_totals` lowers a fee that would make the total negative (abstract-wc-order.php)."""
    order = shop.created("/orders", {"line_items": [{"product_id": chair["id"]}],
                                     "shipping_lines": [{"method_id": "flat_rate", "total": "5.00"}],
                                     "fee_lines": [{"name": "Goodwill", "total": "-40.00"}]})
    assert (order["fee_lines"][0]["total"], order["total"]) == ("-25.00", "0.00")


def test_item_meta_is_kept_and_merged(shop, chair):
    """Lines keep the `meta_data` sent with them (`maybe_set_item_meta_data`), shown as item meta is in
    `orders-get.json` (`display_key`, `display_value`), merged by key on a later PUT."""
    order = shop.created("/orders", {
        "line_items": [{"product_id": chair["id"], "meta_data": [{"key": "gravering", "value": "Åse"}]}],
        "shipping_lines": [{"method_id": "flat_rate", "total": "5.00",
                            "meta_data": [{"key": "Items", "value": "Stol × 1"}]}],
        "fee_lines": [{"name": "Gebühr", "total": "1.00", "meta_data": [{"key": "_source", "value": "webshop"}]}]})
    shape = set(recording("orders-get.json")["body"]["line_items"][1]["meta_data"][0])
    for kind, key, value in (("line_items", "gravering", "Åse"), ("shipping_lines", "Items", "Stol × 1"),
                             ("fee_lines", "_source", "webshop")):
        (entry,) = order[kind][0]["meta_data"]
        assert set(entry) == shape and (entry["key"], entry["value"], entry["display_key"],
                                        entry["display_value"]) == (key, value, key, value), kind
    fee = order["fee_lines"][0]
    changed = shop.put(f"/orders/{order['id']}", {"fee_lines": [{"id": fee["id"], "meta_data": [
        {"key": "_source", "value": "pos"}, {"key": "till", "value": 3}]}]}).json()
    assert [(m["key"], m["value"], m["display_value"]) for m in changed["fee_lines"][0]["meta_data"]] == [
        ("_source", "pos", "pos"), ("till", "3", "3")]
    assert changed["fee_lines"][0]["meta_data"][0]["id"] == fee["meta_data"][0]["id"]


@pytest.mark.parametrize("kind, item, code, message", [
    ("fee_lines", {"total": "2.00"}, "woocommerce_rest_invalid_fee_item", "Fee name is required."),
    ("shipping_lines", {"method_title": "Post", "total": "2.00"}, "woocommerce_rest_invalid_shipping_item",
     "Shipping method ID is required."),
])
def test_a_new_fee_or_shipping_line_must_be_named(shop, chair, kind, item, code, message):
    """`prepare_fee_lines` / `prepare_shipping_lines` (orders v2 controller); nothing is written."""
    response = shop.post("/orders", {"line_items": [{"product_id": chair["id"]}], kind: [item]})
    assert (response.status_code, response.json()["code"], response.json()["message"]) == (400, code, message)
    assert shop.get("/orders").json() == []


def test_any_null_name_field_removes_an_item(shop, chair):
    """`item_is_null`: `method_title: null` removes a shipping line as `method_id: null` does
    (`orders-li-15-remove-shipping-method-id-null.json`)."""
    order = shop.created("/orders", {"line_items": [{"product_id": chair["id"]}],
                                     "shipping_lines": [{"method_id": "flat_rate", "total": "5.00"}]})
    removed = shop.put(f"/orders/{order['id']}", {"shipping_lines": [{"id": order["shipping_lines"][0]["id"],
                                                                      "method_title": None}]}).json()
    assert (removed["shipping_lines"], removed["total"]) == ([], "20.00")
