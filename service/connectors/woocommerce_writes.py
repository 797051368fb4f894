"""WooCommerce receivers: a pushed batch becomes `/batch` calls of at most 100 items.

Per chunk: one read of the current state of the records to update (so unchanged ones are not written: WooCommerce
bumps `date_modified` on every write, even `{}`), then one `POST /<resource>/batch`. Creates are made idempotent,
because Sesam re-sends a failed batch entity by entity and a timed-out create may have landed:
- products with a SKU and customers rely on the store's own uniqueness: a duplicate answers with the owner
  (`product_invalid_sku` carries `data.resource_id`; an e-mail is looked up), and the create becomes an update of it;
- orders, and products without a SKU, have no natural key: before creating, the records modified since
  `ORIGIN_LOOKBACK` are scanned for a `sesam_origin` meta entry (WooCommerce cannot filter by meta).
Order lines are reconciled with the existing line-item ids (FACTS §5): a line without `id` is always appended, so
each pushed line is matched to an existing one of the same product; removed lines are sent as `quantity: 0`, and a
changed quantity carries its `subtotal`/`total` (a quantity alone does not reprice a line).
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from service.clients.woocommerce import MAX_PER_PAGE, WooCommerceClient
from service.connectors.bookkeeping import BOOK_KEY, Stock, book_of, new_book, stock_after
from service.connectors.writes import WriteResult, changed_subfields, payload, same_value
from service.errors import UpstreamError, UpstreamUnavailable
from service.sesam import since as tokens
from service.sesam.push import target_id

log = logging.getLogger(__name__)

ORIGIN_KEY = "sesam_origin"
ORIGIN_LOOKBACK = timedelta(days=7)
DECIMAL_FIELDS = frozenset({"regular_price", "sale_price", "total", "subtotal", "shipping_total", "discount_total"})
PARTIAL_OBJECTS = frozenset({"billing", "shipping", "dimensions"})
ID_LISTS = frozenset({"categories", "tags"})
GONE = {404, 410}


def changes_for(desired: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """The fields of `desired` that differ from `current`, in the form WooCommerce merges."""
    changes: dict[str, Any] = {}
    for key, want in desired.items():
        change = _change(key, want, current.get(key))
        if change is not None:
            changes[key] = change
    return changes


def _change(key: str, want: Any, have: Any) -> Any:
    """What to send for one field, or None when the store already holds it."""
    if key in PARTIAL_OBJECTS and isinstance(want, dict):
        return changed_subfields(want, have) or None
    if key == "meta_data" and isinstance(want, list):
        return _changed_meta(want, have or []) or None
    if key == "line_items" and isinstance(want, list):
        return _reconciled_lines(want, have or []) or None
    if key in ORDER_ITEMS and isinstance(want, list):
        return _reconciled_items(key, want, have or []) or None
    if key in ID_LISTS and isinstance(want, list):
        return want if _ids(want) != _ids(have or []) else None
    if key == "attributes" and isinstance(want, list):  # a variation's, shown with an id and a slug besides
        return want if _options(want) != _options(have or []) else None
    return None if same_value(want, have, decimal=key in DECIMAL_FIELDS) else want


def _ids(items: list[Any]) -> list[Any]:
    return sorted(item.get("id") for item in items if isinstance(item, dict))


def _options(attributes: list[Any]) -> list[tuple[str, str]]:
    """A variation's attributes as WooCommerce matches them: by name ignoring case, with the option as it is."""
    return [(str(a.get("name", "")).casefold(), str(a.get("option", ""))) for a in attributes if isinstance(a, dict)]


def _changed_meta(want: list[dict[str, Any]], have: list[dict[str, Any]]) -> list[dict[str, Any]]:
    current = {entry.get("key"): entry.get("value") for entry in have if isinstance(entry, dict)}
    return [{"key": entry["key"], "value": entry.get("value")} for entry in want
            if isinstance(entry, dict) and "key" in entry and current.get(entry["key"]) != entry.get("value")]


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


class WooCommerceWriter:
    def __init__(self, client: WooCommerceClient, *, delete_mode: str) -> None:
        self.client = client
        self.delete_mode = delete_mode

    def write_batch(self, resource: str, entities: list[dict[str, Any]]) -> WriteResult:
        result = WriteResult()
        live = []
        for entity in entities:
            if entity.get("$replaced") is True:
                result.count("skipped")
            else:
                live.append(entity)
        if resource == "products":
            live = self._with_category_ids(live)
        for start in range(0, len(live), MAX_PER_PAGE):
            chunk = live[start:start + MAX_PER_PAGE]
            try:
                self._write_chunk(resource, chunk, result)
            except UpstreamError as error:
                retriable = isinstance(error, UpstreamUnavailable)
                for entity in chunk:
                    result.fail(entity["_id"], error.message, retriable)
        return result

    # -- one chunk ---------------------------------------------------------------------------------------------
    def _write_chunk(self, resource: str, chunk: list[dict[str, Any]], result: WriteResult) -> None:
        deletes = [e for e in chunk if e.get("_deleted") is True]
        updates = [e for e in chunk if e.get("_deleted") is not True and target_id(e) is not None]
        creates = [e for e in chunk if e.get("_deleted") is not True and target_id(e) is None]
        current = self._current(resource, [target_id(e) for e in updates])
        known_origins = self._origins(resource, creates)
        body: dict[str, list[Any]] = {"create": [], "update": []}
        pending_updates: list[dict[str, Any]] = []
        pending_creates: list[dict[str, Any]] = []
        for entity in updates:
            record = current.get(target_id(entity))  # type: ignore[arg-type]
            if record is None:
                result.fail(entity["_id"], f"{resource} {target_id(entity)} does not exist in WooCommerce", False)
                continue
            self._plan_update(entity, record, body, pending_updates, result)
        for entity in creates:
            existing = known_origins.get(entity.get(ORIGIN_KEY))
            if existing is not None:
                self._plan_update(entity, existing, body, pending_updates, result, created=True)
            else:
                body["create"].append(self._create_body(entity))
                pending_creates.append(entity)
        self._delete(resource, deletes, body, result)
        if any(body.values()):
            duplicates = self._send(resource, body, pending_creates, pending_updates, result)
            if duplicates:
                self._adopt(resource, duplicates, result)

    def _plan_update(self, entity: dict[str, Any], record: dict[str, Any], body: dict[str, list[Any]],
                     pending: list[dict[str, Any]], result: WriteResult, created: bool = False) -> None:
        changes = changes_for(payload(entity), record)
        origin = entity.get(ORIGIN_KEY)
        if origin and not _origin_of(record):
            changes.setdefault("meta_data", []).append({"key": ORIGIN_KEY, "value": origin})
        for key, value in _bookkeeping_changes(entity, record).items():
            changes[key] = [*changes.get(key, []), *value] if key == "meta_data" else value
        if not changes:
            result.count("created" if created else "unchanged")
            return
        body["update"].append({"id": record["id"], **changes})
        pending.append({**entity, "$outcome": "created" if created else "updated"})

    @staticmethod
    def _create_body(entity: dict[str, Any]) -> dict[str, Any]:
        body = payload(entity)
        origin = entity.get(ORIGIN_KEY)
        if origin:
            body["meta_data"] = [*body.get("meta_data", []), {"key": ORIGIN_KEY, "value": origin}]
        for key, value in _bookkeeping_changes(entity, None).items():
            body[key] = [*body.get(key, []), *value] if key == "meta_data" else value
        return body

    def _delete(self, resource: str, deletes: list[dict[str, Any]], body: dict[str, list[Any]],
                result: WriteResult) -> None:
        # Customers cannot be trashed (501); a variation in the trash would keep its SKU, and WooCommerce's own
        # variations screen deletes them for good.
        force = self.delete_mode == "force" or resource == "customers" or resource.endswith("/variations")
        for entity in deletes:
            record_id = target_id(entity)
            if record_id is None:
                result.count("skipped")  # never created here: nothing to delete
            elif force:
                body.setdefault("delete", []).append(record_id)
            else:
                try:
                    self.client.call("DELETE", f"/{resource}/{record_id}")
                except UpstreamError as error:
                    if error.upstream_status not in GONE:
                        raise
                result.count("deleted")

    def _send(self, resource: str, body: dict[str, list[Any]], creates: list[dict[str, Any]],
              updates: list[dict[str, Any]], result: WriteResult) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        answer = self.client.call("POST", f"/{resource}/batch", json={k: v for k, v in body.items() if v})
        duplicates = []
        for entity, item in zip(creates, answer.get("create", [])):
            error = item.get("error") if isinstance(item, dict) else None
            if error is None:
                result.count("created")
            elif _is_duplicate(error):
                duplicates.append((entity, error))
            else:
                result.fail(entity["_id"], _describe(error), _retriable(error))
        for entity, item in zip(updates, answer.get("update", [])):
            error = item.get("error") if isinstance(item, dict) else None
            if error is None:
                result.count(entity["$outcome"])
            else:
                result.fail(entity["_id"], _describe(error), _retriable(error))
        for record_id, item in zip(body.get("delete", []), answer.get("delete", [])):
            error = item.get("error") if isinstance(item, dict) else None
            if error is None or _is_gone(error):
                result.count("deleted")
            else:
                result.fail(str(record_id), _describe(error), _retriable(error))
        return duplicates

    def _adopt(self, resource: str, duplicates: list[tuple[dict[str, Any], dict[str, Any]]],
               result: WriteResult) -> None:
        """A create hit an existing record with the same SKU or e-mail: update that record instead."""
        body: dict[str, list[Any]] = {"update": []}
        pending: list[dict[str, Any]] = []
        for entity, error in duplicates:
            record = self._owner(resource, entity, error)
            if record is None:
                result.fail(entity["_id"], _describe(error), False)
            else:
                log.info("create of %s met %s %s (same SKU or e-mail, or an earlier attempt): updating it instead",
                         entity["_id"], resource, record["id"])
                self._plan_update(entity, record, body, pending, result, created=True)
        if body["update"]:
            self._send(resource, body, [], pending, result)

    def _owner(self, resource: str, entity: dict[str, Any], error: dict[str, Any]) -> dict[str, Any] | None:
        owner_id = (error.get("data") or {}).get("resource_id")
        if owner_id:
            try:
                return self.client.call("GET", f"/{resource}/{owner_id}")
            except UpstreamError as lookup:
                if lookup.upstream_status in GONE:
                    return None  # not one of these: a variation's SKU held by a product, or another parent's
                raise
        if resource == "customers" and entity.get("email"):
            found = self.client.list("customers", {"email": entity["email"], "role": "all"}).items
            return found[0] if found else None
        if resource == "products" and entity.get("sku"):
            for status in ("any", "trash"):  # a trashed product still holds its SKU (FACTS §2, products-e10)
                found = self.client.list("products", {"sku": entity["sku"], "status": status}).items
                if found:
                    return found[0]
        return None

    def _with_category_ids(self, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Categories may come by name (the Custom Webshop knows names only); WooCommerce wants ids, and silently
        files an unknown id under "Uncategorized" (products-e29). Names are matched case-insensitively and
        missing categories are created, once per batch."""
        wanted = {item["name"] for entity in entities for item in entity.get("categories") or []
                  if isinstance(item, dict) and "id" not in item and isinstance(item.get("name"), str)}
        if not wanted:
            return entities
        ids: dict[str, int] = {}
        page = 1
        while True:
            listing = self.client.list("products/categories", {"per_page": MAX_PER_PAGE, "page": page})
            ids.update({str(c["name"]).casefold(): int(c["id"]) for c in listing.items})
            if page >= listing.total_pages:
                break
            page += 1
        for name in sorted(wanted):
            if name.casefold() not in ids:
                ids[name.casefold()] = int(self.client.call("POST", "/products/categories", json={"name": name})["id"])

        def resolved(item: Any) -> Any:
            if isinstance(item, dict) and "id" not in item and isinstance(item.get("name"), str):
                return {"id": ids[item["name"].casefold()]}
            return item
        return [{**entity, "categories": [resolved(item) for item in entity["categories"]]}
                if entity.get("categories") else entity for entity in entities]

    # -- reads that support the writes --------------------------------------------------------------------------
    def _current(self, resource: str, ids: Iterable[int | None]) -> dict[int, dict[str, Any]]:
        wanted = sorted({i for i in ids if i is not None})
        if not wanted:
            return {}
        found = self._by_ids(resource, wanted, {})
        missing = [i for i in wanted if i not in found]
        if missing and resource != "customers":  # trashed records are only listed with status=trash
            found.update(self._by_ids(resource, missing, {"status": "trash"}))
        return found

    def _by_ids(self, resource: str, ids: list[int], extra: dict[str, Any]) -> dict[int, dict[str, Any]]:
        params = {"include": ",".join(map(str, ids)), "per_page": MAX_PER_PAGE, **extra}
        if resource == "customers":
            params["role"] = "all"
        return {int(r["id"]): r for r in self.client.list(resource, params).items}

    def _origins(self, resource: str, creates: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """Records already carrying the origin of a create that has no natural key (a retried create)."""
        needs_scan = [e for e in creates if e.get(ORIGIN_KEY)
                      and (resource == "orders" or (resource == "products" and not e.get("sku")))]
        if not needs_scan:
            return {}
        wanted = {e[ORIGIN_KEY] for e in needs_scan}
        since = (tokens.utc_now() - ORIGIN_LOOKBACK).strftime("%Y-%m-%dT%H:%M:%S")
        found: dict[str, dict[str, Any]] = {}
        page = 1
        while True:
            listing = self.client.list(resource, {"modified_after": since, "dates_are_gmt": "true",
                                                  "orderby": "id", "order": "desc", "per_page": MAX_PER_PAGE,
                                                  "page": page})
            for record in listing.items:
                origin = _origin_of(record)
                if origin in wanted and origin not in found:
                    found[origin] = record
            if len(found) == len(wanted) or page >= listing.total_pages:
                return found
            page += 1


def _meta(record: dict[str, Any] | None, key: str) -> Any:
    for entry in (record or {}).get("meta_data") or []:
        if isinstance(entry, dict) and entry.get("key") == key:
            return entry.get("value")
    return None


def _bookkeeping_changes(entity: dict[str, Any], record: dict[str, Any] | None) -> dict[str, Any]:
    """Stock and the sync's bookkeeping (bookkeeping.py) as WooCommerce fields: `manage_stock`/`stock_quantity`, and
    the `sesam` meta entry (objects round-trip as JSON, `orders-meta-11-object-value.json`)."""
    current_book = book_of(_meta(record, BOOK_KEY))
    current = None if record is None else Stock(
        record.get("stock_quantity") if record.get("manage_stock") is True else None,
        current_book.get("stock_applied"))
    stock = stock_after(entity, current)
    changes: dict[str, Any] = {}
    if stock is not None:
        managed = stock.level is not None
        if record is None or record.get("manage_stock") is not managed:
            changes["manage_stock"] = managed
        if managed and (current is None or current.level != stock.level):
            changes["stock_quantity"] = stock.level  # FACTS §2: counted only with manage_stock, sent together
    book = new_book(entity, current_book, stock)
    if book != current_book:
        changes["meta_data"] = [{"key": BOOK_KEY, "value": book}]
    return changes


def _origin_of(record: dict[str, Any]) -> str | None:
    for entry in record.get("meta_data") or []:
        if isinstance(entry, dict) and entry.get("key") == ORIGIN_KEY:
            return entry.get("value")
    return None


def _status(error: dict[str, Any]) -> int:
    data = error.get("data")
    return int(data.get("status", 400)) if isinstance(data, dict) else 400


def _retriable(error: dict[str, Any]) -> bool:
    return _status(error) >= 500 or _status(error) == 429


def _is_gone(error: dict[str, Any]) -> bool:
    """Inside a batch an unknown id is a 400 `…_invalid_id` (orders-batch-mixed-one-failing), not a 404."""
    return _status(error) in GONE or str(error.get("code", "")).endswith("_invalid_id") \
        or error.get("code") == "woocommerce_rest_already_trashed"


def _is_duplicate(error: dict[str, Any]) -> bool:
    return error.get("code") in ("product_invalid_sku", "woocommerce_rest_product_not_created",
                                 "registration-error-email-exists")


def _describe(error: dict[str, Any]) -> str:
    return f"{error.get('code')}: {error.get('message')}"
