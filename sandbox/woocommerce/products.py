"""Products and their variations: SKU, price and stock rules (FACTS §2), trash with the `__trashed` slug suffix."""
from __future__ import annotations

import copy
import re
from typing import Any

from .errors import ApiError
from .meta import PRODUCT_INTERNAL_KEYS, merge_meta
from .money import format_money, parse_money, price_html, range_html
from .resource import Resource, check_enum, check_integer, check_string
from .table import Row

PRODUCT_TYPES = ["simple", "grouped", "external", "variable"]
PRODUCT_STATUSES = ["draft", "pending", "private", "publish", "future", "auto-draft", "trash"]
DEFAULT_CATEGORY = {"id": 15, "name": "Uncategorized", "slug": "uncategorized"}
# WordPress gives drafts no slug until they are published (`products-e14-create-status-draft.json`), and only
# published and private products get a pretty permalink (`products-e15-create-status-future.json`).
UNSLUGGED_STATUSES = frozenset({"draft", "pending", "auto-draft"})
PRETTY_PERMALINK_STATUSES = frozenset({"publish", "private"})

# Fields copied as sent; everything else has a rule below or is read-only.
_PLAIN_FIELDS = ("featured", "catalog_visibility", "description", "short_description", "virtual", "downloadable",
                 "external_url", "button_text", "tax_status", "tax_class", "backorders", "low_stock_amount",
                 "sold_individually", "weight", "shipping_class", "reviews_allowed", "upsell_ids", "cross_sell_ids",
                 "purchase_note", "menu_order", "global_unique_id", "post_password", "parent_id", "tags")
_VARIATION_PLAIN_FIELDS = ("description", "virtual", "downloadable", "tax_status", "tax_class", "backorders",
                           "low_stock_amount", "weight", "menu_order", "global_unique_id", "image")


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _stock_and_price_fields() -> dict[str, Any]:
    return {
        "sku": "", "price": "", "regular_price": "", "sale_price": "", "date_on_sale_from": None,
        "date_on_sale_from_gmt": None, "date_on_sale_to": None, "date_on_sale_to_gmt": None, "on_sale": False,
        "status": "publish", "purchasable": False, "virtual": False, "downloadable": False, "downloads": [],
        "download_limit": -1, "download_expiry": -1, "tax_status": "taxable", "tax_class": "", "manage_stock": False,
        "stock_quantity": None, "stock_status": "instock", "backorders": "no", "backorders_allowed": False,
        "backordered": False, "low_stock_amount": None, "weight": "",
        "dimensions": {"length": "", "width": "", "height": ""}, "shipping_class": "", "shipping_class_id": 0,
        "menu_order": 0, "meta_data": [], "global_unique_id": "",
    }


class SkuRegistry:
    """SKUs are unique case-insensitively across products and variations, trashed products included (§2)."""

    def __init__(self, products: "Products") -> None:
        self.products = products

    def check(self, sku: str, owner_id: int | None, creating: bool) -> None:
        if not sku:
            return
        holder = self._holder(sku.lower(), owner_id)
        if holder is None:
            return
        if holder.get("status") == "trash" and creating:
            # `products-e10-create-sku-of-trashed-product.json`: the unique-SKU lookup still holds the trashed one.
            raise ApiError(400, "woocommerce_rest_product_not_created",
                           f"The SKU ({sku}) you are trying to insert is already under processing")
        raise ApiError(400, "product_invalid_sku", "Invalid or duplicated SKU.",
                       resource_id=holder["id"], unique_sku=self._suggest(sku, owner_id))

    def _holder(self, lowered: str, owner_id: int | None) -> Row | None:
        for table in (self.products.table, self.products.store.variations.table):
            for row in table.rows.values():
                if row["id"] != owner_id and row["sku"].lower() == lowered:
                    return row
        return None

    def _suggest(self, sku: str, owner_id: int | None) -> str:
        suffix = 1
        while self._holder(f"{sku}-{suffix}".lower(), owner_id) is not None:
            suffix += 1
        return f"{sku}-{suffix}"


def apply_prices(row: Row, body: dict[str, Any]) -> None:
    """`price` is read-only and follows regular/sale; a sale price above the regular one is dropped (e01–e05)."""
    for name in ("regular_price", "sale_price"):
        if name in body:
            amount = parse_money(body[name])
            row[name] = "" if amount is None else format_money(amount)
    regular, sale = parse_money(row["regular_price"]), parse_money(row["sale_price"])
    if sale is not None and regular is not None and sale > regular:
        row["sale_price"], sale = "", None
    row["on_sale"] = sale is not None and (regular is None or sale < regular)
    price = sale if row["on_sale"] else regular
    row["price"] = "" if price is None else format_money(price)
    row["purchasable"] = price is not None
    if "price_html" in row:
        row["price_html"] = price_html(regular, price, row["on_sale"])


def apply_stock(row: Row, body: dict[str, Any]) -> None:
    """`stock_quantity` counts only with `manage_stock`; quantity 0 or less is out of stock (e19–e25)."""
    if "manage_stock" in body:
        row["manage_stock"] = bool(body["manage_stock"])
    if not row["manage_stock"]:
        row["stock_quantity"] = None
        if body.get("stock_status") in ("instock", "outofstock", "onbackorder"):
            row["stock_status"] = body["stock_status"]
        return
    if "stock_quantity" in body and body["stock_quantity"] is not None:
        row["stock_quantity"] = int(body["stock_quantity"])
    set_stock(row, row["stock_quantity"] or 0)


def set_stock(row: Row, quantity: int) -> None:
    row["stock_quantity"] = quantity
    row["stock_status"] = "instock" if quantity > 0 else ("onbackorder" if row["backorders"] != "no" else "outofstock")


class Products(Resource):
    name = "products"
    invalid_id = ("woocommerce_rest_product_invalid_id", "Invalid ID.")
    already_trashed = "The product has already been deleted."
    url_fields = ("permalink",)

    def __init__(self, store: Any) -> None:
        super().__init__(store)
        self.skus = SkuRegistry(self)
        self.categories: dict[int, dict[str, Any]] = {DEFAULT_CATEGORY["id"]: _term(*DEFAULT_CATEGORY.values())}
        self._trashed_slugs: dict[int, tuple[str, str]] = {}

    def add_category(self, name: str) -> dict[str, Any]:
        category = _term(self.store.next_term_id(), name, slugify(name))
        self.categories[category["id"]] = category
        return category

    def blank(self, product_id: int, now: str) -> Row:
        return {
            "id": product_id, "name": "", "slug": "", "permalink": "", "date_created": now, "date_created_gmt": now,
            "date_modified": now, "date_modified_gmt": now, "type": "simple", "status": "publish", "featured": False,
            "catalog_visibility": "visible", "description": "", "short_description": "",
            **_stock_and_price_fields(), "total_sales": 0, "external_url": "", "button_text": "",
            "sold_individually": False, "shipping_required": True, "shipping_taxable": True,
            "reviews_allowed": True, "average_rating": "0", "rating_count": 0, "upsell_ids": [],
            "cross_sell_ids": [], "parent_id": 0, "purchase_note": "", "categories": [dict(DEFAULT_CATEGORY)],
            "tags": [], "images": [], "attributes": [], "default_attributes": [], "variations": [],
            "grouped_products": [], "price_html": "", "related_ids": [], "has_options": False, "post_password": "",
        }

    def create(self, body: dict[str, Any]) -> Row:
        self._validate(body, None, creating=True)
        now = self.store.now_text()
        row = self.blank(self.store.next_post_id(), now)
        created = body.get("date_created_gmt") or body.get("date_created")
        if isinstance(created, str) and created:
            # A written creation date also becomes the modification date (`products-e26-create-with-date-created.json`).
            row["date_created"] = row["date_created_gmt"] = row["date_modified"] = row["date_modified_gmt"] = created[:19]
        self._apply(row, body)
        self.table.save(row)
        return row

    def update(self, row: Row, body: dict[str, Any]) -> Row:
        self._validate(body, row["id"], creating=False)
        row = copy.deepcopy(row)
        self._apply(row, body)
        self.touch(row)
        self.table.save(row)
        return row

    def _validate(self, body: dict[str, Any], product_id: int | None, creating: bool) -> None:
        check_enum(body, "type", PRODUCT_TYPES)
        check_enum(body, "status", PRODUCT_STATUSES)
        check_string(body, "regular_price", "sale_price", "sku", "name")
        check_integer(body, "stock_quantity")
        if isinstance(body.get("sku"), str):
            self.skus.check(body["sku"], product_id, creating)

    def _apply(self, row: Row, body: dict[str, Any]) -> None:
        was = row["type"]
        for name in _PLAIN_FIELDS:
            if name in body:
                row[name] = body[name]
        for name in ("name", "type", "sku"):
            if isinstance(body.get(name), str):
                row[name] = body[name]
        if isinstance(body.get("dimensions"), dict):
            row["dimensions"].update({k: str(v) for k, v in body["dimensions"].items() if k in row["dimensions"]})
        if isinstance(body.get("categories"), list):
            row["categories"] = self._categories(body["categories"])
        if isinstance(body.get("attributes"), list):
            row["attributes"] = [_product_attribute(position, a) for position, a in enumerate(body["attributes"])
                                 if isinstance(a, dict)]
        if isinstance(body.get("meta_data"), list):
            merge_meta(row["meta_data"], body["meta_data"], self.store.next_meta_id, PRODUCT_INTERNAL_KEYS)
        self._apply_status(row, body.get("status"), body.get("slug"))
        apply_stock(row, body)
        if was == "variable" and row["type"] != "variable":
            # `product_type_changed` deletes the variations of a product that stops being variable, for good
            # (`variations-c07-…` … `variations-c11-…`); the price goes with them.
            self._drop_variations(row)
            row["price"] = ""
        if row["type"] == "variable":
            if was != "variable":
                # A variable product has no prices of its own; its `price` is left as it was until a variation
                # changes (`variations-c02-put-type-variable.json`: "15.00" stays).
                row["regular_price"] = row["sale_price"] = row["price_html"] = ""
                row["on_sale"] = False
            self._variable_stock_status(row)
        else:
            apply_prices(row, body)
        row["backorders_allowed"] = row["backorders"] != "no"

    def _categories(self, wanted: list[Any]) -> list[dict[str, Any]]:
        """An unknown category id becomes the default category (`products-e29-create-nonexistent-category.json`)."""
        found = [{key: self.categories.get(c.get("id"), DEFAULT_CATEGORY)[key] for key in ("id", "name", "slug")}
                 for c in wanted if isinstance(c, dict)]
        unique = {c["id"]: c for c in found}
        return list(unique.values()) or [dict(DEFAULT_CATEGORY)]

    def _apply_status(self, row: Row, status: Any, slug: Any) -> None:
        was_trashed = row["status"] == "trash"
        if isinstance(status, str) and status != "trash":
            row["status"] = status
            if was_trashed:
                row["slug"] = self._trashed_slugs.pop(row["id"], (row["slug"], ""))[0]
        if isinstance(slug, str) and slug:
            row["slug"] = slugify(slug)
        elif not row["slug"] and row["status"] not in UNSLUGGED_STATUSES:
            row["slug"] = self._generated_slug(row)
        if status == "trash" and not was_trashed:
            self.trash(row)
        row["permalink"] = (f"/product/{row['slug']}/" if row["status"] in PRETTY_PERMALINK_STATUSES
                            else f"/?post_type=product&p={row['id']}")

    def _generated_slug(self, row: Row) -> str:
        return row["slug"].removesuffix("__trashed") or self._unique_slug(slugify(row["name"]) or str(row["id"]),
                                                                          row["id"])

    def render_written(self, row: Row, home: str) -> dict[str, Any]:
        """Write responses are in the edit context, which adds two keys (`products-create-simple.json`)."""
        return {**self.render(row, home), "permalink_template": f"{home}/product/%pagename%/",
                "generated_slug": self._generated_slug(row)}

    def _unique_slug(self, slug: str, product_id: int) -> str:
        taken = {r["slug"] for r in self.table.rows.values() if r["id"] != product_id}
        candidate, suffix = slug, 2
        while candidate in taken:
            candidate, suffix = f"{slug}-{suffix}", suffix + 1
        return candidate

    def trash(self, row: Row) -> None:
        """Trash keeps the SKU and renames the slug (`products-get-trashed.json`). Not recorded: trashing a product
        trashes its variations (`WC_Post_Data::trash_post`, plugins/woocommerce/includes/class-wc-post-data.php, calls
        `delete_variations( $id, false )`), and a parent lists only live variations (`read_children`)."""
        self._trashed_slugs[row["id"]] = (row["slug"], row["status"])
        row["status"] = "trash"
        row["slug"] = f"{row['slug']}__trashed"
        row["permalink"] = f"/?post_type=product&p={row['id']}"
        variations = self.store.variations
        for variation in map(variations.find, row["variations"]):
            if variation is not None:
                trashed = copy.deepcopy(variation)
                variations.trash(trashed)
                variations.touch(trashed)
                variations.table.save(trashed)
        row["variations"] = []

    def forget(self, row: Row) -> None:
        self._trashed_slugs.pop(row["id"], None)
        self._drop_variations(row)

    def _drop_variations(self, row: Row) -> None:
        """Delete a product's variations for good, trashed ones included (`delete_variations( $id, true )`)."""
        table = self.store.variations.table
        for variation_id in [i for i, v in table.rows.items() if v["parent_id"] == row["id"]]:
            table.delete(variation_id)
        row["variations"] = []

    def refresh_variable(self, row: Row) -> None:
        """After a variation changed: a variable product shows its cheapest variation's price, none when it has no
        priced variation left (`sync_price`), and no regular price (`products-get-variable.json`,
        `variations-b18-parent-after-lowest-price-change.json`)."""
        variations = self._live_variations(row)
        prices = [p for p in (parse_money(v["price"]) for v in variations) if p is not None]
        row["regular_price"] = row["sale_price"] = ""
        row["price"] = format_money(min(prices)) if prices else ""
        row["price_html"] = range_html(min(prices), max(prices)) if prices else ""
        row["on_sale"] = any(v["on_sale"] for v in variations)
        row["purchasable"] = bool(prices)
        row["has_options"] = bool(row["variations"])
        self._variable_stock_status(row)

    def _live_variations(self, row: Row) -> list[Row]:
        return [v for v in map(self.store.variations.find, row["variations"]) if v is not None]

    def _variable_stock_status(self, row: Row) -> None:
        """A variable product that does not count stock itself is in stock while a variation is
        (`variations-b01-…`: none yet, out of stock; `variations-b03-…`)."""
        if not row["manage_stock"]:
            in_stock = any(self.store.variations.stock_of(v)[1] == "instock" for v in self._live_variations(row))
            row["stock_status"] = "instock" if in_stock else "outofstock"

def _term(term_id: int, name: str, slug: str) -> dict[str, Any]:
    """A product category as `/products/categories` shows it (`product-categories-create.json`)."""
    return {"id": term_id, "name": name, "slug": slug, "parent": 0, "description": "", "display": "default",
            "image": None, "menu_order": 0, "count": 0}


def _product_attribute(position: int, attribute: dict[str, Any]) -> dict[str, Any]:
    # The parent keeps the slug as typed (`products-create-variable.json`).
    return {"id": attribute.get("id", 0), "name": attribute.get("name", ""), "slug": attribute.get("name", ""),
            "position": attribute.get("position", position), "visible": bool(attribute.get("visible", False)),
            "variation": bool(attribute.get("variation", False)),
            "options": [str(o) for o in attribute.get("options", [])]}


class Variations(Resource):
    """`/products/<parent>/variations`; ids share the post sequence, SKUs share the products' SKU space."""

    name = "variations"
    invalid_id = ("woocommerce_rest_product_variation_invalid_id", "Invalid ID.")
    already_trashed = "The product_variation has already been deleted."
    url_fields = ("permalink",)

    def in_parent(self, parent: Row, variation_id: Any, status: int = 404) -> Row:
        row = self.require(variation_id, status)
        if row["parent_id"] != parent["id"]:
            raise ApiError(status, *self.invalid_id)
        return row

    def _validate(self, body: dict[str, Any], variation_id: int | None) -> None:
        check_string(body, "regular_price", "sale_price", "sku")
        check_integer(body, "stock_quantity")
        if isinstance(body.get("sku"), str):
            self.store.products.skus.check(body["sku"], variation_id, creating=variation_id is None)

    def create_for(self, parent: Row, body: dict[str, Any]) -> Row:
        self._validate(body, None)
        now = self.store.now_text()
        row = {"id": self.store.next_post_id(), "type": "variation", "date_created": now, "date_created_gmt": now,
               "date_modified": now, "date_modified_gmt": now, "description": "", "permalink": "",
               **_stock_and_price_fields(), "image": None, "attributes": [], "name": "", "parent_id": parent["id"],
               "tax_class": "parent"}
        self._apply(row, parent, body)
        self.table.save(row)
        self.refresh_parent(parent, add=row["id"])
        return row

    def update(self, row: Row, body: dict[str, Any]) -> Row:
        self._validate(body, row["id"])
        parent = self.store.products.require(row["parent_id"])
        row = copy.deepcopy(row)
        self._apply(row, parent, body)
        self.touch(row)
        self.table.save(row)
        self.refresh_parent(parent)
        return row

    def delete(self, row: Row, force: bool) -> Row:
        """Trashed or deleted, the variation leaves its parent's list (`variations-b07-…`)."""
        before = super().delete(row, force)
        parent = self.store.products.find(row["parent_id"])
        if parent is not None:
            self.refresh_parent(parent, remove=row["id"])
        return before

    def _apply(self, row: Row, parent: Row, body: dict[str, Any]) -> None:
        for name in _VARIATION_PLAIN_FIELDS:
            if name in body:
                row[name] = body[name]
        if isinstance(body.get("sku"), str):
            row["sku"] = body["sku"]
        if body.get("status") in ("publish", "private", "draft", "pending"):
            row["status"] = body["status"]
        if isinstance(body.get("attributes"), list):
            row["attributes"] = _variation_attributes(parent, body["attributes"])
        if isinstance(body.get("meta_data"), list):
            merge_meta(row["meta_data"], body["meta_data"], self.store.next_meta_id, PRODUCT_INTERNAL_KEYS)
        row["name"] = ", ".join(a["option"] for a in row["attributes"])
        query = "&".join(f"attribute_{a['slug']}={a['option']}" for a in row["attributes"])
        row["permalink"] = parent["permalink"] + (f"?{query}" if query else "")
        apply_stock(row, body)
        apply_prices(row, body)
        row["backorders_allowed"] = row["backorders"] != "no"

    def refresh_parent(self, parent: Row, add: int | None = None, remove: int | None = None) -> None:
        """Every variation write, and every stock move on one, moves the parent's `date_modified` and price
        (`variations-b12-…` … `-b18-…`, `stock-s03-parent-after-processing-create.json`). The parent lists its live
        variations in ascending id order (`variations-b03-parent-after-batch-create.json`)."""
        parent = copy.deepcopy(self.store.products.find(parent["id"]) or parent)
        if add is not None and add not in parent["variations"]:
            parent["variations"] = sorted([*parent["variations"], add])
        if remove is not None and remove in parent["variations"]:
            parent["variations"].remove(remove)
        self.store.products.refresh_variable(parent)
        self.store.products.touch(parent)
        self.store.products.table.save(parent)

    def stock_of(self, row: Row) -> tuple[Any, str, int | None]:
        """(`manage_stock`, `stock_status`, `stock_quantity`) as shown: a variation that does not count its own
        stock on a parent that does shows `"parent"` and the parent's (`variations-c05-create-variation.json`,
        `stock-s31-create-variation-stock-from-parent.json`)."""
        if row["manage_stock"]:
            return True, row["stock_status"], row["stock_quantity"]
        parent = self.store.products.find(row["parent_id"])
        if parent is not None and parent["manage_stock"]:
            return "parent", parent["stock_status"], parent["stock_quantity"]
        return False, row["stock_status"], None

    def stock_holder(self, row: Row) -> tuple[Resource, Row] | None:
        """Where an order of this variation takes its stock from: itself, its parent (`manage_stock: "parent"`,
        `stock-s32-…` … `stock-s34-…`), or nowhere."""
        if row["manage_stock"]:
            return self, row
        parent = self.store.products.find(row["parent_id"])
        if parent is not None and parent["manage_stock"]:
            return self.store.products, parent
        return None

    def item_path(self, row: Row) -> str:
        return f"/products/{row['parent_id']}/variations/{row['id']}"

    def collection_path(self, row: Row) -> str:
        return f"/products/{row['parent_id']}/variations"

    def links(self, row: Row, api_base: str) -> dict[str, Any]:
        return {**super().links(row, api_base), "up": [{"href": f"{api_base}/products/{row['parent_id']}"}]}

    def render(self, row: Row, home: str) -> dict[str, Any]:
        rendered = super().render(row, home)
        parent = self.store.products.find(row["parent_id"])
        if not row["sku"]:
            rendered["sku"] = parent["sku"] if parent else ""
        rendered["manage_stock"], rendered["stock_status"], rendered["stock_quantity"] = self.stock_of(row)
        return rendered


def _variation_attributes(parent: Row, sent: list[Any]) -> list[dict[str, Any]]:
    """Not recorded: only attributes the parent varies by are kept, matched by sanitized name and named as the
    parent names them (`prepare_object_for_database`, plugins/woocommerce/includes/rest-api/Controllers/Version3/
    class-wc-rest-product-variations-controller.php); the option is kept as sent. The slug is lower case
    (`product-variations-create.json`)."""
    varied = {slugify(a["name"]): a for a in parent["attributes"] if a["variation"]}
    kept: dict[str, dict[str, Any]] = {}
    for attribute in sent:
        own = varied.get(slugify(str(attribute.get("name", "")))) if isinstance(attribute, dict) else None
        if own is not None:
            key = slugify(own["name"])
            kept[key] = {"id": 0, "name": own["name"], "slug": key, "option": str(attribute.get("option", ""))}
    return list(kept.values())
