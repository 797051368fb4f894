"""Coupon discounts on an order's product lines, in cents, as WooCommerce's `WC_Discounts` computes them.

Follows `plugins/woocommerce/includes/class-wc-discounts.php`: lines are taken most expensive first, each coupon sees
what earlier coupons left of a line, a percent coupon floors each line's share and hands the missing cents out one
at a time, a fixed cart coupon splits its amount per unit and recurses on what is left. Discounts are not applied
sequentially (the store default `woocommerce_calc_discounts_sequentially = no`), and no coupon here has product or
usage restrictions (the sandbox refuses to create such coupons). Shipping and fees are never discounted
(`orders-money-07-coupon-with-shipping-and-fee.json`).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_DOWN, ROUND_HALF_UP, Decimal

DISCOUNT_TYPES = ["percent", "fixed_cart", "fixed_product"]


@dataclass(frozen=True)
class Line:
    key: int            # the order item id
    quantity: int
    price: Decimal      # the line subtotal in cents (not per unit), as `set_items_from_order` sets it


@dataclass(frozen=True)
class Terms:
    code: str
    discount_type: str
    amount: Decimal     # a percentage, or an amount in the store currency


class Discounts:
    """One `WC_Discounts` run over an order: apply coupons in order, then read the cents per coupon and per line."""

    def __init__(self, lines: list[Line]) -> None:
        # `sort_by_price` compares price × quantity, highest first; PHP's sort is stable since 8.0.
        self.lines = sorted(lines, key=lambda line: line.price * line.quantity, reverse=True)
        self.by_coupon: dict[str, dict[int, Decimal]] = {}

    def apply(self, terms: Terms) -> None:
        given = self.by_coupon.setdefault(terms.code, {line.key: Decimal(0) for line in self.lines})
        lines = [line for line in self.lines if self._left(line) != 0 and line.quantity > 0]
        if terms.discount_type == "percent":
            self._percent(given, lines, terms.amount)
        elif terms.discount_type == "fixed_product":
            self._fixed_product(given, lines, terms.amount * 100)
        else:
            self._fixed_cart(given, lines, terms.amount * 100)

    def per_line(self) -> dict[int, Decimal]:
        """Cents taken off each line by all coupons together."""
        totals = {line.key: Decimal(0) for line in self.lines}
        for given in self.by_coupon.values():
            for key, cents in given.items():
                totals[key] += cents
        return totals

    def per_coupon(self) -> dict[str, Decimal]:
        return {code: sum(given.values(), Decimal(0)) for code, given in self.by_coupon.items()}

    def _left(self, line: Line) -> Decimal:
        """`get_discounted_price_in_cents`: what is left of the line after the coupons applied so far."""
        taken = sum((given.get(line.key, Decimal(0)) for given in self.by_coupon.values()), Decimal(0))
        return abs((line.price - taken).quantize(Decimal(1), ROUND_HALF_UP))

    def _percent(self, given: dict[int, Decimal], lines: list[Line], percent: Decimal) -> None:
        total = cart_total = Decimal(0)
        for line in lines:
            left = self._left(line)
            price = line.price.quantize(Decimal(1), ROUND_HALF_UP)
            discount = min(left, (price * percent / 100).to_integral_value(ROUND_FLOOR))
            cart_total += price
            total += discount
            given[line.key] += discount
        # The lines' floored shares can fall short of the whole cart's share (rounded half down, as
        # `wc_round_discount` does); the missing cents go out one by one.
        whole = (cart_total * percent / 100).quantize(Decimal(1), ROUND_HALF_DOWN)
        if total < whole:
            self._remainder(given, lines, whole - total)

    def _fixed_product(self, given: dict[int, Decimal], lines: list[Line], per_unit: Decimal) -> Decimal:
        total = Decimal(0)
        for line in lines:
            discount = min(self._left(line), per_unit * line.quantity)
            total += discount
            given[line.key] += discount
        return total

    def _fixed_cart(self, given: dict[int, Decimal], lines: list[Line], amount: Decimal) -> Decimal:
        lines = [line for line in lines if self._left(line) > 0]
        units = sum(line.quantity for line in lines)
        if not units or not amount:
            return Decimal(0)
        per_unit = (amount / units).to_integral_value(ROUND_FLOOR)
        if per_unit > 0:
            total = self._fixed_product(given, lines, per_unit)
            if 0 < total < amount:
                total += self._fixed_cart(given, lines, amount - total)
            return total
        return self._remainder(given, lines, amount) if amount > 0 else Decimal(0)

    def _remainder(self, given: dict[int, Decimal], lines: list[Line], amount: Decimal) -> Decimal:
        """`apply_coupon_remainder`: one cent per unit, line by line, until `amount` is given."""
        total = Decimal(0)
        for line in lines:
            for _ in range(line.quantity):
                cent = min(self._left(line), Decimal(1))
                total += cent
                given[line.key] += cent
                if total >= amount:
                    return total
        return total
