"""The whole dataflow, offline: sesam-config's pipes run by the emulator against our two services and both shops.

Each test is one scenario group of the offline-runner issue; every one ends by showing the systems go quiet.
"""
from __future__ import annotations

from typing import Any

import requests

from harness import World


def by(records: list[dict[str, Any]], key: str) -> dict[Any, dict[str, Any]]:
    return {record[key]: record for record in records}


def woo_meta(record: dict[str, Any], key: str) -> Any:
    return next((m["value"] for m in record["meta_data"] if m["key"] == key), None)


# 1. Created on one side → appears on the other with every mapped property, linked: a second run creates nothing.
def test_records_created_in_woocommerce_appear_in_the_webshop(world: World):
    product = world.woo_create("products", {"name": "Mug", "sku": "MUG-1", "regular_price": "12.50",
                                            "sale_price": "9.90", "description": "<p>Blue</p>", "weight": "0.4",
                                            "manage_stock": True, "stock_quantity": 7, "status": "publish",
                                            "categories": [{"id": world.woo_list("products/categories")[0]["id"]}]})
    customer = world.woo_create("customers", {"email": "Ada@Example.test", "first_name": "Ada",
                                              "last_name": "Lovelace",
                                              "billing": {"phone": "555-1", "company": "Engines", "city": "London",
                                                          "country": "GB", "address_1": "1 St"},
                                              "shipping": {"city": "Oxford", "country": "GB"}})
    world.sync()
    [shop_product] = world.shop_list("products")
    assert {k: shop_product[k] for k in ("sku", "name", "price", "sale_price", "description", "weight",
                                        "stock_quantity", "status", "categories", "origin")} == {
        "sku": "MUG-1", "name": "Mug", "price": "12.50", "sale_price": "9.90", "description": "<p>Blue</p>",
        "weight": "0.4", "stock_quantity": 7, "status": "publish", "categories": ["Uncategorized"],
        "origin": f"woocommerce-product:{product['id']}"}
    [shop_customer] = world.shop_list("customers")
    assert (shop_customer["email"], shop_customer["first_name"], shop_customer["last_name"]) == \
        ("Ada@Example.test", "Ada", "Lovelace")
    assert (shop_customer["phone"], shop_customer["company"]) == ("555-1", "Engines")
    assert shop_customer["billing"]["city"] == "London" and shop_customer["shipping"]["city"] == "Oxford"
    assert shop_customer["origin"] == f"woocommerce-customer:{customer['id']}"
    writes = world.writes()
    world.sync()
    assert world.writes() == writes and len(world.shop_list("products")) == 1, "linked: nothing created twice"
    world.assert_quiet()
    world.assert_agree()


def test_records_created_in_the_webshop_appear_in_woocommerce(world: World):
    world.shop_create("products", {"sku": "LAMP", "name": "Lamp", "price": "40.00", "sale_price": "35.00",
                                   "stock_quantity": 3, "weight": "1.5", "categories": ["Lights"]})
    world.shop_create("customers", {"email": "grace@example.test", "first_name": "Grace", "last_name": "Hopper",
                                    "billing": {"city": "Arlington", "country": "US", "phone": "555-2"}})
    world.sync()
    [product] = world.woo_list("products")
    assert (product["sku"], product["name"], product["regular_price"], product["sale_price"]) == \
        ("LAMP", "Lamp", "40.00", "35.00")
    assert (product["manage_stock"], product["stock_quantity"], product["weight"]) == (True, 3, "1.5")
    assert [c["name"] for c in product["categories"]] == ["Lights"]
    assert woo_meta(product, "sesam_origin").startswith("customwebshop-product:")
    [customer] = world.woo_list("customers")
    assert (customer["email"], customer["first_name"], customer["billing"]["city"],
            customer["billing"]["phone"]) == ("grace@example.test", "Grace", "Arlington", "555-2")
    world.assert_quiet()
    world.assert_agree()


# 2. An edit of each mapped property on either side reaches the other side.
def test_edits_flow_both_ways(world: World):
    product = world.woo_create("products", {"name": "Chair", "sku": "CH", "regular_price": "80.00"})
    world.sync()
    [shop_product] = world.shop_list("products")
    world.next_second()
    world.woo_http.put(f"{world.woo_api}/products/{product['id']}",
                       json={"name": "Armchair", "regular_price": "95.00", "weight": "7"}).raise_for_status()
    world.sync()
    edited = world.shop_get("products", shop_product["id"]).json()
    assert (edited["name"], edited["price"], edited["weight"]) == ("Armchair", "95.00", "7")
    world.next_second()
    world.shop_http.patch(f"{world.shop.url}/products/{shop_product['id']}",
                          json={"description": "Soft", "stock_quantity": 4}).raise_for_status()
    world.sync()
    back = world.woo_get("products", product["id"])
    assert (back["description"], back["stock_quantity"], back["manage_stock"], back["name"]) == \
        ("Soft", 4, True, "Armchair")
    world.assert_quiet()
    world.assert_agree()


# 3. A delete on either side reaches the other; a record deleted for good in WooCommerce is caught by the rescan.
def test_deletes_propagate_both_ways_and_the_rescan_catches_permanent_deletes(world: World):
    trashed = world.woo_create("products", {"name": "Old", "sku": "OLD"})
    forced = world.woo_create("products", {"name": "Gone", "sku": "GONE"})
    world.shop_create("customers", {"email": "leaving@example.test"})
    world.shop_create("customers", {"email": "staying@example.test"})
    world.sync()
    shop_products = by(world.shop_list("products"), "sku")
    woo_customers = by(world.woo_list("customers"), "email")
    assert set(shop_products) == {"OLD", "GONE"} and set(woo_customers) == {"leaving@example.test",
                                                                           "staying@example.test"}
    world.next_second()
    world.woo_http.delete(f"{world.woo_api}/products/{trashed['id']}").raise_for_status()
    leaving = by(world.shop_list("customers"), "email")["leaving@example.test"]
    assert world.shop_http.delete(f"{world.shop.url}/customers/{leaving['id']}").status_code == 204
    world.sync()
    assert world.shop_get("products", shop_products["OLD"]["id"]).status_code == 404
    assert set(by(world.woo_list("customers"), "email")) == {"staying@example.test"}
    world.woo_http.delete(f"{world.woo_api}/products/{forced['id']}", params={"force": "true"}).raise_for_status()
    world.sync()
    assert world.shop_get("products", shop_products["GONE"]["id"]).status_code == 200, "no trace until a rescan"
    world.sync(rescan=True)
    world.sync()
    assert world.shop_get("products", shop_products["GONE"]["id"]).status_code == 404
    world.assert_quiet()
    world.assert_agree()


# 4. Records that already exist on both sides link up: no duplicates, and after linking, edits flow.
def test_existing_records_with_the_same_sku_or_email_link_up(world: World):
    woo_product = world.woo_create("products", {"name": "Desk (woo)", "sku": "desk-1", "regular_price": "100.00"})
    shop_product = world.shop_create("products", {"sku": "DESK-1", "name": "Desk (shop)", "price": "100.00"})
    world.woo_create("customers", {"email": "Kim@Example.test", "first_name": "Kim"})
    shop_customer = world.shop_create("customers", {"email": "kim@example.test", "first_name": "Kim"})
    world.sync()
    assert len(world.woo_list("products")) == 1 and len(world.shop_list("products")) == 1
    assert len(world.woo_list("customers")) == 1 and len(world.shop_list("customers")) == 1
    assert world.woo_get("products", woo_product["id"])["name"] == world.shop_get(
        "products", shop_product["id"]).json()["name"], "linked records agree"
    world.next_second()
    world.shop_http.patch(f"{world.shop.url}/customers/{shop_customer['id']}",
                          json={"last_name": "Linked"}).raise_for_status()
    world.sync()
    assert world.woo_list("customers")[0]["last_name"] == "Linked"
    world.assert_quiet()
    world.assert_agree()


# 5. An order created with its new customer and products lands pointing at the right records on the other side.
def test_an_order_with_new_customer_and_products_lands_with_translated_references(world: World):
    mug = world.woo_create("products", {"name": "Mug", "sku": "MUG", "regular_price": "10.00"})
    cup = world.woo_create("products", {"name": "Cup", "sku": "CUP", "regular_price": "5.00"})
    buyer = world.woo_create("customers", {"email": "buyer@example.test", "first_name": "Bo"})
    order = world.woo_create("orders", {"customer_id": buyer["id"], "status": "processing", "currency": "USD",
                                        "billing": {"email": "buyer@example.test", "city": "Oslo"},
                                        "customer_note": "ring twice",
                                        "line_items": [{"product_id": mug["id"], "quantity": 2},
                                                       {"product_id": cup["id"], "quantity": 1}]})
    world.sync()
    shop_products = by(world.shop_list("products"), "sku")
    [shop_customer] = world.shop_list("customers")
    [shop_order] = world.shop_list("orders")
    assert shop_order["customer_id"] == shop_customer["id"]
    assert [(line["product_id"], line["quantity"], line["unit_price"], line["line_total"])
            for line in shop_order["lines"]] == [(shop_products["MUG"]["id"], 2, "10.00", "20.00"),
                                                 (shop_products["CUP"]["id"], 1, "5.00", "5.00")]
    assert (shop_order["status"], shop_order["currency"], shop_order["grand_total"], shop_order["note"],
            shop_order["order_number"]) == ("processing", "USD", "25.00", "ring twice", order["number"])
    world.assert_quiet()
    world.assert_agree()


def test_a_webshop_order_reaches_woocommerce_with_its_customer_and_products(world: World):
    lamp = world.shop_create("products", {"sku": "LAMP", "name": "Lamp", "price": "40.00"})
    buyer = world.shop_create("customers", {"email": "eve@example.test", "first_name": "Eve"})
    world.shop_create("orders", {"currency": "USD", "customer_id": buyer["id"], "status": "pending",
                                 "email": "eve@example.test", "grand_total": "80.00",
                                 "lines": [{"product_id": lamp["id"], "sku": "LAMP", "name": "Lamp", "quantity": 2,
                                            "unit_price": "40.00", "line_total": "80.00"}]})
    world.sync()
    [order] = world.woo_list("orders")
    [customer] = world.woo_list("customers")
    [product] = world.woo_list("products")
    assert order["customer_id"] == customer["id"] and order["total"] == "80.00"
    assert [(line["product_id"], line["quantity"], line["total"]) for line in order["line_items"]] == \
        [(product["id"], 2, "80.00")]
    assert woo_meta(order, "sesam_origin").startswith("customwebshop-order:")
    world.assert_quiet()
    world.assert_agree()


# 6. Conflicting edits of the same record on both sides between two runs: the later edit wins on both sides.
def test_the_later_of_two_conflicting_edits_wins_on_both_sides(world: World):
    product = world.woo_create("products", {"name": "Vase", "sku": "VASE", "regular_price": "30.00"})
    world.sync()
    [shop_product] = world.shop_list("products")
    world.next_second()
    world.woo_http.put(f"{world.woo_api}/products/{product['id']}", json={"name": "Vase (woo)"}).raise_for_status()
    world.next_second()
    world.shop_http.patch(f"{world.shop.url}/products/{shop_product['id']}",
                          json={"name": "Vase (shop)"}).raise_for_status()
    world.sync()
    assert world.woo_get("products", product["id"])["name"] == "Vase (shop)"
    assert world.shop_get("products", shop_product["id"]).json()["name"] == "Vase (shop)"
    world.next_second()
    world.shop_http.patch(f"{world.shop.url}/products/{shop_product['id']}",
                          json={"name": "Vase (shop again)"}).raise_for_status()
    world.next_second()
    world.woo_http.put(f"{world.woo_api}/products/{product['id']}", json={"name": "Vase (woo last)"}).raise_for_status()
    world.sync()
    assert world.woo_get("products", product["id"])["name"] == "Vase (woo last)"
    assert world.shop_get("products", shop_product["id"]).json()["name"] == "Vase (woo last)"
    world.assert_quiet()
    world.assert_agree()


# 8. Faults: no duplicates, no lost updates, no deletes from a failed or empty read.
def test_faults_cause_no_duplicates_no_lost_updates_and_no_deletes(world: World):
    for n in range(5):
        world.woo_create("products", {"name": f"P{n}", "sku": f"P{n}", "regular_price": "1.00"})
    # The webshop drops the connection after creating the second product, then fails everything for a while.
    requests.put(world.shop.url + "/_sandbox/faults", json={
        "drop": [{"count": 1, "after_bytes": 5, "path": "/products", "method": "POST"}]}).raise_for_status()
    world.emulator().run(rounds=2)
    requests.delete(world.shop.url + "/_sandbox/faults").raise_for_status()
    world.sync()
    assert sorted(p["sku"] for p in world.shop_list("products")) == [f"P{n}" for n in range(5)], "no duplicates"
    # WooCommerce is down for a round: nothing is deleted anywhere, and the edit made meanwhile is not lost.
    [first] = [p for p in world.woo_list("products") if p["sku"] == "P0"]
    world.next_second()
    world.woo_http.put(f"{world.woo_api}/products/{first['id']}", json={"name": "P0 edited"}).raise_for_status()
    requests.put(world.woo.url + "/_sandbox/faults", json={"fail": [{"status": 503, "count": 1000}]})
    world.emulator().run(rounds=1, rescan=True)
    requests.delete(world.woo.url + "/_sandbox/faults").raise_for_status()
    assert len(world.shop_list("products")) == 5, "a failed full read deleted nothing"
    world.sync()
    assert "P0 edited" in {p["name"] for p in world.shop_list("products")}
    world.assert_quiet()
    world.assert_agree()


# 9. A full reset (every pipe re-reads from the start) writes nothing upstream when both sides are in sync.
def test_a_full_reset_writes_nothing_when_in_sync(world: World, tmp_path):
    world.woo_create("products", {"name": "Synced", "sku": "SYNCED", "regular_price": "3.00"})
    world.shop_create("customers", {"email": "synced@example.test", "first_name": "Syn"})
    world.sync()
    writes = world.writes()
    world.sync(rescan=True)
    world.state = tmp_path / "a fresh node"  # every dataset and offset forgotten
    world.sync()
    assert world.writes() == writes, "re-reading everything from the start changed nothing upstream"
    world.assert_agree()


# A type's last record deleted for good: the full read is empty, and the service answers it only because the store
# confirms it holds none (README, "How a pull never skips a record"); the rescan then deletes the copy.
def test_the_last_record_of_a_type_deleted_for_good_is_noticed(world: World):
    only = world.woo_create("customers", {"email": "last@example.test", "first_name": "Siste"})
    lamp = world.woo_create("products", {"name": "Lamp", "sku": "LAMP", "regular_price": "40.00"})
    world.sync()
    [shop_customer] = world.shop_list("customers")
    [shop_lamp] = world.shop_list("products")
    world.next_second()
    # WooCommerce cannot trash customers: a customer delete is for good and leaves no trace in any listing.
    world.woo_http.delete(f"{world.woo_api}/customers/{only['id']}", params={"force": "true"}).raise_for_status()
    world.woo_http.delete(f"{world.woo_api}/products/{lamp['id']}", params={"force": "true"}).raise_for_status()
    assert world.woo_list("customers") == [] and world.woo_list("products") == []
    world.next_second()  # the webshop edits its copy before the rescan: it is pushed to an id WooCommerce lost
    assert world.shop_http.patch(f"{world.shop.url}/customers/{shop_customer['id']}",
                                 json={"first_name": "Sist"}).status_code == 200
    world.sync()  # the edit is not applied, and not dead-lettered: no retry could apply it
    assert list(world.emulator().store.dataset("woocommerce-customer-share-dead-letters").latest()) == []
    assert world.woo_list("customers") == [], "an update never recreates what the shop deleted"
    world.sync(rescan=True)  # the delete wins over the edit (README, "Golden values")
    world.sync()
    assert world.shop_get("customers", shop_customer["id"]).status_code == 404
    assert world.shop_get("products", shop_lamp["id"]).status_code == 404
    world.assert_quiet()
    world.assert_agree()


# E-mail domains from every country: WooCommerce holds them in IDNA form only (service/connectors/woocommerce_emails.py),
# so one address in two spellings must link, not duplicate, and both shops must agree on it.
def test_international_email_domains_sync_and_link_up(world: World):
    world.shop_create("customers", {"email": "ana@bücher.de", "first_name": "Ana"})
    world.shop_create("customers", {"email": "per@müller.de", "first_name": "Per (shop)"})
    world.woo_create("customers", {"email": "per@xn--mller-kva.de", "first_name": "Per (woo)"})
    world.woo_create("customers", {"email": "konto@xn--80a1acny.xn--p1ai", "first_name": "Ольга"})
    world.sync()
    woo_mails = sorted(c["email"] for c in world.woo_list("customers"))
    assert woo_mails == ["ana@xn--bcher-kva.de", "konto@xn--80a1acny.xn--p1ai", "per@xn--mller-kva.de"]
    shop_mails = sorted(c["email"] for c in world.shop_list("customers"))
    assert shop_mails == ["ana@bücher.de", "konto@почта.рф", "per@müller.de"]
    world.assert_quiet()
    world.assert_agree()
