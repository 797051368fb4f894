"""Money as WooCommerce shows it: 2-decimal strings in USD, plus the storefront's price HTML."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

ZERO = Decimal("0")


def parse_money(value: str | int | float | None) -> Decimal | None:
    """A price field's value, or None for "" (no price); garbage counts as no price, as `wc_format_decimal` does."""
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def format_money(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('0.01')):.2f}"


def format_decimal(amount: Decimal) -> str:
    """`wc_format_decimal` without a precision: no trailing zeros ("4", "3.5", "0")."""
    text = f"{amount:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def unit_price(total: Decimal, quantity: int) -> int | float:
    """Line `price` = total / quantity as a JSON number; PHP divides numeric strings to an int when exact."""
    if quantity == 0:
        return 0
    exact = total / quantity
    return int(exact) if exact == exact.to_integral_value() else float(total) / quantity


def _amount_html(amount: Decimal) -> str:
    return ('<span class="woocommerce-Price-amount amount"><bdi><span class="woocommerce-Price-currencySymbol">'
            f"&#36;</span>{format_money(amount)}</bdi></span>")


def price_html(regular: Decimal | None, price: Decimal | None, on_sale: bool) -> str:
    """`price_html` of a simple product or variation (`products-get-simple.json`)."""
    if price is None:
        return ""
    if on_sale and regular is not None:
        return (f'<del aria-hidden="true">{_amount_html(regular)}</del> <span class="screen-reader-text">'
                f"Original price was: &#036;{format_money(regular)}.</span><ins aria-hidden=\"true\">"
                f"{_amount_html(price)}</ins><span class=\"screen-reader-text\">Current price is: "
                f"&#036;{format_money(price)}.</span>")
    return _amount_html(price)


def range_html(low: Decimal, high: Decimal) -> str:
    """`price_html` of a variable product (`products-get-variable-after-variation-update.json`)."""
    if low == high:
        return _amount_html(low)
    return f"{_amount_html(low)} &ndash; {_amount_html(high)}"
