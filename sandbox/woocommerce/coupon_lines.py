"""An order's coupons: `coupon_lines` on create and PUT, the discounts they put on line totals, and usage counts.

Follows `WC_REST_Orders_Controller::calculate_coupons` (v3) and `WC_Abstract_Order::apply_coupon`, `remove_coupon`
and `recalculate_coupons` (`includes/abstracts/abstract-wc-order.php`), with `wc_update_coupon_usage_counts`
(`includes/wc-order-functions.php`). Recorded in `orders-money-02-…` … `orders-money-14-…`:

- `coupon_lines` replaces the order's coupons: every item is checked first (an `id` is refused, a code must exist
  unless the order has it already), then all coupons come off and the listed ones go on. `[]` removes them all; a
  PUT without `coupon_lines` leaves them alone.
- Applying or removing a coupon resets every product line's total to its subtotal and applies the order's coupons
  again, so a coupon replaces a discount made by hand on a line total.
- Usage is counted once an order holds the coupon, even pending; cancelled, failed and trashed orders give it back.
  Removing a coupon lowers `usage_count` but takes a `used_by` entry away only for a registered customer.
"""
from __future__ import annotations

import html
from decimal import Decimal
from typing import Any

from .coupons import format_code, nominal, short_info, terms_of
from .discounts import Discounts, Line, Terms
from .errors import ApiError
from .meta import set_item_meta
from .money import ZERO, format_decimal, format_money, unit_price
from .table import Row
from .totals import recalculate

# Entering one of these statuses settles the usage count (the hooks of `wc_update_coupon_usage_counts`).
USAGE_STATUSES = frozenset({"pending", "processing", "completed", "on-hold", "cancelled", "failed"})
UNCOUNTED_STATUSES = frozenset({"cancelled", "failed", "trash"})


class CouponLines:
    def __init__(self, store: Any) -> None:
        self.store = store
        self._counted: set[int] = set()  # orders whose coupon use is counted (`_recorded_coupon_usage_counts`)

    def replace(self, order: Row, requested: list[Any]) -> None:
        """`calculate_coupons`: check every requested coupon, take the order's off, put the requested ones on."""
        codes = self._checked_codes(order, requested)
        for line in list(order["coupon_lines"]):
            self._remove(order, line)
        for code in codes:
            self._apply(order, code)

    def _checked_codes(self, order: Row, requested: list[Any]) -> list[str]:
        held = {line["code"] for line in order["coupon_lines"]}
        codes = []
        for item in requested:
            item = item if isinstance(item, dict) else {}
            if item.get("id") not in (None, 0, "", "0", False):
                # Unlike the other item arrays, an id does not address a coupon line
                # (`orders-money-09-put-coupon-line-code-null-400.json`).
                raise ApiError(400, "woocommerce_rest_coupon_item_id_readonly", "Coupon item ID is readonly.")
            code = item.get("code")
            if code is None or not str(code).strip():
                raise ApiError(400, "woocommerce_rest_invalid_coupon", "Coupon code is required.")
            code = format_code(str(code))
            if code not in held and self.store.coupons.find_by_code(code) is None:
                raise _missing(code)
            codes.append(code)
        return codes

    def _remove(self, order: Row, line: dict[str, Any]) -> None:
        order["coupon_lines"].remove(line)
        coupon = self.store.coupons.find_by_code(line["code"])
        if coupon is not None:
            # `remove_coupon` names the order's user id, which a guest order does not have.
            self.store.coupons.uncount_use(coupon, str(order["customer_id"]) if order["customer_id"] else None)
        self.recalculate(order)

    def _apply(self, order: Row, code: str) -> None:
        if any(line["code"] == code for line in order["coupon_lines"]):
            raise ApiError(400, "woocommerce_rest_invalid_coupon", "Coupon code already applied!")
        coupon = self.store.coupons.find_by_code(code)
        if coupon is None:
            raise _missing(code)
        line = {"id": self.store.next_item_id(), "code": coupon["code"], "discount": "0", "discount_tax": "0",
                "meta_data": [], "discount_type": coupon["discount_type"],
                "nominal_amount": nominal(Decimal(coupon["amount"])), "free_shipping": coupon["free_shipping"]}
        set_item_meta(line["meta_data"], "coupon_info", short_info(coupon), self.store.next_meta_id)
        order["coupon_lines"].append(line)
        self.recalculate(order)
        if order["id"] in self._counted:
            self.store.coupons.count_use(coupon, _used_by(order))
        self.settle_usage(order)

    def recalculate(self, order: Row) -> None:
        """`recalculate_coupons`: line totals back to subtotals, then every coupon of the order applied again."""
        for item in order["line_items"]:
            item["total"] = item["subtotal"]
        discounts = Discounts([Line(item["id"], item["quantity"], Decimal(item["subtotal"]) * 100)
                               for item in order["line_items"]])
        for line in order["coupon_lines"]:
            discounts.apply(self._terms(line))
        given = discounts.per_coupon()
        for line in order["coupon_lines"]:
            # The discount is not shown with two decimals (`orders-money-03-order-with-coupon.json`: "4").
            line["discount"] = format_decimal(given.get(line["code"], ZERO) / 100)
        taken = discounts.per_line()
        for item in order["line_items"]:
            total = max(ZERO, Decimal(item["total"]) - taken.get(item["id"], ZERO) / 100)
            item["total"] = format_money(total)
            item["price"] = unit_price(total, item["quantity"])
        recalculate(order)

    def _terms(self, line: dict[str, Any]) -> Terms:
        coupon = self.store.coupons.find_by_code(line["code"])
        if coupon is not None:
            return terms_of(coupon)
        # A coupon deleted since is applied again from what the line kept of it; without an amount, as the
        # discount it gave (`recalculate_coupons`).
        amount = Decimal(str(line["nominal_amount"]))
        if not amount:
            return Terms(line["code"], "fixed_cart", Decimal(line["discount"]))
        return Terms(line["code"], line["discount_type"], amount)

    def settle_usage(self, order: Row) -> None:
        """`wc_update_coupon_usage_counts`: count the order's coupons once while it is live, give them back once
        it is cancelled, failed or trashed (`orders-money-04-coupon-after-pending-order.json`)."""
        counted = order["id"] in self._counted
        live = order["status"] not in UNCOUNTED_STATUSES
        if live == counted:
            return
        for line in order["coupon_lines"]:
            coupon = self.store.coupons.find_by_code(line["code"])
            if coupon is None:
                continue
            if live:
                self.store.coupons.count_use(coupon, _used_by(order))
            else:
                self.store.coupons.uncount_use(coupon, _used_by(order))
        if live:
            self._counted.add(order["id"])
        else:
            self._counted.discard(order["id"])

    def forget(self, order_id: int) -> None:
        self._counted.discard(order_id)


def _used_by(order: Row) -> str:
    """A registered customer is counted by user id, a guest by billing e-mail (`orders-money-08-…`)."""
    return str(order["customer_id"]) if order["customer_id"] else order["billing"]["email"]


def _missing(code: str) -> ApiError:
    escaped = html.escape(code, quote=False).replace('"', "&quot;").replace("'", "&#039;")  # esc_html
    return ApiError(400, "woocommerce_rest_invalid_coupon", f'Coupon "{escaped}" does not exist!')
