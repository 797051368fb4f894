"""Comparisons, boolean logic, conditionals and nulls (dtl-functions-comparisons.rst, -boolean-logic.rst,
-conditionals.rst, -nulls.rst)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from emulator.dtl.engine import Context, function, is_true
from emulator.dtl.functions.arguments import check_arguments, first_value, with_optional_function
from emulator.errors import DTLError
from emulator.values import as_list, same_value, sort_key


# --- comparisons and boolean logic (dtl-functions-comparisons.rst, dtl-functions-boolean-logic.rst) --------------


@function("eq")
def eq(left: Any, right: Any) -> bool:
    """"Coerces the values … into lists and compares those lists" (exact match, not intersection; `true` is not 1)."""
    return same_value(as_list(left), as_list(right))


@function("neq")
def neq(left: Any, right: Any) -> bool:
    return not eq(left, right)


def _compare_first(left: Any, right: Any) -> int | None:
    """gt/gte/lt/lte compare "the *first value* returned by the two value expressions"."""
    a, b = first_value(left), first_value(right)
    if a is None or b is None:
        return None
    ka, kb = sort_key(a), sort_key(b)
    return (ka > kb) - (ka < kb)


for _name, _holds in (("gt", lambda c: c > 0), ("gte", lambda c: c >= 0), ("lt", lambda c: c < 0),
                      ("lte", lambda c: c <= 0)):
    function(_name)(lambda left, right, holds=_holds: (c := _compare_first(left, right)) is not None and holds(c))


@function("and", lazy=True)
def and_(args: list[Any], ctx: Context) -> bool:
    return all(is_true(ctx.evaluate(arg)) for arg in args)


@function("or", lazy=True)
def or_(args: list[Any], ctx: Context) -> bool:
    return any(is_true(ctx.evaluate(arg)) for arg in args)


@function("not", lazy=True)
def not_(args: list[Any], ctx: Context) -> bool:
    """"It behaves like `and`, but returns the inverse."""
    return not and_(args, ctx)


def _quantifier(name: str, combine: Callable[[Any], bool]) -> None:
    def call(args: list[Any], ctx: Context) -> bool:
        test, values = with_optional_function(args, ctx, name)
        if test is None:
            # `["all", ["list", 1, 2, 3]]` "Returns true because all arguments evaluate to true"
            return combine(is_true(v) for v in as_list(values))
        return combine(is_true(ctx.bind(v).evaluate(test)) for v in as_list(values))

    function(name, lazy=True)(call)


_quantifier("all", all)
_quantifier("any", any)


# --- conditionals (dtl-functions-conditionals.rst) ----------------------------------------------------------------


@function("if", lazy=True)
def if_(args: list[Any], ctx: Context) -> Any:
    check_arguments(args, (2, 3), "if")
    if is_true(ctx.evaluate(args[0])):
        return ctx.evaluate(args[1])
    return ctx.evaluate(args[2]) if len(args) == 3 else None


def _first_match(pairs: list[Any], matches: Callable[[Any], bool], ctx: Context) -> Any:
    for index in range(0, len(pairs) - 1, 2):
        if matches(pairs[index]):
            return ctx.evaluate(pairs[index + 1])
    return ctx.evaluate(pairs[-1]) if len(pairs) % 2 else None


@function("case", lazy=True)
def case(args: list[Any], ctx: Context) -> Any:
    return _first_match(args, lambda condition: is_true(ctx.evaluate(condition)), ctx)


@function("case-eq", lazy=True)
def case_eq(args: list[Any], ctx: Context) -> Any:
    if not args:
        raise DTLError("case-eq takes VALUE, then VALUE_N/THEN pairs and an optional ELSE")
    value = ctx.evaluate(args[0])
    return _first_match(args[1:], lambda candidate: same_value(ctx.evaluate(candidate), value), ctx)


# --- nulls (dtl-functions-nulls.rst) ------------------------------------------------------------------------------


@function("is-null")
def is_null(value: Any) -> bool:
    """True for null, an empty list, or a list whose first element is null."""
    return first_value(value) is None


@function("is-not-null")
def is_not_null(value: Any) -> bool:
    return not is_null(value)


@function("if-null")
def if_null(value: Any, fallback: Any) -> Any:
    return fallback if is_null(value) else value


@function("coalesce", lazy=True)
def coalesce(args: list[Any], ctx: Context) -> Any:
    test, values = with_optional_function(args, ctx, "coalesce")
    for value in as_list(values):
        if (test is None and value is not None) or (test is not None and is_true(ctx.bind(value).evaluate(test))):
            return value
    return None


@function("is-changed", lazy=True)
def is_changed(args: list[Any], ctx: Context) -> bool | None:
    """True when FUNCTION gives another result on the source entity's previous version; null without a previous
    version (or outside a dataset source); true when either version is deleted (dtl-functions-misc.rst)."""
    check_arguments(args, (1,), "is-changed")
    if ctx.env.previous_version is None or not isinstance(ctx.source, dict):
        return None
    previous = ctx.env.previous_version(ctx.source)
    if previous is None:
        return None
    if ctx.source.get("_deleted") is True or previous.get("_deleted") is True:
        return True
    return ctx.bind(ctx.source).evaluate(args[0]) != ctx.bind(previous).evaluate(args[0])
