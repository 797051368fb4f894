"""The single source of truth for the dataflow: which records merge, and every property and how it maps.

Each type has a neutral "common" model (named as the Custom Webshop contract names things). A `Property` says how
each system's record reads into the common value (`woo_read`, `shop_read`: DTL over the system's namespaced source
entity) and how a common value is written into each system's shape (`woo_write`, `shop_write`: target field → DTL
over the common value `_T.g-<name>`). A property flows from a side that reads it into a side that writes it; a side
without a write never receives it (one-way). A side's read also lets its own value take part in choosing the golden
value, so an empty value from the other side never overwrites it. `sesam-config/` pipes and `docs/dataflow/*.rst` are generated from this module
(`python -m dataflow`); a test fails when they are out of date.

DTL paths: `W(...)` / `C(...)` name a property of the WooCommerce / Custom Webshop record, nested keys included
(namespaced identifiers prefix nested keys too). `G(name)` is the golden common value in the transform.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

WOO, SHOP = "woocommerce", "customwebshop"
SYSTEMS = (WOO, SHOP)
SYSTEM_TITLES = {WOO: "WooCommerce", SHOP: "Custom Webshop"}
TYPES = ("order", "product", "customer")

DTL = Any


def ns(system: str, type_name: str) -> str:
    return f"{system}-{type_name}"


def path(system: str, type_name: str, dotted: str, source: str = "_S") -> str:
    namespace = ns(system, type_name)
    return source + "." + ".".join(f"{namespace}:{part}" for part in dotted.split("."))


def G(name: str) -> str:
    return f"_T.g-{name}"


def blank(expression: DTL) -> DTL:
    """null, [] or "" — DTL's `is-empty` is true for null and empty lists only, not for an empty string."""
    return ["or", ["is-empty", expression], ["eq", expression, ""]]


@dataclass(frozen=True)
class Property:
    common: str
    woo: str                      # the WooCommerce property, as QA reads it in the documents
    shop: str                     # the Custom Webshop property
    woo_type: str                 # data types, for the documents
    shop_type: str
    woo_read: DTL | None = None   # None: WooCommerce does not feed this property
    shop_read: DTL | None = None
    woo_write: dict[str, DTL] = field(default_factory=dict)   # empty: never written into WooCommerce
    shop_write: dict[str, DTL] = field(default_factory=dict)
    note: str = ""
    many: bool = False            # the common value is a list (lines, categories), not a single value
    insert_only: bool = False     # written when the record is created, never changed afterwards
    # How `python -m dataflow audit` compares the two sides' common values (see `Comparison`); `compare_keys` gives
    # keys of objects (an address, an order line) their own comparison, at any depth.
    compare: str = "exact"
    compare_keys: dict[str, str] = field(default_factory=dict)
    known_difference: str = ""    # why the sides may legitimately differ: the audit reports it, but it does not fail


class Comparison:
    """How the audit compares a property. Blank values (null, "" and []) are always equal to one another: the
    systems say "no value" differently (`blank`)."""
    EXACT = "exact"
    DECIMAL = "decimal"           # money: "80" is "80.00"
    CASELESS = "caseless"         # text that matches case-insensitively is the same


@dataclass(frozen=True)
class MergeRule:
    woo: str                      # the documented property pair…
    shop: str
    key: str                      # …and the normalised key both enrich pipes add (`<ns>:<key>`)


@dataclass(frozen=True)
class EntityType:
    name: str
    title: str
    properties: tuple[Property, ...]
    merge_rules: tuple[MergeRule, ...]
    references: dict[str, str]    # common reference property → the type it points at
    not_synced: tuple[tuple[str, str], ...]   # (WooCommerce property, why it is deliberately not synced)
    label: str = ""               # the common property that names a record for people (audit reports)


def _plain(type_name: str, common: str, woo: str | None = None, shop: str | None = None,
           woo_type: str = "string", shop_type: str = "string", note: str = "") -> Property:
    """A property both systems hold as the same kind of value: read and written as is."""
    woo, shop = woo or common, shop or common
    return Property(common, woo, shop, woo_type, shop_type,
                    woo_read=path(WOO, type_name, woo), shop_read=path(SHOP, type_name, shop),
                    woo_write={woo: G(common)}, shop_write={shop: G(common)}, note=note)


ADDRESS_KEYS = ("first_name", "last_name", "company", "address_1", "address_2", "city", "state", "postcode",
                "country")


def _address(type_name: str, which: str, extra: tuple[str, ...]) -> Property:
    keys = ADDRESS_KEYS + extra
    woo = ["dict"] + [item for key in keys for item in (key, ["coalesce", ["list", path(WOO, type_name, f"{which}.{key}"), ""]])]
    shop = ["dict"] + [item for key in keys for item in (key, ["coalesce", ["list", path(SHOP, type_name, f"{which}.{key}"), ""]])]
    return Property(which, which, which, "object (address)", "object (Address)", woo_read=woo, shop_read=shop,
                    woo_write={which: G(which)}, shop_write={which: G(which)},
                    note=f"{', '.join(keys)}")


def _money_or_empty_to_null(type_name: str, woo: str) -> DTL:
    """WooCommerce says "no value" with "", the contract with null."""
    value = path(WOO, type_name, woo)
    return ["if", blank(value), None, value]


PRODUCT = EntityType(
    name="product", title="Product",
    properties=(
        _plain("product", "sku"),
        _plain("product", "name"),
        _plain("product", "description", note="HTML, as stored"),
        Property("price", "regular_price", "price", "string (decimal)", "string (decimal, 2 places)",
                 woo_read=_money_or_empty_to_null("product", "regular_price"),
                 shop_read=path(SHOP, "product", "price"),
                 woo_write={"regular_price": ["coalesce", ["list", G("price"), ""]]},
                 shop_write={"price": ["coalesce", ["list", G("price"), "0.00"]]},
                 note="WooCommerce's `price` is read-only and follows `regular_price`/`sale_price`",
                 compare=Comparison.DECIMAL),
        Property("sale_price", "sale_price", "sale_price", "string (decimal)", "string (decimal) or null",
                 woo_read=_money_or_empty_to_null("product", "sale_price"),
                 shop_read=path(SHOP, "product", "sale_price"),
                 woo_write={"sale_price": ["coalesce", ["list", G("sale_price"), ""]]},
                 shop_write={"sale_price": G("sale_price")}, compare=Comparison.DECIMAL),
        Property("stock_quantity", "stock_quantity", "stock_quantity", "integer or null", "integer or null",
                 woo_read=path(WOO, "product", "stock_quantity"), shop_read=path(SHOP, "product", "stock_quantity"),
                 woo_write={"manage_stock": ["is-not-null", G("stock_quantity")],
                            "stock_quantity": G("stock_quantity")},
                 shop_write={"stock_quantity": G("stock_quantity")},
                 note="null: stock not managed (WooCommerce `manage_stock` follows)"),
        _plain("product", "status", shop_type="string (publish, draft, pending, private)"),
        Property("weight", "weight", "weight", "string", "string (kg) or null",
                 woo_read=_money_or_empty_to_null("product", "weight"), shop_read=path(SHOP, "product", "weight"),
                 woo_write={"weight": ["coalesce", ["list", G("weight"), ""]]}, shop_write={"weight": G("weight")}),
        Property("categories", "categories[].name", "categories", "array of {id, name}", "array of string",
                 woo_read=["map", "_.woocommerce-product:name", path(WOO, "product", "categories")],
                 shop_read=path(SHOP, "product", "categories"),
                 woo_write={"categories": ["map", ["dict", "name", "_."], G("categories")]},
                 shop_write={"categories": G("categories")},
                 note="by name; the WooCommerce receiver resolves names to category ids", many=True),
    ),
    merge_rules=(MergeRule("sku", "sku", "sku-key"),),
    references={},
    not_synced=(("type, variations, attributes", "variable products and variations have no counterpart in the "
                 "Custom Webshop model"),
                ("images, tags, dimensions, shipping_class, tax_status", "no counterpart in the Custom Webshop model"),
                ("price", "read-only in WooCommerce; derived from regular_price and sale_price")),
    label="sku",
)

CUSTOMER = EntityType(
    name="customer", title="Customer",
    properties=(
        _plain("customer", "email", shop_type="string (e-mail, unique, case-insensitive)"),
        _plain("customer", "first_name"),
        _plain("customer", "last_name"),
        *(Property(common, f"billing.{common}", common, "string", "string",
                   woo_read=path(WOO, "customer", f"billing.{common}"), shop_read=path(SHOP, "customer", common),
                   shop_write={common: G(common)},
                   note="WooCommerce keeps it in the billing address, which carries it back")
          for common in ("phone", "company")),
        _address("customer", "billing", ("email", "phone")),
        _address("customer", "shipping", ()),
    ),
    merge_rules=(MergeRule("email", "email", "email-key"),),
    references={},
    not_synced=(("username, password", "WooCommerce account credentials; the Custom Webshop has no logins"),
                ("role, is_paying_customer, avatar_url", "WooCommerce-only, read-only account data")),
    label="email",
)

def _woo_total(common: str, woo: str, why: str = "", known_difference: str = "") -> Property:
    """An order total WooCommerce computes itself: it flows into the webshop only."""
    return Property(common, woo, common, "string (decimal)", "string (decimal)",
                    woo_read=path(WOO, "order", woo), shop_read=path(SHOP, "order", common),
                    shop_write={common: G(common)}, note=f"read-only in WooCommerce{why}",
                    compare=Comparison.DECIMAL, known_difference=known_difference)


ORDER = EntityType(
    name="order", title="Order",
    properties=(
        Property("order_number", "number", "order_number", "string", "string",
                 woo_read=path(WOO, "order", "number"), shop_read=path(SHOP, "order", "order_number"),
                 shop_write={"order_number": G("order_number")}, insert_only=True,
                 note="set when the order is created; WooCommerce numbers its own orders"),
        _plain("order", "status", shop_type="string (pending, processing, on-hold, completed, cancelled, "
                                           "refunded, failed)"),
        _plain("order", "currency", shop_type="string (ISO 4217)"),
        Property("customer", "customer_id", "customer_id", "integer (customer id)", "integer (customer id) or null",
                 woo_read=["if", ["gt", path(WOO, "order", "customer_id"), 0],
                           ["ni", "woocommerce-customer", ["string", path(WOO, "order", "customer_id")]], None],
                 shop_read=["if", ["is-not-null", path(SHOP, "order", "customer_id")],
                            ["ni", "customwebshop-customer", ["string", path(SHOP, "order", "customer_id")]], None],
                 woo_write={"customer_id": "_T.ref-customer"}, shop_write={"customer_id": "_T.ref-customer"},
                 note="a reference: translated to the target shop's customer id"),
        Property("email", "billing.email", "email", "string", "string (e-mail) or empty",
                 woo_read=path(WOO, "order", "billing.email"), shop_read=path(SHOP, "order", "email"),
                 shop_write={"email": G("email")},
                 note="WooCommerce keeps it in the billing address, which carries it back"),
        _address("order", "billing", ("email", "phone")),
        _address("order", "shipping", ()),
        Property("lines", "line_items", "lines", "array of line items", "array of Line",
                 woo_read=["map", ["dict",
                                   "product", ["if", ["gt", "_.woocommerce-order:product_id", 0],
                                               ["ni", "woocommerce-product", ["string",
                                                                               "_.woocommerce-order:product_id"]],
                                               None],
                                   "sku", ["coalesce", ["list", "_.woocommerce-order:sku", ""]],
                                   "name", "_.woocommerce-order:name",
                                   "quantity", "_.woocommerce-order:quantity",
                                   "unit_price", ["string", ["round", 2, ["divide", "_.woocommerce-order:quantity",
                                                                           ["decimal", "_.woocommerce-order:total"]]]],
                                   "line_total", "_.woocommerce-order:total"],
                           path(WOO, "order", "line_items")],
                 shop_read=["map", ["dict",
                                    "product", ["if", ["is-not-null", "_.customwebshop-order:product_id"],
                                                ["ni", "customwebshop-product",
                                                 ["string", "_.customwebshop-order:product_id"]], None],
                                    "sku", "_.customwebshop-order:sku",
                                    "name", "_.customwebshop-order:name",
                                    "quantity", "_.customwebshop-order:quantity",
                                    "unit_price", "_.customwebshop-order:unit_price",
                                    "line_total", "_.customwebshop-order:line_total"],
                            path(SHOP, "order", "lines")],
                 woo_write={"line_items": "_T.ref-lines"}, shop_write={"lines": "_T.ref-lines"},
                 note="product references translated; a WooCommerce line's subtotal is written as its total",
                 many=True, compare_keys={"unit_price": Comparison.DECIMAL, "line_total": Comparison.DECIMAL}),
        _woo_total("shipping_total", "shipping_total", " (the sum of its shipping lines)"),
        _woo_total("discount_total", "discount_total"),
        _woo_total("tax_total", "total_tax", known_difference="WooCommerce computes its own taxes, so an order "
                                                                 "from the webshop may carry a different tax there"),
        _woo_total("grand_total", "total", ", which totals its own lines"),
        _plain("order", "note", woo="customer_note", shop="note"),
        Property("placed_at", "date_created_gmt", "placed_at", "string (date-time, UTC)", "string (timestamp)",
                 woo_read=["concat", path(WOO, "order", "date_created_gmt"), ".000000Z"],
                 shop_read=path(SHOP, "order", "placed_at"), shop_write={"placed_at": G("placed_at")},
                 insert_only=True, note="set when the order is created; read-only in WooCommerce"),
    ),
    merge_rules=(),
    references={"customer": "customer"},
    not_synced=(("payment_method, payment_method_title, transaction_id, date_paid", "payment data stays in the "
                 "shop that took the payment"),
                ("fee_lines, coupon_lines, tax_lines, refunds", "no counterpart in the Custom Webshop model"),
                ("customer_ip_address, customer_user_agent, cart_hash, order_key", "WooCommerce-internal")),
    label="order_number",
)

ENTITY_TYPES: dict[str, EntityType] = {t.name: t for t in (ORDER, PRODUCT, CUSTOMER)}
