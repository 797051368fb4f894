"""What DTL functions share, from the conventions of Sesam's function pages (`hub/dtl/dtl-functions-*.rst`).

VALUES may be one value or a list: a function given a list answers with a list, one given a single value with a single
value (or null); values a function cannot use "are silently ignored"; `is-*` functions look at a value or at the
first element of a list; the optional FUNCTION of casts such as `boolean`, `integer` and `json-parse` is evaluated with
`_.` bound to each unparsable value and replaces it. Typed values stay transit strings (`"~f1.5"`, `"~t…"`,
`"~:ns:id"`, `"~r…"`, `"~u…"`) and are decoded only to compute.
"""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from emulator.dtl.engine import Context, function
from emulator.errors import DTLError
from emulator.values import DECIMAL_PREFIX


IGNORED = object()


def check_arguments(args: list[Any], counts: tuple[int, ...], name: str) -> None:
    if len(args) not in counts:
        raise DTLError(f"{name} takes {' or '.join(map(str, counts))} argument(s), got {len(args)}")


def each(values: Any, convert: Callable[[Any], Any]) -> Any:
    """Apply `convert` map-style; `IGNORED` results are left out (or give null for a single value)."""
    if isinstance(values, list):
        return [c for c in map(convert, values) if c is not IGNORED]
    converted = convert(values)
    return None if converted is IGNORED else converted


def first_value(value: Any) -> Any:
    return (value[0] if value else None) if isinstance(value, list) else value


def with_optional_function(args: list[Any], ctx: Context, name: str) -> tuple[Any | None, Any]:
    """(FUNCTION expression or None, evaluated VALUES) for `[name, FUNCTION?, VALUES]`."""
    check_arguments(args, (1, 2), name)
    return (args[0] if len(args) == 2 else None), ctx.evaluate(args[-1])


def converter(name: str, parse: Callable[[Any], Any]) -> None:
    """Register a casting function: non-null values that `parse` rejects (returns `IGNORED`) are ignored, or
    replaced by the optional default expression evaluated with `_.` bound to the value."""

    def call(args: list[Any], ctx: Context) -> Any:
        default, values = with_optional_function(args, ctx, name)

        def convert(value: Any) -> Any:
            if value is None:
                return IGNORED
            parsed = parse(value)
            if parsed is IGNORED and default is not None:
                return ctx.bind(value).evaluate(default)
            return parsed

        return each(values, convert)

    function(name, lazy=True)(call)


def type_test(name: str, test: Callable[[Any], bool]) -> None:
    function(name)(lambda value: test(first_value(value)))


def is_typed(value: Any, prefix: str) -> bool:
    return isinstance(value, str) and value.startswith(prefix)


def is_plain_string(value: Any) -> bool:
    return isinstance(value, str) and not (len(value) > 1 and value[0] == "~" and value[1] in "t:furb")


# --- numbers, shared by `sum` and the math functions ------------------------------------------------------------------


def number_of(value: Any) -> int | float | Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float, Decimal)):
        return value
    if is_typed(value, DECIMAL_PREFIX):
        return Decimal(value[2:])
    return None


def encode_number(value: Any) -> Any:
    return f"{DECIMAL_PREFIX}{value}" if isinstance(value, Decimal) else value


def arithmetic(operation: Callable[[Any, Any], Any], left: Any, right: Any) -> Any:
    a, b = number_of(left), number_of(right)
    if a is None or b is None:
        return None
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        return encode_number(operation(Decimal(str(a)), Decimal(str(b))))
    return operation(a, b)
