"""An order waits for what it refers to, and lands when that arrives, with nothing else touching it.

The order transforms leave an order out while its customer or a product is not in the target shop. Nothing about
the order changes when the product finally arrives there; only dependency tracking, derived from the transform's
hops the way a node derives it (hub/features/dependency-tracking.rst), can run the order again.
"""
from __future__ import annotations

import requests

from harness import World


def test_an_order_whose_product_reaches_the_target_later_lands_without_any_other_change(world: World):
    assert world.emulator().warnings == [], "every join the pipes wait for is one a node can follow back"
    # The webshop refuses to create products for now (503: the share pipe keeps them for retry).
    requests.put(world.shop.url + "/_sandbox/faults", json={
        "fail": [{"status": 503, "count": 10_000, "path": "/products", "method": "POST"}]}).raise_for_status()
    lamp = world.woo_create("products", {"name": "Lampe à huile", "sku": "LAMP-7", "regular_price": "45.00"})
    buyer = world.woo_create("customers", {"email": "ingrid.bergman@example.se", "first_name": "Ingrid",
                                           "last_name": "Bergman"})
    order = world.woo_create("orders", {"customer_id": buyer["id"], "status": "processing", "currency": "SEK",
                                        "line_items": [{"product_id": lamp["id"], "quantity": 3}]})
    world.emulator().run(rounds=4)
    assert world.shop_list("products") == [] and world.shop_list("orders") == []
    assert [c["email"] for c in world.shop_list("customers")] == ["ingrid.bergman@example.se"]
    order_writes = world.woo_get("orders", order["id"])["date_modified_gmt"]

    requests.delete(world.shop.url + "/_sandbox/faults").raise_for_status()
    report = world.sync()

    [shop_product] = world.shop_list("products")
    [shop_order] = world.shop_list("orders")
    [shop_customer] = world.shop_list("customers")
    assert shop_order["customer_id"] == shop_customer["id"]
    assert [(line["product_id"], line["quantity"]) for line in shop_order["lines"]] == [(shop_product["id"], 3)]
    # Nothing changed the order before it landed; afterwards the sync may write its own bookkeeping into it (the
    # copy holds its values now: README, "Golden values").
    modified = world.woo_get("orders", order["id"])["date_modified_gmt"]
    assert modified == order_writes or modified + ".000000Z" >= shop_order["created_at"][:19] + ".000000Z", \
        "the order itself did not change before it landed"
    assert report.total("customwebshop-order-transform", "requeued") >= 1, "dependency tracking ran it again"
    world.assert_quiet()
    world.assert_agree()
