"""What to send WooCommerce for one record: the fields of a pushed entity that differ, in the form WooCommerce merges.

WooCommerce bumps `date_modified` on every write, even `{}` (FACTS §1), so a field is sent only when the store
holds something else. Money compares as decimals (`"80"` is `"80.00"`), empty and null are the same, addresses and
dimensions are partial objects merged key by key, `meta_data` merges by key (FACTS §7), category and tag lists
compare by id. Order lines are reconciled with the existing line-item ids (FACTS §5): a line without `id` is always
appended, so each pushed line is matched to an existing one of the same product; removed lines are sent as
`quantity: 0`, and a changed quantity carries its `subtotal`/`total` (a quantity alone does not reprice a line).
Shipping and fee lines are matched by name the same way. Stock and the sync's bookkeeping (bookkeeping.py) are
planned here too, into the same write.
"""
from __future__ import annotations

from typing import Any

from service.connectors.bookkeeping import BOOK_KEY, Stock, book_of, new_book, stock_after, without_sync_fields
from service.connectors.writes import changed_subfields, same_value
from service.sesam.batch import PushedEntity
from service.sesam.shapes import Check, anything, integer, list_of, nullable, record, record_id, references, text

ORIGIN_KEY = "sesam_origin"
DECIMAL_FIELDS = frozenset({"regular_price", "sale_price", "total", "subtotal", "shipping_total", "discount_total"})
PARTIAL_OBJECTS = frozenset({"billing", "shipping", "dimensions"})
ID_LISTS = frozenset({"categories", "tags"})


_ADDRESS = record({"email": nullable(text())})
_META = list_of(record({"key": text(), "value": anything}, required=("key",)))
_LINE = record({"id": record_id, "product_id": nullable(integer(0)), "variation_id": nullable(integer(0)),
                "quantity": integer(), "sku": nullable(text())})
_ITEM = record({"id": record_id})
# The pushed fields this receiver reads itself (service/sesam/shapes.py); the store validates the rest.
SHAPES: dict[str, dict[str, Check]] = {
    "orders": {"line_items": list_of(_LINE), "shipping_lines": list_of(_ITEM), "fee_lines": list_of(_ITEM),
               "meta_data": _META, "billing": _ADDRESS, "shipping": _ADDRESS},
    "products": {"categories": references, "tags": references, "meta_data": _META, "dimensions": record({}),
                 "sku": nullable(text())},
    "customers": {"email": text(), "billing": _ADDRESS, "shipping": _ADDRESS, "meta_data": _META},
    # A variation names its parent, whose `/variations/batch` it is written through, and its options by name.
    "variations": {"parent_id": record_id, "attributes": list_of(record({"name": text(), "option": text()},
                                                                        required=("name", "option"))),
                   "meta_data": _META, "sku": nullable(text())},
}


def changes_for(desired: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """The fields of `desired` that differ from `current`, in the form WooCommerce merges."""
    changes: dict[str, Any] = {}
    for key, want in desired.items():
        change = _change(key, want, current.get(key))
        if change is not None:
            changes[key] = change
    return changes


def update_body(entity: PushedEntity, record: dict[str, Any]) -> dict[str, Any]:
    """The changes for an existing record, stamping the entity's origin on a record that has none yet."""
    changes = changes_for(without_sync_fields(entity.fields), record)
    if entity.origin and not origin_of(record):
        changes.setdefault("meta_data", []).append({"key": ORIGIN_KEY, "value": entity.origin})
    return _with_bookkeeping(changes, entity, record)


def create_body(entity: PushedEntity) -> dict[str, Any]:
    body = without_sync_fields(entity.fields)
    if entity.origin:
        body["meta_data"] = [*body.get("meta_data", []), {"key": ORIGIN_KEY, "value": entity.origin}]
    return _with_bookkeeping(body, entity, None)


def _with_bookkeeping(body: dict[str, Any], entity: PushedEntity, record: dict[str, Any] | None) -> dict[str, Any]:
    for key, value in _bookkeeping_changes(entity.fields, record).items():
        body[key] = [*body.get(key, []), *value] if key == "meta_data" else value
    return body


def _bookkeeping_changes(fields: dict[str, Any], record: dict[str, Any] | None) -> dict[str, Any]:
    """Stock and the sync's bookkeeping (bookkeeping.py) as WooCommerce fields: `manage_stock`/`stock_quantity`, and
    the `sesam` meta entry (objects round-trip as JSON, `orders-meta-11-object-value.json`)."""
    current_book = book_of(_meta(record, BOOK_KEY))
    current = None if record is None else Stock(
        record.get("stock_quantity") if record.get("manage_stock") is True else None,
        current_book.get("stock_applied"))
    stock = stock_after(fields, current)
    changes: dict[str, Any] = {}
    if stock is not None:
        managed = stock.level is not None
        if record is None or record.get("manage_stock") is not managed:
            changes["manage_stock"] = managed
        if managed and (current is None or current.level != stock.level):
            changes["stock_quantity"] = stock.level  # FACTS §2: counted only with manage_stock, sent together
    book = new_book(fields, current_book, stock)
    if book != current_book:
        changes["meta_data"] = [{"key": BOOK_KEY, "value": book}]
    return changes


def _meta(record: dict[str, Any] | None, key: str) -> Any:
    for entry in (record or {}).get("meta_data") or []:
        if isinstance(entry, dict) and entry.get("key") == key:
            return entry.get("value")
    return None


def origin_of(record: dict[str, Any]) -> str | None:
    return _meta(record, ORIGIN_KEY)


def _change(key: str, want: Any, have: Any) -> Any:
    """What to send for one field, or None when the store already holds it."""
    if key in PARTIAL_OBJECTS and isinstance(want, dict):
        return changed_subfields(want, have) or None
    if key == "meta_data" and isinstance(want, list):
        return _changed_meta(want, have or []) or None
    if key == "line_items" and isinstance(want, list) and all(isinstance(line, dict) for line in want):
        return _reconciled_lines(want, have or []) or None
    if key in ORDER_ITEMS and isinstance(want, list):
        return _reconciled_items(key, want, have or []) or None
    if key in ID_LISTS and isinstance(want, list):
        return want if _ids(want) != _ids(have or []) else None
    if key == "attributes" and isinstance(want, list):  # a variation's, shown with an id and a slug besides
        return want if _options(want) != _options(have or []) else None
    if key == "email" and isinstance(want, str) and isinstance(have, str) and want.casefold() == have.casefold():
        # WooCommerce refuses a change of a customer's own e-mail in letter case alone: update_item checks
        # `email_exists( $request['email'] ) && $request['email'] !== $customer->get_email()` (customers controller),
        # and e-mails match case-insensitively. The two are the same address, so there is nothing to send.
        return None
    return None if same_value(want, have, decimal=key in DECIMAL_FIELDS) else want


def _ids(items: list[Any]) -> list[Any]:
    return sorted(item.get("id") for item in items if isinstance(item, dict))


def _options(attributes: list[Any]) -> list[tuple[str, str]]:
    """A variation's attributes as WooCommerce matches them: by name ignoring case, with the option as it is."""
    return [(str(a.get("name", "")).casefold(), str(a.get("option", ""))) for a in attributes if isinstance(a, dict)]


def _changed_meta(want: list[dict[str, Any]], have: list[dict[str, Any]]) -> list[dict[str, Any]]:
    current = {entry.get("key"): entry.get("value") for entry in have if isinstance(entry, dict)}
    return [{"key": entry["key"], "value": entry.get("value")} for entry in want
            if current.get(entry["key"]) != entry.get("value")]


# Shipping and fee lines the sync writes into an order copied from the webshop, matched by name; one no longer pushed
# is removed the way FACTS §5 records (`orders-li-14-remove-fee-name-null.json`,
# `orders-li-15-remove-shipping-method-id-null.json`).
ORDER_ITEMS = {"shipping_lines": ("method_title", {"method_id": None}), "fee_lines": ("name", {"name": None})}


def _reconciled_items(kind: str, want: list[dict[str, Any]], have: list[dict[str, Any]]) -> list[dict[str, Any]]:
    name, removal = ORDER_ITEMS[kind]
    unmatched = list(have)
    items: list[dict[str, Any]] = []
    for item in want:
        match = next((old for old in unmatched if old.get(name) == item.get(name)), None)
        if match is None:
            items.append(item)
            continue
        unmatched.remove(match)
        if not same_value(item.get("total"), match.get("total"), decimal=True):
            items.append({"id": match["id"], "total": item["total"]})
    items.extend({"id": old["id"], **removal} for old in unmatched)
    return items


def _line_key(line: dict[str, Any]) -> tuple[Any, Any]:
    return line.get("product_id") or line.get("sku"), line.get("variation_id") or 0


def _reconciled_lines(want: list[dict[str, Any]], have: list[dict[str, Any]]) -> list[dict[str, Any]]:
    unmatched = list(have)
    items: list[dict[str, Any]] = []
    for line in want:
        match = next((old for old in unmatched if _line_key(old) == _line_key(line)
                      or (line.get("sku") and old.get("sku") == line.get("sku"))), None)
        if match is None:
            items.append(line)
            continue
        unmatched.remove(match)
        update = {k: v for k, v in line.items() if k not in ("sku", "name", "product_id", "variation_id")
                  and not same_value(v, match.get(k), decimal=k in DECIMAL_FIELDS)}
        if "quantity" in update:  # FACTS §5: a new quantity alone keeps the old totals
            update.update({k: line[k] for k in ("subtotal", "total") if k in line})
        if update:
            items.append({"id": match["id"], **update})
    items.extend({"id": old["id"], "quantity": 0} for old in unmatched)
    return items
