"""Creates in flight: what makes a create idempotent when the shop has no unique key to refuse a second one.

WooCommerce cannot filter orders (or products without a SKU) by meta data (reference/woocommerce.md §3.5), and a
shop that does not enforce the uniqueness of `origin` lets a second create through. "Look up, then create" is not
enough: two identical creates at the same moment both look before either writes, and a create that lands only
after our timeout is not there yet when Sesam replays it. So, per `sesam_origin`:

- **One create at a time.** `claim` serialises every create of an origin in this process; the second waits for
  the first and then finds what it made (`made`), an update of that record instead of a second record.
- **Nothing created twice while an earlier attempt may still land.** A create whose answer was lost (timeout,
  dropped connection, 5xx: `transport.is_uncertain`) is remembered with the shop's time before the attempt. A
  replay first asks the shop for records created since then (bounded by what was created in that window, not by
  the store's size); if none carries the origin and the attempt is younger than `UNCERTAIN_CREATE_SECONDS`, it
  fails retriably (503) instead of creating a second record. After that window the attempt is taken as lost.

The journal lives in the process: one gunicorn worker (`WEB_CONCURRENCY`). A restart forgets it; a replay after a
restart of a create that landed is caught only once the record has been read back and linked by the pipes.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

KEEP_SECONDS = 3600.0     # long enough for Sesam to replay a batch; by then the pipes have linked the record
MAX_ENTRIES = 50_000


@dataclass(frozen=True)
class _Entry:
    noted_at: float                      # monotonic time of the note
    record_id: int | None = None         # what a create of this origin made
    attempted_at: datetime | None = None  # the shop's time (naive UTC) at or before a lost attempt


class CreateJournal:
    def __init__(self, uncertain_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.uncertain_seconds = uncertain_seconds
        self.clock = clock
        self._entries: OrderedDict[tuple[str, str], _Entry] = OrderedDict()
        self._claimed: set[tuple[str, str]] = set()
        self._changed = threading.Condition()

    @contextmanager
    def claim(self, resource: str, origins: Iterable[str]) -> Iterator[None]:
        """Hold every create of these origins until the block ends (all at once, so claims cannot deadlock)."""
        keys = {(resource, origin) for origin in origins}
        with self._changed:
            self._changed.wait_for(lambda: not keys & self._claimed)
            self._claimed |= keys
        try:
            yield
        finally:
            with self._changed:
                self._claimed -= keys
                self._changed.notify_all()

    def made(self, resource: str, origin: str) -> int | None:
        entry = self._live(resource, origin)
        return entry.record_id if entry else None

    def attempted_at(self, resource: str, origin: str) -> datetime | None:
        """The shop's time before a create of `origin` whose outcome is unknown, or None."""
        entry = self._live(resource, origin)
        return entry.attempted_at if entry else None

    def may_still_land(self, resource: str, origin: str) -> bool:
        entry = self._live(resource, origin)
        return entry is not None and entry.attempted_at is not None \
            and self.clock() - entry.noted_at < self.uncertain_seconds

    def note_made(self, resource: str, origin: str, record_id: int) -> None:
        self._note(resource, origin, _Entry(self.clock(), record_id=record_id))

    def note_uncertain(self, resource: str, origin: str, attempted_at: datetime) -> None:
        entry = self._live(resource, origin)
        earlier = entry.attempted_at if entry and entry.attempted_at else attempted_at
        noted = entry.noted_at if entry and entry.attempted_at else self.clock()
        self._note(resource, origin, _Entry(noted, attempted_at=min(earlier, attempted_at)))

    def forget(self, resource: str, origin: str) -> None:
        with self._changed:
            self._entries.pop((resource, origin), None)

    def _note(self, resource: str, origin: str, entry: _Entry) -> None:
        with self._changed:
            self._entries.pop((resource, origin), None)
            self._entries[(resource, origin)] = entry
            while len(self._entries) > MAX_ENTRIES:
                self._entries.popitem(last=False)

    def _live(self, resource: str, origin: str) -> _Entry | None:
        with self._changed:
            entry = self._entries.get((resource, origin))
            keep = max(KEEP_SECONDS, self.uncertain_seconds)
            if entry is not None and self.clock() - entry.noted_at > keep:
                del self._entries[(resource, origin)]
                return None
            return entry
