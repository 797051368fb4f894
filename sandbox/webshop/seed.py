"""Deterministic data for the reference shop: the `demo` seed and a bulk loader for benchmarks.

Both write straight to the store, bypassing HTTP. The demo seed commits each resource in one transaction with one
`updated_at`, like a shop's bulk import, so its listings always contain ties on `updated_at` that clients must page
through by (updated_at, id). The bulk loader gives every record its own microsecond, like records written one by one.
"""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sandbox.webshop.clock import Clock
from sandbox.webshop.db import Database
from sandbox.webshop.resources import ORDER_STATUSES, PRODUCT_STATUSES, empty_address
from sandbox.webshop.store import Store

FIRST_NAMES = ("Ada", "Bjørn", "Chloé", "Dmitri", "Eva", "Farid", "Greta", "Hiro", "Ingrid", "José", "Kari", "Lars")
LAST_NAMES = ("Nilsen", "Okafor", "Pettersen", "Quist", "Rossi", "Svensson", "Tanaka", "Ulriksen", "Vik", "Weber")
CITIES = (("Oslo", "0150"), ("Bergen", "5003"), ("Trondheim", "7010"), ("Stavanger", "4006"), ("Tromsø", "9008"))
CATEGORIES = ("Coffee", "Tea", "Brewing", "Accessories", "Gifts")
CENT = Decimal("0.01")
GOODS = ("Espresso beans", "Filter roast", "Green tea", "Chai blend", "Pour-over kettle", "Hand grinder", "Mug",
         "Tasting set", "Gift card", "Cold brew bottle")


def customer(n: int) -> dict[str, Any]:
    first, last = FIRST_NAMES[n % len(FIRST_NAMES)], LAST_NAMES[n % len(LAST_NAMES)]
    city, postcode = CITIES[n % len(CITIES)]
    address = {**empty_address(), "first_name": first, "last_name": last, "address_1": f"Storgata {n + 1}",
               "city": city, "postcode": postcode, "country": "NO", "phone": f"+47 400 {n:05d}"}
    return {"email": f"{first.lower()}.{last.lower()}.{n}@example.test", "first_name": first, "last_name": last,
            "phone": address["phone"], "company": "" if n % 3 else f"{last} AS",
            "billing": {**address, "email": f"{first.lower()}.{n}@example.test"}, "shipping": address, "origin": None,
            "metadata": {}}


def product(n: int) -> dict[str, Any]:
    price = Decimal(49 + (n * 37) % 900)
    return {"sku": f"DEMO-{n + 1:06d}", "name": f"{GOODS[n % len(GOODS)]} no. {n + 1}",
            "description": f"Demo product {n + 1}.", "price": f"{price:.2f}",
            "sale_price": f"{price * Decimal('0.8'):.2f}" if n % 4 == 0 else None,
            "stock_quantity": None if n % 7 == 0 else (n * 13) % 120,
            "status": PRODUCT_STATUSES[0] if n % 9 else PRODUCT_STATUSES[1],
            "weight": f"{0.25 + (n % 8) * 0.25:.2f}", "categories": [CATEGORIES[n % len(CATEGORIES)]], "origin": None,
            "metadata": {}}


def order(n: int, customer_ids: list[int], products: list[tuple[int, dict[str, Any]]]) -> dict[str, Any]:
    buyer = customer(n % len(customer_ids))
    lines = []
    for k in range(1 + n % 3):
        product_id, item = products[(n * 5 + k * 3) % len(products)]
        quantity = 1 + (n + k) % 4
        unit = Decimal(item["sale_price"] or item["price"])
        lines.append({"product_id": product_id, "sku": item["sku"], "name": item["name"], "quantity": quantity,
                      "unit_price": f"{unit:.2f}", "line_total": f"{unit * quantity:.2f}"})
    subtotal = sum(Decimal(line["line_total"]) for line in lines)
    shipping = Decimal("0.00" if n % 5 == 0 else "79.00")
    discount = (subtotal / 10).quantize(CENT) if n % 6 == 0 else Decimal("0.00")
    # Norwegian prices include 25 % VAT, so the tax is a fifth of the total and adds nothing to it.
    tax = ((subtotal + shipping - discount) * Decimal("0.2")).quantize(CENT)
    return {"order_number": f"D{n + 1:07d}", "status": ORDER_STATUSES[n % len(ORDER_STATUSES)], "currency": "NOK",
            "customer_id": customer_ids[n % len(customer_ids)] if n % 10 else None, "email": buyer["email"],
            "billing": buyer["billing"], "shipping": buyer["shipping"], "lines": lines,
            "shipping_total": f"{shipping:.2f}", "fee_total": "0.00", "discount_total": f"{discount:.2f}",
            "tax_total": f"{tax:.2f}", "prices_include_tax": True,
            "grand_total": f"{subtotal + shipping - discount:.2f}", "note": "" if n % 4 else "Leave at the door.",
            "placed_at": f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:00.000000Z",
            "origin": None, "metadata": {}}


def seed_shop(shop: Store, customers: int, products: int, orders: int, same_stamp: bool) -> None:
    customer_ids = shop.insert_many("customers", (customer(n) for n in range(customers)), same_stamp)
    items = [product(n) for n in range(products)]
    product_ids = shop.insert_many("products", items, same_stamp)
    catalogue = list(zip(product_ids, items))
    shop.insert_many("orders", (order(n, customer_ids, catalogue) for n in range(orders)), same_stamp)


def seed_demo(shop: Store) -> None:
    seed_shop(shop, customers=10, products=20, orders=30, same_stamp=True)


def seed_bulk(target: Any, orders: int = 100_000, customers: int = 1_000, products: int = 500) -> None:
    """Load many records fast, without HTTP (benchmarks). `target` is an app from `create_app`, a `Store` or a
    `Database`.

    Call it on an empty shop (or after POST /_sandbox/reset): e-mails, SKUs and order numbers are numbered from 1
    again, so a second load collides with the first on the unique index.
    """
    if isinstance(target, Database):
        target = Store(target, Clock())
    seed_shop(target if isinstance(target, Store) else store_of(target), customers, products, orders,
              same_stamp=False)


def store_of(app: Any) -> Store:
    """The `Store` behind an app from `create_app` (a FaultInjector around Flask) or behind a Flask app."""
    flask_app = getattr(app, "app", app)
    return flask_app.extensions["webshop"]


SEEDS: dict[str, Callable[[Store], None]] = {"demo": seed_demo}
