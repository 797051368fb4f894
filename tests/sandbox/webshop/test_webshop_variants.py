"""Variants (docs/custom-webshop-api.md §3.4.1): one product's sizes or colours, each with its own SKU in the products'
SKU space, price and stock; order lines naming a variant move its stock (§3.6); a deleted product takes its variants
with it."""
from __future__ import annotations

from typing import Any

from webshop_client import Api, product


def variant(product_id: int, sku: str, **fields: Any) -> dict[str, Any]:
    return {"product_id": product_id, "sku": sku, "price": "10.00", "options": [{"name": "Size", "value": sku[-1]}],
            **fields}


def line(product_id: int, variant_id: int | None, quantity: int) -> dict[str, Any]:
    return {"product_id": product_id, "variant_id": variant_id, "name": "Tee", "quantity": quantity,
            "unit_price": "10.00", "line_total": f"{10 * quantity}.00"}


def checkout(api: Api, *lines: dict[str, Any], **fields: Any) -> dict[str, Any]:
    total = sum(int(item["line_total"].split(".")[0]) for item in lines)
    return api.create("orders", {"currency": "NOK", "grand_total": f"{total}.00", "lines": list(lines), **fields})


def stock(api: Api, resource: str, record_id: int) -> int | None:
    return api.get(f"/{resource}/{record_id}").json()["stock_quantity"]


def test_a_variant_is_a_record_of_its_own_listed_like_every_other(api: Api) -> None:
    tee = api.create("products", product(1))
    small = api.create("variants", variant(tee["id"], "TEE-S", stock_quantity=4, sale_price="8.00"))
    assert {key: small[key] for key in ("product_id", "sku", "options", "price", "sale_price", "stock_quantity",
                                        "origin", "metadata", "version")} == {
        "product_id": tee["id"], "sku": "TEE-S", "options": [{"name": "Size", "value": "S"}], "price": "10.00",
        "sale_price": "8.00", "stock_quantity": 4, "origin": None, "metadata": {}, "version": 1}
    assert api.scan("variants") == [small]


def test_variant_skus_share_the_products_sku_space_case_insensitively(api: Api) -> None:
    tee = api.create("products", product(1))
    small = api.create("variants", variant(tee["id"], "TEE-S"))
    clash = api.post("/variants", json=variant(tee["id"], "sku-1"))
    assert (clash.status_code, clash.json()["field"], clash.json()["existing_id"],
            clash.json()["existing_resource"]) == (409, "sku", tee["id"], "products")
    clash = api.post("/products", json=product(2, sku="tee-s"))
    assert (clash.status_code, clash.json()["existing_id"], clash.json()["existing_resource"]) == (
        409, small["id"], "variants")
    api.delete(f"/variants/{small['id']}").raise_for_status()
    assert api.post("/products", json=product(2, sku="tee-s")).status_code == 201, "a deleted variant's SKU is free"


def test_a_variant_belongs_to_one_live_product_for_good(api: Api) -> None:
    tee, mug = api.create("products", product(1)), api.create("products", product(2))
    assert api.post("/variants", json=variant(999, "X-S")).json()["fields"] == {
        "product_id": "no products record with id 999"}
    small = api.create("variants", variant(tee["id"], "TEE-S"))
    moved = api.patch(f"/variants/{small['id']}", json={"product_id": mug["id"]})
    assert (moved.status_code, moved.json()["fields"]) == (
        422, {"product_id": f"cannot change: the variant belongs to products/{tee['id']}"})
    api.delete(f"/products/{mug['id']}").raise_for_status()
    assert api.post("/variants", json=variant(mug["id"], "MUG-S")).json()["fields"] == {
        "product_id": f"products/{mug['id']} is deleted"}


def test_options_are_named_once_each(api: Api) -> None:
    tee = api.create("products", product(1))
    twice = api.post("/variants", json=variant(tee["id"], "TEE-S", options=[{"name": "Size", "value": "S"},
                                                                            {"name": "size", "value": "M"}]))
    assert (twice.status_code, twice.json()["fields"]) == (422, {"options": "must not name an option twice"})
    blank = api.post("/variants", json=variant(tee["id"], "TEE-S", options=[{"name": "Size", "value": ""}]))
    assert blank.json()["fields"] == {"options[0].value": "must not be empty"}


def test_deleting_a_product_deletes_its_variants_in_the_same_commit(api: Api) -> None:
    tee, mug = api.create("products", product(1)), api.create("products", product(2))
    small, large = (api.create("variants", variant(tee["id"], sku)) for sku in ("TEE-S", "TEE-L"))
    kept = api.create("variants", variant(mug["id"], "MUG-S"))
    api.delete(f"/products/{tee['id']}").raise_for_status()
    assert api.get(f"/variants/{small['id']}").status_code == 404
    tombstones = {item["id"]: item for item in api.scan("variants", include_deleted="true") if item.get("deleted")}
    assert set(tombstones) == {small["id"], large["id"]}
    assert tombstones[small["id"]]["version"] == 2
    assert api.get(f"/variants/{kept['id']}").status_code == 200


def test_a_checkout_line_of_a_variant_moves_the_variants_stock_and_a_copy_moves_nothing(api: Api) -> None:
    tee = api.create("products", product(1, stock_quantity=50))
    small = api.create("variants", variant(tee["id"], "TEE-S", stock_quantity=10))
    placed = checkout(api, line(tee["id"], small["id"], 2))
    assert (stock(api, "variants", small["id"]), stock(api, "products", tee["id"])) == (8, 50)
    assert api.get(f"/variants/{small['id']}").json()["version"] == 2, "a stock move is a change of the variant"
    api.patch(f"/orders/{placed['id']}", json={"status": "cancelled"}).raise_for_status()
    assert stock(api, "variants", small["id"]) == 10
    checkout(api, line(tee["id"], small["id"], 3), origin="woocommerce-order:9")
    assert stock(api, "variants", small["id"]) == 10


def test_a_variant_without_stock_of_its_own_sells_from_its_products(api: Api) -> None:
    """As WooCommerce's `manage_stock: "parent"` (stock-s32-create-processing-parent-managed-variation.json)."""
    mug = api.create("products", product(1, stock_quantity=6))
    red = api.create("variants", variant(mug["id"], "MUG-R"))
    placed = checkout(api, line(mug["id"], red["id"], 2))
    assert (stock(api, "products", mug["id"]), stock(api, "variants", red["id"])) == (4, None)
    api.patch(f"/orders/{placed['id']}", json={"status": "cancelled"}).raise_for_status()
    assert stock(api, "products", mug["id"]) == 6


def test_an_order_line_names_a_variant_of_its_own_product(api: Api) -> None:
    tee, mug = api.create("products", product(1)), api.create("products", product(2))
    small = api.create("variants", variant(tee["id"], "TEE-S"))
    wrong = api.post("/orders", json={"currency": "NOK", "grand_total": "10.00",
                                      "lines": [line(mug["id"], small["id"], 1)]})
    assert (wrong.status_code, wrong.json()["fields"]) == (
        422, {"lines[0].variant_id": f"is a variant of products/{tee['id']}: the line's product_id must name it"})
    unknown = api.post("/orders", json={"currency": "NOK", "grand_total": "10.00", "lines": [line(tee["id"], 98, 1)]})
    assert unknown.json()["fields"] == {"lines[0].variant_id": "no variants record with id 98"}
    api.delete(f"/variants/{small['id']}").raise_for_status()
    assert api.post("/orders", json={"currency": "NOK", "grand_total": "10.00",
                                     "lines": [line(tee["id"], small["id"], 1)]}).status_code == 201, \
        "orders keep their history: a deleted variant may still be named"
