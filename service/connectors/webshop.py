"""The Custom Webshop as a Sesam system: orders, products and customers as JSON Pull streams, and receivers.

Reads follow the shop's own order, (updated_at, id): with cursor pagination (our contract) the cursor is a keyset
position and stable while records change; with page or offset pagination, pages are not stable, so every request
restarts from the last record seen through `updated_after` (keyset through the filter) and only moves to the next
page number when a whole page shares one timestamp. Either way a stream never skips a record that stays in the
listing, and a shop that lists out of order is reported, not streamed. Deletes come as tombstones
(`include_deleted=true`). Records still inside the settle window are held back (there are only as many as were
written in the last few seconds) and sent last, in id order, with unsettled tokens (see service/sesam/since.py).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any

from service.clients.webshop import WebshopClient
from service.clients.webshop_api import TYPES
from service.connectors.base import Connector
from service.connectors.create_journal import CreateJournal
from service.connectors.read_stats import ReadStats
from service.connectors.webshop_writes import WebshopWriter
from service.connectors.writes import WriteResult
from service.errors import UnknownEntityType, UpstreamUnavailable
from service.sesam import since
from service.sesam.batch import PushedEntity

TOKENS = since.MICROSECONDS  # the contract stamps microseconds
_NEVER = datetime.max  # a cutoff no record reaches: the settled token of a record is its place in the listing


class WebshopConnector(Connector):
    tokens = TOKENS
    system = "customwebshop"

    def __init__(self, client: WebshopClient, *, concurrency: int, settle_seconds: float, journal: CreateJournal,
                 clock: Callable[[], datetime] = since.utc_now) -> None:
        self.client = client
        self.api = client.api
        self.settle_seconds = settle_seconds
        self.clock = clock
        self.writer = WebshopWriter(client, concurrency=concurrency, journal=journal)

    @staticmethod
    def entity_type(name: str) -> str:
        if name not in TYPES:
            raise UnknownEntityType(f"unknown entity type {name!r}; this service serves {', '.join(TYPES)}",
                                    type=name[:64])
        return name

    def write_batch(self, type_name: str, entities: list[PushedEntity]) -> WriteResult:
        return self.writer.write_batch(self.entity_type(type_name), entities)

    def read_entities(self, type_name: str, since: str | None, limit: int | None,
                      stats: ReadStats | None = None) -> Iterator[dict[str, Any]]:
        self.entity_type(type_name)
        stats = stats if stats is not None else ReadStats()
        cutoff = TOKENS.cutoff(self.clock(), self.settle_seconds)
        unsettled: list[dict[str, Any]] = []
        sent = 0
        for record in self._listing(type_name, since, stats):
            if self._modified(record) >= cutoff:
                unsettled.append(record)
                continue
            if limit is not None and sent >= limit:
                return
            yield self._entity(record, cutoff)
            sent += 1
        unsettled.sort(key=lambda record: record[self.api.id_field])
        for record in unsettled:
            entity = self._entity(record, cutoff)
            if since is not None and entity["_updated"] <= since:
                continue
            if limit is not None and sent >= limit:
                return
            yield entity
            sent += 1

    def _listing(self, type_name: str, since: str | None, stats: ReadStats) -> Iterator[dict[str, Any]]:
        """The shop's records after `since`, in strictly increasing (updated_at, id) order."""
        params: dict[str, Any] = {"limit": self.api.page_size}
        if self.api.tombstones:
            params["include_deleted"] = "true"
        if since is not None:
            # The filter is exclusive on time alone: ask from just before, and drop what is at or before the token.
            params["updated_after"] = _rfc3339(TOKENS.time_of(since) - TOKENS.step)
        previous = since
        pages = self._cursor_pages if self.api.pagination == "cursor" else self._keyset_pages
        for record in pages(type_name, params, stats):
            position = TOKENS.make_token(self._modified(record), record[self.api.id_field], _NEVER)
            if previous is not None and position <= previous:
                if self.api.pagination == "cursor" and previous != since:
                    raise UpstreamUnavailable(f"the webshop listed {type_name} out of (updated_at, id) order at "
                                              f"id {record[self.api.id_field]}", path=self.client.path(type_name))
                continue  # at or before `since`, or seen already on the previous page of a keyset restart
            previous = position
            yield record

    def _cursor_pages(self, type_name: str, params: dict[str, Any], stats: ReadStats) -> Iterator[dict[str, Any]]:
        """Pages until one says `next_cursor: null` (the client refuses a page that says nothing): an empty page
        with a cursor is not the end (docs/custom-webshop-api.md §5.2), but a cursor handed out twice would loop."""
        cursor = None
        seen: set[str] = set()
        while True:
            stats.count_request()
            listing = self.client.list(type_name, {**params, "cursor": cursor} if cursor else params)
            yield from listing.items
            if listing.next_cursor is None:
                return
            if listing.next_cursor in seen:
                raise UpstreamUnavailable(f"the webshop handed out the same cursor twice while listing {type_name}",
                                          path=self.client.path(type_name))
            seen.add(listing.next_cursor)
            cursor = listing.next_cursor

    def _keyset_pages(self, type_name: str, params: dict[str, Any], stats: ReadStats) -> Iterator[dict[str, Any]]:
        after = params.get("updated_after")
        page = 1
        while True:
            query = {**params, **({"updated_after": after} if after else {})}
            query.update({"page": page} if self.api.pagination == "page" else {"offset": (page - 1) * self.api.page_size})
            stats.count_request()
            items = self.client.list(type_name, query).items
            yield from items
            if len(items) < self.api.page_size:
                return
            newest = _rfc3339(self._modified(items[-1]) - TOKENS.step)
            page = page + 1 if newest == after else 1  # a whole page in one timestamp: page through that instant
            after = newest

    def _modified(self, record: dict[str, Any]) -> datetime:
        raw = record.get(self.api.updated_field)
        try:
            moment = datetime.fromisoformat(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise UpstreamUnavailable(f"a webshop record has no valid {self.api.updated_field}: {raw!r:.40}") from None
        return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment

    def _entity(self, record: dict[str, Any], cutoff: datetime) -> dict[str, Any]:
        record_id = record[self.api.id_field]
        entity = dict(record)
        entity["_id"] = str(record_id)
        entity["_updated"] = TOKENS.make_token(self._modified(record), record_id, cutoff)
        entity["_deleted"] = record.get(self.api.deleted_field) is True
        return entity


def _rfc3339(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


