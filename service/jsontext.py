"""What JSON text the service accepts and emits, decided once, at its two edges.

Python's `json` reads more than text: `"\\udfff"` (a lone UTF-16 surrogate: valid JSON, but no character) becomes a
str that cannot be encoded again, so a record holding one breaks every later response that includes it; `NaN`,
`Infinity` and `1e999` become floats that `json.dumps` writes back as `NaN`/`Infinity`, which is not JSON.

- **From Sesam (a push)**: refused. The body must be UTF-8, and `request_problems` names the path of every lone
  surrogate, non-finite number and over-deep nesting, so the receiver answers 400 before anything is written.
- **From a shop (a read)**: replaced, never refused, since refusing would stop that type from syncing until someone
  edits the record by hand. A lone surrogate becomes U+FFFD and a non-finite number becomes null, logged at
  WARNING. Every read of that record is replaced the same way, so it compares equal to itself from then on and no
  write echoes back and forth.
"""
from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from typing import Any

MAX_DEPTH = 64          # far deeper than any shop record; the writers compare nested values recursively
REPLACEMENT = "\ufffd"
_SURROGATE = re.compile("[\ud800-\udfff]")
# An escaped surrogate, or one encoded raw (CESU-8), which json.loads(bytes) decodes with "surrogatepass".
_SURROGATE_IN_BYTES = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}|\xed[\xa0-\xbf]")


class NotJson(ValueError):
    """A body that is not JSON text, with the reason."""


class _NonFinite(float):
    """Where a request held `NaN`, `Infinity` or a number beyond a double; reported with its path."""

    literal: str

    def __new__(cls, literal: str) -> "_NonFinite":
        marker = super().__new__(cls, "nan")
        marker.literal = literal
        return marker


def decode_request(body: bytes | bytearray) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotJson(f"the body is not UTF-8 (byte {exc.start})") from None


def loads_request(text: str) -> Any:
    """A pushed body as Python values; non-finite numbers are kept as markers for `request_problems` to name."""
    try:
        return json.loads(text or "null", parse_constant=_NonFinite, parse_float=_float_or_marker)
    except RecursionError:
        raise NotJson(f"the body nests deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:
        raise NotJson(f"the body is not JSON: {exc}") from None


def _float_or_marker(literal: str) -> float | _NonFinite:
    value = float(literal)
    return value if math.isfinite(value) else _NonFinite(literal)


def request_problems(value: Any) -> Iterator[tuple[str, str]]:
    """(path, message) for every part of a pushed value that is not plain JSON text."""
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        item, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            yield path, f"nests deeper than {MAX_DEPTH} levels"
            continue
        if isinstance(item, str):
            if _SURROGATE.search(item):
                yield path, f"holds a lone UTF-16 surrogate ({_first_surrogate(item)}), which is not a character"
        elif isinstance(item, _NonFinite):
            yield path, f"{item.literal} is not a finite number"
        elif isinstance(item, dict):
            for key, member in item.items():
                inner = f"{path}.{key}" if path else key
                if _SURROGATE.search(key):
                    yield inner, f"the name holds a lone UTF-16 surrogate ({_first_surrogate(key)})"
                stack.append((member, inner, depth + 1))
        elif isinstance(item, list):
            stack.extend((member, f"{path}[{index}]", depth + 1) for index, member in enumerate(item))


def _first_surrogate(text: str) -> str:
    match = _SURROGATE.search(text)
    return f"\\u{ord(match.group()):04x}" if match else ""


def loads_from_shop(content: bytes) -> tuple[Any, int]:
    """A shop's answer as Python values with lone surrogates and non-finite numbers replaced, and how many were.

    Raises ValueError when the answer is not JSON at all."""
    replaced = 0

    def non_finite(_: str) -> None:
        nonlocal replaced
        replaced += 1
        return None

    def number(literal: str) -> float | None:
        value = float(literal)
        return value if math.isfinite(value) else non_finite(literal)

    value = json.loads(content, parse_constant=non_finite, parse_float=number)
    if _SURROGATE_IN_BYTES.search(content):
        value, surrogates = _replace_surrogates(value)
        replaced += surrogates
    return value, replaced


def _replace_surrogates(value: Any) -> tuple[Any, int]:
    if isinstance(value, str):
        fixed, count = _SURROGATE.subn(REPLACEMENT, value)
        return fixed, count
    if isinstance(value, list):
        total = 0
        for index, member in enumerate(value):
            value[index], count = _replace_surrogates(member)
            total += count
        return value, total
    if isinstance(value, dict):
        total = 0
        for key in list(value):
            member, count = _replace_surrogates(value.pop(key))
            fixed_key, key_count = _replace_surrogates(key)
            value[fixed_key] = member
            total += count + key_count
        return value, total
    return value, 0
