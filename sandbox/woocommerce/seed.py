"""Seeds: a small realistic demo store (deterministic), and a fast bulk loader for benchmarks.

`seed_demo` goes through the store's rules (so stock, totals and notes are what WooCommerce would show), then
back-dates records over the past months. `seed_bulk` builds rows directly and loads them in one sort, for stores of
100 000 orders that must be ready in seconds.
"""
from __future__ import annotations

import copy
import random
from datetime import datetime, timedelta
from typing import Any

from .clock import format_date
from .customers import blank_billing, blank_shipping
from .store import Store
from .table import Row

_FIRST = ["Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy", "Mallory", "Niaj"]
_LAST = ["Larsen", "Berg", "Dahl", "Hansen", "Olsen", "Moe", "Strand", "Lie", "Haug", "Eide"]
_CITIES = [("Oslo", "0150", "NO"), ("Bergen", "5003", "NO"), ("Stockholm", "111 20", "SE"), ("Copenhagen", "1050", "DK"),
           ("San Francisco", "94103", "US")]
_PRODUCTS = ["Wool Socks", "Rain Jacket", "Hiking Boots", "Thermos", "Beanie", "Fleece", "Backpack", "Headlamp",
             "Tent", "Sleeping Bag", "Camp Stove", "Water Filter", "Trekking Poles", "Map Case", "Compass", "Gloves",
             "Gaiters", "Sunglasses", "First Aid Kit"]
_STATUSES = ["completed"] * 10 + ["processing"] * 6 + ["pending"] * 4 + ["on-hold"] * 3 + ["cancelled"] * 3 + [
    "refunded", "failed"]


def _address(rng: random.Random, first: str, last: str) -> dict[str, str]:
    city, postcode, country = rng.choice(_CITIES)
    return {"first_name": first, "last_name": last, "company": "", "address_1": f"{rng.randint(1, 99)} Main Street",
            "address_2": "", "city": city, "state": "", "postcode": postcode, "country": country,
            "phone": f"555-{rng.randint(1000, 9999)}"}


def _backdate(store: Store, resource_name: str, row_id: int, created: datetime, modified: datetime) -> None:
    resource = store.resource(resource_name)
    row = copy.deepcopy(resource.table.rows[row_id])
    row["date_created"] = row["date_created_gmt"] = format_date(created)
    row["date_modified"] = row["date_modified_gmt"] = format_date(modified)
    resource.table.save(row)


def seed_demo(store: Store) -> None:
    """≈20 products (one variable, with variations), 10 customers, 30 orders over past months, some trashed."""
    rng = random.Random(20260101)
    now = store.clock.now()
    with store.lock:
        categories = [store.products.add_category(name) for name in ("Clothing", "Gear", "Accessories")]
        products = []
        for index, name in enumerate(_PRODUCTS):
            price = rng.choice([9, 15, 25, 49, 89, 129, 249])
            body: dict[str, Any] = {"name": name, "sku": f"DEMO-{index + 1:03d}", "regular_price": f"{price}.00",
                                    "categories": [{"id": categories[index % 3]["id"]}],
                                    "manage_stock": index % 3 != 2, "stock_quantity": rng.randint(5, 80),
                                    "description": f"<p>{name} for every season.</p>"}
            if index % 5 == 0:
                body["sale_price"] = f"{price * 0.8:.2f}"
            products.append(store.products.create(body))
        variable = store.products.create({
            "name": "Merino T-Shirt", "type": "variable", "sku": "DEMO-TEE", "categories": [{"id": categories[0]["id"]}],
            "attributes": [{"name": "Size", "options": ["S", "M", "L"], "variation": True, "visible": True}]})
        variations = [store.variations.create_for(store.products.table.rows[variable["id"]], {
            "sku": f"DEMO-TEE-{size}", "regular_price": price, "manage_stock": True, "stock_quantity": 20,
            "attributes": [{"name": "Size", "option": size}]}) for size, price in (("S", "35.00"), ("M", "35.00"),
                                                                                     ("L", "39.00"))]
        customers = []
        for index in range(10):
            first, last = _FIRST[index], rng.choice(_LAST)
            address = _address(rng, first, last)
            customers.append(store.customers.create({
                "email": f"{first.lower()}.{last.lower()}@example.test", "first_name": first, "last_name": last,
                "billing": {**address, "email": f"{first.lower()}.{last.lower()}@example.test"},
                "shipping": address}))
        for index in range(30):
            customer = rng.choice(customers)
            lines: list[dict[str, Any]] = [{"product_id": rng.choice(products)["id"], "quantity": rng.randint(1, 3)}]
            if index % 4 == 0:
                lines.append({"variation_id": rng.choice(variations)["id"], "product_id": variable["id"],
                              "quantity": 1})
            order = store.orders.create({
                "customer_id": customer["id"], "billing": customer["billing"], "shipping": customer["shipping"],
                "payment_method": "bacs", "payment_method_title": "Direct bank transfer", "line_items": lines,
                "shipping_lines": [{"method_id": "flat_rate", "method_title": "Flat rate", "total": "5.00"}]})
            status = _STATUSES[index % len(_STATUSES)]
            if status != "pending":
                order = store.orders.update(order, {"status": status})
            created = now - timedelta(days=rng.randint(2, 150), seconds=rng.randint(0, 86399))
            _backdate(store, "orders", order["id"], created, min(now, created + timedelta(hours=rng.randint(1, 72))))
        for order_id in sorted(store.orders.table.rows)[-3:]:
            store.orders.delete(store.orders.table.rows[order_id], force=False)
        store.products.delete(store.products.table.rows[products[-1]["id"]], force=False)
        store.stats.writes.clear()


def seed_bulk(store: Store, orders: int = 100_000, products: int = 200, customers: int = 1_000,
              same_second: int = 0, period: timedelta = timedelta(days=365), seed: int = 7) -> None:
    """Load a large store without HTTP: orders' modification times spread over `period` up to now, and the last
    `same_second` orders modified in one and the same second (a bulk edit), for boundary benchmarks."""
    rng = random.Random(seed)
    now = store.clock.now()
    with store.lock:
        product_rows = [store.products.create({"name": f"Bulk Product {i}", "sku": f"BULK-{i:06d}",
                                               "regular_price": f"{rng.randint(5, 300)}.00"})
                        for i in range(products)]
        customer_rows = _bulk_customers(store, customers, now)
        start = now - period
        step = period / max(orders, 1)
        rows = []
        for index in range(orders):
            created = start + step * index
            edited = created + timedelta(seconds=rng.randint(0, 3 * 86400))
            # An edit cannot be in the future; the burst of `same_second` edits lands on "now".
            modified = now if index >= orders - same_second else (edited if edited <= now else created)
            rows.append(_bulk_order(store, rng, created, modified, rng.choice(customer_rows),
                                    rng.choice(product_rows)))
        store.orders.table.load(rows)
        store.stats.writes.clear()


def _bulk_customers(store: Store, count: int, now: datetime) -> list[Row]:
    stamp = format_date(now)
    rows = []
    for index in range(count):
        email = f"bulk{index}@example.test"
        row = store.customers.blank(store.next_user_id(), stamp, email, f"bulk{index}")
        row.update(first_name=_FIRST[index % len(_FIRST)], last_name=_LAST[index % len(_LAST)])
        row["billing"].update(first_name=row["first_name"], last_name=row["last_name"], email=email)
        rows.append(row)
    store.customers.table.load(rows)
    return rows


def _bulk_order(store: Store, rng: random.Random, created: datetime, modified: datetime, customer: Row,
                product: Row) -> Row:
    order_id = store.next_post_id()
    quantity = rng.randint(1, 4)
    total = f"{float(product['price']) * quantity:.2f}"
    status = rng.choice(_STATUSES)
    created_text, modified_text = format_date(created), format_date(modified)
    paid = created_text if status in ("completed", "processing", "refunded") else None
    return {
        "id": order_id, "parent_id": 0, "status": status, "currency": "USD", "version": "9.2.5",
        "prices_include_tax": False, "date_created": created_text, "date_modified": modified_text,
        "discount_total": "0.00", "discount_tax": "0.00", "shipping_total": "0.00", "shipping_tax": "0.00",
        "cart_tax": "0.00", "total": total, "total_tax": "0.00", "customer_id": customer["id"],
        "order_key": f"wc_order_bulk{order_id:08d}", "billing": {**blank_billing(), **customer["billing"]},
        "shipping": blank_shipping(), "payment_method": "bacs", "payment_method_title": "Direct bank transfer",
        "transaction_id": "", "customer_ip_address": "", "customer_user_agent": "", "created_via": "rest-api",
        "customer_note": "", "date_completed": modified_text if status == "completed" else None, "date_paid": paid,
        "cart_hash": "", "number": str(order_id), "meta_data": [],
        "line_items": [{"id": store.next_item_id(), "name": product["name"], "product_id": product["id"],
                        "variation_id": 0, "quantity": quantity, "tax_class": "", "subtotal": total,
                        "subtotal_tax": "0.00", "total": total, "total_tax": "0.00", "taxes": [], "meta_data": [],
                        "sku": product["sku"], "price": float(product["price"]), "image": {"id": "", "src": ""},
                        "parent_name": None}],
        "tax_lines": [], "shipping_lines": [], "fee_lines": [], "coupon_lines": [], "refunds": [],
        "payment_url": f"/checkout/order-pay/{order_id}/?pay_for_order=true&key=wc_order_bulk{order_id:08d}",
        "is_editable": status in ("pending", "on-hold"), "needs_payment": status in ("pending", "failed"),
        "needs_processing": True, "date_created_gmt": created_text, "date_modified_gmt": modified_text,
        "date_completed_gmt": modified_text if status == "completed" else None, "date_paid_gmt": paid,
        "currency_symbol": "$",
    }
