"""Products: shape, price, SKU, stock, status, trash and meta rules, each pinned to its recording."""
from __future__ import annotations

from typing import Any

import pytest
from woo_recordings import assert_error_as_recorded, assert_keys_as_recorded, recording


def test_created_product_has_the_recorded_keys_and_headers(shop, product):
    """`products-create-simple.json`, `products-get-simple.json`."""
    response = shop.get(f"/products/{product['id']}")
    assert response.status_code == 200
    assert_keys_as_recorded(response.json(), "products-get-simple.json")
    recorded = recording("products-get-simple.json")
    assert response.headers["Content-Type"] == recorded["headers"]["Content-Type"]
    assert response.headers["Allow"] == recorded["headers"]["Allow"]
    assert response.headers["Link"] == recorded["headers"]["Link"]
    body = response.json()
    assert (body["price"], body["regular_price"], body["sale_price"], body["on_sale"]) == ("15.00", "20.00", "15.00", True)
    assert body["price_html"] == recorded["body"]["price_html"]
    assert body["_links"]["self"][0]["href"] == f"https://shop.example.test/wp-json/wc/v3/products/{body['id']}"


def test_price_is_read_only_and_follows_regular_and_sale(shop):
    """`products-e01-…`, `products-e02-…`, `products-e03-…`, `products-e04-…`, `products-e05-…`."""
    created = shop.created("/products", {"name": "Only price", "price": "9.00"})
    assert (created["price"], created["regular_price"]) == ("", "")
    updated = shop.put(f"/products/{created['id']}", {"price": "7.00"}).json()
    assert updated["price"] == ""
    updated = shop.put(f"/products/{created['id']}", {"regular_price": "10.00"}).json()
    assert updated["price"] == "10.00"
    above = shop.put(f"/products/{created['id']}", {"sale_price": "12.00"}).json()
    assert (above["sale_price"], above["on_sale"], above["price"]) == ("", False, "10.00")
    on_sale = shop.put(f"/products/{created['id']}", {"sale_price": "8.00"}).json()
    assert (on_sale["price"], on_sale["on_sale"]) == ("8.00", True)
    cleared = shop.put(f"/products/{created['id']}", {"sale_price": ""}).json()
    assert (cleared["price"], cleared["on_sale"]) == ("10.00", False)


def test_regular_price_as_number_is_refused(shop, product):
    """`products-e06-regular-price-number-type.json`."""
    response = shop.put(f"/products/{product['id']}", {"regular_price": 6.5})
    assert_error_as_recorded(response, "products-e06-regular-price-number-type.json")
    assert shop.get(f"/products/{product['id']}").json()["regular_price"] == "20.00"


@pytest.mark.parametrize("name", ["products-create-duplicate-sku-400.json",
                                  "products-e08-create-duplicate-sku-other-case-400.json"])
def test_duplicate_sku_is_refused_case_insensitively(shop, name):
    first = shop.created("/products", recording("products-create-simple.json")["request"]["body"])
    response = shop.post("/products", recording(name)["request"]["body"])
    expected = recording(name)["body"]
    expected["data"]["resource_id"] = first["id"]
    assert (response.status_code, response.json()) == (400, expected)
    assert len(shop.get("/products").json()) == 1


def test_update_to_a_taken_sku_is_refused(shop, product):
    """`products-e07-update-duplicate-sku-400.json`."""
    other = shop.created("/products", {"name": "Other", "sku": "other"})
    response = shop.put(f"/products/{other['id']}", {"sku": "qa-bb46ed-simple"})
    assert response.json()["code"] == "product_invalid_sku"
    assert response.json()["data"] == {"status": 400, "resource_id": product["id"],
                                       "unique_sku": "qa-bb46ed-simple-1"}
    assert shop.get(f"/products/{other['id']}").json()["sku"] == "other"


def test_variation_skus_share_the_product_sku_space(shop):
    """`products-e09-create-sku-of-variation-400.json`."""
    parent = shop.created("/products", recording("products-create-variable.json")["request"]["body"])
    variation = shop.created(f"/products/{parent['id']}/variations",
                             recording("product-variations-create.json")["request"]["body"])
    response = shop.post("/products", recording("products-e09-create-sku-of-variation-400.json")["request"]["body"])
    assert response.json()["data"]["resource_id"] == variation["id"]
    assert response.json()["code"] == "product_invalid_sku"


def test_a_trashed_product_still_holds_its_sku(shop):
    """`products-e10-create-sku-of-trashed-product.json`: the distinct error code, no resource_id."""
    trashed = shop.created("/products", {"name": "Trashed", "sku": "qa-bb46ed-trashed"})
    assert shop.delete(f"/products/{trashed['id']}").status_code == 200
    response = shop.post("/products", recording("products-e10-create-sku-of-trashed-product.json")["request"]["body"])
    assert_error_as_recorded(response, "products-e10-create-sku-of-trashed-product.json")


def test_empty_skus_may_repeat_and_clear_a_sku(shop, product):
    """`products-e12-two-empty-skus-ok.json`, `products-e13-clear-sku.json`."""
    shop.created("/products", {"name": "A", "sku": ""})
    shop.created("/products", {"name": "B", "sku": ""})
    assert shop.put(f"/products/{product['id']}", {"sku": ""}).json()["sku"] == ""


@pytest.mark.parametrize("name", ["products-e16-create-invalid-status-400.json",
                                  "products-e28-create-invalid-type-400.json"])
def test_enum_errors_are_as_recorded(shop, name):
    response = shop.post("/products", recording(name)["request"]["body"])
    assert_error_as_recorded(response, name)
    assert shop.get("/products").json() == []


def test_stock_rules(shop):
    """`products-e19-…` to `products-e25-…`."""
    created = shop.created("/products", {"name": "Stock", "stock_quantity": 5})
    assert (created["manage_stock"], created["stock_quantity"]) == (False, None)
    path = f"/products/{created['id']}"
    assert shop.put(path, {"stock_quantity": 5}).json()["stock_quantity"] is None
    managed = shop.put(path, {"manage_stock": True, "stock_quantity": 3}).json()
    assert (managed["stock_quantity"], managed["stock_status"]) == (3, "instock")
    zero = shop.put(path, {"stock_quantity": 0}).json()
    assert zero["stock_status"] == "outofstock"
    assert shop.put(path, {"stock_quantity": -2}).json()["stock_quantity"] == -2
    unmanaged = shop.put(path, {"manage_stock": False}).json()
    assert (unmanaged["stock_quantity"], unmanaged["stock_status"]) == (None, "outofstock")
    assert shop.put(path, {"stock_status": "instock"}).json()["stock_status"] == "instock"


def test_created_category_is_as_recorded_and_usable(shop):
    """`product-categories-create.json`."""
    recorded = recording("product-categories-create.json")
    response = shop.post("/products/categories", recorded["request"]["body"])
    assert response.status_code == 201
    assert set(response.json()) == set(recorded["body"])
    assert {k: v for k, v in response.json().items() if k not in ("id", "_links")} == {
        k: v for k, v in recorded["body"].items() if k not in ("id", "_links")}
    product = shop.created("/products", {"name": "x", "categories": [{"id": response.json()["id"]}]})
    assert product["categories"] == [{"id": response.json()["id"], "name": "QA Category bb46ed",
                                      "slug": "qa-category-bb46ed"}]


def test_unknown_category_becomes_uncategorized(shop):
    """`products-e29-create-nonexistent-category.json`."""
    created = shop.created("/products", {"name": "x", "categories": [{"id": 999999}]})
    assert created["categories"] == recording("products-e29-create-nonexistent-category.json")["body"]["categories"]


def test_written_creation_date_is_also_the_modification_date(shop):
    """`products-e26-create-with-date-created.json`, `products-e27-put-date-modified-ignored.json`."""
    created = shop.created("/products", {"name": "Old", "date_created_gmt": "2020-01-02T03:04:05"})
    assert created["date_modified_gmt"] == created["date_created_gmt"] == "2020-01-02T03:04:05"
    shop.advance()
    updated = shop.put(f"/products/{created['id']}", {"date_modified_gmt": "2019-01-01T00:00:00"}).json()
    assert updated["date_modified_gmt"] == "2026-11-28T03:17:01"


@pytest.mark.parametrize("path", ["/products", "/orders", "/customers"])
def test_empty_put_bumps_date_modified(shop, path):
    """`products-put-empty-body-bumps-modified.json`, `orders-…`, `customers-…`."""
    body: dict[str, Any] = {"products": {"name": "x"}, "orders": {},
                            "customers": {"email": "bump@example.test"}}[path.strip("/")]
    created = shop.created(path, body)
    shop.advance(5)
    shop.store.stats.writes.clear()
    response = shop.put(f"{path}/{created['id']}", {})
    assert response.status_code == 200
    assert response.json()["date_modified_gmt"] == "2026-11-28T03:17:05"
    assert shop.store.stats.as_json()["writes"] == {path.strip("/"): {"update": 1}}


def test_trash_then_410_then_force_then_404(shop, product):
    """`products-delete-no-force-trash.json`, `products-get-trashed.json`, `products-delete-again-no-force-410.json`,
    `products-delete-force.json`, `products-get-deleted-404.json`, `products-delete-nonexistent-404.json`."""
    path = f"/products/{product['id']}"
    shop.advance()
    first = shop.delete(path)
    assert (first.status_code, first.json()["status"]) == (200, "publish")
    trashed = shop.get(path).json()
    assert (trashed["status"], trashed["slug"]) == ("trash", f"{product['slug']}__trashed")
    assert trashed["date_modified_gmt"] == "2026-11-28T03:17:01"
    assert [p["id"] for p in shop.get("/products").json()] == []
    assert [p["id"] for p in shop.get("/products", status="trash").json()] == [product["id"]]
    again = shop.delete(path)
    assert (again.status_code, again.json()) == (410, recording("products-delete-again-no-force-410.json")["body"])
    assert shop.delete(path, force="true").status_code == 200
    assert_error_as_recorded(shop.get(path), "products-get-deleted-404.json")
    assert_error_as_recorded(shop.delete(path, force="true"), "products-delete-nonexistent-404.json")


def test_put_on_trashed_product_keeps_it_trashed_until_published(shop, product):
    """`products-update-trashed.json`, `products-e11-untrash-via-status-publish.json`."""
    path = f"/products/{product['id']}"
    shop.delete(path)
    assert shop.put(path, {"name": "Renamed"}).json()["status"] == "trash"
    restored = shop.put(path, {"status": "publish"}).json()
    assert (restored["status"], restored["slug"]) == ("publish", product["slug"])


def test_meta_data_rules_on_products(shop, product):
    """`products-meta-02-update-by-key.json`, `products-meta-03-delete-value-null.json`,
    `products-meta-04-internal-key-price.json`."""
    path = f"/products/{product['id']}"
    entry_id = product["meta_data"][0]["id"]
    updated = shop.put(path, {"meta_data": [{"key": "qa_tag", "value": "new"}, {"key": "_price", "value": "1"}]}).json()
    assert updated["meta_data"] == [{"id": entry_id, "key": "qa_tag", "value": "new"}]
    assert updated["price"] == "15.00"
    assert shop.put(path, {"meta_data": [{"key": "qa_tag", "value": None}]}).json()["meta_data"] == []


def test_variable_product_and_variations(shop):
    """`products-get-variable.json`, `product-variations-get.json`, `product-variations-list.json`,
    `products-get-variable-after-variation-update.json`."""
    parent = shop.created("/products", recording("products-create-variable.json")["request"]["body"])
    assert parent["attributes"] == recording("products-create-variable.json")["body"]["attributes"]
    variation = shop.created(f"/products/{parent['id']}/variations",
                             recording("product-variations-create.json")["request"]["body"])
    got = shop.get(f"/products/{parent['id']}/variations/{variation['id']}")
    assert_keys_as_recorded(got.json(), "product-variations-get.json")
    assert got.json()["attributes"] == [{"id": 0, "name": "Size", "slug": "size", "option": "S"}]
    listed = shop.get(f"/products/{parent['id']}/variations")
    assert [v["id"] for v in listed.json()] == [variation["id"]]
    shop.advance(3)
    shop.put(f"/products/{parent['id']}/variations/{variation['id']}", {"regular_price": "25.00"})
    after = shop.get(f"/products/{parent['id']}").json()
    assert_keys_as_recorded(after, "products-get-variable.json")
    assert (after["price"], after["regular_price"], after["variations"]) == ("25.00", "", [variation["id"]])
    assert after["date_modified_gmt"] == "2026-11-28T03:17:03"
    assert [p["id"] for p in shop.get("/products").json()] == [parent["id"]]


@pytest.mark.parametrize("status", ["draft", "pending", "private", "publish", "future"])
def test_write_responses_carry_edit_context_keys_and_slug_rules(shop, status):
    """`products-e14-create-status-*.json`, `products-e15-create-status-future.json`: drafts have no slug yet,
    only published and private products get a pretty permalink, and write responses add two keys."""
    name = f"products-e14-create-status-{status}.json" if status != "future" else "products-e15-create-status-future.json"
    recorded = recording(name)["body"]
    created = shop.created("/products", recording(name)["request"]["body"])
    assert set(created) == set(recorded)
    assert created["slug"] == recorded["slug"] and created["generated_slug"] == recorded["generated_slug"]
    assert created["permalink"] == recorded["permalink"].replace(str(recorded["id"]), str(created["id"]))
    assert set(shop.get(f"/products/{created['id']}").json()) == set(recording("products-get-simple.json")["body"])
