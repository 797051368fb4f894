"""Namespaced identifiers, UUIDs, `hash128`, `tuples` and `fail!` (dtl-functions-namespaced-identifiers.rst,
dtl-functions-uuids.rst, dtl-functions-misc.rst)."""
from __future__ import annotations

import uuid
from itertools import product
from typing import Any

from emulator.dtl.engine import function
from emulator.dtl.functions.arguments import IGNORED, each, is_plain_string
from emulator.dtl.murmur import murmur3_128
from emulator.errors import DTLError
from emulator.values import as_list, is_ni, make_ni, split_ni


# --- namespaced identifiers (dtl-functions-namespaced-identifiers.rst) ----------------------------------------------


@function("ni")
def ni(*args: Any) -> Any:
    namespace, values = (None, args[0]) if len(args) == 1 else (args[0], args[1])
    return each(values, lambda v: v if is_ni(v) else (make_ni(namespace, v) if is_plain_string(v) else IGNORED))


def _ni_parts(value: Any) -> tuple[str, str] | None:
    if is_ni(value):
        namespace, identifier = split_ni(value)
        return namespace or "", identifier
    if is_plain_string(value):
        namespace, sep, identifier = value.partition(":")
        return (namespace, identifier) if sep else ("", value)
    return None


function("ni-ns")(lambda values: each(values, lambda v: p[0] if (p := _ni_parts(v)) else IGNORED))
function("ni-id")(lambda values: each(values, lambda v: p[1] if (p := _ni_parts(v)) else IGNORED))


# --- misc (dtl-functions-misc.rst, dtl-functions-uuids.rst) ---------------------------------------------------------


@function("uuid")
def uuid_(*args: Any) -> Any:
    if not args:
        return f"~u{uuid.uuid4()}"

    def cast(value: Any) -> Any:
        try:
            return f"~u{uuid.UUID(value)}" if is_plain_string(value) else IGNORED
        except ValueError:
            return IGNORED

    return each(args[0], cast)


@function("hash128")
def hash128(algorithm: str, *args: Any) -> Any:
    if algorithm != "murmur3":
        raise DTLError(f"hash128: the only supported algorithm is 'murmur3', got {algorithm!r}")
    seed, values = (0, args[0]) if len(args) == 1 else (args[0], args[1])
    return each(values, lambda v: murmur3_128(v.encode("utf-8"), seed) if isinstance(v, str) else IGNORED)


@function("tuples")
def tuples(*values: Any) -> list[list[Any]]:
    if not values:
        return []
    return [list(combination) for combination in product(*[[v for v in as_list(x) if v is not None] for x in values])]


@function("fail!")
def fail(message: Any = "fail! called") -> None:
    raise DTLError(f"fail!: {message}")
