"""WooCommerce as a Sesam system: orders, products, variations and customers as JSON Pull streams.

A read is two passes (README, "How a pull never skips a record"):
1. Keys: every record's id and modification time, from small `_fields=id,date_modified_gmt` pages ordered by id,
   read with `scan_offset_pages` (no row skipped while the store changes) and fetched in parallel. Orders and
   products ask the store only for what changed (`modified_after` one second before `since`, because the filter is
   exclusive and whole-second, with naive UTC and `dates_are_gmt=true`); trashed ones come from a second scan with
   `status=trash` and become `_deleted: true`; a full read then reads once more what was modified since it began,
   so a record restored from the trash meanwhile (in neither scan) is not left out. Customers cannot be filtered
   by the API, so all keys are read and filtered here. Every page is checked against the store's `X-WP-Total`
   (clients/woocommerce.py): a page shortened on the way is never taken for the end. Keys are packed into one
   integer each (16 bytes of list per record), sorted by since-token.
2. Records: full records fetched by `include=<up to 100 ids>` in token order, several requests ahead in parallel,
   streamed as they arrive. A record gone between the passes (trashed, deleted) is left out: it is gone, and its
   trashing will come as a tombstone in the next read.
Variations are read through their parents (woocommerce_variations.py).
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby
from typing import Any, Callable

from service.clients.woocommerce import MAX_PER_PAGE, WooCommerceClient
from service.connectors.paging import ordered_map, scan_offset_pages
from service.connectors.base import Connector
from service.connectors.read_stats import ReadStats
from service.connectors.create_journal import CreateJournal
from service.connectors.woocommerce_emails import as_read
from service.connectors.woocommerce_changes import SHAPES
from service.connectors.woocommerce_variation_writes import VariationWriter
from service.connectors.woocommerce_variations import VariationStream
from service.connectors.woocommerce_writes import WooCommerceWriter
from service.connectors.writes import WriteResult
from service.errors import UnknownEntityType
from service.sesam import since
from service.sesam.batch import PushedEntity
from service.sesam.shapes import Check

TOKENS = since.SECONDS  # WooCommerce stamps whole seconds
VARIATION_TOKENS = since.TokenFormat(microseconds=False)  # the id part is a position: parent id, variation id
OVERLAP = 10  # rows shared by neighbouring key pages; more rows than this leaving between two reads costs a step back
NO_STORE_DATE_MARGIN = timedelta(minutes=15)  # before the store has sent any Date: our clock, generously earlier


@dataclass(frozen=True)
class WooType:
    name: str
    resource: str
    server_filter: bool          # the API filters by modified_after (orders, products); customers: scanned here
    trash: bool                  # trashed records are listed with status=trash and streamed as deletes

    @property
    def key_fields(self) -> str:
        return "id,date_modified_gmt" if self.server_filter else "id,date_modified_gmt,date_created_gmt"


TYPES: dict[str, WooType] = {
    "order": WooType("order", "orders", server_filter=True, trash=True),
    "product": WooType("product", "products", server_filter=True, trash=True),
    "customer": WooType("customer", "customers", server_filter=False, trash=False),
    # Read through their parents (woocommerce_variations.py), written per parent.
    "variation": WooType("variation", "variations", server_filter=True, trash=False),
}

# A key packs (token second, unsettled, id, deleted) into one int whose order is the since-token order.
_ID_BITS = 40
_EPOCH = since.EPOCH


def _pack(second: int, unsettled: bool, record_id: int, deleted: bool) -> int:
    return (second << (_ID_BITS + 2)) | (int(unsettled) << (_ID_BITS + 1)) | (record_id << 1) | int(deleted)


def _unpack(key: int) -> tuple[int, bool, int, bool]:
    return key >> (_ID_BITS + 2), bool(key >> (_ID_BITS + 1) & 1), key >> 1 & ((1 << _ID_BITS) - 1), bool(key & 1)


def _key_of(token: str) -> int:
    """The packed key below which every key is at or before `token` (see since.py for the token forms)."""
    second = int((TOKENS.time_of(token) - _EPOCH).total_seconds())
    if len(token) == 20:  # a bare time: every record of that second comes after it
        return _pack(second, False, 0, False) - 1
    return _pack(second, token[20] == since.UNSETTLED, int(token[21:]), True)


def _id_of(key: int) -> int:
    return key >> 1 & ((1 << _ID_BITS) - 1)


def _token_of(key: int) -> str:
    second, unsettled, record_id, _ = _unpack(key)
    moment = TOKENS.format_time(_EPOCH + timedelta(seconds=second))
    return f"{moment}{since.UNSETTLED if unsettled else since.SETTLED}{record_id:0{since.ID_DIGITS}d}"


class WooCommerceConnector(Connector):
    tokens = TOKENS
    system = "woocommerce"

    def __init__(self, client: WooCommerceClient, *, concurrency: int, settle_seconds: float,
                 journal: CreateJournal, delete_mode: str = "trash",
                 clock: Callable[[], datetime] = since.utc_now) -> None:
        self.client = client
        self.writer = WooCommerceWriter(client, delete_mode=delete_mode, journal=journal)
        self.variation_writer = VariationWriter(client, self.writer)
        self.concurrency = concurrency
        self.settle_seconds = settle_seconds
        self.clock = clock
        products = TYPES["product"]
        self.variations = VariationStream(
            client, concurrency=concurrency, pack=_pack, unpack=_unpack, token_format=TOKENS,
            scan_keys=lambda params, cutoff, floor, pool, stats: self._scan(products, params, cutoff, False, floor,
                                                                            pool, stats))

    @staticmethod
    def entity_type(name: str) -> WooType:
        try:
            return TYPES[name]
        except KeyError:
            raise UnknownEntityType(f"unknown entity type {name!r}; this service serves {', '.join(TYPES)}",
                                    type=name[:64]) from None

    def parse_since(self, raw: str | None, type_name: str) -> str | None:
        if type_name == "variation":  # `<time>_<parent id>.<variation id>`, checked whole by the stream
            return VARIATION_TOKENS.parse_since(raw)
        return super().parse_since(raw, type_name)

    def read_entities(self, type_name: str, since: str | None, limit: int | None,
                      stats: ReadStats | None = None) -> Iterator[dict[str, Any]]:
        woo_type = self.entity_type(type_name)
        stats = stats if stats is not None else ReadStats()
        cutoff = TOKENS.cutoff(self.clock(), self.settle_seconds)
        if type_name == "variation":
            yield from self.variations.read(since, limit, cutoff, stats)
            return
        with ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix=f"woo-{type_name}") as pool:
            keys = self._keys(woo_type, since, cutoff, pool, stats)
            selected = keys if limit is None else keys[:limit]
            chunks = (list(group) for _, group in groupby(selected, key=lambda k: k & 1))
            batches = (chunk[i:i + MAX_PER_PAGE] for chunk in chunks for i in range(0, len(chunk), MAX_PER_PAGE))
            fetched = ordered_map(lambda batch: (batch, self._records(woo_type, batch, stats)), batches,
                                  executor=pool, lookahead=self.concurrency)
            for batch, records in fetched:
                for key in batch:
                    record = records.get(_id_of(key))
                    if record is not None:
                        yield self._entity(as_read(woo_type.resource, record), key)

    def write_batch(self, type_name: str, entities: list[PushedEntity]) -> WriteResult:
        if type_name == "variation":
            return self.variation_writer.write_batch(entities)
        return self.writer.write_batch(self.entity_type(type_name).resource, entities)

    def entity_shape(self, type_name: str) -> Mapping[str, Check]:
        return SHAPES[self.entity_type(type_name).resource]

    # -- pass 1: keys ------------------------------------------------------------------------------------------
    def _keys(self, woo_type: WooType, since: str | None, cutoff: datetime, pool: ThreadPoolExecutor,
              stats: ReadStats) -> list[int]:
        params: dict[str, Any] = {"orderby": "id", "order": "asc", "per_page": MAX_PER_PAGE,
                                  "_fields": woo_type.key_fields}
        if woo_type.server_filter:
            params["dates_are_gmt"] = "true"
            if since is not None:
                after = TOKENS.time_of(since) - timedelta(seconds=1)
                params["modified_after"] = after.strftime("%Y-%m-%dT%H:%M:%S")
        floor = _key_of(since) if since is not None else -1
        started = self.client.transport.server_time()  # the store's clock, at or before this read's first request
        live = self._scan(woo_type, params, cutoff, False, floor, pool, stats)
        if not woo_type.trash:
            return sorted(live)
        trashed = {_id_of(k): k
                   for k in self._scan(woo_type, {**params, "status": "trash"}, cutoff, True, floor, pool, stats)}
        if since is None:
            live = self._with_restored(woo_type, params, live, started, cutoff, pool, stats)
        # A record trashed (or restored) between the two scans shows up in both: keep the later sighting.
        keys = [k for k in live if self._newer_than_trashed(k, trashed)]
        keys.extend(trashed.values())
        keys.sort()
        return keys

    def _with_restored(self, woo_type: WooType, params: dict[str, Any], live: list[int], started: datetime | None,
                       cutoff: datetime, pool: ThreadPoolExecutor, stats: ReadStats) -> list[int]:
        """A record restored from the trash while the read runs can be in neither scan: still trashed when the live
        scan passed its id, live again when the trash scan passed it. A full read that leaves it out makes Sesam
        mark it deleted, so the records modified since the read began (a restore bumps `date_modified`) are read
        once more; each record keeps its latest sighting."""
        since_start = (started or self.clock() - NO_STORE_DATE_MARGIN) - timedelta(seconds=1)
        recent = {**params, "modified_after": since_start.strftime("%Y-%m-%dT%H:%M:%S")}
        latest = {_id_of(k): k for k in live}
        for key in self._scan(woo_type, recent, cutoff, False, -1, pool, stats):
            latest[_id_of(key)] = max(key, latest.get(_id_of(key), key))
        return list(latest.values())

    @staticmethod
    def _newer_than_trashed(live_key: int, trashed: dict[int, int]) -> bool:
        record_id = _id_of(live_key)
        other = trashed.get(record_id)
        if other is None:
            return True
        if live_key > other:
            del trashed[record_id]
            return True
        return False

    def _scan(self, woo_type: WooType, params: dict[str, Any], cutoff: datetime, deleted: bool, floor: int,
              pool: ThreadPoolExecutor, stats: ReadStats) -> list[int]:
        def fetch(offset: int) -> list[dict[str, Any]]:
            stats.count_request()
            return self.client.list(woo_type.resource, {**params, "offset": offset}).items

        keys = []
        for row in scan_offset_pages(fetch, lambda r: int(r["id"]), per_page=MAX_PER_PAGE, overlap=OVERLAP,
                                     executor=pool, lookahead=self.concurrency):
            key = self._key(row, cutoff, deleted)
            if key > floor:
                keys.append(key)
        return keys

    @staticmethod
    def _key(row: dict[str, Any], cutoff: datetime, deleted: bool) -> int:
        stamp = row.get("date_modified_gmt") or row.get("date_created_gmt")
        modified = datetime.fromisoformat(stamp) if stamp else _EPOCH
        unsettled = modified >= cutoff
        moment = cutoff - timedelta(seconds=1) if unsettled else modified
        return _pack(int((moment - _EPOCH).total_seconds()), unsettled, int(row["id"]), deleted)

    # -- pass 2: records ---------------------------------------------------------------------------------------
    def _records(self, woo_type: WooType, batch: list[int], stats: ReadStats) -> dict[int, dict[str, Any]]:
        ids = [_id_of(key) for key in batch]
        params: dict[str, Any] = {"include": ",".join(map(str, ids)), "per_page": MAX_PER_PAGE}
        if batch[0] & 1:
            params["status"] = "trash"
        stats.count_request()
        return {int(record["id"]): record for record in self.client.list(woo_type.resource, params).items}

    @staticmethod
    def _entity(record: dict[str, Any], key: int) -> dict[str, Any]:
        entity = {k: v for k, v in record.items() if k != "_links"}
        entity["_id"] = str(record["id"])
        entity["_updated"] = _token_of(key)
        entity["_deleted"] = bool(key & 1)
        return entity
