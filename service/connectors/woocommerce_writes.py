"""WooCommerce receivers: a pushed batch becomes `/batch` calls of at most 100 items.

Per chunk, in two steps that keep the writer easy to extend:
1. **Plan** (`_plan`): every read the chunk needs, then the decisions, with no write. One `include=` read of the
   records to update (so unchanged ones are not written: WooCommerce bumps `date_modified` on every write); for
   orders, one read of the products their lines name (a line for a product the store does not have would be stored
   as product 0 at 0.00, FACTS §4: refused naming the line). `woocommerce_rules.py` has already refused what the
   store would refuse or alter (e-mail syntax, negative quantities) before any request.
2. **Send** (`_send`): soft deletes one by one, everything else in one `POST /<resource>/batch`; each item's answer
   is counted, or reported with WooCommerce's field-level reason.

Creates are idempotent, because Sesam re-sends a failed batch entity by entity and a timed-out create may land:
- products with a SKU and customers rely on the store's own uniqueness: a duplicate answers with the owner
  (`product_invalid_sku` carries `data.resource_id`; an e-mail is looked up), and the create becomes an update of it;
- orders, and products without a SKU, have no natural key and WooCommerce cannot filter by meta: the create journal
  (create_journal.py) serialises creates per `sesam_origin`, remembers what each made, and after a lost answer
  asks the store only for what was created since (`after=`, bounded by the store's traffic in that window, not by
  its size). A create costs one request; a replay after a lost answer one more.
"""
from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from service.clients.transport import describe_fields, is_uncertain
from service.clients.woocommerce import MAX_PER_PAGE, WooCommerceClient, error_fields
from service.connectors.create_journal import CreateJournal
from service.connectors.woocommerce_changes import create_body, origin_of, update_body
from service.connectors.woocommerce_emails import for_store
from service.connectors.woocommerce_rules import refusals
from service.connectors.writes import WriteResult
from service.errors import UpstreamError
from service.sesam import since as tokens
from service.sesam.batch import PushedEntity, latest_versions

log = logging.getLogger(__name__)

GONE = {404, 410}
DUPLICATE_CODES = frozenset({"product_invalid_sku", "woocommerce_rest_product_not_created",
                             "registration-error-email-exists"})
# The store's `Date` has whole seconds and the record's `date_created` is set inside the request: look a little
# earlier than the last `Date` seen before the attempt. A store that sends no `Date` at all: our clock, generously.
CLOCK_MARGIN = timedelta(seconds=5)
NO_DATE_MARGIN = timedelta(minutes=15)


@dataclass
class _Planned:
    entity: PushedEntity
    body: dict[str, Any]


@dataclass
class _Batch:
    creates: list[_Planned] = field(default_factory=list)
    updates: list[_Planned] = field(default_factory=list)
    deletes: list[PushedEntity] = field(default_factory=list)


class WooCommerceWriter:
    def __init__(self, client: WooCommerceClient, *, delete_mode: str, journal: CreateJournal) -> None:
        self.client = client
        self.delete_mode = delete_mode
        self.journal = journal

    def write_batch(self, resource: str, entities: list[PushedEntity]) -> WriteResult:
        result = WriteResult()
        latest, superseded = latest_versions(entities)
        result.count("superseded", len(superseded))
        writable = []
        for entity in latest:
            entity = dataclasses.replace(entity, fields=for_store(resource, entity.fields))
            refused = {} if entity.deleted or entity.replaced else refusals(resource, entity.fields)
            if entity.replaced or (entity.deleted and entity.target_id is None):
                result.count("skipped")  # `$replaced` is not a delete; a delete of what was never created here
            elif refused:
                result.refuse(entity, refused)
            else:
                writable.append(entity)
        if resource == "products":
            try:
                writable = self._with_category_ids(writable)
            except UpstreamError as error:
                for entity in writable:
                    result.fail_upstream(entity, error)
                return result
        for start in range(0, len(writable), MAX_PER_PAGE):
            chunk = writable[start:start + MAX_PER_PAGE]
            origins = [e.origin for e in chunk if e.is_create and e.origin]
            with self.journal.claim(resource, origins):
                try:
                    batch = self._plan(resource, chunk, result)
                except UpstreamError as error:
                    for entity in chunk:
                        result.fail_upstream(entity, error)
                    continue
                self._send(resource, batch, result)
        return result

    # -- 1. plan -----------------------------------------------------------------------------------------------
    def _plan(self, resource: str, chunk: list[PushedEntity], result: WriteResult) -> _Batch:
        """Read what the chunk needs, then decide; raises UpstreamError only before deciding anything."""
        updates = [e for e in chunk if not e.deleted and e.target_id is not None]
        creates = [e for e in chunk if e.is_create]
        made = {e.index: self.journal.made(resource, e.origin) for e in creates if e.origin}
        lost = [e for e in creates if e.origin and made[e.index] is None
                and self.journal.attempted_at(resource, e.origin) is not None and _lacks_natural_key(resource, e)]
        landed = self._landed(resource, lost)
        current = self._current(resource, [e.target_id for e in updates] + [i for i in made.values() if i]
                                + list(landed.values()))
        missing_products = self._missing_products(resource, updates + creates)
        batch = _Batch(deletes=[e for e in chunk if e.deleted])
        for entity in updates:
            record = current.get(entity.target_id)  # type: ignore[arg-type]
            if record is None:
                result.record(entity, "gone")
            else:
                self._plan_update(entity, record, batch, result, missing_products)
        for entity in creates:
            existing_id = made.get(entity.index) or landed.get(entity.origin or "")
            record = current.get(existing_id) if existing_id else None
            self._plan_create(resource, entity, record, batch, result, missing_products)
        return batch

    def _plan_create(self, resource: str, entity: PushedEntity, record: dict[str, Any] | None, batch: _Batch,
                     result: WriteResult, missing_products: set[int]) -> None:
        if record is not None:  # made by an earlier create of this origin: bring it up to date instead
            self.journal.note_made(resource, entity.origin or "", int(record["id"]))
            self._plan_update(entity, record, batch, result, missing_products)
        elif entity.origin and self.journal.may_still_land(resource, entity.origin) \
                and _lacks_natural_key(resource, entity):
            result.fail(entity, f"an earlier create of {entity.origin} got no answer and may still land in "
                                "WooCommerce; not creating a second one until it shows up or "
                                "UNCERTAIN_CREATE_SECONDS pass", True)
        elif refused := _lines_without_product(entity, entity.fields.get("line_items") or [], missing_products):
            result.refuse(entity, refused)
        else:
            if entity.origin:
                self.journal.forget(resource, entity.origin)  # what it made is gone, or never landed
            batch.creates.append(_Planned(entity, create_body(entity)))

    @staticmethod
    def _plan_update(entity: PushedEntity, record: dict[str, Any], batch: _Batch, result: WriteResult,
                     missing_products: set[int]) -> None:
        changes = update_body(entity, record)
        added = [line for line in changes.get("line_items", [])  # lines matched keep their ids
                 if isinstance(line, dict) and "id" not in line]
        refused = _lines_without_product(entity, added, missing_products)
        if refused:
            result.refuse(entity, refused)
        elif changes:
            batch.updates.append(_Planned(entity, {"id": record["id"], **changes}))
        else:
            result.count("unchanged")

    # -- 2. send -----------------------------------------------------------------------------------------------
    def _send(self, resource: str, batch: _Batch, result: WriteResult) -> None:
        # Customers cannot be trashed (501); a variation in the trash would keep its SKU, and WooCommerce's own
        # variations screen deletes them for good.
        force = self.delete_mode == "force" or resource == "customers" or is_variations(resource)
        if not force:
            for entity in batch.deletes:
                self._trash(resource, entity, result)
        deletes = batch.deletes if force else []
        body = {"create": [p.body for p in batch.creates], "update": [p.body for p in batch.updates],
                "delete": [e.target_id for e in deletes]}
        if not any(body.values()):
            return
        sent = [p.entity for p in batch.creates + batch.updates] + deletes
        attempted_at = self._store_time(resource)
        try:
            answer = self.client.call("POST", f"/{resource}/batch", json={k: v for k, v in body.items() if v})
        except UpstreamError as error:
            if is_uncertain(error):
                self._note_lost(resource, batch.creates, attempted_at)
            for entity in sent:
                result.fail_upstream(entity, error)
            return
        duplicates = self._count_answers(resource, batch, deletes, answer, attempted_at, result)
        if duplicates:
            self._adopt(resource, duplicates, result)

    def _trash(self, resource: str, entity: PushedEntity, result: WriteResult) -> None:
        try:
            self.client.call("DELETE", f"/{resource}/{entity.target_id}")
        except UpstreamError as error:
            if error.upstream_status not in GONE:
                result.fail_upstream(entity, error)
                return
        result.count("deleted")

    def _count_answers(self, resource: str, batch: _Batch, deletes: list[PushedEntity], answer: Any,
                       attempted_at: datetime, result: WriteResult) -> list[tuple[PushedEntity, dict[str, Any]]]:
        """Count each item's outcome; returns the creates that met an existing record with their errors."""
        answer = answer if isinstance(answer, dict) else {}
        duplicates = []
        for planned, item in _answered(batch.creates, answer.get("create")):
            error = _item_error(item)
            if item is None:
                self._note_lost(resource, [planned], attempted_at)
                result.fail(planned.entity, "WooCommerce's batch answer does not mention this create", True)
            elif error is None:
                result.count("created")
                if planned.entity.origin:
                    self.journal.note_made(resource, planned.entity.origin, int(item["id"]))
            elif error.get("code") in DUPLICATE_CODES:
                duplicates.append((planned.entity, error))
            else:
                _fail_item(planned.entity, error, result)
        for planned, item in _answered(batch.updates, answer.get("update")):
            error = _item_error(item)
            if item is None:
                result.fail(planned.entity, "WooCommerce's batch answer does not mention this update", True)
            elif error is None:
                result.count("updated")
            else:
                _fail_item(planned.entity, error, result)
        for entity, item in _answered(deletes, answer.get("delete")):
            error = _item_error(item)
            if item is not None and (error is None or _is_gone(error)):
                result.count("deleted")
            elif item is None:
                result.fail(entity, "WooCommerce's batch answer does not mention this delete", True)
            else:
                _fail_item(entity, error, result)
        return duplicates

    def _adopt(self, resource: str, duplicates: list[tuple[PushedEntity, dict[str, Any]]],
               result: WriteResult) -> None:
        """A create hit an existing record with the same SKU or e-mail: update that record instead."""
        batch = _Batch()
        for entity, error in duplicates:
            try:
                record = self._owner(resource, entity, error)
            except UpstreamError as lookup_error:
                result.fail_upstream(entity, lookup_error)
                continue
            if record is None:
                _fail_item(entity, error, result)
                continue
            log.info("create of %s met %s %s (same SKU or e-mail, or an earlier attempt): updating it instead",
                     entity.sesam_id, resource, record["id"])
            if entity.origin:
                self.journal.note_made(resource, entity.origin, int(record["id"]))
            self._plan_update(entity, record, batch, result, set())
        self._send(resource, batch, result)

    def _owner(self, resource: str, entity: PushedEntity, error: dict[str, Any]) -> dict[str, Any] | None:
        owner_id = (error.get("data") or {}).get("resource_id")
        if owner_id:
            try:
                return self.client.call("GET", f"/{resource}/{owner_id}")
            except UpstreamError as lookup:
                if lookup.upstream_status in GONE:
                    return None  # not one of these: a variation's SKU held by a product, or another parent's
                raise
        email, sku = entity.fields.get("email"), entity.fields.get("sku")
        if resource == "customers" and email:
            found = self.client.list("customers", {"email": email, "role": "all"}).items
            return found[0] if found else None
        if resource == "products" and sku:
            for status in ("any", "trash"):  # a trashed product still holds its SKU (FACTS §2, products-e10)
                found = self.client.list("products", {"sku": sku, "status": status}).items
                if found:
                    return found[0]
        return None

    def _note_lost(self, resource: str, creates: Iterable[_Planned], attempted_at: datetime) -> None:
        for planned in creates:
            if planned.entity.origin:
                self.journal.note_uncertain(resource, planned.entity.origin, attempted_at)

    def _store_time(self, resource: str) -> datetime:
        """A moment at or before the next request in the store's clock (its last `Date`), minus a margin. Before
        the store has sent any `Date`, one small read learns it: our own clock may be far from the store's."""
        if self.client.transport.server_time() is None:
            try:
                self.client.list(resource, {"per_page": 1, "_fields": "id"})
            except UpstreamError:
                pass  # the write that follows will meet the same trouble and report it
        seen = self.client.transport.server_time()
        return seen - CLOCK_MARGIN if seen is not None else tokens.utc_now() - NO_DATE_MARGIN

    # -- reads that support the writes --------------------------------------------------------------------------
    def _with_category_ids(self, entities: list[PushedEntity]) -> list[PushedEntity]:
        """Categories may come by name (the Custom Webshop knows names only); WooCommerce wants ids, and silently
        files an unknown id under "Uncategorized" (products-e29). Names are matched case-insensitively and
        missing categories are created, once per batch."""
        wanted = {item["name"] for entity in entities for item in entity.fields.get("categories") or []
                  if "id" not in item}
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

        def resolved(entity: PushedEntity) -> PushedEntity:
            categories = entity.fields.get("categories")
            if not categories:
                return entity
            named = [item if "id" in item else {"id": ids[item["name"].casefold()]} for item in categories]
            return dataclasses.replace(entity, fields={**entity.fields, "categories": named})
        return [resolved(entity) for entity in entities]

    def _current(self, resource: str, ids: Iterable[int | None]) -> dict[int, dict[str, Any]]:
        wanted = sorted({i for i in ids if i})
        found = self._by_ids(resource, wanted, {})
        missing = [i for i in wanted if i not in found]
        if missing and resource != "customers":  # trashed records are only listed with status=trash
            found.update(self._by_ids(resource, missing, {"status": "trash"}))
        return found

    def _by_ids(self, resource: str, ids: list[int], extra: dict[str, Any]) -> dict[int, dict[str, Any]]:
        found: dict[int, dict[str, Any]] = {}
        for start in range(0, len(ids), MAX_PER_PAGE):
            params = {"include": ",".join(map(str, ids[start:start + MAX_PER_PAGE])), "per_page": MAX_PER_PAGE,
                      **extra}
            if resource == "customers":
                params["role"] = "all"
            found.update({int(r["id"]): r for r in self.client.list(resource, params).items})
        return found

    def _missing_products(self, resource: str, entities: list[PushedEntity]) -> set[int]:
        """The product ids order lines name that the store does not have (trashed products still count)."""
        if resource != "orders":
            return set()
        named = sorted({line["product_id"] for entity in entities for line in entity.fields.get("line_items") or []
                        if isinstance(line.get("product_id"), int) and line["product_id"] > 0})
        found = set(self._by_ids("products", named, {"_fields": "id"}))
        unlisted = [i for i in named if i not in found]
        found |= set(self._by_ids("products", unlisted, {"_fields": "id", "status": "trash"}))
        return set(named) - found

    def _landed(self, resource: str, lost: list[PushedEntity]) -> dict[str, int]:
        """origin → id of what the store created since the earliest lost attempt of these creates."""
        if not lost:
            return {}
        wanted = {e.origin for e in lost}
        since = min(self.journal.attempted_at(resource, e.origin or "") or tokens.utc_now() for e in lost)
        found: dict[str, int] = {}
        page = 1
        while True:
            listing = self.client.list(resource, {"after": since.strftime("%Y-%m-%dT%H:%M:%S"), "dates_are_gmt": "true",
                                                  "orderby": "id", "order": "asc", "per_page": MAX_PER_PAGE,
                                                  "page": page, "_fields": "id,meta_data"})
            for record in listing.items:
                origin = origin_of(record)
                if origin in wanted:
                    found.setdefault(origin, int(record["id"]))
            if page >= listing.total_pages:
                return found
            page += 1


def _lacks_natural_key(resource: str, entity: PushedEntity) -> bool:
    """Orders and SKU-less products or variations: nothing in the store refuses a second create of them."""
    return resource == "orders" or (resource == "products" or is_variations(resource)) and not entity.fields.get("sku")


def is_variations(resource: str) -> bool:
    """A parent's variations, `products/{id}/variations`: written like products, under their parent."""
    return resource.endswith("/variations")


def _lines_without_product(entity: PushedEntity, lines: list[dict[str, Any]], missing: set[int]) -> dict[str, str]:
    """The pushed lines among `lines` (those that would be added) naming a product the store does not have. Only
    orders' lines have a declared shape; another resource's `line_items` is the store's to refuse."""
    pushed = entity.fields.get("line_items") or []
    return {f"line_items[{index}].product_id": f"product {line['product_id']} does not exist in WooCommerce (the "
                                              "line would be stored as product 0 at 0.00)"
            for index, line in enumerate(pushed)
            if isinstance(line, dict) and line.get("product_id") in missing and any(line is added for added in lines)}


def _answered(planned: list[Any], items: Any) -> Iterator[tuple[Any, Any]]:
    """Each planned item with its answer, None where the answer has none (a store must not lose one silently)."""
    items = items if isinstance(items, list) else []
    for index, item in enumerate(planned):
        yield item, items[index] if index < len(items) else None


def _item_error(item: Any) -> dict[str, Any] | None:
    error = item.get("error") if isinstance(item, dict) else None
    return error if isinstance(error, dict) else None


def _status(error: dict[str, Any]) -> int:
    data = error.get("data")
    return int(data.get("status", 400)) if isinstance(data, dict) else 400


def _fail_item(entity: PushedEntity, error: dict[str, Any], result: WriteResult) -> None:
    fields = error_fields(error)
    status = _status(error)
    reason = describe_fields(fields) if fields else f"{error.get('code')}: {error.get('message')}"
    if status in (401, 403):
        result.fail(entity, f"WooCommerce refused our credentials for this item ({reason}); retry once fixed", True)
    else:
        result.fail(entity, reason, status >= 500 or status == 429, fields)


def _is_gone(error: dict[str, Any]) -> bool:
    """Inside a batch an unknown id is a 400 `…_invalid_id` (orders-batch-mixed-one-failing), not a 404."""
    return _status(error) in GONE or str(error.get("code", "")).endswith("_invalid_id") \
        or error.get("code") == "woocommerce_rest_already_trashed"
