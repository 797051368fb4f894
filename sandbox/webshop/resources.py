"""The three resources of the Custom Webshop contract as data: writable fields, the unique key, references.

Mirrors docs/custom-webshop-api.md §3; the field set covers what WooCommerce holds for the same things
(/work/shared/reference/woocommerce.md §2, recordings customers-get.json, products-get-simple.json, orders-get.json)
so a WooCommerce record survives a round trip through a compliant shop.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sandbox.webshop.fields import (
    COUNTRY, CURRENCY, MONEY, WEIGHT, Field, Shape, array_of, boolean, distinct_texts, email, integer, metadata_object,
    nested, nullable, one_of, pattern, text, timestamp,
)

READ_ONLY = ("id", "created_at", "updated_at", "version", "moves_stock")
ORDER_STATUSES = ("pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed")
PRODUCT_STATUSES = ("publish", "draft", "pending", "private")

money = pattern(MONEY, "a decimal string with two decimals, such as 12.50")
origin = Field("origin", nullable(text(255, required=True)))
metadata = Field("metadata", metadata_object, default=dict)

ADDRESS = Shape(tuple(
    Field(name, text(), default=str)
    for name in ("first_name", "last_name", "company", "address_1", "address_2", "city", "state", "postcode")
) + (
    Field("country", pattern(COUNTRY, "an ISO 3166-1 alpha-2 code such as NO, or empty"), default=str),
    Field("email", email(required=False), default=str),
    Field("phone", text(64), default=str),
))


def empty_address() -> dict[str, Any]:
    return ADDRESS.validate({})


LINE = Shape((
    Field("product_id", nullable(integer(minimum=1))),
    Field("sku", text(100), default=str),
    Field("name", text(255, required=True), required=True),
    Field("quantity", integer(minimum=1), required=True),
    Field("unit_price", money, required=True),
    Field("line_total", money, required=True),
))


@dataclass(frozen=True)
class Resource:
    """A collection under the base URL. `unique` is compared case-insensitively among live records, as WooCommerce
    does for e-mails and SKUs (recordings customers-d05-create-duplicate-email-other-case-400.json,
    products-e08-create-duplicate-sku-other-case-400.json)."""

    name: str
    shape: Shape
    unique: str
    references: Callable[[dict[str, Any]], Iterator[tuple[str, str, int]]]

    def unique_key(self, data: dict[str, Any]) -> str:
        return str(data[self.unique]).casefold()


def _no_references(data: dict[str, Any]) -> Iterator[tuple[str, str, int]]:
    return iter(())


def _order_references(data: dict[str, Any]) -> Iterator[tuple[str, str, int]]:
    """(field path, resource, id) for every id an order names, so unknown ones become a 422."""
    if data.get("customer_id") is not None:
        yield "customer_id", "customers", data["customer_id"]
    for index, line in enumerate(data.get("lines", [])):
        if line["product_id"] is not None:
            yield f"lines[{index}].product_id", "products", line["product_id"]


CUSTOMERS = Resource("customers", Shape((
    Field("email", email(required=True), required=True),
    Field("first_name", text(), default=str),
    Field("last_name", text(), default=str),
    Field("phone", text(64), default=str),
    Field("company", text(), default=str),
    Field("billing", nested(ADDRESS), default=empty_address),
    Field("shipping", nested(ADDRESS), default=empty_address),
    origin,
    metadata,
)), unique="email", references=_no_references)

PRODUCTS = Resource("products", Shape((
    Field("sku", text(100, required=True), required=True),
    Field("name", text(255, required=True), required=True),
    Field("description", text(65535), default=str),
    Field("price", money, required=True),
    Field("sale_price", nullable(money)),
    Field("stock_quantity", nullable(integer())),
    Field("status", one_of(*PRODUCT_STATUSES), default=lambda: "publish"),
    Field("weight", nullable(pattern(WEIGHT, "a decimal string in kilograms, such as 1.25"))),
    Field("categories", distinct_texts, default=list),
    origin,
    metadata,
)), unique="sku", references=_no_references)

ORDERS = Resource("orders", Shape((
    Field("order_number", text(64, required=True), assigned=lambda id_, stamp: str(id_)),
    Field("status", one_of(*ORDER_STATUSES), default=lambda: "pending"),
    Field("currency", pattern(CURRENCY, "an ISO 4217 code in capitals, such as NOK"), required=True),
    Field("customer_id", nullable(integer(minimum=1))),
    Field("email", email(required=False), default=str),
    Field("billing", nested(ADDRESS), default=empty_address),
    Field("shipping", nested(ADDRESS), default=empty_address),
    Field("lines", array_of(LINE), default=list),
    Field("shipping_total", money, default=lambda: "0.00"),
    Field("fee_total", money, default=lambda: "0.00"),
    Field("discount_total", money, default=lambda: "0.00"),
    Field("tax_total", money, default=lambda: "0.00"),
    Field("prices_include_tax", boolean, default=lambda: False),
    Field("grand_total", money, required=True),
    Field("note", text(65535), default=str),
    Field("placed_at", timestamp, assigned=lambda id_, stamp: stamp),
    origin,
    metadata,
)), unique="order_number", references=_order_references)

RESOURCES: dict[str, Resource] = {r.name: r for r in (CUSTOMERS, PRODUCTS, ORDERS)}
