"""The contract's rules on top of the database: validation, uniqueness, references, versions, stamps, tombstones.

Checks run in the order 404 → 412 → 422 → 409, each before anything is written, so a refused request changes
nothing. A write whose validated content equals the stored record is answered with the stored record and touches
nothing (no new version, no new `updated_at`, not counted in the stats): a syncing client must be able to write
back what it read without starting an echo.
"""
from __future__ import annotations

import dataclasses
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sandbox.webshop.clock import Clock
from sandbox.webshop.db import Database, Row
from sandbox.webshop.errors import Duplicate, NotFound, ValidationFailed, VersionMismatch
from sandbox.webshop.fields import Invalid, format_timestamp
from sandbox.webshop.listing import listing_sql, next_cursor, parse_list_query
from sandbox.webshop.resources import READ_ONLY, RESOURCES, Resource

OPERATIONS = ("create", "update", "delete")
STOCK_STATE = "_stock"  # an order's stock bookkeeping, stored with it but never part of its writable fields
TICK = timedelta(microseconds=1)
EARLY_STAMP_WAIT_SECONDS = 0.01


class Store:
    def __init__(self, db: Database, clock: Clock, broken: frozenset[str] = frozenset()) -> None:
        self.db = db
        self.clock = clock
        self.broken = broken
        if "origin_not_unique" in broken:
            db.allow_duplicate_origins()
        self.stats: Counter[tuple[str, str]] = Counter()
        self._arrivals = 0
        self._arrivals_lock = threading.Lock()
        self._arrival = threading.local()

    # -- reads -------------------------------------------------------------------------------------------------

    def get(self, resource: str, id_: int) -> dict[str, Any]:
        return record_json(self._live(_resource(resource), id_))

    def list(self, resource: str, args: Mapping[str, str]) -> tuple[list[dict[str, Any]], str | None]:
        _resource(resource)
        query = _validated(parse_list_query, args)
        sql, params = _validated(listing_sql, resource, query, self.broken)
        rows = self.db.select(sql, params)
        page = rows[: query.limit]
        cursor = next_cursor(page, query, self.broken) if len(rows) > query.limit else None
        return [record_json(row) for row in page], cursor

    # -- writes ------------------------------------------------------------------------------------------------

    def create(self, resource: str, body: Any) -> dict[str, Any]:
        kind = _resource(resource)
        data = _validated(kind.shape.validate, body, None, READ_ONLY)
        arrived = self._arrive()
        with self.db.transaction():
            self._check_references(kind, data)
            if kind.name == "orders":
                data = self._move_stock(None, data)
            row = _new_row(kind, self.db.allocate_ids(resource)[0], data, self._stamp(resource, arrived))
            self._check_unique(kind, row.data, None)
            self._save(row, "create")
        return record_json(row)

    def replace(self, resource: str, id_: int, body: Any, if_match: int | None) -> dict[str, Any]:
        return self._update(resource, id_, if_match, lambda stored: body)

    def patch(self, resource: str, id_: int, body: Any, if_match: int | None) -> dict[str, Any]:
        """JSON Merge Patch (RFC 7396) over the writable fields, then validated like a PUT of the result."""
        return self._update(resource, id_, if_match, lambda stored: merge_patch(stored, body))

    def delete(self, resource: str, id_: int, if_match: int | None) -> None:
        kind = _resource(resource)
        arrived = self._arrive()
        with self.db.transaction():
            row = self._live(kind, id_)
            self._check_version(row, if_match)
            stamp = self._stamp(resource, arrived)
            self._save(dataclasses.replace(row, updated_at=stamp, deleted_at=stamp, version=row.version + 1), "delete")

    def _update(self, resource: str, id_: int, if_match: int | None,
                new_body: Callable[[dict[str, Any]], Any]) -> dict[str, Any]:
        kind = _resource(resource)
        arrived = self._arrive()
        with self.db.transaction():
            row = self._live(kind, id_)
            self._check_version(row, if_match)
            public = _public(row.data)
            data = _validated(kind.shape.validate, new_body(public), public, READ_ONLY)
            if data == public and "bumps_unchanged" not in self.broken:
                return record_json(row)
            self._check_references(kind, data)
            if kind.name == "orders":
                data = self._move_stock(row.data.get(STOCK_STATE), data)
            self._check_unique(kind, data, id_)
            updated = dataclasses.replace(row, data=data, unique_key=kind.unique_key(data), origin=data["origin"],
                                          updated_at=self._stamp(resource, arrived), version=row.version + 1)
            self._save(updated, "update")
        return record_json(updated)

    def _move_stock(self, held_before: dict[str, Any] | None, order: dict[str, Any]) -> dict[str, Any]:
        """Checkout orders move stock; copies never do (docs/custom-webshop-api.md §3.6).

        An order created without `origin` holds, for every product line, its quantity of that product's stock while
        the order is not cancelled: creating it takes the stock, cancelling gives it back, leaving cancelled takes it
        again, and a changed line takes or gives the difference. What it holds is kept with the order, so exactly
        that is given back. Products whose stock is not managed, and deleted products, are not counted.
        """
        state = held_before or {"moves": order["origin"] is None, "held": {}}
        wanted = _wanted(state["moves"], order)
        held: dict[str, int] = {}
        for key in sorted(set(state["held"]) | set(wanted)):
            product = self.db.get("products", int(key))
            if product is None or product.deleted_at is not None or product.data["stock_quantity"] is None:
                continue  # nothing to count: what it held is forgotten, as the level it came from is gone
            target = wanted.get(key, 0)
            moved = state["held"].get(key, 0) - target
            if moved:
                stock = {**product.data, "stock_quantity": product.data["stock_quantity"] + moved}
                self._save(dataclasses.replace(product, data=stock, updated_at=self._stamp("products"),
                                               version=product.version + 1), "update")
            if target:
                held[key] = target
        return {**order, STOCK_STATE: {"moves": state["moves"], "held": held}}

    def _live(self, kind: Resource, id_: int) -> Row:
        row = self.db.get(kind.name, id_)
        if row is None or row.deleted_at is not None:
            raise NotFound(f"no {kind.name} record with id {id_}")
        return row

    def _check_version(self, row: Row, if_match: int | None) -> None:
        if if_match is not None and if_match != row.version and "ignores_if_match" not in self.broken:
            raise VersionMismatch(row.version)

    def _check_references(self, kind: Resource, data: dict[str, Any]) -> None:
        """A referenced id must have been issued by this shop; a deleted record still counts (orders keep history)."""
        errors = {path: f"no {target} record with id {ref}" for path, target, ref in kind.references(data)
                  if self.db.get(target, ref) is None}
        if errors:
            raise ValidationFailed(errors)

    def _check_unique(self, kind: Resource, data: dict[str, Any], own_id: int | None) -> None:
        """The unique value first, then `origin` (exact, among live records: a tombstone does not hold it)."""
        existing = self.db.live_id_with_key(kind.name, kind.unique_key(data))
        if existing is not None and existing != own_id:
            raise Duplicate(kind.name, kind.unique, existing)
        if data["origin"] is None or "origin_not_unique" in self.broken:
            return
        existing = self.db.live_id_with_origin(kind.name, data["origin"])
        if existing is not None and existing != own_id:
            raise Duplicate(kind.name, "origin", existing)

    def note_arrival(self) -> None:
        """For the `early_stamps` breakage only (called by `broken_proxy` when a request starts, before its body is
        read): the time this thread's write arrived."""
        self._arrival.at = self.clock.now()

    def _arrive(self) -> datetime | None:
        """For the `early_stamps` breakage only: the time a write's request arrived, then a wait for a slow
        transaction (every third write waits longest), as a shop stamping at request or transaction start does."""
        if "early_stamps" not in self.broken:
            return None
        arrived = getattr(self._arrival, "at", None) or self.clock.now()
        self._arrival.at = None
        with self._arrivals_lock:
            self._arrivals += 1
            waits = self._arrivals % 3
        time.sleep(waits * EARLY_STAMP_WAIT_SECONDS)
        return arrived

    def _stamp(self, resource: str, arrived: datetime | None = None) -> str:
        """Now, or one microsecond past the newest stamp: each write sorts after every record already committed."""
        if arrived is not None:
            return format_timestamp(arrived)
        now = self.clock.now()
        if "second_stamps" in self.broken:
            return format_timestamp(now.replace(microsecond=0))
        latest = self.db.latest_update(resource)
        if latest is not None and format_timestamp(now) <= latest:
            now = datetime.fromisoformat(latest) + TICK
        return format_timestamp(now)

    def _save(self, row: Row, operation: str) -> None:
        self.db.save([row])
        self.stats[row.resource, operation] += 1

    # -- sandbox control ---------------------------------------------------------------------------------------

    def stats_json(self) -> dict[str, dict[str, int]]:
        return {name: {op: self.stats[name, op] for op in OPERATIONS} for name in RESOURCES}

    def insert_many(self, resource: str, datas: Iterable[dict[str, Any]], same_stamp: bool) -> list[int]:
        """Store already-valid records in one transaction without HTTP (seeding and benchmarks).

        `same_stamp` gives them all one `updated_at`, as a bulk import committed at once would; otherwise they get
        consecutive microseconds. Either way they sort after every record already stored.
        """
        kind = _resource(resource)
        datas = list(datas)
        if kind.name == "orders":  # seeded orders are history: the seeded levels already count what they hold
            datas = [{**data, STOCK_STATE: {"moves": data["origin"] is None,
                                            "held": _wanted(data["origin"] is None, data)}} for data in datas]
        with self.db.transaction():
            ids = self.db.allocate_ids(resource, len(datas))
            start = datetime.fromisoformat(self._stamp(resource))
            self.db.save(_new_row(kind, id_, data, format_timestamp(start if same_stamp else start + index * TICK))
                         for index, (id_, data) in enumerate(zip(ids, datas)))
        return list(ids)


def record_json(row: Row) -> dict[str, Any]:
    """A live record, or a tombstone for a deleted one (docs/custom-webshop-api.md §6)."""
    if row.deleted_at is not None:
        return {"id": row.id, "deleted": True, "deleted_at": row.deleted_at, "updated_at": row.updated_at,
                "version": row.version, "origin": row.origin}
    fields = RESOURCES[row.resource].shape.fields
    record = {"id": row.id, **{spec.name: row.data[spec.name] for spec in fields},
              "created_at": row.created_at, "updated_at": row.updated_at, "version": row.version}
    if STOCK_STATE in row.data:
        record["moves_stock"] = row.data[STOCK_STATE]["moves"]
    return record


def _wanted(moves: bool, order: dict[str, Any]) -> dict[str, int]:
    """The stock an order should hold, by product id: its lines' quantities, unless it is a copy or cancelled."""
    wanted: dict[str, int] = {}
    if moves and order["status"] != "cancelled":
        for line in order["lines"]:
            if line["product_id"] is not None:
                key = str(line["product_id"])
                wanted[key] = wanted.get(key, 0) + line["quantity"]
    return wanted


def _public(data: dict[str, Any]) -> dict[str, Any]:
    """The writable fields of a stored record, without the shop's own bookkeeping."""
    return {key: value for key, value in data.items() if key != STOCK_STATE}


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396: objects merge key by key, `null` removes a key (so it falls back to its default), all else replaces."""
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged


def _new_row(kind: Resource, id_: int, data: dict[str, Any], stamp: str) -> Row:
    """Version 1 of a record, with the fields the shop assigns on create filled in."""
    data = {**data, **{spec.name: spec.assigned(id_, stamp) for spec in kind.shape.fields
                       if spec.assigned is not None and spec.name not in data}}
    return Row(kind.name, id_, data, kind.unique_key(data), data["origin"], stamp, stamp, 1, None)


def _resource(name: str) -> Resource:
    if name not in RESOURCES:
        raise NotFound(f"no resource {name!r}; the shop serves {', '.join(RESOURCES)}")
    return RESOURCES[name]


def _validated(function: Any, *args: Any) -> Any:
    try:
        return function(*args)
    except Invalid as exc:
        raise ValidationFailed(exc.errors) from None

