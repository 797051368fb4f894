"""Lists and sets (dtl-functions-lists.rst, dtl-functions-sets.rst)."""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from emulator.dtl.engine import Context, function, is_true
from emulator.dtl.functions.arguments import arithmetic, check_arguments, first_value, number_of, with_optional_function
from emulator.errors import DTLError
from emulator.values import as_list, contains, flatten_once, sort_key


@function("list")
def list_(*values: Any) -> list[Any]:
    return list(values)


@function("combine")
def combine(*values: Any) -> list[Any]:
    return flatten_once(list(values))


@function("first")
def first(values: Any) -> Any:
    return first_value(values)


@function("last")
def last(values: Any) -> Any:
    return (values[-1] if values else None) if isinstance(values, list) else values


@function("nth")
def nth(index: int, values: Any) -> Any:
    if not isinstance(values, list):
        return values if index == 0 else None
    return values[index] if -len(values) <= index < len(values) else None


@function("count")
def count(values: Any) -> int:
    return len(as_list(values))


@function("is-empty")
def is_empty(value: Any) -> bool:
    return len(as_list(value)) == 0


@function("is-not-empty")
def is_not_empty(value: Any) -> bool:
    return len(as_list(value)) > 0


@function("flatten")
def flatten(values: Any) -> list[Any]:
    """One level only: "Note that it does *not* do so recursively"."""
    return flatten_once(as_list(values))


@function("reversed")
def reversed_(values: Any) -> Any:
    return list(reversed(values)) if isinstance(values, list) else values


@function("range")
def range_(start: int, stop: int, step: int = 1) -> list[int]:
    if step == 0:
        raise DTLError("range: STEP cannot be 0")
    return list(range(start, stop, step))


@function("slice")
def slice_(*args: Any) -> list[Any]:
    start, end, stride, values = (list(args[:-1]) + [None, None])[:3] + [args[-1]]
    return as_list(values)[start:end:stride]


@function("in")
def in_(values: Any, items: Any) -> bool:
    """True if every value in VALUES is in ITEMS; false for null or empty VALUES."""
    wanted, pool = as_list(values), as_list(items)
    return bool(wanted) and all(contains(pool, value) for value in wanted)


def _keyed(name: str, action: Callable[[list[Any], list[Any]], Any], keep_single: bool = False) -> None:
    """Functions taking an optional key FUNCTION and VALUES: `action(values, keys)`. With `keep_single`, a VALUES
    that is not a list is returned as it is (`sorted`: "If VALUES is not a list, then VALUES is returned")."""

    def call(args: list[Any], ctx: Context) -> Any:
        key, values = with_optional_function(args, ctx, name)
        if keep_single and not isinstance(values, list):
            return values
        items = as_list(values)
        keys = [ctx.bind(v).evaluate(key) for v in items] if key is not None else items
        return action(items, keys)

    function(name, lazy=True)(call)


def _ordered(items: list[Any], keys: list[Any], descending: bool) -> list[Any]:
    return [item for _, item in sorted(zip(keys, items), key=lambda pair: sort_key(pair[0]), reverse=descending)]


def _distinct(items: list[Any], keys: list[Any]) -> list[Any]:
    seen: list[Any] = []
    kept = []
    for item, key in zip(items, keys):
        if not contains(seen, key):
            seen.append(key)
            kept.append(item)
    return kept


def _extreme(items: list[Any], keys: list[Any], pick: Callable[..., Any]) -> Any:
    pairs = [(k, i) for k, i in zip(keys, items) if k is not None]
    return pick(pairs, key=lambda pair: sort_key(pair[0]))[1] if pairs else None


_keyed("sorted", lambda items, keys: _ordered(items, keys, False), keep_single=True)
_keyed("sorted-descending", lambda items, keys: _ordered(items, keys, True), keep_single=True)
_keyed("distinct", _distinct)
_keyed("min", lambda items, keys: _extreme(items, keys, min))
_keyed("max", lambda items, keys: _extreme(items, keys, max))


@function("map", lazy=True)
def map_(args: list[Any], ctx: Context) -> list[Any]:
    check_arguments(args, (2,), "map")
    return [ctx.bind(value).evaluate(args[0]) for value in as_list(ctx.evaluate(args[1]))]


@function("filter", lazy=True)
def filter_(args: list[Any], ctx: Context) -> list[Any]:
    check_arguments(args, (2,), "filter")
    return [value for value in as_list(ctx.evaluate(args[1])) if is_true(ctx.bind(value).evaluate(args[0]))]


@function("group-by", lazy=True)
def group_by(args: list[Any], ctx: Context) -> dict[str, list[Any]]:
    """Keys are JSON strings of the group key unless STRING_FUNCTION gives them."""
    check_arguments(args, (2, 3), "group-by")
    groups: dict[str, list[Any]] = {}
    for value in as_list(ctx.evaluate(args[-1])):
        key = ctx.bind(value).evaluate(args[0])
        text = ctx.bind(key).evaluate(args[1]) if len(args) == 3 else json.dumps(key)
        groups.setdefault(text, []).append(value)
    return groups


@function("enumerate")
def enumerate_(*args: Any) -> Any:
    start, values = (0, args[0]) if len(args) == 1 else (args[0], args[1])
    if not isinstance(values, list):
        return {"key": start, "value": values}
    return [{"key": start + index, "value": value} for index, value in enumerate(values)]


@function("sum")
def sum_(values: Any) -> Any:
    total: Any = 0
    for value in as_list(values):
        if number_of(value) is not None:
            total = arithmetic(lambda a, b: a + b, total, value)
    return total


# --- sets (dtl-functions-sets.rst): both arguments are coerced into sets; results are lists of distinct values ----


def _distinct_values(values: Any) -> list[Any]:
    return _distinct(as_list(values), as_list(values))


function("union")(lambda left, right: _distinct_values(as_list(left) + as_list(right)))
function("intersection")(lambda left, right: [v for v in _distinct_values(left) if v in as_list(right)])
function("difference")(lambda left, right: [v for v in _distinct_values(left) if v not in as_list(right)])
function("intersects")(lambda left, right: any(v in as_list(right) for v in as_list(left)))


@function("insert")
def insert(index: int, values: Any, item: Any) -> list[Any]:
    result = as_list(values)
    result.insert(index, item)
    return result


@function("group", lazy=True)
def group(args: list[Any], ctx: Context) -> list[list[Any]]:
    """KEY_FUNCTION, VALUE_FUNCTION, VALUES: `[group-key, grouped-values]` pairs in the order keys first appear."""
    check_arguments(args, (3,), "group")
    groups: list[list[Any]] = []
    for value in as_list(ctx.evaluate(args[2])):
        key, grouped = ctx.bind(value).evaluate(args[0]), ctx.bind(value).evaluate(args[1])
        found = next((pair for pair in groups if pair[0] == key), None)
        if found is None:
            groups.append([key, [grouped]])
        else:
            found[1].append(grouped)
    return groups
