"""Variable products (README, "Variable products"): a T-shirt in sizes, each size with its own SKU, price and stock,
kept in sync between WooCommerce's variations and the Custom Webshop's variants, both ways, through the real pipes.

WooCommerce behaves as recorded on 2026-12-01 (FACTS, `variations-*`, `stock-s*`); the webshop as the contract says
(docs/custom-webshop-api.md §3.4.1, §3.6). Every scenario ends with both shops quiet and agreeing.
"""
from __future__ import annotations

from collections import Counter
from typing import Any

from harness import World

SIZES = {"S": ("10.00", 5), "M": ("12.00", 7)}


def woo_tee(world: World, sizes: dict[str, tuple[str, int | None]] = SIZES, **parent: Any) -> tuple[int, dict[str, int]]:
    """A variable T-shirt made in WooCommerce, its sizes made in one batch: (product id, {size: variation id})."""
    product = world.woo_create("products", {"name": "Tee", "type": "variable", "sku": "TEE", "attributes": [
        {"name": "Size", "options": list(sizes), "variation": True, "visible": True}], **parent})
    created = world.woo_http.post(f"{world.woo_api}/products/{product['id']}/variations/batch", json={"create": [
        {"sku": f"TEE-{size}", "regular_price": price, "attributes": [{"name": "Size", "option": size}],
         **({"manage_stock": True, "stock_quantity": stock} if stock is not None else {})}
        for size, (price, stock) in sizes.items()]}).json()["create"]
    return product["id"], {size: variation["id"] for size, variation in zip(sizes, created)}


def shop_variants(world: World) -> dict[str, dict[str, Any]]:
    return {variant["sku"].upper(): variant for variant in world.shop_list("variants")}


def woo_variations(world: World, product_id: int) -> dict[str, dict[str, Any]]:
    return {v["sku"].upper(): v for v in world.woo_list(f"products/{product_id}/variations")}


def woo_variation(world: World, product_id: int, variation_id: int) -> dict[str, Any]:
    return world.woo_get(f"products/{product_id}/variations", variation_id)


def shop_product(world: World, sku: str = "TEE") -> dict[str, Any]:
    [product] = [p for p in world.shop_list("products") if p["sku"].upper() == sku]
    return product


def test_a_variable_product_made_in_woocommerce_reaches_the_webshop_with_its_sizes(world: World) -> None:
    woo_id, _ = woo_tee(world)
    world.sync()
    product = shop_product(world)
    assert product["price"] == "10.00", "a variable product's price is its lowest variation's"
    variants = shop_variants(world)
    assert {sku: (v["product_id"], v["options"], v["price"], v["stock_quantity"]) for sku, v in variants.items()} == {
        "TEE-S": (product["id"], [{"name": "Size", "value": "S"}], "10.00", 5),
        "TEE-M": (product["id"], [{"name": "Size", "value": "M"}], "12.00", 7)}
    assert all(v["origin"].startswith("woocommerce-variation:") for v in variants.values())
    world.assert_quiet()
    world.assert_agree()


def test_a_product_with_variants_made_in_the_webshop_becomes_a_variable_product_in_woocommerce(world: World) -> None:
    product = world.shop_create("products", {"sku": "hoodie", "name": "Hoodie", "price": "40.00",
                                             "categories": ["Clothes"]})
    for colour, price, stock in (("Red", "40.00", 3), ("Blue", "45.00", None)):
        world.shop_create("variants", {"product_id": product["id"], "sku": f"HOODIE-{colour.upper()}",
                                       "options": [{"name": "Colour", "value": colour}], "price": price,
                                       "stock_quantity": stock})
    world.sync()
    [parent] = world.woo_list("products", sku="hoodie")
    assert parent["type"] == "variable"
    assert [(a["name"], a["options"], a["variation"]) for a in parent["attributes"]] == [
        ("Colour", ["Red", "Blue"], True)]
    variations = woo_variations(world, parent["id"])
    assert {sku: (v["regular_price"], v["manage_stock"], v["stock_quantity"], v["attributes"][0]["option"])
            for sku, v in variations.items()} == {"HOODIE-RED": ("40.00", True, 3, "Red"),
                                                  "HOODIE-BLUE": ("45.00", False, None, "Blue")}
    assert parent["price"] == "40.00" and shop_product(world, "HOODIE")["price"] == "40.00"
    world.assert_quiet()
    world.assert_agree()


def test_a_price_or_stock_edit_of_one_size_flows_both_ways(world: World) -> None:
    woo_id, ids = woo_tee(world)
    world.sync()
    world.next_second()
    world.woo_http.put(f"{world.woo_api}/products/{woo_id}/variations/{ids['M']}",
                       json={"regular_price": "13.50", "sale_price": "11.00"}).raise_for_status()
    small = shop_variants(world)["TEE-S"]
    world.shop_http.patch(f"{world.shop.url}/variants/{small['id']}", json={"stock_quantity": 20}).raise_for_status()
    world.sync()
    variants = shop_variants(world)
    assert (variants["TEE-M"]["price"], variants["TEE-M"]["sale_price"]) == ("13.50", "11.00")
    assert woo_variation(world, woo_id, ids["S"])["stock_quantity"] == 20
    assert woo_variation(world, woo_id, ids["M"])["stock_quantity"] == variants["TEE-M"]["stock_quantity"] == 7, \
        "the other size is left alone"
    world.assert_quiet()
    world.assert_agree()


def test_an_order_of_one_size_lands_pointing_at_it_and_its_stock_is_counted_once_both_ways(world: World) -> None:
    woo_id, ids = woo_tee(world)
    world.sync()
    variants = shop_variants(world)
    small, medium = variants["TEE-S"], variants["TEE-M"]
    world.shop_create("orders", {"currency": "USD", "grand_total": "20.00", "status": "processing",
                                 "email": "kirsi.makinen@example.fi",
                                 "lines": [{"product_id": small["product_id"], "variant_id": small["id"],
                                            "sku": "TEE-S", "name": "Tee - S", "quantity": 2, "unit_price": "10.00",
                                            "line_total": "20.00"}]})
    world.woo_create("orders", {"status": "processing", "currency": "USD",
                                "billing": {"email": "jose.garcia@example.es"},
                                "line_items": [{"product_id": woo_id, "variation_id": ids["M"], "quantity": 3}]})
    world.sync()
    copy = next(order for order in world.woo_list("orders") if order["created_via"] == "rest-api"
                and order["billing"]["email"] == "kirsi.makinen@example.fi")
    assert [(line["product_id"], line["variation_id"], line["quantity"]) for line in copy["line_items"]] == [
        (woo_id, ids["S"], 2)]
    [landed] = [order for order in world.shop_list("orders") if order["email"] == "jose.garcia@example.es"]
    assert [(line["product_id"], line["variant_id"], line["quantity"]) for line in landed["lines"]] == [
        (medium["product_id"], medium["id"], 3)]
    variants = shop_variants(world)
    assert (woo_variation(world, woo_id, ids["S"])["stock_quantity"], variants["TEE-S"]["stock_quantity"]) == (3, 3)
    assert (woo_variation(world, woo_id, ids["M"])["stock_quantity"], variants["TEE-M"]["stock_quantity"]) == (4, 4)
    world.assert_quiet()
    world.assert_agree()


def test_sizes_that_sell_from_the_products_stock_count_it_once(world: World) -> None:
    """A variation whose parent manages its stock (`manage_stock: "parent"`, stock-s32-…) is a variant without stock
    of its own, selling from its product's (contract §3.6)."""
    woo_id, ids = woo_tee(world, {"S": ("10.00", None), "M": ("12.00", None)}, manage_stock=True, stock_quantity=9)
    world.sync()
    product, variants = shop_product(world), shop_variants(world)
    assert (product["stock_quantity"], variants["TEE-S"]["stock_quantity"]) == (9, None)
    world.shop_create("orders", {"currency": "USD", "grand_total": "10.00", "email": "ana.silva@example.pt",
                                 "lines": [{"product_id": product["id"], "variant_id": variants["TEE-S"]["id"],
                                            "sku": "TEE-S", "name": "Tee - S", "quantity": 1, "unit_price": "10.00",
                                            "line_total": "10.00"}]})
    world.woo_create("orders", {"status": "processing", "currency": "USD", "billing": {"email": "li.wei@example.cn"},
                                "line_items": [{"product_id": woo_id, "variation_id": ids["M"], "quantity": 2}]})
    world.sync()
    assert (world.woo_get("products", woo_id)["stock_quantity"], shop_product(world)["stock_quantity"]) == (6, 6)
    world.assert_quiet()
    world.assert_agree()


def test_deleting_a_size_in_either_shop_deletes_it_in_the_other(world: World) -> None:
    woo_id, ids = woo_tee(world, {"S": ("10.00", 5), "M": ("12.00", 7), "L": ("14.00", 2)})
    world.sync()
    world.next_second()
    # A batch delete is permanent and leaves no trace in WooCommerce (variations-b06-…); the parent lists it no more.
    world.woo_http.post(f"{world.woo_api}/products/{woo_id}/variations/batch",
                        json={"delete": [ids["S"]]}).raise_for_status()
    medium = shop_variants(world)["TEE-M"]
    world.shop_http.delete(f"{world.shop.url}/variants/{medium['id']}").raise_for_status()
    world.sync()
    assert set(shop_variants(world)) == {"TEE-L"}
    assert set(woo_variations(world, woo_id)) == {"TEE-L"}
    world.assert_quiet()
    world.assert_agree()


def test_a_simple_product_turned_variable_and_back(world: World) -> None:
    """Simple → variable keeps the product and gives it sizes; variable → simple deletes WooCommerce's variations
    (`variations-c07-…` … `-c11-…`), so the webshop's variants go too, and the product keeps its last price, which
    WooCommerce gets back (it had none left)."""
    woo_id = world.woo_create("products", {"name": "Cap", "sku": "CAP", "regular_price": "15.00"})["id"]
    world.sync()
    cap = shop_product(world, "CAP")
    world.next_second()
    world.woo_http.put(f"{world.woo_api}/products/{woo_id}", json={"type": "variable", "attributes": [
        {"name": "Colour", "options": ["Black", "White"], "variation": True}]}).raise_for_status()
    world.woo_http.post(f"{world.woo_api}/products/{woo_id}/variations/batch", json={"create": [
        {"sku": f"CAP-{colour.upper()}", "regular_price": price, "attributes": [{"name": "Colour", "option": colour}]}
        for colour, price in (("Black", "16.00"), ("White", "18.00"))]}).raise_for_status()
    world.sync()
    assert shop_product(world, "CAP")["id"] == cap["id"] and shop_product(world, "CAP")["price"] == "16.00"
    assert {v["sku"]: v["product_id"] for v in world.shop_list("variants")} == {"CAP-BLACK": cap["id"],
                                                                                "CAP-WHITE": cap["id"]}
    world.next_second()
    world.woo_http.put(f"{world.woo_api}/products/{woo_id}", json={"type": "simple"}).raise_for_status()
    world.sync()
    assert world.shop_list("variants") == []
    assert world.woo_get("products", woo_id)["regular_price"] == shop_product(world, "CAP")["price"] == "16.00"
    world.assert_quiet()
    world.assert_agree()


# Garments named in many languages: (name, sizes or colours, option name)
GARMENTS = [("Ullgenser Åsane", ("S", "M", "L"), "Størrelse"), ("Pull marinière", ("Bleu", "Rouge"), "Couleur"),
            ("Trachtenjacke Groß", ("48", "50", "52"), "Größe"), ("Camiseta Ñandú", ("S", "M"), "Talla"),
            ("Футболка Вятка", ("S", "M", "L"), "Размер"), ("浴衣 藍染", ("中", "大"), "サイズ"),
            ("Kaftan Işıl", ("Mavi", "Yeşil"), "Renk"), ("Χιτώνας Ερμής", ("M", "L"), "Μέγεθος")]


def test_two_populated_shops_with_variable_products_link_what_they_share_and_count_sales_once(world: World):
    """Both shops already sell variable products, numbered from low ids on each side; one T-shirt exists in both
    (its SKUs written in another case, the webshop with one size more). After the first sync every size is on both
    sides exactly once, the shared ones linked; then both shops sell the shared size and the counts add up."""
    for n, (name, options, attribute) in enumerate(GARMENTS[:5]):
        parent = world.woo_create("products", {"name": name, "type": "variable", "sku": f"WOO-{n}", "attributes": [
            {"name": attribute, "options": list(options), "variation": True}]})
        world.woo_http.post(f"{world.woo_api}/products/{parent['id']}/variations/batch", json={"create": [
            {"sku": f"WOO-{n}-{i}", "regular_price": f"{20 + i}.00", "manage_stock": True, "stock_quantity": 5 + i,
             "attributes": [{"name": attribute, "option": option}]} for i, option in enumerate(options)]})
    shared_id, shared = woo_tee(world, {"S": ("10.00", 8), "M": ("12.00", 6)})
    for n in range(12):  # the webshop's simple products come first: its ids meet WooCommerce's
        world.shop_create("products", {"sku": f"SOCK-{n}", "name": f"Strumpa {n}", "price": "5.00"})
    for n, (name, options, attribute) in enumerate(GARMENTS[5:]):
        product = world.shop_create("products", {"sku": f"SHOP-{n}", "name": name, "price": "30.00"})
        for i, option in enumerate(options):
            world.shop_create("variants", {"product_id": product["id"], "sku": f"SHOP-{n}-{i}", "price": f"3{i}.00",
                                           "options": [{"name": attribute, "value": option}], "stock_quantity": 4})
    tee = world.shop_create("products", {"sku": "tee", "name": "Tee", "price": "10.00"})
    for size, price, stock in (("S", "10.00", 8), ("M", "12.00", 6), ("XL", "15.00", 2)):
        world.shop_create("variants", {"product_id": tee["id"], "sku": f"tee-{size.lower()}", "price": price,
                                       "options": [{"name": "Size", "value": size}], "stock_quantity": stock})
    before = {v["sku"].upper(): v["id"] for v in world.shop_list("variants")}
    woo_ids = {p["id"] for p in world.woo_list("products")} | {
        v["id"] for p in world.woo_list("products") for v in world.woo_list(f"products/{p['id']}/variations")}
    shop_ids = {p["id"] for p in world.shop_list("products")} | set(before.values())
    assert len(shop_ids & woo_ids) > 5, "both shops number from low ids: the same id, other records"

    world.sync()

    woo_skus = Counter(v["sku"].upper() for p in world.woo_list("products", type="variable")
                       for v in world.woo_list(f"products/{p['id']}/variations"))
    shop_skus = Counter(v["sku"].upper() for v in world.shop_list("variants"))
    assert woo_skus == shop_skus and set(woo_skus.values()) == {1}, (woo_skus, shop_skus)
    assert len(woo_skus) == 3 + 2 + 3 + 2 + 3 + 2 + 2 + 2 + 3
    assert {sku: shop_variants(world)[sku]["id"] for sku in ("TEE-S", "TEE-M")} == {
        "TEE-S": before["TEE-S"], "TEE-M": before["TEE-M"]}, "the shared sizes linked up, not duplicated"
    assert [p["id"] for p in world.woo_list("products", sku="TEE")] == [shared_id]
    assert woo_variations(world, shared_id)["TEE-XL"]["attributes"][0]["option"] == "XL", \
        "WooCommerce's T-shirt gained the webshop's size"
    assert (woo_variation(world, shared_id, shared["S"])["stock_quantity"],
            shop_variants(world)["TEE-S"]["stock_quantity"]) == (8, 8), "one stock, WooCommerce's level"

    small = shop_variants(world)["TEE-S"]
    world.shop_create("orders", {"currency": "EUR", "grand_total": "20.00", "email": "aroha.ngata@example.nz",
                                 "lines": [{"product_id": small["product_id"], "variant_id": small["id"],
                                            "sku": "tee-s", "name": "Tee - S", "quantity": 2, "unit_price": "10.00",
                                            "line_total": "20.00"}]})
    world.woo_create("orders", {"status": "processing", "currency": "EUR",
                                "billing": {"email": "lukasz.z@example.pl", "first_name": "Łukasz"},
                                "line_items": [{"product_id": shared_id, "variation_id": shared["S"], "quantity": 1}]})
    world.sync()
    assert (woo_variation(world, shared_id, shared["S"])["stock_quantity"],
            shop_variants(world)["TEE-S"]["stock_quantity"]) == (5, 5)
    world.assert_quiet()
    world.assert_agree()
