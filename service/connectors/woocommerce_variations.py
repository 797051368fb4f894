"""WooCommerce variations as one JSON Pull stream, read through the products that own them.

WooCommerce lists variations per parent only (`/products/{id}/variations`), but every variation write, and every
stock move on one, moves its parent's `date_modified` (FACTS, "Recorded 2026-12-01": `variations-b12-…` …
`-b18-…`, `stock-s03-…`). So a read asks the store for the variable products changed since `since` (the keys pass
of products, README "How a pull never skips a record": `type=variable`, `modified_after`, `_fields=id,
date_modified_gmt`, ordered by id with overlapping pages) and then, parent by parent in token order and several
parents ahead in parallel, for each one's variations (one request for up to 100 of them). A store with thousands of
variable products costs one request per hundred changed parents plus one per changed parent, never a request per
variable product of the store.

A variation's token is its parent's position followed by its own id, `2026-12-01T21:40:25Z_000000007014.000000007015`
(`~` for an unsettled parent; the parent's last variation stands at `.999999999999`, the parent's end): strictly
increasing in the stream, and a variation comes again whenever its parent changes, which is at least whenever it
changes itself. Variations deleted for good leave no trace in WooCommerce:
the parent's `variations` list no longer names them, and that is how the pipes see the delete (dataflow/pipes.py,
`_parent`); the nightly full read lets Sesam's deletion tracking catch the rest.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any, TypeVar

from service.clients.woocommerce import MAX_PER_PAGE, WooCommerceClient
from service.connectors.paging import ordered_map, scan_offset_pages
from service.connectors.read_stats import ReadStats
from service.errors import InvalidRequest
from service.sesam import since as tokens

T = TypeVar("T")
OVERLAP = 10
# The id part of a variation's token: its parent's id, then its own, each zero-padded; the last variation of a parent
# stands at the parent's end, so a read resumed there need not ask for that parent again.
PARENT_END = 10 ** tokens.ID_DIGITS - 1
_POSITION = re.compile(rf"^(\d{{{tokens.ID_DIGITS}}})\.(\d{{{tokens.ID_DIGITS}}})$")
ScanKeys = Callable[[dict[str, Any], datetime, int, ThreadPoolExecutor, ReadStats], list[int]]
Pack = Callable[[int, bool, int, bool], int]
Unpack = Callable[[int], tuple[int, bool, int, bool]]


class _Inline(Executor):
    """Runs each call at once: a parent's variation pages are read one after the other, inside the pool's thread
    that reads that parent (a nested submit to the same pool could wait for itself)."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # noqa: BLE001 (handed to the caller through the future, as an executor does)
            future.set_exception(error)
        return future


class VariationStream:
    def __init__(self, client: WooCommerceClient, *, concurrency: int, scan_keys: ScanKeys, pack: Pack,
                 unpack: Unpack, token_format: tokens.TokenFormat) -> None:
        self.client = client
        self.concurrency = concurrency
        self.scan_keys = scan_keys   # the products' keys pass: (params, cutoff, floor, pool, stats) → packed keys
        self.pack, self.unpack = pack, unpack  # (second, unsettled, id, deleted) ↔ a key, in token order
        self.tokens = token_format

    def read(self, since: str | None, limit: int | None, cutoff: datetime,
             stats: ReadStats) -> Iterator[dict[str, Any]]:
        floor, after_variation = self._floor(since)
        params: dict[str, Any] = {"orderby": "id", "order": "asc", "per_page": MAX_PER_PAGE, "type": "variable",
                                  "_fields": "id,date_modified_gmt", "dates_are_gmt": "true"}
        if since is not None:
            params["modified_after"] = (self.tokens.time_of(since) - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S")
        sent = 0
        with ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="woo-variation") as pool:
            parents = sorted(key for key in self.scan_keys(params, cutoff, floor - 1, pool, stats)
                             if key != floor or after_variation != PARENT_END)  # that parent was sent whole
            fetched = ordered_map(lambda key: (key, self._variations(self.unpack(key)[2], stats)), parents,
                                  executor=pool, lookahead=self.concurrency)
            for key, variations in fetched:
                for position, variation in enumerate(variations, 1):
                    if key == floor and int(variation["id"]) <= after_variation:
                        continue  # sent before the resumed position
                    yield self._entity(variation, key, last=position == len(variations))
                    sent += 1
                    if limit is not None and sent >= limit:
                        return

    def _floor(self, since: str | None) -> tuple[int, int]:
        """The packed key of the first parent `since` may still need, and the last of its variations already sent
        (-1: none). A bare time: every parent modified in that second or later."""
        if since is None:
            return -1, -1
        second = int((self.tokens.time_of(since) - tokens.EPOCH).total_seconds())
        if len(since) == 20:
            return self.pack(second, False, 0, False), -1
        position = _POSITION.match(since[21:])
        if position is None:
            raise InvalidRequest("since is not a token of the variation stream (…Z_<parent id>.<variation id>)",
                                 since=since[:64])
        parent, variation = (int(group) for group in position.groups())
        return self.pack(second, since[20] == tokens.UNSETTLED, parent, False), variation

    def _variations(self, parent_id: int, stats: ReadStats) -> list[dict[str, Any]]:
        """All of a parent's live variations by id, whole; pages that overlap (as the keys pass) if it has many."""
        def fetch(offset: int) -> list[dict[str, Any]]:
            stats.count_request()
            return self.client.list(f"products/{parent_id}/variations",
                                    {"orderby": "id", "order": "asc", "per_page": MAX_PER_PAGE,
                                     "offset": offset}).items
        return list(scan_offset_pages(fetch, lambda v: int(v["id"]), per_page=MAX_PER_PAGE, overlap=OVERLAP,
                                      executor=_Inline(), lookahead=1))

    def _entity(self, variation: dict[str, Any], parent_key: int, last: bool) -> dict[str, Any]:
        second, unsettled, parent_id, _ = self.unpack(parent_key)
        moment = self.tokens.format_time(tokens.EPOCH + timedelta(seconds=second))
        position = PARENT_END if last else int(variation["id"])
        entity = {k: v for k, v in variation.items() if k != "_links"}
        entity["_id"] = str(variation["id"])
        entity["_updated"] = (f"{moment}{tokens.UNSETTLED if unsettled else tokens.SETTLED}"
                              f"{parent_id:0{tokens.ID_DIGITS}d}.{position:0{tokens.ID_DIGITS}d}")
        entity["_deleted"] = False
        return entity
