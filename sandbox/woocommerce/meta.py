"""`meta_data` merge rules (FACTS §7), shared by products, orders and customers.

A PUT merges: an entry with `id` updates (or renames) that entry, one without `id` updates the entry with the same
key, a missing or null `value` deletes, and unknown ids add a new entry. Scalars are stored as PHP would store them.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

# WooCommerce keeps these in its own columns and ignores them as meta (`products-meta-04-internal-key-price.json`).
PRODUCT_INTERNAL_KEYS = frozenset({
    "_price", "_regular_price", "_sale_price", "_sku", "_stock", "_stock_status", "_manage_stock", "_backorders",
    "_sale_price_dates_from", "_sale_price_dates_to", "_tax_status", "_tax_class", "_weight", "_length", "_width",
    "_height", "_visibility", "_featured", "_virtual", "_downloadable", "total_sales", "_product_attributes",
})
ORDER_INTERNAL_KEYS = frozenset({"_order_key", "_order_total", "_customer_user", "_billing_email", "_order_currency"})
CUSTOMER_INTERNAL_KEYS = frozenset({"billing_email", "first_name", "last_name", "nickname", "wp_capabilities"})


def stored_value(value: Any) -> Any:
    """Numbers and booleans come back as strings (`orders-meta-12-number-and-bool-values.json`)."""
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    return value


def merge_meta(entries: list[dict[str, Any]], updates: Iterable[Any], next_id: Callable[[], int],
               internal_keys: frozenset[str] = frozenset()) -> None:
    """Apply `updates` to `entries` in place."""
    for update in updates:
        if not isinstance(update, dict) or not isinstance(update.get("key"), str):
            continue  # an item without key is ignored (`orders-meta-05-update-by-id-without-key.json`)
        key, value = update["key"], update.get("value")
        if key in internal_keys:
            continue
        entry = _find(entries, update)
        if value is None:
            if entry is not None:
                entries.remove(entry)
        elif entry is not None:
            entry["key"], entry["value"] = key, stored_value(value)
        else:
            entries.append({"id": next_id(), "key": key, "value": stored_value(value)})


def _find(entries: list[dict[str, Any]], update: dict[str, Any]) -> dict[str, Any] | None:
    if "id" in update:
        return next((e for e in entries if e["id"] == update["id"]), None)
    return next((e for e in entries if e["key"] == update["key"]), None)


def set_item_meta(entries: list[dict[str, Any]], key: str, value: str, next_id: Callable[[], int]) -> None:
    """Set an order item's meta entry by key, as WooCommerce itself does (`_reduced_stock`, `_refunded_item_id`);
    item meta also shows `display_key` and `display_value` (`orders-status-01-pending-to-processing.json`)."""
    entry = next((e for e in entries if e["key"] == key), None)
    if entry is None:
        entry = {"id": next_id(), "key": key, "display_key": key}
        entries.append(entry)
    entry["value"] = entry["display_value"] = value


def merge_item_meta(entries: list[dict[str, Any]], updates: Iterable[Any], next_id: Callable[[], int]) -> None:
    """`meta_data` sent with a line, shipping or fee item: the order rules above, shown with display fields."""
    merge_meta(entries, updates, next_id)
    for entry in entries:
        entry.setdefault("display_key", entry["key"])
        entry["display_value"] = entry["value"]
