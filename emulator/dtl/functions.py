"""DTL expression functions, grouped and specified as in Sesam's docs (`hub/dtl/dtl-functions-*.rst`).

Conventions taken from those pages: VALUES may be one value or a list, and a function given a list answers with a
list while one given a single value answers with a single value (or null); values a function cannot use "are
silently ignored"; `is-*` functions look at a value or at the first element of a list; the optional FUNCTION of
`boolean`, `integer`, `json-parse`, … is evaluated with `_.` bound to each unparsable value and replaces it.
Typed values stay transit strings (`"~f1.5"`, `"~t…"`, `"~:ns:id"`, `"~r…"`, `"~u…"`) and are decoded only to compute.
"""
from __future__ import annotations

import json
import math
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal, InvalidOperation
from fnmatch import fnmatchcase
from itertools import product
from typing import Any
from urllib.parse import quote, unquote

from emulator.dtl.engine import Context, function, is_true
from emulator.dtl.murmur import murmur3_128
from emulator.errors import DTLError
from emulator.namespaces import matches_property
from emulator.values import DATETIME_PREFIX, DECIMAL_PREFIX, as_list, flatten_once, is_ni, make_ni, sort_key, split_ni

_IGNORED = object()


def _arguments(args: list[Any], counts: tuple[int, ...], name: str) -> None:
    if len(args) not in counts:
        raise DTLError(f"{name} takes {' or '.join(map(str, counts))} argument(s), got {len(args)}")


def _each(values: Any, convert: Callable[[Any], Any]) -> Any:
    """Apply `convert` map-style; `_IGNORED` results are left out (or give null for a single value)."""
    if isinstance(values, list):
        return [c for c in map(convert, values) if c is not _IGNORED]
    converted = convert(values)
    return None if converted is _IGNORED else converted


def _first(value: Any) -> Any:
    return (value[0] if value else None) if isinstance(value, list) else value


def _with_optional_function(args: list[Any], ctx: Context, name: str) -> tuple[Any | None, Any]:
    """(FUNCTION expression or None, evaluated VALUES) for `[name, FUNCTION?, VALUES]`."""
    _arguments(args, (1, 2), name)
    return (args[0] if len(args) == 2 else None), ctx.evaluate(args[-1])


def _converter(name: str, parse: Callable[[Any], Any]) -> None:
    """Register a casting function: non-null values that `parse` rejects (returns `_IGNORED`) are ignored, or
    replaced by the optional default expression evaluated with `_.` bound to the value."""

    def call(args: list[Any], ctx: Context) -> Any:
        default, values = _with_optional_function(args, ctx, name)

        def convert(value: Any) -> Any:
            if value is None:
                return _IGNORED
            parsed = parse(value)
            if parsed is _IGNORED and default is not None:
                return ctx.bind(value).evaluate(default)
            return parsed

        return _each(values, convert)

    function(name, lazy=True)(call)


def _type_test(name: str, test: Callable[[Any], bool]) -> None:
    function(name)(lambda value: test(_first(value)))


def _is_typed(value: Any, prefix: str) -> bool:
    return isinstance(value, str) and value.startswith(prefix)


def _is_plain_string(value: Any) -> bool:
    return isinstance(value, str) and not (len(value) > 1 and value[0] == "~" and value[1] in "t:furb")


# --- comparisons and boolean logic (dtl-functions-comparisons.rst, dtl-functions-boolean-logic.rst) --------------


@function("eq")
def eq(left: Any, right: Any) -> bool:
    """"Coerces the values … into lists and compares those lists" (exact match, not intersection)."""
    return as_list(left) == as_list(right)


@function("neq")
def neq(left: Any, right: Any) -> bool:
    return not eq(left, right)


def _compare_first(left: Any, right: Any) -> int | None:
    """gt/gte/lt/lte compare "the *first value* returned by the two value expressions"."""
    a, b = _first(left), _first(right)
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


def _trueish(value: Any) -> bool:
    """`["all", ["list", 1, 2, 3]]` "Returns true because all arguments evaluate to true"."""
    return bool(value) and value is not False


def _quantifier(name: str, combine: Callable[[Any], bool]) -> None:
    def call(args: list[Any], ctx: Context) -> bool:
        test, values = _with_optional_function(args, ctx, name)
        return combine(is_true(ctx.bind(v).evaluate(test)) if test is not None else _trueish(v) for v in as_list(values))

    function(name, lazy=True)(call)


_quantifier("all", all)
_quantifier("any", any)


# --- conditionals (dtl-functions-conditionals.rst) ----------------------------------------------------------------


@function("if", lazy=True)
def if_(args: list[Any], ctx: Context) -> Any:
    _arguments(args, (2, 3), "if")
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
    return _first_match(args[1:], lambda candidate: ctx.evaluate(candidate) == value, ctx)


# --- nulls (dtl-functions-nulls.rst) ------------------------------------------------------------------------------


@function("is-null")
def is_null(value: Any) -> bool:
    """True for null, an empty list, or a list whose first element is null."""
    return _first(value) is None


@function("is-not-null")
def is_not_null(value: Any) -> bool:
    return not is_null(value)


@function("if-null")
def if_null(value: Any, fallback: Any) -> Any:
    return fallback if is_null(value) else value


@function("coalesce", lazy=True)
def coalesce(args: list[Any], ctx: Context) -> Any:
    test, values = _with_optional_function(args, ctx, "coalesce")
    for value in as_list(values):
        if (test is None and value is not None) or (test is not None and is_true(ctx.bind(value).evaluate(test))):
            return value
    return None


# --- lists (dtl-functions-lists.rst) ------------------------------------------------------------------------------


@function("list")
def list_(*values: Any) -> list[Any]:
    return list(values)


@function("combine")
def combine(*values: Any) -> list[Any]:
    return flatten_once(list(values))


@function("first")
def first(values: Any) -> Any:
    return _first(values)


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
    return bool(wanted) and all(value in pool for value in wanted)


def _keyed(name: str, action: Callable[[list[Any], list[Any]], Any], keep_single: bool = False) -> None:
    """Functions taking an optional key FUNCTION and VALUES: `action(values, keys)`. With `keep_single`, a VALUES
    that is not a list is returned as it is (`sorted`: "If VALUES is not a list, then VALUES is returned")."""

    def call(args: list[Any], ctx: Context) -> Any:
        key, values = _with_optional_function(args, ctx, name)
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
        if key not in seen:
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
    _arguments(args, (2,), "map")
    return [ctx.bind(value).evaluate(args[0]) for value in as_list(ctx.evaluate(args[1]))]


@function("filter", lazy=True)
def filter_(args: list[Any], ctx: Context) -> list[Any]:
    _arguments(args, (2,), "filter")
    return [value for value in as_list(ctx.evaluate(args[1])) if is_true(ctx.bind(value).evaluate(args[0]))]


@function("group-by", lazy=True)
def group_by(args: list[Any], ctx: Context) -> dict[str, list[Any]]:
    """Keys are JSON strings of the group key unless STRING_FUNCTION gives them."""
    _arguments(args, (2, 3), "group-by")
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
        if _number(value) is not None:
            total = _arithmetic(lambda a, b: a + b, total, value)
    return total


# --- sets (dtl-functions-sets.rst): both arguments are coerced into sets; results are lists of distinct values ----


def _distinct_values(values: Any) -> list[Any]:
    return _distinct(as_list(values), as_list(values))


function("union")(lambda left, right: _distinct_values(as_list(left) + as_list(right)))
function("intersection")(lambda left, right: [v for v in _distinct_values(left) if v in as_list(right)])
function("difference")(lambda left, right: [v for v in _distinct_values(left) if v not in as_list(right)])
function("intersects")(lambda left, right: any(v in as_list(right) for v in as_list(left)))


# --- dictionaries (dtl-functions-dictionaries.rst) ----------------------------------------------------------------


@function("dict")
def dict_(*args: Any) -> dict[str, Any]:
    if len(args) == 1:
        return {pair[0]: pair[1] for pair in as_list(args[0]) if isinstance(pair, list) and len(pair) == 2}
    if len(args) % 2:
        raise DTLError("dict takes no arguments, ITEMS, or KEY, VALUE pairs")
    return {args[i]: args[i + 1] for i in range(0, len(args), 2)}


def _dicts(values: Any) -> list[dict[str, Any]]:
    return [value for value in as_list(values) if isinstance(value, dict)]


@function("items")
def items(values: Any) -> list[list[Any]]:
    return [[key, item] for value in _dicts(values) for key, item in value.items()]


@function("key-values")
def key_values(values: Any) -> Any:
    pairs = [{"key": key, "value": item} for value in _dicts(values) for key, item in value.items()]
    return pairs[0] if isinstance(values, dict) and len(pairs) == 1 else pairs


@function("keys")
def keys(values: Any) -> list[str]:
    return [key for value in _dicts(values) for key in value]


@function("values")
def values_(values: Any) -> list[Any]:
    return [item for value in _dicts(values) for item in value.values()]


@function("path", lazy=True)
def path(args: list[Any], ctx: Context) -> Any:
    _arguments(args, (2,), "path")
    steps = [str(step) for step in as_list(ctx.evaluate(args[0]))]
    values = ctx.evaluate(args[1])
    found: list[Any] = as_list(values)
    for step in steps:
        found = [item for value in found if isinstance(value, dict)
                 for reached in _path_step(ctx, value, step) for item in as_list(reached)]
    found = [value for value in found if value is not None]
    if not isinstance(values, list) and len(found) <= 1:
        return found[0] if found else None
    return found


def _path_step(ctx: Context, value: dict[str, Any], step: str) -> list[Any]:
    """Namespace aware (path, "With namespaced identifiers enabled"): a bare name collects it in every namespace."""
    if not ctx.env.namespaced:
        return [value[step]] if step in value else []
    if step.startswith("::"):
        return [value[step[2:]]] if step[2:] in value else []
    if step.startswith(":"):
        step = f"{ctx.env.property_namespace}{step}"
    if ":" in step:
        return [value[step]] if step in value else []
    return [item for key, item in value.items() if matches_property(key, step, True)]


@function("apply", lazy=True)
def apply(args: list[Any], ctx: Context) -> Any:
    _arguments(args, (2,), "apply")
    rule = ctx.evaluate(args[0])
    sources = ctx.evaluate(args[1])
    results = [result for source in as_list(sources) if (result := ctx.apply_rule(rule, source)) is not None]
    if isinstance(sources, list):
        return results
    return results[0] if results else None


@function("literal", lazy=True)
def literal(args: list[Any], ctx: Context) -> Any:
    _arguments(args, (1,), "literal")
    return args[0]


# --- strings (dtl-functions-strings.rst) --------------------------------------------------------------------------


def _strings(values: Any, convert: Callable[[str], Any]) -> Any:
    return _each(values, lambda v: convert(v) if _is_plain_string(v) else _IGNORED)


function("upper")(lambda values: _strings(values, str.upper))
function("lower")(lambda values: _strings(values, str.lower))
function("length")(lambda values: _strings(values, len))


def _stripper(name: str, strip: Callable[[str, str | None], str]) -> None:
    function(name)(lambda *args: _strings(args[-1], lambda text: strip(text, args[0] if len(args) == 2 else None)))


_stripper("strip", str.strip)
_stripper("lstrip", str.lstrip)
_stripper("rstrip", str.rstrip)


@function("concat")
def concat(*values: Any) -> str:
    return "".join(v for v in flatten_once(list(values)) if _is_plain_string(v))


@function("join")
def join(separator: str, values: Any) -> str:
    return separator.join(v for v in as_list(values) if _is_plain_string(v))


@function("split")
def split(*args: Any) -> Any:
    separator, values = (args[0], args[1]) if len(args) == 2 else (None, args[0])

    def cut(text: str) -> list[str]:
        return list(text) if separator == "" else text.split(separator)

    if isinstance(values, list):
        return [part for text in values if _is_plain_string(text) for part in cut(text)]
    return cut(values) if _is_plain_string(values) else None


@function("replace")
def replace(*args: Any) -> Any:
    if len(args) == 2 and isinstance(args[0], dict):
        replacements, values = args[0], args[1]
    elif len(args) == 3:
        replacements, values = {args[0]: args[1]}, args[2]
    else:
        raise DTLError("replace takes OLD_STRING, NEW_STRING, VALUES or REPLACEMENTS, VALUES")

    def substitute(text: str) -> str:
        for old, new in replacements.items():
            text = text.replace(old, new)
        return text

    return _strings(values, substitute)


@function("substring")
def substring(*args: Any) -> Any:
    start, end = args[0], (args[1] if len(args) == 3 else None)
    return _strings(args[-1], lambda text: text[start:end])


@function("matches")
def matches(pattern: Any, values: Any) -> bool:
    candidates = as_list(values)
    text = _first(pattern)
    return bool(candidates) and all(_is_plain_string(v) and fnmatchcase(v, text) for v in candidates)


def _to_string(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_ni(value):
        namespace, identifier = split_ni(value)
        return f"{namespace}:{identifier}" if namespace else identifier
    if isinstance(value, str):
        return value[2:] if not _is_plain_string(value) else value
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return str(value)


function("string")(lambda values: _each(values, lambda v: _IGNORED if v is None else _to_string(v)))


@function("url-quote")
def url_quote(*args: Any) -> Any:
    safe, values = (args[0], args[1]) if len(args) == 2 else ("", args[0])
    return _strings(values, lambda text: quote(text, safe=safe))


function("url-unquote")(lambda values: _strings(values, unquote))

# --- types ----------------------------------------------------------------------------------------------------------

_type_test("is-string", _is_plain_string)
function("is-list")(lambda value: isinstance(value, list))
_type_test("is-dict", lambda value: isinstance(value, dict))
_type_test("is-boolean", lambda value: isinstance(value, bool))
_type_test("is-integer", lambda value: isinstance(value, int) and not isinstance(value, bool))
_type_test("is-float", lambda value: isinstance(value, float))
_type_test("is-decimal", lambda value: _is_typed(value, DECIMAL_PREFIX))
_type_test("is-datetime", lambda value: _is_typed(value, DATETIME_PREFIX))
_type_test("is-ni", is_ni)
_type_test("is-uri", lambda value: _is_typed(value, "~r"))
_type_test("is-uuid", lambda value: _is_typed(value, "~u"))


def _parse_boolean(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if _is_plain_string(value) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return _IGNORED


def _parse_integer(value: Any) -> Any:
    if isinstance(value, bool):
        return _IGNORED
    if isinstance(value, (int, float)):
        return int(value)
    if _is_typed(value, DECIMAL_PREFIX):
        return int(Decimal(value[2:]))
    if _is_plain_string(value):
        text = value.strip()
        if text.lower().startswith("0x"):  # "parsed as hexadecimal values in two's complement format"
            digits = text[2:]
            number = int(digits, 16)
            return number - (1 << (4 * len(digits))) if number >= 1 << (4 * len(digits) - 1) else number
        try:
            return int(text)
        except ValueError:
            return _IGNORED
    return _IGNORED


def _parse_decimal(value: Any) -> Any:
    if isinstance(value, bool):
        return _IGNORED
    if isinstance(value, (int, float)):
        return f"{DECIMAL_PREFIX}{Decimal(str(value))}"
    if _is_typed(value, DECIMAL_PREFIX):
        return value
    if _is_plain_string(value):
        try:
            return f"{DECIMAL_PREFIX}{Decimal(value.strip())}"
        except InvalidOperation:
            return _IGNORED
    return _IGNORED


def _parse_float(value: Any) -> Any:
    number = _number(value) if not isinstance(value, str) or _is_plain_string(value) or _is_typed(value, DECIMAL_PREFIX) else None
    if number is None and _is_plain_string(value):
        try:
            number = float(value)
        except ValueError:
            number = None
    return _IGNORED if number is None else float(number)


def _parse_json(value: Any) -> Any:
    try:
        return json.loads(value) if isinstance(value, str) else _IGNORED
    except ValueError:
        return _IGNORED


_converter("boolean", _parse_boolean)
_converter("integer", _parse_integer)
_converter("decimal", _parse_decimal)
_converter("float", _parse_float)
_converter("json-parse", _parse_json)


@function("json")
def json_(values: Any) -> Any:
    def encode(value: Any) -> str:
        return value[2:] if isinstance(value, str) and not _is_plain_string(value) else json.dumps(value, sort_keys=True)
    return _each(values, encode)


# --- math (dtl-functions-math.rst) ----------------------------------------------------------------------------------


def _number(value: Any) -> int | float | Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float, Decimal)):
        return value
    if _is_typed(value, DECIMAL_PREFIX):
        return Decimal(value[2:])
    return None


def _encode_number(value: Any) -> Any:
    return f"{DECIMAL_PREFIX}{value}" if isinstance(value, Decimal) else value


def _arithmetic(operation: Callable[[Any, Any], Any], left: Any, right: Any) -> Any:
    a, b = _number(left), _number(right)
    if a is None or b is None:
        return None
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        return _encode_number(operation(Decimal(str(a)), Decimal(str(b))))
    return operation(a, b)


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
        first_operand = _first(operand)
        return _each(values, lambda v: _IGNORED if _number(v) is None else _arithmetic(operation, v, first_operand))

    function(name)(call)


def _natural(name: str, operation: Callable[[Any, Any], Any]) -> None:
    """The symbolic operators take the first value of each argument in natural order."""
    function(name)(lambda left, right: _arithmetic(operation, _first(left), _first(right)))


for _name, _operation in _OPERATIONS.items():
    _map_style(_name, _operation)
for _symbol, _name in (("+", "plus"), ("-", "minus"), ("*", "multiply"), ("/", "divide"), ("%", "mod"), ("^", "pow")):
    _natural(_symbol, _OPERATIONS[_name])


def _rounding(name: str, mode: str) -> None:
    """`[name, DIGITS?, VALUES]`; with no DIGITS (or 0) the result is an integer."""

    def call(*args: Any) -> Any:
        digits, values = (0, args[0]) if len(args) == 1 else (args[0], args[1])

        def convert(value: Any) -> Any:
            number = _number(value)
            if number is None:
                return _IGNORED
            rounded = Decimal(str(number)).quantize(Decimal(1).scaleb(-digits), rounding=mode)
            if digits == 0:
                return int(rounded)
            return _encode_number(rounded) if isinstance(number, Decimal) else float(rounded)

        return _each(values, convert)

    function(name)(call)


_rounding("round", ROUND_HALF_EVEN)
_rounding("ceil", ROUND_CEILING)
_rounding("floor", ROUND_FLOOR)
function("abs")(lambda values: _each(values, lambda v: _IGNORED if _number(v) is None else _encode_number(abs(_number(v)))))
function("sqrt")(lambda values: _each(values, lambda v: _IGNORED if _number(v) is None else (
    math.sqrt(_number(v)) if _number(v) >= 0 else None)))


# --- date and time (dtl-functions-date-and-time.rst) ----------------------------------------------------------------


def encode_datetime(moment: datetime) -> str:
    moment = moment.astimezone(timezone.utc) if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}".rstrip("0")
    return f"{DATETIME_PREFIX}{text}Z"


def decode_datetime(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    text = value[2:] if value.startswith(DATETIME_PREFIX) else value
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    head, dot, rest = text.partition(".")
    if dot:  # Sesam keeps nanoseconds; Python keeps microseconds
        digits = "".join(c for c in rest if c.isdigit())
        text = f"{head}.{digits[:6].ljust(6, '0')}{rest[len(digits):]}"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def _parse_datetime(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):  # "nanoseconds since 1970-01-01T00:00:00Z"
        return encode_datetime(datetime.fromtimestamp(value / 1e9, tz=timezone.utc))
    moment = decode_datetime(value) if isinstance(value, str) and (
        _is_plain_string(value) or _is_typed(value, DATETIME_PREFIX)) else None
    return _IGNORED if moment is None else encode_datetime(moment)


_converter("datetime", _parse_datetime)


@function("now")
def now() -> str:
    return encode_datetime(datetime.now(timezone.utc))


def _timezone_and_format(args: tuple[Any, ...], name: str) -> tuple[str, Any]:
    if len(args) == 3:
        if args[0] != "UTC":
            raise DTLError(f"{name}: only the UTC timezone is supported by the emulator, got {args[0]!r}")
        return args[1], args[2]
    if len(args) != 2:
        raise DTLError(f"{name} takes TIMEZONE_NAME?, FORMATSTRING and VALUES")
    return args[0], args[1]


@function("datetime-parse")
def datetime_parse(*args: Any) -> Any:
    pattern, values = _timezone_and_format(args, "datetime-parse")

    def parse(value: Any) -> Any:
        try:
            return encode_datetime(datetime.strptime(value, pattern)) if _is_plain_string(value) else _IGNORED
        except ValueError:
            return _IGNORED

    return _each(values, parse)


@function("datetime-format")
def datetime_format(*args: Any) -> Any:
    pattern, values = _timezone_and_format(args, "datetime-format")
    return _each(values, lambda v: (m := decode_datetime(v)) and m.strftime(pattern) if _is_typed(v, DATETIME_PREFIX) else _IGNORED)


# --- namespaced identifiers (dtl-functions-namespaced-identifiers.rst) ----------------------------------------------


@function("ni")
def ni(*args: Any) -> Any:
    namespace, values = (None, args[0]) if len(args) == 1 else (args[0], args[1])
    return _each(values, lambda v: v if is_ni(v) else (make_ni(namespace, v) if _is_plain_string(v) else _IGNORED))


def _ni_parts(value: Any) -> tuple[str, str] | None:
    if is_ni(value):
        namespace, identifier = split_ni(value)
        return namespace or "", identifier
    if _is_plain_string(value):
        namespace, sep, identifier = value.partition(":")
        return (namespace, identifier) if sep else ("", value)
    return None


function("ni-ns")(lambda values: _each(values, lambda v: p[0] if (p := _ni_parts(v)) else _IGNORED))
function("ni-id")(lambda values: _each(values, lambda v: p[1] if (p := _ni_parts(v)) else _IGNORED))


# --- misc (dtl-functions-misc.rst, dtl-functions-uuids.rst) ---------------------------------------------------------


@function("uuid")
def uuid_(*args: Any) -> Any:
    if not args:
        return f"~u{uuid.uuid4()}"

    def cast(value: Any) -> Any:
        try:
            return f"~u{uuid.UUID(value)}" if _is_plain_string(value) else _IGNORED
        except ValueError:
            return _IGNORED

    return _each(args[0], cast)


@function("hash128")
def hash128(algorithm: str, *args: Any) -> Any:
    if algorithm != "murmur3":
        raise DTLError(f"hash128: the only supported algorithm is 'murmur3', got {algorithm!r}")
    seed, values = (0, args[0]) if len(args) == 1 else (args[0], args[1])
    return _each(values, lambda v: murmur3_128(v.encode("utf-8"), seed) if isinstance(v, str) else _IGNORED)


@function("tuples")
def tuples(*values: Any) -> list[list[Any]]:
    if not values:
        return []
    return [list(combination) for combination in product(*[[v for v in as_list(x) if v is not None] for x in values])]


@function("fail!")
def fail(message: Any = "fail! called") -> None:
    raise DTLError(f"fail!: {message}")
