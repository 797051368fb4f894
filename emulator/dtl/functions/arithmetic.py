"""Math (dtl-functions-math.rst): map-style `plus`…`pow`, natural-order `+`…`^`, rounding."""
from __future__ import annotations

import math
from collections.abc import Callable
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from typing import Any

from emulator.dtl.engine import function
from emulator.dtl.functions.arguments import IGNORED, arithmetic, each, encode_number, first_value, number_of


def _divide(a: Any, b: Any) -> Any:
    if b == 0:
        return None
    if isinstance(a, int) and isinstance(b, int) and a % b == 0:
        return a // b
    return a / b


_OPERATIONS: dict[str, Callable[[Any, Any], Any]] = {
    "plus": lambda a, b: a + b, "minus": lambda a, b: a - b, "multiply": lambda a, b: a * b,
    "divide": _divide, "mod": lambda a, b: a % b if b else None, "pow": lambda a, b: a ** b,
}


def _map_style(name: str, operation: Callable[[Any, Any], Any]) -> None:
    """`[name, OPERAND, VALUES]` applies OPERAND to each value: `["minus", 10, 12]` is 12 - 10."""

    def call(operand: Any, values: Any) -> Any:
        first_operand = first_value(operand)
        return each(values, lambda v: IGNORED if number_of(v) is None else arithmetic(operation, v, first_operand))

    function(name)(call)


def _natural(name: str, operation: Callable[[Any, Any], Any]) -> None:
    """The symbolic operators take the first value of each argument in natural order."""
    function(name)(lambda left, right: arithmetic(operation, first_value(left), first_value(right)))


for _name, _operation in _OPERATIONS.items():
    _map_style(_name, _operation)
for _symbol, _name in (("+", "plus"), ("-", "minus"), ("*", "multiply"), ("/", "divide"), ("%", "mod"), ("^", "pow")):
    _natural(_symbol, _OPERATIONS[_name])


def _rounding(name: str, mode: str) -> None:
    """`[name, DIGITS?, VALUES]`; with no DIGITS (or 0) the result is an integer."""

    def call(*args: Any) -> Any:
        digits, values = (0, args[0]) if len(args) == 1 else (args[0], args[1])

        def convert(value: Any) -> Any:
            number = number_of(value)
            if number is None:
                return IGNORED
            rounded = Decimal(str(number)).quantize(Decimal(1).scaleb(-digits), rounding=mode)
            if digits == 0:
                return int(rounded)
            return encode_number(rounded) if isinstance(number, Decimal) else float(rounded)

        return each(values, convert)

    function(name)(call)


_rounding("round", ROUND_HALF_EVEN)
_rounding("ceil", ROUND_CEILING)
_rounding("floor", ROUND_FLOOR)
function("abs")(lambda values: each(
    values, lambda v: IGNORED if (n := number_of(v)) is None else encode_number(abs(n))))
function("sqrt")(lambda values: each(values, lambda v: IGNORED if number_of(v) is None else (
    math.sqrt(number_of(v)) if number_of(v) >= 0 else None)))
