"""Order money agrees across the shops (README, "Order money").

WooCommerce totals an order itself from its line items, shipping lines and fee lines (FACTS §4,
`orders-money-01-guest-shipping-and-fees.json`, `orders-create-negative-fee.json`); the webshop stores its totals as
sent, and its parts add up to its grand total (docs/custom-webshop-api.md §3.5). Each scenario ends quiet and with
the audit reporting nothing (known differences are reported, and do not fail it).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from dataflow.audit import KNOWN
from harness import World


def parts_add_up(order: dict[str, Any]) -> bool:
    lines = sum(Decimal(line["line_total"]) for line in order["lines"])
    tax = Decimal(0) if order["prices_include_tax"] else Decimal(order["tax_total"])
    return lines + Decimal(order["shipping_total"]) + Decimal(order["fee_total"]) \
        - Decimal(order["discount_total"]) + tax == Decimal(order["grand_total"])


def webshop_order(world: World, **money: Any) -> dict[str, Any]:
    lamp = world.shop_create("products", {"sku": "LAMP", "name": "Lamp", "price": "40.00"})
    return world.shop_create("orders", {
        "currency": "EUR", "status": "processing", "email": "ines@example.test",
        "lines": [{"product_id": lamp["id"], "sku": "LAMP", "name": "Lamp", "quantity": 2, "unit_price": "40.00",
                   "line_total": "80.00"}], **money})


def test_a_webshop_order_with_shipping_fees_discount_and_tax_has_the_same_total_in_woocommerce(world: World) -> None:
    placed = webshop_order(world, shipping_total="5.00", fee_total="2.50", discount_total="8.00", tax_total="15.90",
                           grand_total="95.40")
    assert parts_add_up(placed)
    world.sync()
    [order] = world.woo_list("orders")
    assert (order["total"], order["shipping_total"]) == ("95.40", "5.00")
    assert [(line["method_title"], line["total"]) for line in order["shipping_lines"]] == [("Shipping", "5.00")]
    assert sorted((fee["name"], fee["total"]) for fee in order["fee_lines"]) == [
        ("Discount", "-8.00"), ("Fees", "2.50"), ("Tax", "15.90")]
    world.assert_quiet()
    world.assert_agree()


def test_a_webshop_order_whose_prices_include_tax_keeps_its_total_and_the_tax_is_a_known_difference(
        world: World) -> None:
    webshop_order(world, shipping_total="10.00", tax_total="18.00", prices_include_tax=True, grand_total="90.00")
    world.sync()
    [order] = world.woo_list("orders")
    assert (order["total"], order["total_tax"], order["fee_lines"]) == ("90.00", "0.00", [])
    world.assert_quiet()
    report = world.audit()
    assert report.agree, report.text()
    assert {finding.detail.split(" ", 1)[0].rstrip(":") for finding in report.findings if finding.kind == KNOWN} == {
        "tax_total", "prices_include_tax"}


def test_money_edited_in_the_webshop_reaches_the_woocommerce_copy_and_its_lines_are_reconciled(world: World) -> None:
    placed = webshop_order(world, shipping_total="5.00", fee_total="2.00", grand_total="87.00")
    world.sync()
    world.next_second()
    world.shop_http.patch(f"{world.shop.url}/orders/{placed['id']}", json={
        "shipping_total": "0.00", "fee_total": "3.00", "discount_total": "10.00", "grand_total": "73.00"
    }).raise_for_status()
    world.sync()
    [order] = world.woo_list("orders")
    assert (order["total"], order["shipping_lines"]) == ("73.00", [])
    assert sorted((fee["name"], fee["total"]) for fee in order["fee_lines"]) == [("Discount", "-10.00"),
                                                                                  ("Fees", "3.00")]
    world.assert_quiet()
    world.assert_agree()


def test_a_woocommerce_order_with_shipping_fees_and_a_negative_fee_adds_up_in_the_webshop(world: World) -> None:
    mug = world.woo_create("products", {"name": "Mug", "sku": "MUG", "regular_price": "20.00"})
    world.woo_create("orders", {
        "status": "processing", "currency": "USD", "billing": {"email": "guest@example.test"},
        "line_items": [{"product_id": mug["id"], "quantity": 2}],
        "shipping_lines": [{"method_id": "flat_rate", "method_title": "Flat rate", "total": "5.00"}],
        "fee_lines": [{"name": "Gift wrap", "total": "2.00"}, {"name": "Loyalty", "total": "-3.00"}]})
    world.sync()
    [order] = world.shop_list("orders")
    assert (order["grand_total"], order["shipping_total"], order["fee_total"], order["discount_total"]) == (
        "44.00", "5.00", "2.00", "3.00")
    assert parts_add_up(order)
    world.assert_quiet()
    world.assert_agree()


def test_a_woocommerce_line_discount_shows_in_the_webshop_line_and_the_total_agrees(world: World) -> None:
    mug = world.woo_create("products", {"name": "Mug", "sku": "MUG", "regular_price": "20.00"})
    world.woo_create("orders", {"status": "processing", "currency": "USD", "billing": {"email": "a@example.test"},
                                "line_items": [{"product_id": mug["id"], "quantity": 2, "subtotal": "40.00",
                                                "total": "34.00"}]})
    world.sync()
    [order] = world.shop_list("orders")
    [line] = order["lines"]
    assert (line["unit_price"], line["line_total"], order["grand_total"], order["discount_total"]) == (
        "20.00", "34.00", "34.00", "0.00")
    assert parts_add_up(order)
    world.assert_quiet()
    world.assert_agree()


def test_a_woocommerce_order_with_a_coupon_shipping_and_a_fee_adds_up_in_the_webshop(world: World) -> None:
    """A 10 % coupon lowers the line totals, not shipping or fees (`orders-money-07-coupon-with-shipping-and-fee.json`):
    the webshop gets unit prices before it and line totals after it."""
    mug = world.woo_create("products", {"name": "Mug", "sku": "MUG", "regular_price": "20.00"})
    world.woo_create("coupons", {"code": "autumn-10", "discount_type": "percent", "amount": "10"})
    placed = world.woo_create("orders", {
        "status": "processing", "currency": "USD", "billing": {"email": "guest@example.test"},
        "line_items": [{"product_id": mug["id"], "quantity": 2}], "coupon_lines": [{"code": "autumn-10"}],
        "shipping_lines": [{"method_id": "flat_rate", "method_title": "Flat rate", "total": "5.00"}],
        "fee_lines": [{"name": "Gift wrap", "total": "2.00"}]})
    assert (placed["total"], placed["discount_total"]) == ("43.00", "4.00")
    world.sync()
    [order] = world.shop_list("orders")
    [line] = order["lines"]
    assert (line["unit_price"], line["line_total"]) == ("20.00", "36.00")
    assert (order["grand_total"], order["shipping_total"], order["fee_total"], order["discount_total"]) == (
        "43.00", "5.00", "2.00", "0.00")
    assert parts_add_up(order)
    world.assert_quiet()
    world.assert_agree()
