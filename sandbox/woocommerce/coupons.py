"""Coupons (`/coupons`): codes, discount terms and usage counts.

A coupon as `POST /coupons` returns it is `orders-money-02-create-coupon-10-percent.json`. Codes are stored lower
case and matched case-insensitively (`orders-money-05-coupon-code-upper-case.json`). Orders count their use
(`usage_count`, `used_by`) without moving the coupon's `date_modified` (`orders-money-04-…`, `-08-…`, `-12-…`).
Restrictions (products, categories, limits, spend, expiry, e-mails) are not modelled: rather than ignore one, the
sandbox refuses to store a coupon that has one.
"""
from __future__ import annotations

import copy
import html
import json
from decimal import Decimal
from typing import Any

from .discounts import DISCOUNT_TYPES, Terms
from .errors import ApiError, missing_params, not_of_type
from .meta import merge_meta
from .money import ZERO, format_money, parse_money
from .resource import Resource, check_enum, check_string
from .table import Row

RESTRICTIONS = frozenset({
    "date_expires", "individual_use", "product_ids", "excluded_product_ids", "usage_limit", "usage_limit_per_user",
    "limit_usage_to_x_items", "product_categories", "excluded_product_categories", "exclude_sale_items",
    "minimum_amount", "maximum_amount", "email_restrictions",
})


def format_code(code: str) -> str:
    """`wc_format_coupon_code` after `wc_clean`: entities decoded, trimmed, lower case."""
    return html.unescape(code).strip().lower()


def _restricts(name: str, value: Any) -> bool:
    """Whether a restriction's value asks for something (an empty list, null, false, 0 or "0.00" do not)."""
    if name.endswith("_amount"):
        return (parse_money(value) or ZERO) != 0 if isinstance(value, (str, int, float)) else value is not None
    return value not in (None, "", False, [], 0)


class Coupons(Resource):
    name = "coupons"
    invalid_id = ("woocommerce_rest_shop_coupon_invalid_id", "Invalid ID.")
    already_trashed = "The shop_coupon has already been deleted."

    def create(self, body: dict[str, Any]) -> Row:
        if body.get("code") is None:
            raise missing_params("code")  # the create route requires `code` (class-wc-rest-coupons-controller.php)
        self._validate(body, None)
        now = self.store.now_text()
        row: Row = {
            "id": self.store.next_post_id(), "code": "", "amount": "0.00", "status": "publish",
            "date_created": now, "date_created_gmt": now, "date_modified": now, "date_modified_gmt": now,
            "discount_type": "fixed_cart", "description": "", "date_expires": None, "date_expires_gmt": None,
            "usage_count": 0, "individual_use": False, "product_ids": [], "excluded_product_ids": [],
            "usage_limit": None, "usage_limit_per_user": None, "limit_usage_to_x_items": None, "free_shipping": False,
            "product_categories": [], "excluded_product_categories": [], "exclude_sale_items": False,
            "minimum_amount": "0.00", "maximum_amount": "0.00", "email_restrictions": [], "used_by": [],
            "meta_data": [],
        }
        self._apply(row, body)
        self.table.save(row)
        return row

    def update(self, row: Row, body: dict[str, Any]) -> Row:
        self._validate(body, row["id"])
        row = copy.deepcopy(row)
        self._apply(row, body)
        self.touch(row)
        self.table.save(row)
        return row

    def _validate(self, body: dict[str, Any], coupon_id: int | None) -> None:
        check_string(body, "code", "amount", "description")
        check_enum(body, "discount_type", DISCOUNT_TYPES)
        if isinstance(body.get("code"), str):
            code = format_code(body["code"])
            if not code:
                # Not recorded, and the source read does not settle what an empty code does: refuse it plainly.
                raise ApiError(400, "sandbox_coupon_code_empty", "The WooCommerce sandbox needs a non-empty code.")
            found = self.find_by_code(code)
            if found is not None and found["id"] != coupon_id:
                raise ApiError(400, "woocommerce_rest_coupon_code_already_exists", "The coupon code already exists")
        amount = parse_money(body.get("amount"))
        if amount is not None and amount < 0:
            raise ApiError(400, "coupon_invalid_amount", "Invalid discount amount")  # WC_Coupon::set_amount
        for name, value in body.items():
            if name in RESTRICTIONS and _restricts(name, value):
                raise ApiError(400, "sandbox_coupon_restriction_unsupported",
                               f"The WooCommerce sandbox does not apply coupon restrictions; {name} must stay unset.")
        if "free_shipping" in body and not isinstance(body["free_shipping"], bool):
            raise not_of_type("free_shipping", "boolean")

    def _apply(self, row: Row, body: dict[str, Any]) -> None:
        if isinstance(body.get("code"), str):
            row["code"] = format_code(body["code"])
        if isinstance(body.get("discount_type"), str):
            row["discount_type"] = body["discount_type"]
        if "amount" in body:
            # A non-numeric amount counts as 0, as `WC_Coupon::set_amount` has it.
            row["amount"] = format_money(parse_money(body["amount"]) or ZERO)
        if isinstance(body.get("description"), str):
            row["description"] = body["description"]
        if isinstance(body.get("free_shipping"), bool):
            row["free_shipping"] = body["free_shipping"]
        if isinstance(body.get("meta_data"), list):
            merge_meta(row["meta_data"], body["meta_data"], self.store.next_meta_id)

    # --- what orders need ------------------------------------------------------------------------------------
    def find_by_code(self, code: str) -> Row | None:
        """`wc_get_coupon_id_by_code`: a published coupon whose code matches, whatever the case."""
        wanted = format_code(code)
        return next((r for r in self.table.rows.values() if r["code"] == wanted and r["status"] != "trash"), None)

    def count_use(self, coupon: Row, used_by: str) -> None:
        """`increase_usage_count`: one more use, and one more `used_by` entry (a user id or a guest's e-mail)."""
        coupon = copy.deepcopy(coupon)
        coupon["usage_count"] += 1
        coupon["used_by"].append(used_by)
        self.table.save(coupon)

    def uncount_use(self, coupon: Row, used_by: str | None) -> None:
        """`decrease_usage_count`: one use less; a `used_by` entry goes only when named (an order's removal names
        only a registered customer, so a guest's entries stay: `orders-money-12-coupon-after-removal.json`)."""
        coupon = copy.deepcopy(coupon)
        coupon["usage_count"] = max(0, coupon["usage_count"] - 1)
        if used_by is not None and used_by in coupon["used_by"]:
            coupon["used_by"].remove(used_by)
        self.table.save(coupon)


def terms_of(coupon: Row) -> Terms:
    return Terms(coupon["code"], coupon["discount_type"], Decimal(coupon["amount"]))


def short_info(coupon: Row) -> str:
    """The `coupon_info` item meta: `[id, code, type, nominal amount]`, type null for fixed_cart, `true` appended
    for free shipping (WC_Coupon::get_short_info; `orders-money-03-order-with-coupon.json`)."""
    info: list[Any] = [coupon["id"], coupon["code"],
                       None if coupon["discount_type"] == "fixed_cart" else coupon["discount_type"],
                       nominal(Decimal(coupon["amount"]))]
    if coupon["free_shipping"]:
        info.append(True)
    return json.dumps(info, separators=(",", ":"))


def nominal(amount: Decimal) -> int | float:
    return int(amount) if amount == amount.to_integral_value() else float(amount)
