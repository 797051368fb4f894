"""Strings, URIs and JSON (dtl-functions-strings.rst, dtl-functions-uris.rst, dtl-functions-json.rst)."""
from __future__ import annotations

import json
from collections.abc import Callable
from fnmatch import fnmatchcase
from typing import Any
from urllib.parse import quote, unquote

from emulator.dtl.engine import function
from emulator.dtl.functions.arguments import IGNORED, converter, each, first_value, is_plain_string
from emulator.errors import DTLError
from emulator.values import as_list, flatten_once, is_ni, split_ni


def _strings(values: Any, convert: Callable[[str], Any]) -> Any:
    return each(values, lambda v: convert(v) if is_plain_string(v) else IGNORED)


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
    return "".join(v for v in flatten_once(list(values)) if is_plain_string(v))


@function("join")
def join(separator: str, values: Any) -> str:
    return separator.join(v for v in as_list(values) if is_plain_string(v))


@function("split")
def split(*args: Any) -> Any:
    separator, values = (args[0], args[1]) if len(args) == 2 else (None, args[0])

    def cut(text: str) -> list[str]:
        return list(text) if separator == "" else text.split(separator)

    if isinstance(values, list):
        return [part for text in values if is_plain_string(text) for part in cut(text)]
    return cut(values) if is_plain_string(values) else None


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
    text = first_value(pattern)
    return bool(candidates) and all(is_plain_string(v) and fnmatchcase(v, text) for v in candidates)


def _to_string(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_ni(value):
        namespace, identifier = split_ni(value)
        return f"{namespace}:{identifier}" if namespace else identifier
    if isinstance(value, str):
        return value[2:] if not is_plain_string(value) else value
    if isinstance(value, (dict, list)):
        return json.dumps(_without_transit(value), sort_keys=True)
    return str(value)


def _without_transit(value: Any) -> Any:
    """"JSON encoded (no transit encoding)": typed values inside become their plain string form."""
    if isinstance(value, dict):
        return {key: _without_transit(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_transit(item) for item in value]
    return _to_string(value) if isinstance(value, str) and not is_plain_string(value) else value


function("string")(lambda values: each(values, lambda v: IGNORED if v is None else _to_string(v)))


@function("url-quote")
def url_quote(*args: Any) -> Any:
    safe, values = (args[0], args[1]) if len(args) == 2 else ("", args[0])
    return _strings(values, lambda text: quote(text, safe=safe))


function("url-unquote")(lambda values: _strings(values, unquote))


def _parse_json(value: Any) -> Any:
    try:
        return json.loads(value) if isinstance(value, str) else IGNORED
    except ValueError:
        return IGNORED


# Typed values are transit strings here, so parsing with or without transit decoding reads the same text; only a plain
# string that starts with "~" would differ, and "There's currently no support for escaping string literals that start
# with a "~" character" (entity-data-model.rst).
converter("json-parse", _parse_json)
converter("json-transit-parse", _parse_json)


@function("json")
def json_(values: Any) -> Any:
    def encode(value: Any) -> str:
        return _to_string(value) if isinstance(value, str) and not is_plain_string(value) else json.dumps(
            _without_transit(value), sort_keys=True)
    return each(values, encode)


@function("json-transit")
def json_transit(values: Any) -> Any:
    """"This function behaves like the `json` function, except that it transit encodes values."""
    return each(values, lambda v: v if isinstance(v, str) and not is_plain_string(v) else json.dumps(v, sort_keys=True))


function("uri")(lambda values: each(values, lambda v: f"~r{v}" if is_plain_string(v) else IGNORED))


def _justify(name: str, pad: Callable[[str, int, str], str]) -> None:
    """WIDTH, FILL_CHARACTER, VALUES; "If the WIDTH is not an integer or FILL_CHARACTER is not a single character
    then the function returns null"."""

    def call(width: Any, fill: Any, values: Any) -> Any:
        if not isinstance(width, int) or isinstance(width, bool) or not isinstance(fill, str) or len(fill) != 1:
            return None
        return _strings(values, lambda text: pad(text, width, fill))

    function(name)(call)


_justify("ljust", str.ljust)
_justify("rjust", str.rjust)
