"""Two paging primitives that make full reads of a changing shop safe and fast.

`scan_offset_pages` reads an offset-paged list that is sorted by a unique ascending key (WooCommerce's
`orderby=id&order=asc`) without ever skipping a record that stays in the list, even while the list changes:
offset paging over a list that loses a row shifts every later row one place up, and the row that moves across a
page boundary is never seen (a skipped row in a full read is later treated as deleted by Sesam). Pages are fetched
`overlap` rows apart from their neighbours, so consecutive pages share rows when nothing moved. A page is accepted
only when its first key is at or below the last key already accepted, which proves no row slipped between the two
pages; otherwise rows before it left the list, and we step back (doubling) until a page overlaps again. A short page
that overlaps ends the scan: nothing came after it at the time it was read. Rows that join the list during the scan
(new records, higher ids) may or may not be seen: they are newer than the read and come with the next one. Because
every page's validity is checked on its own, pages are fetched ahead in parallel.

`ordered_map` applies a fetch to chunks in parallel, at most `lookahead` ahead, and yields results in order, so
memory is bounded by the look-ahead whatever the stream's length.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future
from typing import TypeVar

T = TypeVar("T")
C = TypeVar("C")
R = TypeVar("R")


def scan_offset_pages(fetch: Callable[[int], list[T]], key: Callable[[T], int], *, per_page: int, overlap: int,
                      executor: Executor, lookahead: int) -> Iterator[T]:
    if not 0 < overlap < per_page:
        raise ValueError("overlap must be between 0 and per_page, exclusive")
    stride = per_page - overlap
    pending: deque[tuple[int, Future[list[T]]]] = deque()
    next_offset = 0
    last_key: int | None = None

    def top_up(limit: int) -> None:
        nonlocal next_offset
        while len(pending) < limit:
            pending.append((next_offset, executor.submit(fetch, next_offset)))
            next_offset += stride

    try:
        top_up(1)  # the first page alone: a small list needs no more requests than that
        while True:
            offset, future = pending.popleft()
            page = future.result()
            if last_key is not None and (not page or key(page[0]) > last_key):
                # Rows before `offset` left the list since the previous page was read: step back until we overlap.
                page, offset = _step_back(fetch, key, offset, last_key, overlap)
                for _, stale in pending:
                    stale.cancel()
                pending.clear()
                next_offset = offset + stride
            for item in page:
                if last_key is None or key(item) > last_key:
                    last_key = key(item)
                    yield item
            if len(page) < per_page:
                return
            top_up(lookahead)
    finally:
        for _, future in pending:
            future.cancel()


def _step_back(fetch: Callable[[int], list[T]], key: Callable[[T], int], offset: int, last_key: int,
               overlap: int) -> tuple[list[T], int]:
    back = overlap
    while True:
        earlier = max(0, offset - back)
        page = fetch(earlier)
        if earlier == 0 or (page and key(page[0]) <= last_key):
            return page, earlier
        back *= 2


def ordered_map(fetch: Callable[[C], R], chunks: Iterable[C], *, executor: Executor, lookahead: int) -> Iterator[R]:
    pending: deque[Future[R]] = deque()
    try:
        for chunk in chunks:
            pending.append(executor.submit(fetch, chunk))
            if len(pending) >= lookahead:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()
