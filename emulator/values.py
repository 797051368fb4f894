"""Entity values as Sesam stores them, and the few rules every module needs about them.

Extension types travel as transit-encoded strings, exactly as in Sesam's JSON
(`hub/documentation/data-management/entity-data-model.rst`): NI `"~:ns:id"`, datetime
`"~t2015-01-02T03:04:05.123456789Z"`, decimal `"~f12.5"`, URI `"~r…"`, UUID `"~u…"`, bytes `"~b…"`. Keeping them as
strings means what a pipe reads, stores and pushes is what Sesam would send; the DTL functions that compute with them
decode and re-encode at their boundary.
"""
from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

Entity = dict[str, Any]

NI_PREFIX = "~:"
DATETIME_PREFIX = "~t"
DECIMAL_PREFIX = "~f"


def is_ni(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(NI_PREFIX)


def make_ni(namespace: str | None, identifier: str) -> str:
    return f"{NI_PREFIX}{namespace}:{identifier}" if namespace else f"{NI_PREFIX}{identifier}"


def split_ni(value: str) -> tuple[str | None, str]:
    """`"~:foo:bar"` → `("foo", "bar")`; `"~:bar"` → `(None, "bar")`. The namespace ends at the first colon."""
    body = value[len(NI_PREFIX):]
    namespace, sep, identifier = body.partition(":")
    return (namespace, identifier) if sep else (None, body)


def as_list(value: Any) -> list[Any]:
    """DTL treats a single value and a one-element list alike; null is the empty list."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def flatten_once(values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for value in values:
        out.extend(as_list(value))
    return out


def same_value(a: Any, b: Any) -> bool:
    """Equality as DTL compares values: a boolean is never a number (`["eq", 1, true]` is false, where Python's
    `1 == True` holds); numbers compare by value; lists and dictionaries element by element."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a is b
    if isinstance(a, list) or isinstance(b, list):
        return (isinstance(a, list) and isinstance(b, list) and len(a) == len(b)
                and all(same_value(x, y) for x, y in zip(a, b)))
    if isinstance(a, dict) or isinstance(b, dict):
        return (isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys()
                and all(same_value(a[key], b[key]) for key in a))
    return bool(a == b)


def contains(pool: list[Any], value: Any) -> bool:
    return any(same_value(item, value) for item in pool)


def hashed_content(entity: dict[str, Any]) -> dict[str, Any]:
    """What `_hash` covers: "Of the reserved fields, only `_id` and `_deleted` contribute to the hash value"
    (entity-data-model.rst). `_deleted` counts only when true: "All other values are interpreted as if the entity is
    not deleted"."""
    content = {key: value for key, value in entity.items() if not key.startswith("_")}
    content["_id"] = entity["_id"]
    if entity.get("_deleted") is True:
        content["_deleted"] = True
    return content


def entity_hash(entity: dict[str, Any]) -> str:
    encoded = json.dumps(hashed_content(entity), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.md5(encoded.encode("utf-8")).hexdigest()


# Mixed-type ordering from entity-data-model.rst: Null < Boolean < numbers < Date/Datetime < UUID < NI < URI <
# String < Dict < Tuple (list) < Bytes.
_STRING_RANKS = {"~t": 3, "~u": 4, "~:": 5, "~r": 6, "~b": 11}


def sort_key(value: Any) -> tuple[Any, ...]:
    if value is None:
        return (0,)
    if isinstance(value, bool):
        return (1, value)
    if isinstance(value, (int, float, Decimal)):
        return (2, Decimal(str(value)))
    if isinstance(value, str):
        if value.startswith(DECIMAL_PREFIX):
            return (2, Decimal(value[2:]))
        rank = _STRING_RANKS.get(value[:2])
        return (rank, value[2:]) if rank else (7, value)
    if isinstance(value, dict):
        return (8, json.dumps(value, sort_keys=True, default=str))
    if isinstance(value, list):
        return (9, tuple(sort_key(item) for item in value))
    return (10, str(value))
