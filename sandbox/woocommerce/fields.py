"""`_fields`: keep only the named keys; dotted names reach into objects but not into arrays of objects (§11)."""
from __future__ import annotations

from typing import Any


def filter_fields(source: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for field in fields:
        _copy_path(source, result, field.split("."))
    return result


def _copy_path(source: dict[str, Any], target: dict[str, Any], path: list[str]) -> None:
    key = path[0]
    if key not in source:
        return  # unknown names are ignored (`products-g03-fields-unknown-field.json`)
    if len(path) == 1:
        target[key] = source[key]
        return
    value = source[key]
    if not isinstance(value, dict):
        return  # `line_items.id` drops `line_items` entirely (`orders-g02-fields-nested-line-items.json`)
    child = target.setdefault(key, {})
    if isinstance(child, dict):
        _copy_path(value, child, path[1:])
