"""The single source of truth for the dataflow: which records merge, and every property and how it maps.

Each type has a neutral "common" model (named as the Custom Webshop contract names things). A `Property` says how
each system's record reads into the common value (`woo_read`, `shop_read`: DTL over the system's namespaced source
entity) and how a common value is written into each system's shape (`woo_write`, `shop_write`: target field → DTL
over the common value `_T.g-<name>`). A property flows from a side that reads it into a side that writes it; a side
without a write never receives it (one-way). How the golden value is chosen (README, "Golden values"): per property,
the side that changed it since the sync last wrote it wins; when both did, the later change, WooCommerce on a tie;
`keep_when_blank` keeps a side that cannot hold an empty value from being emptied; `home_owned` values are decided by
the shop an order was placed in. `sesam-config/` pipes and `docs/dataflow/*.rst` are generated from this module
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
TYPES = ("order", "product", "variation", "customer")

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
    keep_when_blank: bool = False  # a side cannot hold it empty: an empty value never replaces a non-empty one
    home_owned: bool = False      # an order's contents and money: the shop the order was placed in decides them
    # A side that keeps one spelling for values equal ignoring case (WooCommerce's category names are shared by its
    # products): when the two sides' values are equal ignoring case, that side's spelling is the golden one.
    spelled_by: str | None = None
    # What the sync remembers having written, to tell a person's edit from its own write (None: a reference, whose
    # ids differ per shop, so the later change wins); DTL over the common value at `value`.
    fingerprint: Any = "value"
    # How `python -m dataflow audit` compares the two sides' common values (see `Comparison`); `compare_keys` gives
    # keys of objects (an address, an order line) their own comparison, at any depth.
    compare: str = "exact"
    compare_keys: dict[str, str] = field(default_factory=dict)
    known_difference: str = ""    # why the sides may legitimately differ: the audit reports it, but it does not fail
    # Systems that compute the value themselves while a condition holds (DTL over the merged record in a transform):
    # then that system's value is the golden one, and nothing is written into it (WooCommerce derives a variable
    # product's price from its variations and ignores one written).
    derived_in: dict[str, DTL] = field(default_factory=dict)


class Comparison:
    """How the audit compares a property. Blank values (null, "" and []) are always equal to one another: the
    systems say "no value" differently (`blank`)."""
    EXACT = "exact"
    DECIMAL = "decimal"           # money: "80" is "80.00"
    CASELESS = "caseless"         # text that matches case-insensitively is the same
    UNORDERED = "unordered"       # a list whose order does not count (an order's lines)


@dataclass(frozen=True)
class MergeRule:
    woo: str                      # the documented property pair…
    shop: str
    key: str                      # …and the normalised key both enrich pipes add (`<ns>:<key>`)


@dataclass(frozen=True)
class Constraint:
    """A rule one shop holds its data to that the other does not, and what happens to a record that breaks it on its
    way there (`target`: the shop whose rule it is; None: both)."""
    target: str | None
    property: str
    rule: str
    outcome: str


REFUSED = ("refused by the target: the receiver answers with the shop's own field-level reason, the share pipe "
           "dead-letters the record, and the audit lists it")


@dataclass(frozen=True)
class EntityType:
    name: str
    title: str
    properties: tuple[Property, ...]
    merge_rules: tuple[MergeRule, ...]
    references: dict[str, str]    # common reference property → the type it points at
    not_synced: tuple[tuple[str, str], ...]   # (WooCommerce property, why it is deliberately not synced)
    stock: bool = False           # has a stock level both shops sell from (README, "Stock")
    label: str = ""               # the common property that names a record for people (audit reports)
    constraints: tuple[Constraint, ...] = ()
    # A record that waited long enough for what it refers to lands without it (an order as a guest order); one that
    # cannot exist without it (a variation without its product) waits for as long as it takes.
    lands_without_references: bool = False
    titles: dict[str, str] = field(default_factory=dict)  # a system's own name for the type, where it differs
    # Fields a system's receiver needs besides the id to find a record it is told to delete (DTL over the merged
    # record): WooCommerce deletes a variation through its parent.
    delete_locators: dict[str, dict[str, DTL]] = field(default_factory=dict)
    stock_note: str = ""          # what is particular about this type's stock, for the documents

    def title_in(self, system: str) -> str:
        return self.titles.get(system, self.title)


def _plain(type_name: str, common: str, woo: str | None = None, shop: str | None = None,
           woo_type: str = "string", shop_type: str = "string", note: str = "", keep_when_blank: bool = False
           ) -> Property:
    """A property both systems hold as the same kind of value: read and written as is."""
    woo, shop = woo or common, shop or common
    return Property(common, woo, shop, woo_type, shop_type,
                    woo_read=path(WOO, type_name, woo), shop_read=path(SHOP, type_name, shop),
                    woo_write={woo: G(common)}, shop_write={shop: G(common)}, note=note,
                    keep_when_blank=keep_when_blank)


ADDRESS_KEYS = ("first_name", "last_name", "company", "address_1", "address_2", "city", "state", "postcode",
                "country")


def _address(type_name: str, which: str, extra: tuple[str, ...], woo_fallbacks: dict[str, str] | None = None,
             note: str = "") -> Property:
    """An address, read and written key by key. `woo_fallbacks` fills an empty key of the address written into
    WooCommerce from another common value (the webshop keeps a customer's phone and company, and a guest order's
    e-mail, outside the address; WooCommerce only inside it)."""
    keys = ADDRESS_KEYS + extra
    woo = ["dict"] + [item for key in keys for item in (key, ["coalesce", ["list", path(WOO, type_name, f"{which}.{key}"), ""]])]
    shop = ["dict"] + [item for key in keys for item in (key, ["coalesce", ["list", path(SHOP, type_name, f"{which}.{key}"), ""]])]
    fallbacks = woo_fallbacks or {}

    def woo_key(key: str) -> DTL:
        own = f"{G(which)}.{key}"
        if key not in fallbacks:
            return own
        webshop = ["coalesce", ["list", ["first", path(SHOP, type_name, f"g-{fallbacks[key]}")], ""]]
        return ["if", blank(own), webshop, own]
    woo_write = ["dict"] + [item for key in keys for item in (key, woo_key(key))] if fallbacks else G(which)
    return Property(which, which, which, "object (address)", "object (Address)", woo_read=woo, shop_read=shop,
                    woo_write={which: woo_write}, shop_write={which: G(which)},
                    note=note or f"{', '.join(keys)}")


def _money_or_empty_to_null(type_name: str, woo: str) -> DTL:
    """WooCommerce says "no value" with "", the contract with null."""
    value = path(WOO, type_name, woo)
    return ["if", blank(value), None, value]


def money(expression: DTL) -> DTL:
    """A decimal as the contract's money string: two decimals, always (`0.00`, `13.33`)."""
    return ["string", ["round", 2, ["decimal", expression]]]


def _sku(type_name: str, woo_read: DTL | None = None) -> Property:
    return Property("sku", "sku", "sku", "string", "string", woo_read=woo_read or path(WOO, type_name, "sku"),
                    shop_read=path(SHOP, type_name, "sku"), woo_write={"sku": G("sku")}, shop_write={"sku": G("sku")},
                    keep_when_blank=True,
                    note="the Custom Webshop requires a SKU: an empty WooCommerce SKU never replaces one")


def _prices(type_name: str, woo_price: DTL | None = None, derived_in: dict[str, DTL] | None = None
            ) -> tuple[Property, Property]:
    """The regular and the sale price. `woo_price` reads WooCommerce's regular price another way (a variable
    product's is its variations' lowest); `derived_in` as in `Property`."""
    derived = derived_in or {}
    variable = ("; a variable product's price is WooCommerce's `price`, its variations' lowest, which WooCommerce "
                "derives itself: it is never written there, and its sale is its variations'" if woo_price else "")
    return (
        Property("price", "regular_price", "price", "string (decimal)", "string (decimal, 2 places)",
                 woo_read=woo_price or _money_or_empty_to_null(type_name, "regular_price"),
                 shop_read=path(SHOP, type_name, "price"),
                 woo_write={"regular_price": ["coalesce", ["list", G("price"), ""]]},
                 shop_write={"price": ["coalesce", ["list", G("price"), "0.00"]]}, keep_when_blank=True,
                 compare=Comparison.DECIMAL, derived_in=derived,
                 note="WooCommerce's `price` is read-only and follows `regular_price`/`sale_price`; the Custom "
                      "Webshop requires a price, so an emptied WooCommerce `regular_price` never replaces it"
                      + variable),
        Property("sale_price", "sale_price", "sale_price", "string (decimal)", "string (decimal) or null",
                 woo_read=_money_or_empty_to_null(type_name, "sale_price"),
                 shop_read=path(SHOP, type_name, "sale_price"),
                 woo_write={"sale_price": ["coalesce", ["list", G("sale_price"), ""]]},
                 shop_write={"sale_price": G("sale_price")}, compare=Comparison.DECIMAL, derived_in=derived,
                 note="an ended sale (WooCommerce `\"\"`, the Custom Webshop null) ends on the other side too"),
    )


# WooCommerce computes a variable product's `price` (its variations' lowest, `variations-b18-…`), has no regular or
# sale price of its own and ignores one written (`variations-c02-put-type-variable.json`).
WOO_VARIABLE = ["eq", ["first", f"_S.{ns(WOO, 'product')}:variable"], True]
VARIABLE_PRICE = ["if", ["eq", path(WOO, "product", "type"), "variable"],
                  _money_or_empty_to_null("product", "price"), _money_or_empty_to_null("product", "regular_price")]


def _managed(type_name: str) -> Property:
    """Whether stock is counted: the level itself travels as the stock instruction (README, "Stock"), which carries
    this golden value to both receivers; `sesam_managed` only makes it part of the choice."""
    return Property("managed", "manage_stock", "stock_quantity", "boolean", "integer, or null when not managed",
                    woo_read=["eq", path(WOO, type_name, "manage_stock"), True],
                    shop_read=["is-not-null", path(SHOP, type_name, "stock_quantity")],
                    woo_write={"sesam_managed": G("managed")}, shop_write={"sesam_managed": G("managed")},
                    note="whether the shop counts stock (WooCommerce `manage_stock`, the Custom Webshop a "
                         "`stock_quantity` that is not null); switching it off in one shop switches it off in the "
                         "other" + ("; a variation whose parent counts its stock (`manage_stock: \"parent\"`) "
                                    "counts none of its own" if type_name == "variation" else ""))

PRODUCT = EntityType(
    name="product", title="Product",
    properties=(
        _sku("product"),
        _plain("product", "name", keep_when_blank=True,
               note="the Custom Webshop requires a name: an empty one never replaces one"),
        _plain("product", "description", note="HTML, as stored; clearing it clears it on the other side"),
        *_prices("product", VARIABLE_PRICE, {WOO: WOO_VARIABLE}),
        _plain("product", "status", shop_type="string (publish, draft, pending, private)"),
        _managed("product"),
        Property("weight", "weight", "weight", "string", "string (kg) or null",
                 woo_read=_money_or_empty_to_null("product", "weight"), shop_read=path(SHOP, "product", "weight"),
                 woo_write={"weight": ["coalesce", ["list", G("weight"), ""]]}, shop_write={"weight": G("weight")}),
        Property("categories", "categories[].name", "categories", "array of {id, name}", "array of string",
                 woo_read=["map", "_.woocommerce-product:name", path(WOO, "product", "categories")],
                 shop_read=path(SHOP, "product", "categories"),
                 woo_write={"categories": ["map", ["dict", "name", "_."], G("categories")]},
                 shop_write={"categories": G("categories")},
                 note="by name; the WooCommerce receiver resolves names to category ids case-insensitively, so a "
                      "name that differs from a WooCommerce category only in case takes WooCommerce's spelling",
                 many=True, fingerprint=["map", ["lower", "_."], "value"], spelled_by=WOO),
    ),
    merge_rules=(MergeRule("sku", "sku", "sku-key"),),
    references={},
    not_synced=(("type, attributes", "a product's variants carry its options (see Variation); WooCommerce makes a "
                 "product variable, with the attributes its variations need, when the Custom Webshop gives it "
                 "variants"),
                ("images, tags, dimensions, shipping_class, tax_status", "no counterpart in the Custom Webshop model"),
                ("price", "read-only in WooCommerce; derived from regular_price and sale_price")),
    stock=True, label="sku",
    constraints=(
        Constraint(None, "sku", "unique among live products and variations in both shops together, compared "
                   "ignoring case; a trashed WooCommerce product keeps its SKU",
                   "products with the same SKU link up instead of being created twice; a SKU held by a trashed "
                   "WooCommerce product is " + REFUSED),
        Constraint(SHOP, "sku", "required, 1–100 characters (WooCommerce allows none)", REFUSED),
        Constraint(SHOP, "status", "publish, draft, pending or private (WooCommerce also has `future`)", REFUSED),
        Constraint(SHOP, "weight", "a decimal number of kilograms (WooCommerce stores any text)", REFUSED),
        Constraint(SHOP, "price", "required, two decimals", "an empty WooCommerce `regular_price` never empties "
                   "it (a new webshop product gets `0.00`)"),
        Constraint(WOO, "categories", "one category per name, ignoring case",
                   "a name differing only in case takes WooCommerce's spelling on both sides"),
    ),
)

# The stock level as the documents show it, for every type that has one (README, "Stock").
STOCK_PROPERTY = Property(
    "stock", "manage_stock, stock_quantity", "stock_quantity", "boolean, integer or null", "integer or null",
    note="one stock both shops sell from: each shop's own movements (its sales, cancellations, restocks) reach the "
         "other exactly once, and a copied order moves nothing twice (README, \"Stock\"); not managed "
         "(`manage_stock: false`, the Custom Webshop null) on one side ends it on the other")

# A variation without a SKU of its own shows its parent's (`product-variations-delete-no-force.json`): that is not
# its SKU, and it must not link it with the product's.
_OWN_VARIATION_SKU = ["if", ["eq", ["upper", path(WOO, "variation", "sku")],
                             ["upper", f"_T.{ns(WOO, 'variation')}:parent-sku"]],
                      None, path(WOO, "variation", "sku")]

VARIATION = EntityType(
    name="variation", title="Variation", titles={SHOP: "Variant"},
    delete_locators={WOO: {"parent_id": ["first", f"_S.{ns(WOO, 'variation')}:parent_id"]}},
    properties=(
        Property("product", "parent_id", "product_id", "integer (product id)", "integer (product id)",
                 woo_read=["ni", ns(WOO, "product"), ["string", path(WOO, "variation", "parent_id")]],
                 shop_read=["ni", ns(SHOP, "product"), ["string", path(SHOP, "variation", "product_id")]],
                 woo_write={"parent_id": "_T.ref-product"}, shop_write={"product_id": "_T.ref-product"},
                 fingerprint=None,
                 note="a reference: translated to the target shop's product id; a variation is created once its "
                      "product exists there, and never moves to another product"),
        _sku("variation", _OWN_VARIATION_SKU),
        Property("options", "attributes[].option", "options", "array of {id, name, option}", "array of Option",
                 woo_read=["map", ["dict", "name", "_.woocommerce-variation:name",
                                   "value", "_.woocommerce-variation:option"], path(WOO, "variation", "attributes")],
                 shop_read=["map", ["dict", "name", "_.customwebshop-variation:name",
                                    "value", "_.customwebshop-variation:value"], path(SHOP, "variation", "options")],
                 woo_write={"attributes": ["map", ["dict", "name", "_.name", "option", "_.value"], G("options")]},
                 shop_write={"options": G("options")}, many=True,
                 note="each attribute's name and option; the WooCommerce receiver gives the parent product the "
                      "attributes and options its variations name (WooCommerce keeps a variation's attribute only "
                      "when its parent varies by it)"),
        *_prices("variation"),
        _managed("variation"),
    ),
    merge_rules=(MergeRule("sku", "sku", "sku-key"),),
    references={"product": "product"},
    not_synced=(("status, description, weight, dimensions, image, tax_class, shipping_class", "no counterpart in the "
                 "Custom Webshop model"),
                ("price", "read-only in WooCommerce; derived from regular_price and sale_price")),
    stock=True, label="sku",
    constraints=(
        Constraint(None, "sku", "unique among live products and variations in both shops together, compared "
                   "ignoring case", "variations with the same SKU link up instead of being created twice; a "
                   "variation whose SKU a product holds on the other side is " + REFUSED),
        Constraint(SHOP, "sku", "required (a WooCommerce variation may have none, and then shows its parent's)",
                   REFUSED),
        Constraint(SHOP, "options", "no option name twice, ignoring case; names and values not empty", REFUSED),
        Constraint(WOO, "attributes", "a variation keeps only attributes its parent varies by",
                   "the receiver adds each attribute and option to the parent product before it writes the "
                   "variation, and turns a simple product variable"),
        Constraint(None, "product", "a variation belongs to one product for good", "it waits until its product "
                   "exists in the target, for as long as it takes; a change of product is " + REFUSED),
    ),
    stock_note="a variation whose stock its parent manages (`manage_stock: \"parent\"`) sells from the parent "
               "product's stock, as a Custom Webshop variant with stock null sells from its product's: neither counts "
               "stock of its own, and the product's stock is synced with the product",
)

CUSTOMER = EntityType(
    name="customer", title="Customer",
    properties=(
        _plain("customer", "email", shop_type="string (e-mail, unique, case-insensitive)", keep_when_blank=True,
               note="both shops require it; a change of case is a change"),
        _plain("customer", "first_name"),
        _plain("customer", "last_name"),
        *(Property(common, f"billing.{common}", common, "string", "string",
                   woo_read=path(WOO, "customer", f"billing.{common}"), shop_read=path(SHOP, "customer", common),
                   shop_write={common: G(common)},
                   note=f"WooCommerce keeps it in the billing address: the Custom Webshop's `{common}` reaches "
                        f"WooCommerce as `billing.{common}` when the webshop's billing address has none")
          for common in ("phone", "company")),
        _address("customer", "billing", ("email", "phone"), woo_fallbacks={"phone": "phone", "company": "company"},
                 note=", ".join(ADDRESS_KEYS + ("email", "phone")) + "; an empty `company` or `phone` is filled "
                      "from the Custom Webshop customer's own"),
        _address("customer", "shipping", ()),
    ),
    merge_rules=(MergeRule("email", "email", "email-key"),),
    references={},
    not_synced=(("username, password", "WooCommerce account credentials; the Custom Webshop has no logins"),
                ("role, is_paying_customer, avatar_url", "WooCommerce-only, read-only account data")),
    label="email",
    constraints=(
        Constraint(None, "email", "required and unique in both shops, compared ignoring case",
                   "customers with the same e-mail link up instead of being created twice"),
        Constraint(WOO, "email", "what WordPress's `is_email()` accepts: no non-ASCII letters in the local part, a "
                   "domain with a dot; an international domain is held in its IDNA form (`xn--…`), which the "
                   "service writes and reads back in Unicode",
                   REFUSED + "; their orders wait, then land as guest orders"),
        Constraint(SHOP, "billing.country, shipping.country", "ISO 3166-1 alpha-2 in capitals, or empty "
                   "(WooCommerce stores any text)", REFUSED),
    ),
)


def _fee_meta(key: str, item: str = "_") -> DTL:
    """A value the sync keeps in a WooCommerce fee line's meta (`sesam_kind`, and for a line without a product its
    SKU, quantity and unit price)."""
    return ["first", ["map", "_.woocommerce-order:value",
                      ["filter", ["eq", "_.woocommerce-order:key", key], f"{item}.woocommerce-order:meta_data"]]]


def _woo_fees(kind: str | None) -> DTL:
    """WooCommerce fee lines of one kind the sync writes (`sesam_kind`): `tax` (tax the webshop charged), `line` (a
    webshop line without a product, which WooCommerce cannot hold as a line item); None: all others (the shop's own
    fees and discounts, and the `Fees`/`Discount` lines the sync writes)."""
    kind_of = _fee_meta("sesam_kind")
    chosen = ["eq", kind_of, kind] if kind else ["not", ["in", kind_of, ["list", "tax", "line"]]]
    return ["filter", chosen, path(WOO, "order", "fee_lines")]


def _fee_sum(lines: DTL, sign: str) -> DTL:
    """The sum of the positive (`+`) or the size of the negative (`-`) fee totals."""
    totals = ["map", ["decimal", "_.woocommerce-order:total"], lines]
    picked = ["filter", ["gt", "_.", 0] if sign == "+" else ["lt", "_.", 0], totals]
    total = ["sum", picked]
    return money(total if sign == "+" else ["-", 0, total])


def _woo_fee(name: str, total: DTL, kind: str) -> DTL:
    """A WooCommerce fee line the sync writes, marked so it is told from the shop's own (and taxed by nobody)."""
    return ["dict", "name", name, "total", total, "tax_status", "none",
            "meta_data", ["list", ["dict", "key", "sesam_kind", "value", kind]]]


def _positive(amount: DTL) -> DTL:
    return ["gt", ["decimal", ["coalesce", ["list", amount, "0"]]], 0]


# An order from the Custom Webshop reaches WooCommerce as lines it can hold: WooCommerce totals an order itself, from
# its line items, shipping lines and fee lines (FACTS §4, `orders-money-01-guest-shipping-and-fees.json`), so shipping
# becomes a shipping line and the webshop's fees, discount and (prices without tax) tax become fee lines.
WOO_MONEY_WRITES: dict[str, dict[str, DTL]] = {
    "shipping_total": {"shipping_lines": ["if", _positive(G("shipping_total")),
                                          ["list", ["dict", "method_id", "flat_rate", "method_title", "Shipping",
                                                    "total", G("shipping_total")]], ["list"]]},
    "fee_total": {"fee_lines": ["if", _positive(G("fee_total")),
                                ["list", _woo_fee("Fees", G("fee_total"), "fee")], ["list"]]},
    "discount_total": {"fee_lines": ["if", _positive(G("discount_total")),
                                     ["list", _woo_fee("Discount", ["concat", "-", G("discount_total")], "discount")],
                                     ["list"]]},
    "tax_total": {"fee_lines": ["if", ["and", _positive(G("tax_total")),
                                       ["not", ["eq", ["first", path(SHOP, "order", "g-prices_include_tax")], True]]],
                                ["list", _woo_fee("Tax", G("tax_total"), "tax")], ["list"]]},
}


def _line_fee(line: str) -> DTL:
    meta = [["dict", "key", key, "value", value] for key, value in (
        ("sesam_kind", "line"), ("sesam_sku", f"{line}.sku"), ("sesam_quantity", ["string", f"{line}.quantity"]),
        ("sesam_unit_price", money(["/", ["decimal", f"{line}.subtotal"], f"{line}.quantity"])))]
    return ["dict", "name", f"{line}.name", "total", f"{line}.total", "tax_status", "none", "meta_data", ["list", *meta]]


# The translated lines (`ref-lines`, dataflow/pipes.py): those with a product become line items; WooCommerce skips a
# new line item whose product_id is null (`item_is_null_or_zero`, class-wc-rest-orders-v2-controller.php), so a line
# without one becomes a fee line that totals the same.
WOO_LINE_WRITES: dict[str, DTL] = {
    "line_items": ["map", ["dict", *(item for key in ("product_id", "variation_id", "name", "quantity", "subtotal",
                                                      "total")
                                     for item in (key, f"_.{key}"))],
                   ["filter", ["is-not-null", "_.product_id"], "_T.ref-lines"]],
    "fee_lines": ["map", _line_fee("_"), ["filter", ["is-null", "_.product_id"], "_T.ref-lines"]],
}


def _money(common: str, woo: str, woo_read: DTL, note: str, known_difference: str = "") -> Property:
    """Order money: decided by the shop the order was placed in (`home_owned`)."""
    return Property(common, woo, common, "string (decimal)", "string (decimal)",
                    woo_read=woo_read, shop_read=path(SHOP, "order", common), shop_write={common: G(common)},
                    woo_write=WOO_MONEY_WRITES.get(common, {}), home_owned=True, note=note,
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
        _plain("order", "currency", shop_type="string (ISO 4217)", keep_when_blank=True),
        Property("customer", "customer_id", "customer_id", "integer (customer id)", "integer (customer id) or null",
                 woo_read=["if", ["gt", path(WOO, "order", "customer_id"), 0],
                           ["ni", "woocommerce-customer", ["string", path(WOO, "order", "customer_id")]], None],
                 shop_read=["if", ["is-not-null", path(SHOP, "order", "customer_id")],
                            ["ni", "customwebshop-customer", ["string", path(SHOP, "order", "customer_id")]], None],
                 woo_write={"customer_id": "_T.ref-customer"}, shop_write={"customer_id": "_T.ref-customer"},
                 fingerprint=None, note="a reference: translated to the target shop's customer id"),
        Property("email", "billing.email", "email", "string", "string (e-mail) or empty",
                 woo_read=path(WOO, "order", "billing.email"), shop_read=path(SHOP, "order", "email"),
                 shop_write={"email": G("email")},
                 note="WooCommerce keeps it in the billing address: the Custom Webshop's `email` reaches "
                      "WooCommerce as `billing.email` when the billing address has none (a guest's only contact)"),
        _address("order", "billing", ("email", "phone"), woo_fallbacks={"email": "email"},
                 note=", ".join(ADDRESS_KEYS + ("email", "phone")) + "; an empty `email` is filled from the order's "
                      "own e-mail"),
        _address("order", "shipping", ()),
        Property("lines", "line_items", "lines", "array of line items", "array of Line",
                 woo_read=["flatten", ["list",
                           ["map", ["dict",
                                    "product", ["if", ["gt", "_.woocommerce-order:product_id", 0],
                                                ["ni", "woocommerce-product", ["string",
                                                                                "_.woocommerce-order:product_id"]],
                                                None],
                                    "variation", ["if", ["gt", "_.woocommerce-order:variation_id", 0],
                                                  ["ni", "woocommerce-variation",
                                                   ["string", "_.woocommerce-order:variation_id"]], None],
                                    "sku", ["coalesce", ["list", "_.woocommerce-order:sku", ""]],
                                    "name", "_.woocommerce-order:name",
                                    "quantity", "_.woocommerce-order:quantity",
                                    "unit_price", money(["/", ["decimal", "_.woocommerce-order:subtotal"],
                                                         "_.woocommerce-order:quantity"]),
                                    "line_total", money("_.woocommerce-order:total")],
                            path(WOO, "order", "line_items")],
                           ["map", ["dict", "product", None, "variation", None,
                                    "sku", ["coalesce", ["list", _fee_meta("sesam_sku"), ""]],
                                    "name", "_.woocommerce-order:name",
                                    "quantity", ["integer", _fee_meta("sesam_quantity")],
                                    "unit_price", _fee_meta("sesam_unit_price"),
                                    "line_total", money("_.woocommerce-order:total")],
                            _woo_fees("line")]]],
                 shop_read=["map", ["dict",
                                    "product", ["if", ["is-not-null", "_.customwebshop-order:product_id"],
                                                ["ni", "customwebshop-product",
                                                 ["string", "_.customwebshop-order:product_id"]], None],
                                    "variation", ["if", ["is-not-null", "_.customwebshop-order:variant_id"],
                                                  ["ni", "customwebshop-variation",
                                                   ["string", "_.customwebshop-order:variant_id"]], None],
                                    "sku", "_.customwebshop-order:sku",
                                    "name", "_.customwebshop-order:name",
                                    "quantity", "_.customwebshop-order:quantity",
                                    "unit_price", "_.customwebshop-order:unit_price",
                                    "line_total", "_.customwebshop-order:line_total"],
                            path(SHOP, "order", "lines")],
                 woo_write=WOO_LINE_WRITES, shop_write={"lines": "_T.ref-lines"}, home_owned=True,
                 compare=Comparison.UNORDERED,
                 compare_keys={"unit_price": Comparison.DECIMAL, "line_total": Comparison.DECIMAL,
                               "sku": Comparison.CASELESS},
                 # A WooCommerce line shows its product's SKU, which links case-insensitively to the webshop's; lines
                 # without a product come after the line items there, so the order of lines does not count.
                 fingerprint=["sorted", ["map", ["list", ["upper", "_.sku"], "_.quantity", "_.unit_price",
                                                 "_.line_total"], "value"]],
                 note="product and variation references translated (WooCommerce `product_id` and `variation_id`, "
                      "the Custom Webshop `product_id` and `variant_id`); `unit_price` is the price of one before "
                      "discounts "
                      "(WooCommerce `subtotal` / `quantity`), `line_total` what the line costs after them "
                      "(WooCommerce `total`, so a coupon shows in the line); decided where the order was placed. "
                      "WooCommerce holds no line item without a product: a webshop line without one becomes a fee "
                      "line of its name and total, marked `sesam_kind: line` with its SKU, quantity and unit price",
                 many=True),
        _money("shipping_total", "shipping_total", money(path(WOO, "order", "shipping_total")),
               "the sum of WooCommerce's shipping lines; an order from the Custom Webshop gets one shipping line"),
        _money("fee_total", "fee_lines", _fee_sum(_woo_fees(None), "+"),
               "WooCommerce's positive fee lines; an order from the Custom Webshop gets one fee line `Fees`"),
        _money("discount_total", "fee_lines", _fee_sum(_woo_fees(None), "-"),
               "WooCommerce's negative fee lines (coupons already lower the line totals); an order from the Custom "
               "Webshop gets one fee line `Discount` of minus this"),
        _money("tax_total", "total_tax",
               money(["+", ["decimal", path(WOO, "order", "total_tax")], ["decimal", _fee_sum(_woo_fees("tax"), "+")]]),
               "WooCommerce computes its own taxes: an order from the Custom Webshop whose prices exclude tax gets "
               "one fee line `Tax`; tax included in the webshop's prices has no separate figure in WooCommerce "
               "(the audit reports it as a known difference)",
               known_difference="WooCommerce computes its own taxes: tax included in the webshop's prices has no "
                                "figure of its own there, and a store with tax rates adds the tax it computes"),
        Property("prices_include_tax", "prices_include_tax", "prices_include_tax", "boolean", "boolean",
                 woo_read=path(WOO, "order", "prices_include_tax"), shop_read=path(SHOP, "order", "prices_include_tax"),
                 shop_write={"prices_include_tax": G("prices_include_tax")}, home_owned=True,
                 note="read-only in WooCommerce, which takes it from its own tax settings",
                 known_difference="WooCommerce takes it from its own tax settings"),
        _money("grand_total", "total", money(path(WOO, "order", "total")),
               "WooCommerce computes it from its lines: for an order from the Custom Webshop it equals the "
               "webshop's grand total when the parts add up"),
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
                ("coupon_lines, tax_lines, refunds", "no counterpart in the Custom Webshop model: coupons show in "
                 "the line totals, taxes in `tax_total`"),
                ("customer_ip_address, customer_user_agent, cart_hash, order_key", "WooCommerce-internal")),
    label="order_number", lands_without_references=True,
    constraints=(
        Constraint(SHOP, "status", "WooCommerce's own statuses only: statuses a WooCommerce plugin adds (such as "
                   "`shipped`) and `checkout-draft` have no counterpart", REFUSED),
        Constraint(None, "money", "the webshop holds amounts with two decimals; WooCommerce computes with its "
                   "store's decimals and keeps a line's unit price as a float",
                   "unit prices are rounded to two decimals (a line of 3 for 10.00 reads 3.33 a piece); totals are "
                   "compared as decimals"),
        Constraint(WOO, "tax_total", "WooCommerce computes its own taxes", "tax the webshop charged on top of its "
                   "prices arrives as a fee line `Tax`; tax included in them has no figure of its own in "
                   "WooCommerce, which the audit reports as a known difference"),
        Constraint(WOO, "lines", "every line item names a product", "a webshop line without one arrives as a fee "
                   "line of the same name and total"),
        Constraint(None, "customer_id, lines", "an order refers to its customer and products by the target "
                   "shop's ids", "it waits until they exist there, at most `order-reference-wait-seconds` "
                   "(default 3600), then lands without what is missing, with the reason in its bookkeeping"),
    ),
)

ENTITY_TYPES: dict[str, EntityType] = {t.name: t for t in (ORDER, PRODUCT, VARIATION, CUSTOMER)}
