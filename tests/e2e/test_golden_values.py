"""When the pipes go quiet, the two shops agree (README, "Golden values").

Clearing a value is an edit that propagates; the side that changed a value wins over the side that kept what the
sync wrote; when both changed it, the later change wins, compared to the whole second with WooCommerce taking ties
in both directions; a target that drifts from the golden value is corrected; names that match ignoring case end up
spelled alike. Every scenario ends quiet and with the audit reporting nothing.
"""
from __future__ import annotations

from typing import Any

import requests

from harness import World


def settled(world: World) -> None:
    world.assert_quiet()
    world.assert_agree()


def woo_put(world: World, resource: str, record_id: int, body: dict[str, Any]) -> dict[str, Any]:
    answer = world.woo_http.put(f"{world.woo_api}/{resource}/{record_id}", json=body)
    answer.raise_for_status()
    return answer.json()


def shop_patch(world: World, resource: str, record_id: int, body: dict[str, Any]) -> dict[str, Any]:
    answer = world.shop_http.patch(f"{world.shop.url}/{resource}/{record_id}", json=body)
    answer.raise_for_status()
    return answer.json()


def test_a_sale_ended_in_either_shop_ends_in_the_other(world: World) -> None:
    """FACTS: `sale_price: ""` ends a WooCommerce sale (`sale-02-put-sale-price-empty.json`); the contract's null."""
    vase = world.woo_create("products", {"name": "Vase", "sku": "VASE", "regular_price": "200.00",
                                         "sale_price": "150.00"})
    world.sync()
    [shop_vase] = world.shop_list("products")
    assert shop_vase["sale_price"] == "150.00"
    world.next_second()
    shop_patch(world, "products", shop_vase["id"], {"sale_price": None})
    world.sync()
    woo_vase = world.woo_get("products", vase["id"])
    assert (woo_vase["sale_price"], woo_vase["price"], woo_vase["on_sale"]) == ("", "200.00", False)
    world.next_second()
    woo_put(world, "products", vase["id"], {"sale_price": "120.00"})
    world.sync()
    assert world.shop_get("products", shop_vase["id"]).json()["sale_price"] == "120.00"
    world.next_second()
    woo_put(world, "products", vase["id"], {"sale_price": ""})
    world.sync()
    assert world.shop_get("products", shop_vase["id"]).json()["sale_price"] is None
    settled(world)


def test_clearing_a_value_clears_it_on_the_other_side(world: World) -> None:
    lamp = world.shop_create("products", {"sku": "LAMP", "name": "Lamp", "price": "40.00", "weight": "1.5",
                                          "description": "<p>Brass</p>"})
    customer = world.woo_create("customers", {"email": "ola@example.test", "first_name": "Ola",
                                              "billing": {"company": "Nordmann AS", "phone": "+47 22 00 00 00",
                                                          "city": "Oslo"}})
    world.sync()
    [woo_lamp] = world.woo_list("products")
    [shop_customer] = world.shop_list("customers")
    assert (woo_lamp["weight"], shop_customer["company"]) == ("1.5", "Nordmann AS")
    world.next_second()
    shop_patch(world, "products", lamp["id"], {"weight": None, "description": ""})
    woo_put(world, "customers", customer["id"], {"billing": {"company": "", "phone": ""}})
    world.sync()
    woo_lamp = world.woo_get("products", woo_lamp["id"])
    assert (woo_lamp["weight"], woo_lamp["description"]) == ("", "")
    shop_customer = world.shop_get("customers", shop_customer["id"]).json()
    assert (shop_customer["company"], shop_customer["phone"], shop_customer["billing"]["company"]) == ("", "", "")
    settled(world)


def test_a_value_the_webshop_cannot_hold_empty_is_kept(world: World) -> None:
    """The webshop requires a price; emptying WooCommerce's `regular_price` leaves the webshop's, and WooCommerce gets
    it back, so both hold a price again (model: `keep_when_blank`)."""
    cup = world.woo_create("products", {"name": "Cup", "sku": "CUP", "regular_price": "5.00"})
    world.sync()
    world.next_second()
    woo_put(world, "products", cup["id"], {"regular_price": ""})
    world.sync()
    [shop_cup] = world.shop_list("products")
    assert (shop_cup["price"], world.woo_get("products", cup["id"])["regular_price"]) == ("5.00", "5.00")
    settled(world)


def test_an_edit_made_in_the_same_second_as_the_other_shops_ends_the_same_on_both_sides(world: World) -> None:
    """Both shops change the name within one whole second, with both clocks frozen at the same second: WooCommerce's
    stamp and the webshop's truncate to the same second, a tie, and both transforms take WooCommerce's."""
    world.woo_create("products", {"name": "Bowl", "sku": "BOWL", "regular_price": "12.00"})
    world.sync()
    [woo_bowl], [shop_bowl] = world.woo_list("products"), world.shop_list("products")
    world.next_second()
    moment = requests.get(world.woo.url + "/_sandbox/clock").json()["now"].removesuffix("Z") + "Z"
    for sandbox in (world.woo.url, world.shop.url):
        requests.put(sandbox + "/_sandbox/clock", json={"now": moment}).raise_for_status()
    try:
        shop_patch(world, "products", shop_bowl["id"], {"name": "Bowl (shop)"})
        woo_put(world, "products", woo_bowl["id"], {"name": "Bowl (woo)"})
    finally:
        for sandbox in (world.woo.url, world.shop.url):
            requests.put(sandbox + "/_sandbox/clock", json={"frozen": False}).raise_for_status()
    world.sync()
    assert world.woo_get("products", woo_bowl["id"])["name"] == "Bowl (woo)"
    assert world.shop_get("products", shop_bowl["id"]).json()["name"] == "Bowl (woo)"
    settled(world)


def test_an_edit_right_after_the_syncs_own_write_in_the_same_second_is_not_lost(world: World) -> None:
    """The sync writes a record, and a person edits the same record within that second: the record's stamp says
    nothing new, but the value is no longer what the sync wrote, so it is a change and it reaches the other side."""
    world.shop_create("products", {"sku": "JUG", "name": "Jug", "price": "30.00"})
    world.sync()
    [woo_jug], [shop_jug] = world.woo_list("products"), world.shop_list("products")
    world.next_second()
    shop_patch(world, "products", shop_jug["id"], {"price": "32.00"})
    world.sync(rounds=1)  # writes 32.00 into WooCommerce in this second
    woo_put(world, "products", woo_jug["id"], {"name": "Jug (big)"})
    world.sync()
    assert world.shop_get("products", shop_jug["id"]).json()["name"] == "Jug (big)"
    assert world.woo_get("products", woo_jug["id"])["regular_price"] == "32.00"
    settled(world)


def test_a_category_that_differs_only_in_case_ends_with_woocommerces_spelling(world: World) -> None:
    """WooCommerce refuses a second category that differs only in case (`categories-03-create-same-name-other-case.json`)
    and files the product under the existing one; the webshop then takes that spelling."""
    lights = world.woo_create("products/categories", {"name": "Lights"})
    world.woo_create("products", {"name": "Desk lamp", "sku": "DESK-LAMP", "regular_price": "60.00",
                                  "categories": [{"id": lights["id"]}]})
    world.shop_create("products", {"sku": "FLOOR-LAMP", "name": "Floor lamp", "price": "90.00",
                                   "categories": ["lights"]})
    world.sync()
    by_sku = {p["sku"]: p for p in world.shop_list("products")}
    assert by_sku["FLOOR-LAMP"]["categories"] == ["Lights"]
    woo_floor = next(p for p in world.woo_list("products") if p["sku"] == "FLOOR-LAMP")
    assert [c["id"] for c in woo_floor["categories"]] == [lights["id"]], "no second category"
    settled(world)


def test_a_guest_order_from_the_webshop_keeps_its_e_mail_in_woocommerce(world: World) -> None:
    mug = world.shop_create("products", {"sku": "MUG", "name": "Mug", "price": "10.00"})
    world.shop_create("orders", {"currency": "EUR", "status": "processing", "email": "guest@example.test",
                                 "grand_total": "10.00",
                                 "lines": [{"product_id": mug["id"], "sku": "MUG", "name": "Mug", "quantity": 1,
                                            "unit_price": "10.00", "line_total": "10.00"}]})
    world.sync()
    [order] = world.woo_list("orders")
    assert (order["customer_id"], order["billing"]["email"]) == (0, "guest@example.test")
    settled(world)


def test_a_target_that_drifted_from_the_golden_value_is_corrected(world: World) -> None:
    """An order's contents are decided where it was placed: a copy edited in the other shop goes back to the
    original, even though the original did not change."""
    mug = world.woo_create("products", {"name": "Mug", "sku": "MUG", "regular_price": "10.00"})
    world.woo_create("orders", {"status": "processing", "currency": "USD", "billing": {"email": "a@example.test"},
                                "line_items": [{"product_id": mug["id"], "quantity": 2}]})
    world.sync()
    [copy] = world.shop_list("orders")
    world.next_second()
    shop_patch(world, "orders", copy["id"], {"grand_total": "999.00"})
    world.sync()
    assert world.shop_get("orders", copy["id"]).json()["grand_total"] == "20.00"
    settled(world)
