"""An order waits for its customer and products to reach the other shop, but never for ever (README, "Orders that
wait"): once it has waited `order-reference-wait-seconds` it lands without what is still missing, and the reason is
kept with it. Until then the audit names it and says what it waits for.
"""
from __future__ import annotations

from typing import Any

from harness import World

AN_HOUR = 3600  # the default wait (test-env.json)


def note_of(metadata: dict[str, Any] | None) -> str:
    return ((metadata or {}).get("sesam") or {}).get("note", "")


def test_an_order_whose_product_never_reaches_the_webshop_lands_without_it_after_the_wait(world: World) -> None:
    world.env["order-reference-wait-seconds"] = AN_HOUR
    mug = world.woo_create("products", {"name": "Mug", "sku": "MUG", "regular_price": "10.00"})
    gone = world.woo_create("products", {"name": "Discontinued vase", "sku": "VASE-OLD", "regular_price": "30.00"})
    order = world.woo_create("orders", {"status": "processing", "currency": "EUR",
                                        "billing": {"email": "zoë@example.test".replace("ë", "e")},
                                        "line_items": [{"product_id": mug["id"], "quantity": 1},
                                                       {"product_id": gone["id"], "quantity": 2}]})
    world.woo_http.delete(f"{world.woo_api}/products/{gone['id']}", params={"force": "true"}).raise_for_status()
    world.sync()
    assert world.shop_list("orders") == [], "it waits for the vase"
    report = world.audit()
    assert any(f"woocommerce {order['id']}" in finding.record and "waiting" in finding.detail
               for finding in report.findings), report.text()
    # The hour passes: the wait is measured from the order's own timestamp, so a wait of 0 is every moment after
    # it (a sleep of a few seconds would race a slow machine's first sync and let the order land early).
    world.env["order-reference-wait-seconds"] = 0
    world.sync(rescan=True)  # a node's hourly rescan of the order transforms
    [landed] = world.shop_list("orders")
    assert [(line["sku"], line["product_id"] is None, line["line_total"]) for line in landed["lines"]] == [
        ("MUG", False, "10.00"), ("VASE-OLD", True, "60.00")]
    assert landed["grand_total"] == "70.00"
    assert f"woocommerce-product:{gone['id']}" in note_of(landed["metadata"])
    world.assert_quiet()
    world.assert_agree()


def test_a_webshop_line_without_a_product_reaches_woocommerce_as_a_fee_line_with_the_same_total(world: World) -> None:
    lamp = world.shop_create("products", {"sku": "LAMP", "name": "Lamp", "price": "40.00"})
    world.shop_create("orders", {"currency": "EUR", "status": "processing", "email": "ines@example.test",
                                 "grand_total": "65.00",
                                 "lines": [{"product_id": None, "sku": "ENGRAVE", "name": "Engraving", "quantity": 1,
                                            "unit_price": "25.00", "line_total": "25.00"},
                                           {"product_id": lamp["id"], "sku": "LAMP", "name": "Lamp", "quantity": 1,
                                            "unit_price": "40.00", "line_total": "40.00"}]})
    world.sync()
    [order] = world.woo_list("orders")
    assert order["total"] == "65.00"
    assert [(line["name"], line["total"]) for line in order["line_items"]] == [("Lamp", "40.00")]
    assert [(fee["name"], fee["total"]) for fee in order["fee_lines"]] == [("Engraving", "25.00")]
    world.assert_quiet()
    world.assert_agree()
