"""Stock both shops sell from: every sale counted once, on both sides (README, "Stock").

WooCommerce takes stock when an order enters processing, on-hold or completed and gives it back on cancelled or
pending (FACTS §6, `orders-status-*.json`); the reference webshop takes it at checkout and never for an order a sync
copies in (docs/custom-webshop-api.md §3.6). Every scenario ends with both shops at the right level, quiet.
"""
from __future__ import annotations

from typing import Any

from harness import World


def woo_stock(world: World, product_id: int) -> int | None:
    return world.woo_get("products", product_id)["stock_quantity"]


def shop_stock(world: World, product_id: int) -> int | None:
    return world.shop_get("products", product_id).json()["stock_quantity"]


def linked_mug(world: World, stock: int | None = 10) -> tuple[int, int]:
    """A WooCommerce product copied into the webshop: (WooCommerce id, webshop id)."""
    body: dict[str, Any] = {"name": "Mug", "sku": "MUG", "regular_price": "10.00"}
    if stock is not None:
        body.update(manage_stock=True, stock_quantity=stock)
    woo_id = world.woo_create("products", body)["id"]
    world.sync()
    [shop_product] = world.shop_list("products")
    return woo_id, shop_product["id"]


def checkout(world: World, shop_product: int, quantity: int, **fields: Any) -> dict[str, Any]:
    total = f"{10 * quantity}.00"
    return world.shop_create("orders", {"currency": "USD", "grand_total": total, "email": "buyer@example.test",
                                        "lines": [{"product_id": shop_product, "sku": "MUG", "name": "Mug",
                                                   "quantity": quantity, "unit_price": "10.00",
                                                   "line_total": total}], **fields})


def woo_sale(world: World, woo_product: int, quantity: int, status: str = "processing") -> dict[str, Any]:
    return world.woo_create("orders", {"status": status, "currency": "USD",
                                       "billing": {"email": "walk-in@example.test"},
                                       "line_items": [{"product_id": woo_product, "quantity": quantity}]})


def levels(world: World, woo_product: int, shop_product: int) -> tuple[int | None, int | None]:
    return woo_stock(world, woo_product), shop_stock(world, shop_product)


def test_a_webshop_sale_copied_into_woocommerce_is_counted_once(world: World) -> None:
    woo_id, shop_id = linked_mug(world)
    order = checkout(world, shop_id, 2)  # pending: the webshop takes the stock at checkout (contract §3.6)
    assert shop_stock(world, shop_id) == 8
    world.sync()
    assert levels(world, woo_id, shop_id) == (8, 8)
    world.next_second()
    world.shop_http.patch(f"{world.shop.url}/orders/{order['id']}", json={"status": "processing"}).raise_for_status()
    world.sync()
    [copy] = world.woo_list("orders")
    assert copy["status"] == "processing", "the copy took its stock in WooCommerce, as WooCommerce does"
    assert levels(world, woo_id, shop_id) == (8, 8), "and the sync gave it back: the webshop had counted the sale"
    world.assert_quiet()
    world.assert_agree()


def test_sales_in_both_shops_between_two_runs_are_both_counted(world: World) -> None:
    woo_id, shop_id = linked_mug(world)
    woo_sale(world, woo_id, 1)
    checkout(world, shop_id, 2, status="processing")
    assert levels(world, woo_id, shop_id) == (9, 8)
    world.sync()
    assert levels(world, woo_id, shop_id) == (7, 7)
    world.assert_quiet()
    world.assert_agree()


def test_cancellations_give_the_stock_back_once_wherever_they_are_made(world: World) -> None:
    woo_id, shop_id = linked_mug(world)
    woo_order = woo_sale(world, woo_id, 1)
    shop_order = checkout(world, shop_id, 2, status="processing")
    world.sync()
    assert levels(world, woo_id, shop_id) == (7, 7)
    world.next_second()
    # The WooCommerce order is cancelled in WooCommerce; the webshop's order is cancelled in WooCommerce too, on its
    # copy (a back office working in WooCommerce), so its stock comes back through the order it was sold in.
    copy = next(o for o in world.woo_list("orders") if o["id"] != woo_order["id"])
    for order_id in (woo_order["id"], copy["id"]):
        world.woo_http.put(f"{world.woo_api}/orders/{order_id}", json={"status": "cancelled"}).raise_for_status()
    world.sync()
    assert world.shop_get("orders", shop_order["id"]).json()["status"] == "cancelled"
    assert levels(world, woo_id, shop_id) == (10, 10)
    world.assert_quiet()
    world.assert_agree()


def test_a_restock_in_either_shop_reaches_the_other_and_sales_meanwhile_are_kept(world: World) -> None:
    woo_id, shop_id = linked_mug(world)
    world.next_second()
    world.woo_http.put(f"{world.woo_api}/products/{woo_id}", json={"stock_quantity": 25}).raise_for_status()
    checkout(world, shop_id, 3)  # sold in the webshop before the restock reached it
    world.sync()
    assert levels(world, woo_id, shop_id) == (22, 22)
    world.next_second()
    world.shop_http.patch(f"{world.shop.url}/products/{shop_id}", json={"stock_quantity": 40}).raise_for_status()
    woo_sale(world, woo_id, 4)
    world.sync()
    assert levels(world, woo_id, shop_id) == (36, 36)
    world.assert_quiet()
    world.assert_agree()


def test_backorders_take_stock_below_zero_on_both_sides(world: World) -> None:
    woo_id, shop_id = linked_mug(world, stock=2)
    woo_sale(world, woo_id, 3)
    checkout(world, shop_id, 1)
    world.sync()
    assert levels(world, woo_id, shop_id) == (-2, -2)
    world.assert_quiet()
    world.assert_agree()


def test_stock_that_is_not_managed_stays_unmanaged_until_a_shop_starts_counting_it(world: World) -> None:
    woo_id, shop_id = linked_mug(world, stock=None)
    woo_sale(world, woo_id, 2)
    checkout(world, shop_id, 1)
    world.sync()
    assert levels(world, woo_id, shop_id) == (None, None)
    world.next_second()
    world.shop_http.patch(f"{world.shop.url}/products/{shop_id}", json={"stock_quantity": 12}).raise_for_status()
    world.sync()
    assert levels(world, woo_id, shop_id) == (12, 12)
    assert world.woo_get("products", woo_id)["manage_stock"] is True
    checkout(world, shop_id, 2)
    woo_sale(world, woo_id, 1)
    world.sync()
    assert levels(world, woo_id, shop_id) == (9, 9)
    world.next_second()
    world.woo_http.put(f"{world.woo_api}/products/{woo_id}", json={"manage_stock": False}).raise_for_status()
    world.next_second()
    checkout(world, shop_id, 1)  # the webshop's product changes later, but not its mind about counting stock
    world.sync()
    assert levels(world, woo_id, shop_id) == (None, None)
    world.assert_quiet()
    world.assert_agree()


def test_products_that_exist_in_both_shops_start_from_woocommerces_level_then_count_both(world: World) -> None:
    woo_id = world.woo_create("products", {"name": "Lamp", "sku": "LAMP", "regular_price": "40.00",
                                           "manage_stock": True, "stock_quantity": 6})["id"]
    shop_id = world.shop_create("products", {"sku": "lamp", "name": "Lamp", "price": "40.00",
                                             "stock_quantity": 9})["id"]
    world.sync()
    assert levels(world, woo_id, shop_id) == (6, 6), "one stock, and WooCommerce's count is where it starts"
    world.woo_create("orders", {"status": "completed", "currency": "USD", "billing": {"email": "a@example.test"},
                                "line_items": [{"product_id": woo_id, "quantity": 1}]})
    world.shop_create("orders", {"currency": "USD", "grand_total": "80.00", "status": "processing",
                                 "lines": [{"product_id": shop_id, "sku": "lamp", "name": "Lamp", "quantity": 2,
                                            "unit_price": "40.00", "line_total": "80.00"}]})
    world.sync()
    assert levels(world, woo_id, shop_id) == (3, 3)
    world.assert_quiet()
    world.assert_agree()


def test_a_refund_that_restocks_in_woocommerce_reaches_the_webshop_once(world: World) -> None:
    """A WooCommerce refund of one item back to stock (`refunds-r04-partial-refund-api-refund-false.json`: the
    refunded line's `_reduced_stock` drops and the product's stock rises; WooCommerce restocks by `api_restock`)."""
    woo_id, shop_id = linked_mug(world)
    order = woo_sale(world, woo_id, 3)
    world.sync()
    assert levels(world, woo_id, shop_id) == (7, 7)
    world.next_second()
    [line] = world.woo_get("orders", order["id"])["line_items"]
    refund = world.woo_http.post(f"{world.woo_api}/orders/{order['id']}/refunds", json={
        "amount": "10.00", "reason": "one came back", "api_refund": False, "api_restock": True,
        "line_items": [{"id": line["id"], "quantity": 1, "refund_total": "10.00"}]})
    assert refund.status_code == 201, refund.text
    assert woo_stock(world, woo_id) == 8
    world.sync()
    assert levels(world, woo_id, shop_id) == (8, 8)
    world.assert_quiet()
    world.assert_agree()
