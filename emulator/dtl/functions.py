"""DTL expression functions, grouped as Sesam's docs group them (`hub/dtl/dtl-functions-*.rst`).

Lists and single values are interchangeable where the docs say a function takes VALUES (`as_list`); typed values
stay transit strings (`"~f1.5"`, `"~t…"`, `"~:ns:id"`) and are decoded only to compute.
"""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from fnmatch import fnmatchcase
from typing import Any
from urllib.parse import quote

from emulator.dtl.engine import Context, function, is_true, walk_path
from emulator.errors import DTLError
from emulator.values import (
    DATETIME_PREFIX, DECIMAL_PREFIX, as_list, flatten_once, is_ni, make_ni, sort_key, split_ni,
)

# --- booleans and comparison (dtl-functions-booleans.rst) --------------------------------------------------------


def _comparable(value: Any) -> Any:
    return as_list(value) if isinstance(value, list) and len(value) != 1 else (value[0] if isinstance(value, list) else value)


@function("eq")
def eq(left: Any, right: Any) -> bool:
    return _comparable(left) == _comparable(right)


@function("neq")
def neq(left: Any, right: Any) -> bool:
    return not eq(left, right)


def _order(left: Any, right: Any) -> int | None:
    left, right = _comparable(left), _comparable(right)
    if left is None or right is None:
        return None
    a, b = sort_key(left), sort_key(right)
    return (a > b) - (a < b)


@function("gt")
def gt(left: Any, right: Any) -> bool:
    return (_order(left, right) or 0) > 0


@function("gte")
def gte(left: Any, right: Any) -> bool:
    order = _order(left, right)
    return order is not None and order >= 0


@function("lt")
def lt(left: Any, right: Any) -> bool:
    return (_order(left, right) or 0) < 0


@function("lte")
def lte(left: Any, right: Any) -> bool:
    order = _order(left, right)
    return order is not None and order <= 0


@function("and", lazy=True)
def and_(args: list[Any], ctx: Context) -> bool:
    return all(is_true(ctx.evaluate(arg)) for arg in args)


@function("or", lazy=True)
def or_(args: list[Any], ctx: Context) -> bool:
    return any(is_true(ctx.evaluate(arg)) for arg in args)


@function("not")
def not_(value: Any) -> bool:
    return not is_true(value)


@function("if", lazy=True)
def if_(args: list[Any], ctx: Context) -> Any:
    if len(args) not in (2, 3):
        raise DTLError("if takes CONDITION, THEN and optional ELSE")
    if is_true(ctx.evaluate(args[0])):
        return ctx.evaluate(args[1])
    return ctx.evaluate(args[2]) if len(args) == 3 else None


@function("case", lazy=True)
def case(args: list[Any], ctx: Context) -> Any:
    for index in range(0, len(args) - 1, 2):
        if is_true(ctx.evaluate(args[index])):
            return ctx.evaluate(args[index + 1])
    return ctx.evaluate(args[-1]) if len(args) % 2 else None


@function("case-eq", lazy=True)
def case_eq(args: list[Any], ctx: Context) -> Any:
    value = ctx.evaluate(args[0])
    rest = args[1:]
    for index in range(0, len(rest) - 1, 2):
        if ctx.evaluate(rest[index]) == value:
            return ctx.evaluate(rest[index + 1])
    return ctx.evaluate(rest[-1]) if len(rest) % 2 else None


@function("in")
def in_(value: Any, values: Any) -> bool:
    return value in as_list(values)


@function("equals")
def equals(left: Any, right: Any) -> bool:
    return left == right and type(left) is type(right)


@function("matches")
def matches(pattern: str, values: Any) -> bool:
    return any(isinstance(v, str) and fnmatchcase(v, pattern) for v in as_list(values))


# --- nulls and types (dtl-functions-nulls.rst, dtl-functions-misc.rst) ------------------------------------------


@function("is-null")
def is_null(value: Any) -> bool:
    return value is None


@function("is-not-null")
def is_not_null(value: Any) -> bool:
    return value is not None


@function("is-empty")
def is_empty(value: Any) -> bool:
    return value is None or value == [] or value == {} or value == ""


@function("is-not-empty")
def is_not_empty(value: Any) -> bool:
    return not is_empty(value)


@function("is-list")
def is_list(value: Any) -> bool:
    return isinstance(value, list)


@function("is-dict")
def is_dict(value: Any) -> bool:
    return isinstance(value, dict)


@function("is-string")
def is_string(value: Any) -> bool:
    return isinstance(value, str) and not (len(value) > 1 and value[0] == "~" and value[1] in "t:furb")


@function("is-ni")
def is_ni_function(value: Any) -> bool:
    return is_ni(value)


@function("coalesce")
def coalesce(*values: Any) -> Any:
    return next((value for value in flatten_once(list(values)) if value is not None), None)


@function("if-null")
def if_null(value: Any, fallback: Any) -> Any:
    return fallback if value is None or value == [] else value


# --- lists (dtl-functions-lists.rst) ----------------------------------------------------------------------------


@function("list")
def list_(*values: Any) -> list[Any]:
    return list(values)


@function("first")
def first(values: Any) -> Any:
    items = as_list(values)
    return items[0] if items else None


@function("last")
def last(values: Any) -> Any:
    items = as_list(values)
    return items[-1] if items else None


@function("count")
def count(values: Any) -> int:
    return len(as_list(values))


def _flatten(values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for value in values:
        out.extend(_flatten(value) if isinstance(value, list) else [value])
    return out


@function("flatten")
def flatten(values: Any) -> list[Any]:
    return _flatten(as_list(values))


@function("distinct")
def distinct(values: Any) -> list[Any]:
    seen: list[Any] = []
    for value in as_list(values):
        if value not in seen:
            seen.append(value)
    return seen


@function("map", lazy=True)
def map_(args: list[Any], ctx: Context) -> list[Any]:
    _arguments(args, 2, "map")
    return [ctx.bind(value).evaluate(args[0]) for value in as_list(ctx.evaluate(args[1]))]


@function("filter", lazy=True)
def filter_(args: list[Any], ctx: Context) -> list[Any]:
    _arguments(args, 2, "filter")
    return [value for value in as_list(ctx.evaluate(args[1])) if is_true(ctx.bind(value).evaluate(args[0]))]


@function("sorted", lazy=True)
def sorted_(args: list[Any], ctx: Context) -> list[Any]:
    if len(args) == 1:
        return sorted(as_list(ctx.evaluate(args[0])), key=sort_key)
    _arguments(args, 2, "sorted")
    values = as_list(ctx.evaluate(args[1]))
    return sorted(values, key=lambda value: sort_key(ctx.bind(value).evaluate(args[0])))


@function("group-by", lazy=True)
def group_by(args: list[Any], ctx: Context) -> dict[str, list[Any]]:
    _arguments(args, 2, "group-by")
    groups: dict[str, list[Any]] = {}
    for value in as_list(ctx.evaluate(args[1])):
        key = ctx.bind(value).evaluate(args[0])
        groups.setdefault(key if isinstance(key, str) else json.dumps(key), []).append(value)
    return groups


@function("enumerate")
def enumerate_(values: Any) -> list[list[Any]]:
    return [[index, value] for index, value in enumerate(as_list(values))]


def _numbers(values: Any) -> list[Any]:
    return [v for v in as_list(values) if v is not None]


@function("min")
def min_(*values: Any) -> Any:
    items = _numbers(flatten_once(list(values)))
    return min(items, key=sort_key) if items else None


@function("max")
def max_(*values: Any) -> Any:
    items = _numbers(flatten_once(list(values)))
    return max(items, key=sort_key) if items else None


@function("sum")
def sum_(values: Any) -> Any:
    total: Any = 0
    for value in _numbers(values):
        total = _arithmetic(total, value, lambda a, b: a + b)
    return total


# --- dictionaries (dtl-functions-dictionaries.rst) --------------------------------------------------------------


@function("dict")
def dict_(*args: Any) -> dict[str, Any]:
    if len(args) == 1:
        if isinstance(args[0], dict):
            return dict(args[0])
        return {pair[0]: pair[1] for pair in as_list(args[0]) if isinstance(pair, list) and len(pair) == 2}
    if len(args) % 2:
        raise DTLError("dict takes KEY, VALUE pairs or one list of pairs")
    return {args[i]: args[i + 1] for i in range(0, len(args), 2)}


@function("keys")
def keys(value: Any) -> list[str]:
    return list(value) if isinstance(value, dict) else []


@function("values")
def values(value: Any) -> list[Any]:
    return list(value.values()) if isinstance(value, dict) else []


@function("tuples")
def tuples(value: Any) -> list[list[Any]]:
    return [[key, item] for key, item in value.items()] if isinstance(value, dict) else []


@function("key-values")
def key_values(value: Any) -> list[dict[str, Any]]:
    return [{"key": key, "value": item} for key, item in value.items()] if isinstance(value, dict) else []


@function("merge")
def merge(*args: Any) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for value in flatten_once(list(args)):
        if isinstance(value, dict):
            merged.update(value)
    return merged


@function("path")
def path(path_value: Any, values: Any) -> Any:
    steps = ".".join(str(step) for step in as_list(path_value))
    found = [walk_path(value, steps) for value in as_list(values)]
    found = [value for value in flatten_once(found) if value is not None]
    return found[0] if len(found) == 1 and not isinstance(values, list) else found


@function("apply", lazy=True)
def apply(args: list[Any], ctx: Context) -> Any:
    _arguments(args, 2, "apply")
    rule = ctx.evaluate(args[0])
    sources = ctx.evaluate(args[1])
    results = [ctx.apply_rule(rule, source) for source in as_list(sources)]
    results = [result for result in results if result is not None]
    if isinstance(sources, list):
        return results
    return results[0] if results else None


# --- strings (dtl-functions-strings.rst) ------------------------------------------------------------------------


def _each_string(values: Any, convert: Any) -> Any:
    if isinstance(values, list):
        return [convert(v) for v in values if isinstance(v, str)]
    return convert(values) if isinstance(values, str) else None


@function("lower")
def lower(values: Any) -> Any:
    return _each_string(values, str.lower)


@function("upper")
def upper(values: Any) -> Any:
    return _each_string(values, str.upper)


@function("trim")
def trim(values: Any) -> Any:
    return _each_string(values, str.strip)


@function("replace")
def replace(old: str, new: str, values: Any) -> Any:
    return _each_string(values, lambda text: text.replace(old, new))


@function("split")
def split(separator: str, values: Any) -> Any:
    parts = [text.split(separator) for text in as_list(values) if isinstance(text, str)]
    if isinstance(values, list):
        return parts
    return parts[0] if parts else None


@function("concat")
def concat(*values: Any) -> Any:
    items = flatten_once(list(values))
    if len(values) == 1 and isinstance(values[0], list) and all(isinstance(v, list) for v in values[0]):
        return flatten_once(values[0])
    return "".join(_to_string(v) for v in items if v is not None)


@function("join")
def join(separator: str, values: Any) -> str:
    return separator.join(_to_string(v) for v in as_list(values) if v is not None)


@function("url-quote")
def url_quote(values: Any, safe: str = "/") -> Any:
    return _each_string(values, lambda text: quote(text, safe=safe))


def _to_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_ni(value):
        namespace, identifier = split_ni(value)
        return f"{namespace}:{identifier}" if namespace else identifier
    if isinstance(value, str):
        return value[2:] if len(value) > 1 and value[0] == "~" and value[1] in "tfurb" else value
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return str(value)


@function("string")
def string(values: Any) -> Any:
    if isinstance(values, list):
        return [_to_string(v) for v in values if v is not None]
    return None if values is None else _to_string(values)


# --- numbers (dtl-functions-math.rst) ----------------------------------------------------------------------------


def _number(value: Any) -> int | float | Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float, Decimal)):
        return value
    if isinstance(value, str):
        text = value[2:] if value.startswith(DECIMAL_PREFIX) else value
        try:
            return Decimal(text) if value.startswith(DECIMAL_PREFIX) else (int(text) if text.strip().lstrip("+-").isdigit() else float(text))
        except (ValueError, InvalidOperation):
            return None
    return None


def _encode_number(value: Any) -> Any:
    return f"{DECIMAL_PREFIX}{value}" if isinstance(value, Decimal) else value


def _arithmetic(left: Any, right: Any, operation: Any) -> Any:
    a, b = _number(left), _number(right)
    if a is None or b is None:
        return None
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        return _encode_number(operation(Decimal(str(a)), Decimal(str(b))))
    return operation(a, b)


@function("plus")
def plus(left: Any, right: Any) -> Any:
    return _arithmetic(left, right, lambda a, b: a + b)


@function("minus")
def minus(left: Any, right: Any) -> Any:
    return _arithmetic(left, right, lambda a, b: a - b)


@function("multiply")
def multiply(left: Any, right: Any) -> Any:
    return _arithmetic(left, right, lambda a, b: a * b)


@function("divide")
def divide(left: Any, right: Any) -> Any:
    if _number(right) == 0:
        return None
    return _arithmetic(left, right, lambda a, b: a / b)


def _convert_each(values: Any, convert: Any) -> Any:
    if isinstance(values, list):
        return [c for c in (convert(v) for v in values) if c is not None]
    return convert(values)


@function("integer")
def integer(values: Any) -> Any:
    def convert(value: Any) -> int | None:
        number = _number(value)
        return None if number is None else int(number)
    return _convert_each(values, convert)


@function("float")
def float_(values: Any) -> Any:
    def convert(value: Any) -> float | None:
        number = _number(value)
        return None if number is None else float(number)
    return _convert_each(values, convert)


@function("decimal")
def decimal(values: Any) -> Any:
    def convert(value: Any) -> str | None:
        number = _number(value)
        return None if number is None else _encode_number(Decimal(str(number)))
    return _convert_each(values, convert)


@function("boolean")
def boolean(values: Any) -> Any:
    def convert(value: Any) -> bool | None:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        number = _number(value)
        return None if number is None else number != 0
    return _convert_each(values, convert)


@function("round")
def round_(*args: Any) -> Any:
    digits, values = (0, args[0]) if len(args) == 1 else (args[0], args[1])

    def convert(value: Any) -> Any:
        number = _number(value)
        if number is None:
            return None
        rounded = Decimal(str(number)).quantize(Decimal(1).scaleb(-digits), rounding="ROUND_HALF_UP")
        if isinstance(number, Decimal):
            return _encode_number(rounded)
        return int(rounded) if digits == 0 else float(rounded)
    return _convert_each(values, convert)


# --- datetimes (dtl-functions-datetimes.rst) ---------------------------------------------------------------------


def _encode_datetime(moment: datetime) -> str:
    moment = moment.astimezone(timezone.utc) if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return f"{DATETIME_PREFIX}{moment.strftime('%Y-%m-%dT%H:%M:%S')}.{moment.microsecond:06d}000Z"


def _decode_datetime(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    text = value[2:] if value.startswith(DATETIME_PREFIX) else value
    text = text.rstrip("Z")
    if "." in text:  # Sesam datetimes carry nanoseconds; Python keeps microseconds.
        head, fraction = text.split(".", 1)
        text = f"{head}.{fraction[:6]}"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


@function("now")
def now() -> str:
    return _encode_datetime(datetime.now(timezone.utc))


@function("datetime")
def datetime_(values: Any) -> Any:
    return _convert_each(values, lambda v: (m := _decode_datetime(v)) and _encode_datetime(m))


@function("datetime-parse")
def datetime_parse(pattern: str, values: Any) -> Any:
    def convert(value: Any) -> str | None:
        try:
            return _encode_datetime(datetime.strptime(value, pattern))
        except (TypeError, ValueError):
            return None
    return _convert_each(values, convert)


@function("datetime-format")
def datetime_format(pattern: str, values: Any) -> Any:
    return _convert_each(values, lambda v: (m := _decode_datetime(v)) and m.strftime(pattern))


# --- namespaced identifiers (dtl-functions-namespaced-identifiers.rst) -------------------------------------------


@function("ni")
def ni(*args: Any) -> Any:
    namespace, values = (None, args[0]) if len(args) == 1 else (args[0], args[1])
    convert = lambda v: v if is_ni(v) else (make_ni(namespace, _to_string(v)) if v is not None else None)  # noqa: E731
    return _convert_each(values, convert)


@function("ni-ns")
def ni_ns(values: Any) -> Any:
    return _convert_each(values, lambda v: split_ni(v)[0] if is_ni(v) else None)


@function("ni-id")
def ni_id(values: Any) -> Any:
    return _convert_each(values, lambda v: split_ni(v)[1] if is_ni(v) else None)


# --- misc (dtl-functions-misc.rst, dtl-functions-json.rst) -------------------------------------------------------


@function("uuid")
def uuid_() -> str:
    return f"~u{uuid.uuid4()}"


@function("json")
def json_(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


@function("json-parse")
def json_parse(values: Any) -> Any:
    def convert(text: Any) -> Any:
        try:
            return json.loads(text)
        except (TypeError, ValueError):
            return None
    return _convert_each(values, convert)


def _arguments(args: list[Any], count: int, name: str) -> None:
    if len(args) != count:
        raise DTLError(f"{name} takes {count} arguments, got {len(args)}")
