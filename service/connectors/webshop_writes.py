"""Custom Webshop receivers: each pushed entity becomes at most a read and one write, entities in parallel.

- with `id`: read the record, send only the fields that differ (PATCH, `If-Match: <version>`); a 412 means the
  record moved on while we compared, so read and compare again once;
- without `id`: create with `origin` = `sesam_origin`. Creates are idempotent whether or not the shop enforces the
  contract's uniqueness of `origin`: every create of an origin is serialised through the create journal
  (create_journal.py), which remembers what each made; a 409 `duplicate` names the record that holds the SKU, e-mail
  or origin (`existing_id`), which is then updated instead, for any type; orders, which have no other unique key,
  are looked up by `?origin=` before creating, and after a lost answer are not created again while the earlier
  attempt may still land;
- `_deleted`: DELETE; a record already gone (404/410) counts as deleted.
Nested objects (addresses) and lists (order lines, categories) are sent whole when any part differs: the contract's
PATCH replaces a field's value, so a partial object would drop the keys not sent.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from service.clients.transport import is_uncertain
from service.clients.webshop import WebshopClient
from service.connectors.bookkeeping import BOOK_KEY, Stock, book_of, new_book, stock_after, without_sync_fields
from service.connectors.create_journal import CreateJournal
from service.connectors.writes import WriteResult, same_value
from service.errors import UpstreamError, UpstreamRejected, UpstreamUnavailable
from service.sesam import since as tokens
from service.sesam.batch import PushedEntity, latest_versions

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


class _MayStillLand(UpstreamUnavailable):
    """A create not repeated because an earlier attempt of it got no answer and may yet be written."""


class WebshopWriter:
    def __init__(self, client: WebshopClient, *, concurrency: int, journal: CreateJournal) -> None:
        self.client = client
        self.concurrency = concurrency
        self.journal = journal

    def write_batch(self, type_name: str, entities: list[PushedEntity]) -> WriteResult:
        result = WriteResult()
        latest, superseded = latest_versions(entities)
        result.count("superseded", len(superseded))
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            outcomes = list(pool.map(lambda e: self._apply(type_name, e), latest))
        for entity, (outcome, error) in zip(latest, outcomes):
            if error is None:
                result.record(entity, outcome)
            else:
                result.fail_upstream(entity, error)
        return result

    def _apply(self, type_name: str, entity: PushedEntity) -> tuple[str, UpstreamError | None]:
        try:
            return self._write(type_name, entity), None
        except UpstreamError as error:
            return "failed", error

    def _write(self, type_name: str, entity: PushedEntity) -> str:
        if entity.replaced:
            return "skipped"
        if entity.deleted:
            return self._delete(type_name, entity.target_id)
        if entity.target_id is not None:
            try:
                return self._update(type_name, entity.target_id, entity)
            except UpstreamRejected as error:
                if error.upstream_status not in GONE:
                    raise
                return "gone"
        if entity.origin is None:
            return self._create(type_name, entity)
        with self.journal.claim(type_name, [entity.origin]):
            return self._create_once(type_name, entity, entity.origin)

    def _delete(self, type_name: str, record_id: int | None) -> str:
        if record_id is None:
            return "skipped"  # never created in this shop: nothing to delete
        try:
            self.client.call("DELETE", self.client.path(type_name, record_id))
        except UpstreamError as error:
            if error.upstream_status not in GONE:
                raise
        return "deleted"

    def _update(self, type_name: str, record_id: int, entity: PushedEntity, attempts: int = 2) -> str:
        path = self.client.path(type_name, record_id)
        current = self.client.call("GET", path)
        changes = changes_for(without_sync_fields(entity.fields), current)
        changes.update(_bookkeeping_changes(entity.fields, current))
        origin_field = self.client.api.origin_field
        if entity.origin and not current.get(origin_field):
            changes[origin_field] = entity.origin
        if not changes:
            return "unchanged"
        headers = {"If-Match": str(current["version"])} if "version" in current else None
        try:
            self.client.call("PATCH", path, json=changes, headers=headers)
        except UpstreamRejected as error:
            if error.upstream_status == 412 and attempts > 1:  # changed while we compared: compare again
                return self._update(type_name, record_id, entity, attempts - 1)
            raise
        return "updated"

    def _create_once(self, type_name: str, entity: PushedEntity, origin: str) -> str:
        """A create of `origin` while holding its claim: update what an earlier create made, else create."""
        made = self.journal.made(type_name, origin)
        if made is not None:
            try:
                return self._update(type_name, made, entity)
            except UpstreamRejected as error:
                if error.upstream_status not in GONE:
                    raise
                self.journal.forget(type_name, origin)  # deleted since: make it again
        lost = self.journal.attempted_at(type_name, origin) is not None
        if type_name not in UNIQUE_TYPES or lost:
            found = self.client.list(type_name, {"origin": origin, "limit": 1}).items
            if found:  # made by an earlier attempt of this create
                record_id = int(found[0][self.client.api.id_field])
                self.journal.note_made(type_name, origin, record_id)
                return self._update(type_name, record_id, entity)
        if type_name not in UNIQUE_TYPES and self.journal.may_still_land(type_name, origin):
            raise _MayStillLand(f"an earlier create of {origin} got no answer and may still land in the webshop; "
                                "not creating a second one until it shows up or UNCERTAIN_CREATE_SECONDS pass")
        return self._create(type_name, entity)

    def _create(self, type_name: str, entity: PushedEntity) -> str:
        body = {**without_sync_fields(entity.fields), **_bookkeeping_changes(entity.fields, None)}
        if entity.origin:
            body[self.client.api.origin_field] = entity.origin
        attempted_at = self.client.transport.server_time()
        try:
            created = self.client.call("POST", self.client.path(type_name), json=body)
        except UpstreamRejected as error:
            answer = error.details.get("upstream_error") or {}
            existing = answer.get("existing_id")
            # Same SKU, e-mail or origin: link up, unless another resource holds it (a variant's SKU, a product's).
            held_here = answer.get("existing_resource") in (None, self.client.path(type_name).strip("/"))
            if error.upstream_status == 409 and existing is not None and held_here:
                if entity.origin:
                    self.journal.note_made(type_name, entity.origin, int(existing))
                return self._update(type_name, int(existing), entity)
            raise
        except UpstreamUnavailable as error:
            if entity.origin and is_uncertain(error):
                self.journal.note_uncertain(type_name, entity.origin, attempted_at or tokens.utc_now())
            raise
        if entity.origin and isinstance(created, dict) and created.get(self.client.api.id_field) is not None:
            self.journal.note_made(type_name, entity.origin, int(created[self.client.api.id_field]))
        return "created"


def _bookkeeping_changes(fields: dict[str, Any], record: dict[str, Any] | None) -> dict[str, Any]:
    """Stock and the sync's bookkeeping (bookkeeping.py) as contract fields: `stock_quantity` (null: not managed) and
    `metadata.sesam`, sent as a merge patch (docs/custom-webshop-api.md §3.1), so a key dropped is sent as null."""
    metadata = (record or {}).get("metadata")
    current_book = book_of(metadata.get(BOOK_KEY) if isinstance(metadata, dict) else None)
    current = None if record is None else Stock(record.get("stock_quantity"), current_book.get("stock_applied"))
    stock = stock_after(fields, current)
    changes: dict[str, Any] = {}
    if stock is not None and (current is None or current.level != stock.level):
        changes["stock_quantity"] = stock.level
    book = new_book(fields, current_book, stock)
    if book != current_book:
        changes["metadata"] = {BOOK_KEY: {**{key: None for key in current_book if key not in book}, **book}}
    return changes
