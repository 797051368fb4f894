"""An order's totals from its stored lines, as `WC_Abstract_Order::calculate_totals` computes them (no taxes here).

`total` = line totals + fees + shipping; `discount_total` = Σ(line subtotal − line total), so a coupon and a
hand-lowered line total both count as discount while a negative fee does not (`orders-create.json`,
`orders-create-negative-fee.json`, `orders-money-03-order-with-coupon.json`).
"""
from __future__ import annotations

from decimal import Decimal

from .money import ZERO, format_money
from .table import Row


def recalculate(row: Row) -> None:
    lines = row["line_items"]
    subtotal = sum((Decimal(i["subtotal"]) for i in lines), ZERO)
    items_total = sum((Decimal(i["total"]) for i in lines), ZERO)
    shipping = sum((Decimal(i["total"]) for i in row["shipping_lines"]), ZERO)
    fees = ZERO
    for fee in row["fee_lines"]:
        # A negative fee may take the order down to zero, no further: the fee itself is lowered
        # (abstract-wc-order.php `calculate_totals`).
        floor = -(items_total + fees + shipping)
        if Decimal(fee["total"]) < floor < 0:
            fee["total"] = format_money(floor)
        fees += Decimal(fee["total"])
    row["discount_total"] = format_money(subtotal - items_total)
    row["shipping_total"] = format_money(shipping)
    row["total"] = format_money(items_total + fees + shipping)
