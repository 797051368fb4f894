"""Typed shapes of the pushed fields a receiver interprets itself (order lines, meta data, category references …).

A shape is a function from (value, path) to the problems it finds, each `"path: message"`. Only fields a writer
reads are declared: everything else passes to the shop untouched, and the shop's own refusal comes back field by
field. Declared fields may always be absent; present, they must have the declared type.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

Check = Callable[[Any, str], Iterator[str]]

MAX_ID = 2**63 - 1  # a signed 64-bit column: what MySQL, SQLite and PostgreSQL ids hold


def is_ascii_digits(text: str) -> bool:
    """`str.isdigit` accepts "²" and "３": neither is an id or a count."""
    return text.isascii() and text.isdigit()


def integer(minimum: int | None = None, maximum: int = MAX_ID) -> Check:
    def check(value: Any, path: str) -> Iterator[str]:
        if isinstance(value, bool) or not isinstance(value, int):
            yield f"{path}: must be an integer, not {_kind(value)}"
        elif (minimum is not None and value < minimum) or value > maximum:
            yield f"{path}: must be an integer from {minimum} to {maximum}"
    return check


def record_id(value: Any, path: str) -> Iterator[str]:
    """A target record's id: a positive integer, or a string of ASCII digits, that fits a 64-bit column."""
    number = int(value) if isinstance(value, str) and is_ascii_digits(value) else value
    if isinstance(number, bool) or not isinstance(number, int) or not 0 < number <= MAX_ID:
        yield f"{path}: must be the target record's id (an integer from 1 to {MAX_ID}, or a string of digits)"


def text(max_length: int | None = None, min_length: int = 0) -> Check:
    def check(value: Any, path: str) -> Iterator[str]:
        if not isinstance(value, str):
            yield f"{path}: must be a string, not {_kind(value)}"
        elif len(value) < min_length or (max_length is not None and len(value) > max_length):
            yield f"{path}: must be {min_length} to {max_length} characters long"
    return check


def anything(value: Any, path: str) -> Iterator[str]:
    return iter(())


def nullable(inner: Check) -> Check:
    def check(value: Any, path: str) -> Iterator[str]:
        if value is not None:
            yield from inner(value, path)
    return check


def record(members: Mapping[str, Check], required: tuple[str, ...] = ()) -> Check:
    """A JSON object whose listed members, when present, have their shape; other members are free."""
    def check(value: Any, path: str) -> Iterator[str]:
        if not isinstance(value, dict):
            yield f"{path}: must be an object, not {_kind(value)}"
            return
        for name in required:
            if name not in value:
                yield f"{path}.{name}: is required"
        for name, member in members.items():
            if name in value:
                yield from member(value[name], f"{path}.{name}")
    return check


def list_of(item: Check) -> Check:
    def check(value: Any, path: str) -> Iterator[str]:
        if not isinstance(value, list):
            yield f"{path}: must be an array, not {_kind(value)}"
            return
        for index, member in enumerate(value):
            yield from item(member, f"{path}[{index}]")
    return check


def references(value: Any, path: str) -> Iterator[str]:
    """Categories or tags: all `{"id": n}` (the target's ids) or all `{"name": s}` (resolved by name), not mixed."""
    if not isinstance(value, list):
        yield f"{path}: must be an array, not {_kind(value)}"
        return
    kinds = set()
    for index, item in enumerate(value):
        if isinstance(item, dict) and "id" in item:
            kinds.add("id")
            yield from record_id(item["id"], f"{path}[{index}].id")
        elif isinstance(item, dict) and isinstance(item.get("name"), str):
            kinds.add("name")
        else:
            yield f"{path}[{index}]: must be an object with an integer id or a string name"
    if len(kinds) > 1:
        yield f"{path}: mixes ids and names; send one kind"


def members(shape: Mapping[str, Check], fields: Mapping[str, Any]) -> Iterator[str]:
    """The problems of an entity's fields against a receiver's shape (absent fields are fine)."""
    for name, check in shape.items():
        if name in fields:
            yield from check(fields[name], name)


def _kind(value: Any) -> str:
    for kind, name in ((type(None), "null"), (bool, "a boolean"), ((int, float), "a number"), (str, "a string"),
                       (list, "an array"), (dict, "an object")):
        if isinstance(value, kind):
            return name
    return type(value).__name__
