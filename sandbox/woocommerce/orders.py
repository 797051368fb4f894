"""Orders: creation defaults, line-item reconciliation, totals and status side effects (FACTS §4–6).

Line items, shipping lines and fee lines are merged by `id` on every PUT; an item without `id` is appended. Totals
are recomputed from the stored lines. Coupons (`coupon_lines`) and refunds have modules of their own. Entering
processing, on-hold or completed reduces stock once; cancelled and pending give it back (`orders-status-*.json`);
refunds give back what they restock.
"""
from __future__ import annotations

import copy
import string
from decimal import Decimal
from typing import Any

from .coupon_lines import USAGE_STATUSES, CouponLines
from .customers import blank_billing, blank_shipping, check_billing_email
from .errors import ApiError, SavedThenRefused, not_of_type
from .meta import ORDER_INTERNAL_KEYS, merge_item_meta, merge_meta, set_item_meta
from .money import ZERO, format_money, parse_money, unit_price
from .products import set_stock
from .resource import API_PATH, Resource, check_enum, check_integer, merge_address
from .table import Row
from .totals import recalculate

ORDER_STATUSES = ["auto-draft", "pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed",
                  "checkout-draft"]
REDUCING_STATUSES = frozenset({"processing", "completed", "on-hold"})
RESTORING_STATUSES = frozenset({"cancelled", "pending"})
PAID_STATUSES = frozenset({"processing", "completed"})
# An order's units count in its products' total_sales while it is in one of these (`refunds-r02-…`, `-r23-…`) and
# stop counting when it is cancelled from one of them, trashed or deleted (`wc_update_total_sales_counts`).
SALES_STATUSES = frozenset({"processing", "completed", "on-hold"})
# A PUT carrying any of these recalculates the order's totals (FACTS §5).
TOTALS_TRIGGERS = ("line_items", "shipping_lines", "fee_lines", "coupon_lines", "billing", "shipping")
_PLAIN_FIELDS = ("parent_id", "currency", "customer_note", "payment_method", "payment_method_title", "transaction_id",
                 "customer_ip_address", "customer_user_agent", "cart_hash", "prices_include_tax")
_KEY_ALPHABET = string.ascii_letters + string.digits
STATUS_LABELS = {"pending": "Pending payment", "processing": "Processing", "on-hold": "On hold",
                 "completed": "Completed", "cancelled": "Cancelled", "refunded": "Refunded", "failed": "Failed",
                 "checkout-draft": "Draft", "auto-draft": "Draft", "trash": "Trash"}
# `item_is_null`: any of these sent as null removes the item, whatever its kind (orders v2 controller).
_NULL_REMOVES = ("product_id", "method_id", "method_title", "name", "code")


def _removes(update: dict[str, Any]) -> bool:
    """`orders-li-04`, `-06`, `-09` (quantity "0" is coerced to 0), `-14`, `-15`."""
    return any(key in update and update[key] is None for key in _NULL_REMOVES) or str(update.get("quantity")) == "0"


def _money_or(value: Any, default: Decimal) -> Decimal:
    amount = parse_money(value) if isinstance(value, (str, int, float)) else None
    return default if amount is None else amount


class Orders(Resource):
    name = "orders"
    invalid_id = ("woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
    already_trashed = "The shop_order has already been deleted."
    url_fields = ("payment_url",)

    def __init__(self, store: Any) -> None:
        super().__init__(store)
        self._stock_reduced: set[int] = set()
        self._sales_recorded: set[int] = set()
        self.notes: dict[int, list[dict[str, Any]]] = {}
        self.coupon_lines = CouponLines(store)

    # --- create / update ------------------------------------------------------------------------------------
    def create(self, body: dict[str, Any]) -> Row:
        self._validate(body, None)
        now = self.store.now_text()
        order_id = self.store.next_post_id()
        key = "wc_order_" + "".join(self.store.random.choice(_KEY_ALPHABET) for _ in range(13))
        row: Row = {
            "id": order_id, "parent_id": 0, "status": "pending", "currency": "USD", "version": "9.2.5",
            "prices_include_tax": False, "date_created": now, "date_modified": now, "discount_total": "0.00",
            "discount_tax": "0.00", "shipping_total": "0.00", "shipping_tax": "0.00", "cart_tax": "0.00",
            "total": "0.00", "total_tax": "0.00", "customer_id": 0, "order_key": key, "billing": blank_billing(),
            "shipping": blank_shipping(), "payment_method": "", "payment_method_title": "", "transaction_id": "",
            "customer_ip_address": "", "customer_user_agent": "", "created_via": "rest-api", "customer_note": "",
            "date_completed": None, "date_paid": None, "cart_hash": "", "number": str(order_id), "meta_data": [],
            "line_items": [], "tax_lines": [], "shipping_lines": [], "fee_lines": [], "coupon_lines": [],
            "refunds": [], "payment_url": "", "is_editable": True, "needs_payment": False, "needs_processing": True,
            "date_created_gmt": now, "date_modified_gmt": now, "date_completed_gmt": None, "date_paid_gmt": None,
            "currency_symbol": "$",
        }
        self._apply(row, body)
        customer = self.store.customers.find(row["customer_id"])
        if customer is not None and not row["billing"]["email"]:
            # Only the e-mail is filled from the account (`orders-create-negative-fee.json`).
            row["billing"]["email"] = customer["email"]
        recalculate(row)
        self._apply_coupons(row, body)
        self._change_status(row, "pending", body.get("status", "pending"), bool(body.get("set_paid")))
        self._refresh_derived(row)
        self.table.save(row)
        return row

    def update(self, row: Row, body: dict[str, Any]) -> Row:
        self._validate(body, row)
        old_status = row["status"]
        row = copy.deepcopy(row)
        self._apply(row, body)
        if any(name in body for name in TOTALS_TRIGGERS):
            recalculate(row)
        self.touch(row)
        self._apply_coupons(row, body)
        self._change_status(row, old_status, body.get("status", old_status), bool(body.get("set_paid")))
        self.save_changed(row)
        return row

    def save_changed(self, row: Row) -> None:
        """Save a working copy of an order once every rule has run on it."""
        self._refresh_derived(row)
        self.table.save(row)

    def _apply_coupons(self, row: Row, body: dict[str, Any]) -> None:
        """WooCommerce applies `coupon_lines` after it has saved the order (`save_object` in the v3 orders
        controller), so a refused coupon leaves the rest of the write in place, only status and set_paid unapplied:
        a create leaves a pending order behind (the real store used up an order id and an item id on
        `orders-money-06-nonexistent-coupon-400.json`), an update moves `date_modified`
        (`orders-money-10-order-after-failed-coupon-put.json`)."""
        if body.get("coupon_lines") is None:
            return
        try:
            self.coupon_lines.replace(row, body["coupon_lines"])
        except ApiError as error:
            self.save_changed(row)
            raise SavedThenRefused.of(error) from None

    def _validate(self, body: dict[str, Any], row: Row | None) -> None:
        check_enum(body, "status", ORDER_STATUSES)
        check_billing_email(body, "order_invalid_billing_email")
        customer_id = body.get("customer_id")
        if customer_id not in (None, 0) and self.store.customers.find(customer_id) is None:
            raise ApiError(400, "woocommerce_rest_invalid_customer_id", "Customer ID is invalid.")
        if body.get("coupon_lines") is not None and not isinstance(body["coupon_lines"], list):
            raise not_of_type("coupon_lines", "array")
        for kind in ("line_items", "shipping_lines", "fee_lines"):
            items = body.get(kind)
            if not isinstance(items, list):
                continue
            known = {item["id"] for item in row[kind]} if row else set()
            for position, item in enumerate(items):
                if not isinstance(item, dict):
                    continue
                check_integer(item, "quantity", f"{kind}[{position}][quantity]")
                if item.get("id"):
                    if item["id"] not in known:
                        raise ApiError(400, "woocommerce_rest_invalid_item_id",
                                       "Order item ID provided is not associated with order.")
                elif not _removes(item):
                    _check_new_item(kind, item)

    def _apply(self, row: Row, body: dict[str, Any]) -> None:
        for name in _PLAIN_FIELDS:
            if name in body and body[name] is not None:
                row[name] = body[name]
        if isinstance(body.get("customer_id"), int):
            row["customer_id"] = body["customer_id"]
        merge_address(row["billing"], body.get("billing"))
        merge_address(row["shipping"], body.get("shipping"))
        if isinstance(body.get("meta_data"), list):
            merge_meta(row["meta_data"], body["meta_data"], self.store.next_meta_id, ORDER_INTERNAL_KEYS)
        reduced = row["id"] in self._stock_reduced
        for kind in ("line_items", "shipping_lines", "fee_lines"):
            if isinstance(body.get(kind), list):
                self._merge_items(row[kind], kind, body[kind], reduced)

    # --- items ----------------------------------------------------------------------------------------------
    def _merge_items(self, items: list[dict[str, Any]], kind: str, updates: list[Any], reduced: bool) -> None:
        for update in updates:
            if not isinstance(update, dict):
                continue
            item = next((i for i in items if update.get("id") and i["id"] == update["id"]), None)
            if item is None:
                if not _removes(update):
                    items.append(self._new_item(kind, update))
            elif _removes(update):
                if reduced and kind == "line_items":
                    self._restore_line(item)
                items.remove(item)
            else:
                self._update_item(kind, item, update, reduced)

    def _new_item(self, kind: str, update: dict[str, Any]) -> dict[str, Any]:
        """Shapes as `orders-money-01-guest-shipping-and-fees.json` shows them: a shipping line's `instance_id` and a
        fee's `amount` stay "" (neither is written by the controller)."""
        item_id = self.store.next_item_id()
        if kind in ("shipping_lines", "fee_lines"):
            if kind == "shipping_lines":
                item = {"id": item_id, "method_title": str(update.get("method_title", "")),
                        "method_id": str(update.get("method_id", "")),
                        "instance_id": str(update.get("instance_id", ""))}
            else:
                item = {"id": item_id, "name": str(update.get("name", "")), "tax_class": update.get("tax_class", ""),
                        "tax_status": update.get("tax_status", "taxable"), "amount": ""}
            item.update(total=format_money(_money_or(update.get("total"), ZERO)), total_tax="0.00", taxes=[],
                        meta_data=[])
            self._merge_item_meta(item, update)
            return item
        quantity = int(update.get("quantity", 1))
        line = {"id": item_id, "name": "", "product_id": 0, "variation_id": 0, "quantity": quantity,
                "tax_class": "", "subtotal": "0.00", "subtotal_tax": "0.00", "total": "0.00", "total_tax": "0.00",
                "taxes": [], "meta_data": [], "sku": None, "price": 0, "image": {"id": 0, "src": ""},
                "parent_name": None}
        product = self._product_for(update)
        if product is not None:
            self._set_product(line, product)
            # New lines are priced at the product's current price × quantity (`orders-create.json`).
            priced = (parse_money(product["price"]) or ZERO) * quantity
            line["subtotal"] = line["total"] = format_money(priced)
        self._set_line_props(line, update)
        self._merge_item_meta(line, update)
        return line

    def _merge_item_meta(self, item: dict[str, Any], update: dict[str, Any]) -> None:
        """An item keeps the `meta_data` sent with it (`maybe_set_item_meta_data`), shaped as `orders-get.json`'s."""
        if isinstance(update.get("meta_data"), list):
            merge_item_meta(item["meta_data"], update["meta_data"], self.store.next_meta_id)

    def _product_for(self, update: dict[str, Any]) -> Row | None:
        """By `variation_id`, `product_id` or `sku`; a nonexistent product gives a product_id 0 line (201)."""
        variations, products = self.store.variations, self.store.products
        if update.get("variation_id"):
            return variations.find(update["variation_id"])
        if update.get("product_id"):
            return products.find(update["product_id"]) or variations.find(update["product_id"])
        sku = update.get("sku")
        if isinstance(sku, str) and sku:
            lowered = sku.lower()
            for table in (products.table, variations.table):
                found = next((r for r in table.rows.values() if r["sku"].lower() == lowered
                              and r["status"] != "trash"), None)
                if found is not None:
                    return found
        return None

    def _set_product(self, line: dict[str, Any], product: Row) -> None:
        if product.get("type") == "variation":
            parent = self.store.products.find(product["parent_id"]) or {"name": "", "sku": ""}
            line.update(product_id=product["parent_id"], variation_id=product["id"],
                        name=f"{parent['name']} - {product['name']}", parent_name=parent["name"],
                        sku=product["sku"] or parent["sku"], image={"id": 0, "src": ""})
            # The variation's attributes ride along as item meta (`orders-create.json`).
            line["meta_data"] = [{"id": self.store.next_meta_id(), "key": a["slug"], "value": a["option"],
                                  "display_key": a["name"], "display_value": a["option"]}
                                 for a in product["attributes"]] + line["meta_data"]
        else:
            line.update(product_id=product["id"], variation_id=0, name=product["name"], parent_name=None,
                        sku=product["sku"], image={"id": "", "src": ""})

    @staticmethod
    def _set_line_props(line: dict[str, Any], update: dict[str, Any]) -> None:
        if isinstance(update.get("name"), str):
            line["name"] = update["name"]
        if "quantity" in update and update["quantity"] is not None:
            line["quantity"] = int(update["quantity"])
        for name in ("subtotal", "total"):
            if name in update and parse_money(update[name]) is not None:
                line[name] = format_money(parse_money(update[name]))
        line["price"] = unit_price(Decimal(line["total"]), line["quantity"])

    def _update_item(self, kind: str, item: dict[str, Any], update: dict[str, Any], reduced: bool) -> None:
        self._merge_item_meta(item, update)
        if kind != "line_items":
            for name in ("method_title", "method_id", "instance_id", "name", "tax_status", "tax_class"):
                if isinstance(update.get(name), str) and name in item:
                    item[name] = update[name]
            if "total" in update:
                item["total"] = format_money(_money_or(update["total"], ZERO))
            self._merge_item_meta(item, update)
            return
        if update.get("product_id") and update["product_id"] != item["product_id"] or (
                update.get("variation_id") and update["variation_id"] != item["variation_id"]):
            product = self._product_for(update)
            if product is not None:
                # Switching the product keeps the old totals (`orders-li-07-change-product-on-existing-line.json`).
                self._set_product(item, product)
        old_quantity = item["quantity"]
        # A new quantity alone does not reprice the line (`orders-li-02-put-id-quantity-only.json`).
        self._set_line_props(item, update)
        self._merge_item_meta(item, update)
        if reduced and item["quantity"] != old_quantity and self.reduced_quantity(item) is not None:
            self._adjust_stock(item, old_quantity - item["quantity"])
            self._set_reduced(item, item["quantity"])

    # --- status ---------------------------------------------------------------------------------------------
    def set_status(self, row: Row, new: str) -> None:
        """`update_status` on an order being written (refunds make an order refunded this way)."""
        self._change_status(row, row["status"], new, False)

    def _change_status(self, row: Row, old: str, new: str, set_paid: bool) -> None:
        now = self.store.now_text()
        if set_paid:
            new = "processing" if new in ("pending", "failed", "on-hold", "cancelled") else new
            self.store.customers.mark_paying(row["customer_id"])
        row["status"] = new
        if new in REDUCING_STATUSES and row["id"] not in self._stock_reduced:
            changes = []
            for line in row["line_items"]:
                change = self._adjust_stock(line, -line["quantity"])
                if change:
                    self._set_reduced(line, line["quantity"])
                    changes.append(change)
            self._stock_reduced.add(row["id"])
            self._note(row, "Stock levels reduced: ", changes)
        elif new in RESTORING_STATUSES and row["id"] in self._stock_reduced:
            changes = [change for line in row["line_items"] if (change := self._restore_line(line))]
            self._stock_reduced.discard(row["id"])
            self._note(row, "Stock levels increased: ", changes)
        if (new in PAID_STATUSES or set_paid) and row["date_paid"] is None:
            row["date_paid"] = row["date_paid_gmt"] = now
        if new == "completed":
            if row["date_completed"] is None:
                row["date_completed"] = row["date_completed_gmt"] = now
            if old != "completed":
                self.store.customers.mark_paying(row["customer_id"])
        if new != old:
            self._on_transition(row, old, new)
            self._note(row, f"Order status changed from {STATUS_LABELS[old]} to {STATUS_LABELS[new]}.")

    def _on_transition(self, row: Row, old: str, new: str) -> None:
        """What WooCommerce hooks on `woocommerce_order_status_{new}` and `…_{old}_to_{new}`."""
        if new in SALES_STATUSES or (new == "cancelled" and old in SALES_STATUSES):
            self._count_sales(row)
        if new in USAGE_STATUSES:
            self.coupon_lines.settle_usage(row)
        if new == "refunded":
            # The order total stays; what is left becomes a refund (`orders-status-08-pending-to-refunded.json`).
            self.store.refunds.refund_remainder(row)

    def _count_sales(self, row: Row, leaving: bool = False) -> None:
        """`wc_update_total_sales_counts`: a live order's units count once in its products' (a variation line:
        its parent's) total_sales; a cancelled, trashed or deleted one's stop counting. The count is not an edit:
        the product's date_modified stays."""
        recorded = row["id"] in self._sales_recorded
        if recorded != (leaving or row["status"] in ("cancelled", "trash")):
            return
        for line in row["line_items"]:
            product = self.store.products.find(line["product_id"])
            if product is not None:
                product = copy.deepcopy(product)
                product["total_sales"] = max(0, product["total_sales"] + (-1 if recorded else 1) * line["quantity"])
                self.store.products.table.save(product)
        if recorded:
            self._sales_recorded.discard(row["id"])
        else:
            self._sales_recorded.add(row["id"])

    def note(self, row: Row, text: str) -> None:
        self._note(row, text)

    def _note(self, row: Row, text: str, changes: list[str] | None = None) -> None:
        """System notes as WooCommerce writes them on status and stock changes (`orders-status-23-notes-list.json`)."""
        if changes is not None:
            if not changes:
                return
            text += ", ".join(changes)
        now = self.store.now_text()
        self.notes.setdefault(row["id"], []).append({
            "id": self.store.next_comment_id(), "author": "WooCommerce", "date_created": now,
            "date_created_gmt": now, "note": text, "customer_note": False})

    def adjust_stock(self, line: dict[str, Any], delta: int) -> tuple[Row, int, int] | None:
        """Move the stock a line takes from by `delta` (its `date_modified` moves with it): the product, before,
        after. A variation's line moves the variation's stock and the parent's date (`stock-s02-…`, `stock-s03-…`),
        or the parent's stock when the variation counts none of its own (`stock-s33-…`, `stock-s34-…`)."""
        variations = self.store.variations
        variation = variations.find(line["variation_id"]) if line["variation_id"] else None
        if variation is not None:
            holder = variations.stock_holder(variation)
        else:
            product = self.store.products.find(line["product_id"])
            holder = (self.store.products, product) if product is not None and product["manage_stock"] else None
        if holder is None:
            return None
        owner, product = holder
        product = copy.deepcopy(product)
        before = product["stock_quantity"] or 0
        set_stock(product, before + delta)
        owner.touch(product)
        owner.table.save(product)
        if owner is variations:
            parent = self.store.products.find(product["parent_id"])
            if parent is not None:
                variations.refresh_parent(parent)
        return product, before, before + delta

    def _adjust_stock(self, line: dict[str, Any], delta: int) -> str | None:
        """`adjust_stock`, described as the stock notes list it; a variation's formatted name ends in an (empty)
        description of its attributes (`stock-s04-notes-after-processing-create.json`)."""
        moved = self.adjust_stock(line, delta)
        if moved is None:
            return None
        description = '<span class="description"></span>' if line["variation_id"] else ""
        return f"{line['name']} ({line['sku']}){description} {moved[1]}&rarr;{moved[2]}"

    def _restore_line(self, line: dict[str, Any]) -> str | None:
        """Give back what the line still has out; a line whose units were all refunded and restocked keeps
        `_reduced_stock` "0" and gives nothing (`wc_increase_stock_levels` skips an empty reduction)."""
        quantity = self.reduced_quantity(line)
        if not quantity:
            return None
        line["meta_data"] = [m for m in line["meta_data"] if m["key"] != "_reduced_stock"]
        return self._adjust_stock(line, quantity)

    @staticmethod
    def reduced_quantity(line: dict[str, Any]) -> int | None:
        entry = next((m for m in line["meta_data"] if m["key"] == "_reduced_stock"), None)
        return None if entry is None else int(entry["value"])

    def _set_reduced(self, line: dict[str, Any], quantity: int) -> None:
        set_item_meta(line["meta_data"], "_reduced_stock", str(quantity), self.store.next_meta_id)

    def _refresh_derived(self, row: Row) -> None:
        row["payment_url"] = (f"/checkout/order-pay/{row['id']}/?pay_for_order=true"
                              f"&key={row['order_key']}")
        row["is_editable"] = row["status"] in ("pending", "on-hold", "auto-draft", "checkout-draft")
        row["needs_payment"] = row["status"] in ("pending", "failed") and Decimal(row["total"]) > 0
        row["needs_processing"] = bool(row["line_items"])

    def trash(self, row: Row) -> None:
        """Trashing hands back the order's coupon uses and sales (`woocommerce_trash_order`)."""
        row["status"] = "trash"
        self.coupon_lines.settle_usage(row)
        self._count_sales(row)

    def forget(self, row: Row) -> None:
        self._count_sales(row, leaving=True)  # `woocommerce_before_delete_order`
        self._stock_reduced.discard(row["id"])
        self.coupon_lines.forget(row["id"])
        self.store.refunds.forget_order(row["id"])
        self.notes.pop(row["id"], None)

    def render_note(self, order_id: int, note: dict[str, Any], home: str) -> dict[str, Any]:
        collection = f"{home}{API_PATH}/orders/{order_id}/notes"
        return {**note, "_links": {
            "self": [{"href": f"{collection}/{note['id']}", "targetHints": {"allow": ["GET", "DELETE"]}}],
            "collection": [{"href": collection}], "up": [{"href": f"{home}{API_PATH}/orders/{order_id}"}]}}

    def links(self, row: Row, api_base: str) -> dict[str, Any]:
        links = super().links(row, api_base)
        if row["customer_id"]:
            links["customer"] = [{"href": f"{api_base}/customers/{row['customer_id']}"}]
        return links


def _check_new_item(kind: str, item: dict[str, Any]) -> None:
    """What a new item must name (`prepare_line_items`, `prepare_shipping_lines`, `prepare_fee_lines`)."""
    if kind == "line_items" and not any(item.get(k) for k in ("product_id", "sku", "variation_id")):
        if "product_id" not in item:
            raise ApiError(400, "woocommerce_rest_required_product_reference", "Product ID or SKU is required.")
    elif kind == "shipping_lines" and not item.get("method_id"):
        raise ApiError(400, "woocommerce_rest_invalid_shipping_item", "Shipping method ID is required.")
    elif kind == "fee_lines" and not item.get("name"):
        raise ApiError(400, "woocommerce_rest_invalid_fee_item", "Fee name is required.")
