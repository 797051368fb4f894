"""The test data of the collect pipes' `test` alternative (`node-env=test`), as our service would stream it.

WooCommerce records are the real ones recorded from a store (tests/recordings/woocommerce: products-get-simple,
products-get-variable's sibling 77 is stood in by a second simple product, customers-get, orders-get). Custom
Webshop records follow docs/custom-webshop-api.md. They are chosen to exercise the dataflow: a product and a
customer that exist on both sides (same SKU, same e-mail in another case) and merge, records on one side only that
are inserted on the other, a webshop order whose customer and product exist on both sides (it lands in WooCommerce
with WooCommerce's ids), and a WooCommerce order that waits, since one of its products is not in the webshop. The
recorded variable T-shirt (variations-b02/b03) exists on both sides: its size S merges by SKU, M and L go to the
webshop and the webshop's XL to WooCommerce, under the T-shirt's id on each side.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RECORDINGS = Path(__file__).resolve().parents[1] / "tests" / "recordings" / "woocommerce"


def _recorded(name: str) -> dict[str, Any]:
    body = json.loads((RECORDINGS / name).read_text(encoding="utf-8"))["body"]
    return {k: v for k, v in body.items() if k != "_links"}


def _woo(record: dict[str, Any], second: int) -> dict[str, Any]:
    return {**record, "_id": str(record["id"]), "_updated": f"2026-11-28T03:17:{second:02d}Z_{record['id']:012d}",
            "_deleted": False}


def _shop(record: dict[str, Any], n: int) -> dict[str, Any]:
    stamp = f"2026-11-28T03:18:{n:02d}.000000Z"
    full = {"created_at": stamp, "updated_at": stamp, "version": 1, "origin": None, **record}
    return {**full, "_id": str(record["id"]), "_updated": f"{stamp}_{record['id']:012d}", "_deleted": False}


def _address(**values: str) -> dict[str, str]:
    keys = ("first_name", "last_name", "company", "address_1", "address_2", "city", "state", "postcode", "country",
            "email", "phone")
    return {key: values.get(key, "") for key in keys}


def _variations() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The recorded variable T-shirt and its sizes S, M and L (`variations-b02-…`, `variations-b03-…`)."""
    parent = _recorded("variations-b03-parent-after-batch-create.json")
    sizes = [{k: v for k, v in variation.items() if k != "_links"}
             for variation in _recorded_batch("variations-b02-batch-create-3.json")]
    return parent, sizes


def _recorded_batch(name: str) -> list[dict[str, Any]]:
    return json.loads((RECORDINGS / name).read_text(encoding="utf-8"))["body"]["create"]


def collect_entities() -> dict[str, list[dict[str, Any]]]:
    """Entities by collect pipe id."""
    simple = _recorded("products-get-simple.json")
    shared = {**simple, "id": 77, "name": "QA Shared", "slug": "qa-shared", "sku": "shared-1", "regular_price": "27.00",
              "sale_price": "", "price": "27.00", "on_sale": False, "meta_data": []}
    customer = _recorded("customers-get.json")
    order = _recorded("orders-get.json")
    tee, sizes = _variations()
    return {
        "woocommerce-product-collect": [_woo(simple, 4), _woo(shared, 5), _woo(tee, 8)],
        "woocommerce-variation-collect": [_woo(size, 9) for size in sizes],
        "woocommerce-customer-collect": [_woo(customer, 6)],
        "woocommerce-order-collect": [_woo(order, 7)],
        "customwebshop-product-collect": [
            _shop({"id": 5, "sku": "SHARED-1", "name": "QA Shared", "description": "", "price": "27.00",
                   "sale_price": None, "stock_quantity": 4, "status": "publish", "weight": None,
                   "categories": ["Mugs"]}, 1),
            _shop({"id": 6, "sku": "SHOP-ONLY", "name": "Shop only", "description": "<p>Only here</p>",
                   "price": "12.50", "sale_price": "10.00", "stock_quantity": None, "status": "draft",
                   "weight": "0.250", "categories": []}, 2),
            _shop({"id": 7, "sku": "rec-38cf33-tee", "name": "Rec 38cf33 Tee", "description": "", "price": "10.00",
                   "sale_price": None, "stock_quantity": None, "status": "publish", "weight": None,
                   "categories": []}, 6)],
        "customwebshop-variation-collect": [
            _shop({"id": 1, "product_id": 7, "sku": "REC-38CF33-TEE-S", "options": [{"name": "Size", "value": "S"}],
                   "price": "10.00", "sale_price": None, "stock_quantity": 10}, 7),
            _shop({"id": 2, "product_id": 7, "sku": "REC-38CF33-TEE-XL", "options": [{"name": "Size", "value": "XL"}],
                   "price": "16.00", "sale_price": "15.00", "stock_quantity": 3}, 8)],
        "customwebshop-customer-collect": [
            _shop({"id": 3, "email": customer["email"].upper(), "first_name": "Alice", "last_name": "Shop",
                   "phone": "", "company": "", "billing": _address(city="Oslo", country="NO"),
                   "shipping": _address()}, 3),
            _shop({"id": 4, "email": "bob@example.test", "first_name": "Bob", "last_name": "Builder",
                   "phone": "555-0100", "company": "Bob AS", "billing": _address(city="Bergen", country="NO",
                                                                                  phone="555-0100"),
                   "shipping": _address(city="Bergen", country="NO")}, 4)],
        "customwebshop-order-collect": [
            _shop({"id": 9, "order_number": "9", "status": "processing", "currency": "NOK", "customer_id": 3,
                   "email": customer["email"], "billing": _address(city="Oslo", country="NO"),
                   "shipping": _address(city="Oslo", country="NO"),
                   "lines": [{"product_id": 5, "sku": "SHARED-1", "name": "QA Shared", "quantity": 2,
                              "unit_price": "27.00", "line_total": "54.00"}],
                   "shipping_total": "0.00", "discount_total": "0.00", "tax_total": "0.00", "grand_total": "54.00",
                   "note": "", "placed_at": "2026-11-28T03:18:05.000000Z"}, 5)],
    }
