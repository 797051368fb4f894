"""Custom Webshop receivers: each pushed entity becomes at most a read and one write, entities in parallel.

- with `id`: read the record, send only the fields that differ (PATCH, `If-Match: <version>`); a 412 means the
  record moved on while we compared, so read and compare again once;
- without `id`: create with `origin` = `sesam_origin`. A create that may have landed before (a timeout, a re-sent
  batch) finds its record: orders by `?origin=` before creating; customers and products through the shop's own
  uniqueness (409 names the existing record, which is then updated instead);
- `_deleted`: DELETE; a record already gone (404/410) counts as deleted.
Nested objects (addresses) and lists (order lines, categories) are sent whole when any part differs: the contract's
PATCH replaces a field's value, so a partial object would drop the keys not sent.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from service.clients.webshop import WebshopClient
from service.connectors.bookkeeping import BOOK_KEY, Stock, book_of, new_book, stock_after
from service.connectors.writes import WriteResult, payload, same_value
from service.errors import UpstreamError, UpstreamRejected, UpstreamUnavailable
from service.sesam.push import target_id

GONE = {404, 410}
UNIQUE_TYPES = frozenset({"customer", "product", "variation"})  # e-mail, SKU: a repeated create answers 409
DECIMAL_SUFFIXES = ("price", "_total", "total")


def changes_for(desired: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    return {key: want for key, want in desired.items()
            if not _same(want, current.get(key), decimal=key.endswith(DECIMAL_SUFFIXES))}


def _same(want: Any, have: Any, decimal: bool = False) -> bool:
    if isinstance(want, dict) and isinstance(have, dict):
        return all(_same(v, have.get(k), decimal=k.endswith(DECIMAL_SUFFIXES)) for k, v in want.items()) \
            and all(k in want or have[k] in (None, "") for k in have)
    if isinstance(want, list) and isinstance(have, list):
        return len(want) == len(have) and all(_same(w, h) for w, h in zip(want, have))
    return same_value(want, have, decimal=decimal)


class WebshopWriter:
    def __init__(self, client: WebshopClient, *, concurrency: int) -> None:
        self.client = client
        self.concurrency = concurrency

    def write_batch(self, type_name: str, entities: list[dict[str, Any]]) -> WriteResult:
        result = WriteResult()
        latest: dict[str, dict[str, Any]] = {}
        for entity in entities:  # the same _id twice in one batch: its last version is the one that counts
            if entity["_id"] in latest:
                result.count("skipped")
            latest[entity["_id"]] = entity
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            outcomes = list(pool.map(lambda e: self._apply(type_name, e), latest.values()))
        for entity, (outcome, error) in zip(latest.values(), outcomes):
            if error is None:
                result.count(outcome)
            else:
                result.fail(entity["_id"], error.message, isinstance(error, UpstreamUnavailable))
        return result

    def _apply(self, type_name: str, entity: dict[str, Any]) -> tuple[str, UpstreamError | None]:
        try:
            return self._write(type_name, entity), None
        except UpstreamError as error:
            return "failed", error

    def _write(self, type_name: str, entity: dict[str, Any]) -> str:
        if entity.get("$replaced") is True:
            return "skipped"
        record_id = target_id(entity)
        if entity.get("_deleted") is True:
            return self._delete(type_name, record_id)
        if record_id is not None:
            return self._update(type_name, record_id, entity, "updated")
        return self._create(type_name, entity)

    def _delete(self, type_name: str, record_id: int | None) -> str:
        if record_id is None:
            return "skipped"  # never created in this shop: nothing to delete
        try:
            self.client.call("DELETE", self.client.path(type_name, record_id))
        except UpstreamError as error:
            if error.upstream_status not in GONE:
                raise
        return "deleted"

    def _update(self, type_name: str, record_id: int, entity: dict[str, Any], outcome: str,
                attempts: int = 2) -> str:
        path = self.client.path(type_name, record_id)
        current = self.client.call("GET", path)
        changes = changes_for(payload(entity), current)
        changes.update(_bookkeeping_changes(entity, current))
        origin_field = self.client.api.origin_field
        if entity.get("sesam_origin") and not current.get(origin_field):
            changes[origin_field] = entity["sesam_origin"]
        if not changes:
            return "unchanged" if outcome == "updated" else outcome
        headers = {"If-Match": str(current["version"])} if "version" in current else None
        try:
            self.client.call("PATCH", path, json=changes, headers=headers)
        except UpstreamRejected as error:
            if error.upstream_status == 412 and attempts > 1:  # changed while we compared: compare again
                return self._update(type_name, record_id, entity, outcome, attempts - 1)
            raise
        return outcome

    def _create(self, type_name: str, entity: dict[str, Any]) -> str:
        origin = entity.get("sesam_origin")
        origin_field = self.client.api.origin_field
        if origin and type_name not in UNIQUE_TYPES:
            found = self.client.list(type_name, {"origin": origin, "limit": 1}).items
            if found:  # made by an earlier attempt of this create
                return self._update(type_name, found[0][self.client.api.id_field], entity, "created")
        body = {**payload(entity), **_bookkeeping_changes(entity, None)}
        if origin:
            body[origin_field] = origin
        try:
            self.client.call("POST", self.client.path(type_name), json=body)
        except UpstreamRejected as error:
            answer = error.details.get("upstream_error") or {}
            existing = answer.get("existing_id")
            # Same SKU or e-mail: link up with it, unless another resource holds it (a variant's SKU, a product).
            held_here = answer.get("existing_resource") in (None, self.client.path(type_name).strip("/"))
            if error.upstream_status == 409 and existing is not None and held_here:
                return self._update(type_name, int(existing), entity, "created")
            raise
        return "created"


def _bookkeeping_changes(entity: dict[str, Any], record: dict[str, Any] | None) -> dict[str, Any]:
    """Stock and the sync's bookkeeping (bookkeeping.py) as contract fields: `stock_quantity` (null: not managed) and
    `metadata.sesam`, sent as a merge patch (docs/custom-webshop-api.md §3.1), so a key dropped is sent as null."""
    metadata = (record or {}).get("metadata")
    current_book = book_of(metadata.get(BOOK_KEY) if isinstance(metadata, dict) else None)
    current = None if record is None else Stock(record.get("stock_quantity"), current_book.get("stock_applied"))
    stock = stock_after(entity, current)
    changes: dict[str, Any] = {}
    if stock is not None and (current is None or current.level != stock.level):
        changes["stock_quantity"] = stock.level
    book = new_book(entity, current_book, stock)
    if book != current_book:
        changes["metadata"] = {BOOK_KEY: {**{key: None for key in current_book if key not in book}, **book}}
    return changes
