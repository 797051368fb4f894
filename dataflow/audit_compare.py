"""Comparing the two sides' common values of one property, as the model says (`Property.compare`,
`compare_keys`): the differences found, each with the path inside the value where the sides part.

References (NI values such as `~:woocommerce-customer:5`) are compared by what they point at: the two sides agree
when both point at records the merge linked, whatever their ids. A reference to a record neither shop holds (a
product deleted for good) is no reference. Blank values (null, "" and []) are all the same.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from dataflow.model import Comparison
from emulator.values import DECIMAL_PREFIX, is_ni

Resolve = Callable[[str], "str | None"]  # an NI → the merged record it points at; None when no shop holds it
Difference = tuple[str, Any, Any]  # (path inside the value, woocommerce value, customwebshop value)


def is_blank(value: Any) -> bool:
    return value is None or value == "" or value == []


def differences(woo: Any, shop: Any, compare: str, keys: dict[str, str], resolve: Resolve,
                where: str = "") -> list[Difference]:
    if is_blank(woo) and is_blank(shop):
        return []
    if isinstance(woo, dict) and isinstance(shop, dict):
        return [difference for key in sorted(set(woo) | set(shop), key=str)
                for difference in differences(woo.get(key), shop.get(key), keys.get(_bare(key), compare), keys,
                                              resolve, f"{where}.{_bare(key)}" if where else _bare(key))]
    if isinstance(woo, list) and isinstance(shop, list) and len(woo) == len(shop):
        if compare == Comparison.UNORDERED:  # the same items in any order: compare them in one canonical order
            woo, shop = (sorted(items, key=lambda item: _sort_key(item, keys, resolve)) for items in (woo, shop))
            compare = Comparison.EXACT
        return [difference for index, (left, right) in enumerate(zip(woo, shop))
                for difference in differences(left, right, compare, keys, resolve, f"{where}[{index}]")]
    return [] if _same(woo, shop, compare, resolve) else [(where, woo, shop)]


def _sort_key(item: Any, keys: dict[str, str], resolve: Resolve) -> str:
    if isinstance(item, dict):
        item = {_bare(key): _canonical(value, keys.get(_bare(key), Comparison.EXACT), resolve)
                for key, value in item.items()}
    return json.dumps(item, sort_keys=True, default=str)


def _bare(key: str) -> str:
    """Keys inside common values built by DTL `dict` are plain; a namespaced one (`ns:key`) is shown by its name."""
    return key.split(":", 1)[1] if ":" in key else key


def _same(woo: Any, shop: Any, compare: str, resolve: Resolve) -> bool:
    left, right = _canonical(woo, compare, resolve), _canonical(shop, compare, resolve)
    return left == right


def _canonical(value: Any, compare: str, resolve: Resolve) -> Any:
    if is_blank(value):
        return None
    if is_ni(value):
        target = resolve(value)
        return None if target is None else ("reference", target)
    if isinstance(value, str) and value.startswith(DECIMAL_PREFIX):
        value = value[len(DECIMAL_PREFIX):]
    if compare == Comparison.DECIMAL:
        try:
            return Decimal(str(value))
        except (InvalidOperation, ValueError):
            return value
    if compare == Comparison.CASELESS and isinstance(value, str):
        return value.casefold()
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, default=str)
    return value


def shown(value: Any) -> str:
    """A value as the report prints it: JSON, references without their transit prefix, long values cut."""
    text = json.dumps(_readable(value), ensure_ascii=False, default=str)
    return text if len(text) <= 160 else text[:157] + "…"


def _readable(value: Any) -> Any:
    if is_ni(value):
        return value[2:]
    if isinstance(value, dict):
        return {_bare(key): _readable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_readable(item) for item in value]
    return value
