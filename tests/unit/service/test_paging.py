"""scan_offset_pages never skips a row that stays in the list, however the list changes during the scan."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

from hypothesis import given, settings
from hypothesis import strategies as st

from service.connectors.paging import ordered_map, scan_offset_pages


class ChangingList:
    """An id-sorted list served by offset, which loses and gains rows as pages are read (like a busy store)."""

    def __init__(self, ids: list[int], changes: list[tuple[str, int, int]]) -> None:
        self.ids = sorted(ids)
        self.changes = changes
        self.lock = threading.Lock()
        self.next_id = max(ids, default=0) + 1
        self.removed: set[int] = set()

    def fetch(self, offset: int, per_page: int) -> list[int]:
        with self.lock:
            page = self.ids[offset:offset + per_page]
            if self.changes:
                kind, position, count = self.changes.pop(0)
                for _ in range(count):
                    if kind == "remove" and self.ids:
                        self.removed.add(self.ids.pop(position % len(self.ids)))
                    elif kind == "add":
                        self.ids.append(self.next_id)
                        self.next_id += 1
            return page


@settings(max_examples=200, deadline=None)
@given(ids=st.lists(st.integers(1, 5000), unique=True, max_size=400),
       changes=st.lists(st.tuples(st.sampled_from(["remove", "add", "none"]), st.integers(0, 10_000),
                                  st.integers(1, 30)), max_size=60),
       per_page=st.integers(3, 40), lookahead=st.integers(1, 6))
def test_scan_yields_every_surviving_row_once_in_order(ids, changes, per_page, lookahead):
    store = ChangingList(ids, changes)
    original = set(store.ids)
    with ThreadPoolExecutor(4) as pool:
        seen = list(scan_offset_pages(lambda offset: store.fetch(offset, per_page), key=lambda row: row,
                                      per_page=per_page, overlap=max(1, per_page // 5), executor=pool,
                                      lookahead=lookahead))
    assert seen == sorted(set(seen)), "rows come once each, in key order"
    survivors = original - store.removed
    assert survivors <= set(seen), f"skipped {sorted(survivors - set(seen))}"


def test_scan_of_an_empty_list_is_one_request():
    calls = []
    with ThreadPoolExecutor(2) as pool:
        rows = list(scan_offset_pages(lambda offset: calls.append(offset) or [], key=lambda r: r, per_page=10,
                                      overlap=2, executor=pool, lookahead=1))
    assert rows == [] and calls == [0]


def test_ordered_map_keeps_order_with_bounded_lookahead():
    """Memory stays flat: however long the input, no more than `lookahead` chunks are taken from it before their
    results are consumed (an implementation that submits everything at once takes all 50 before the first result)."""
    taken = 0

    def chunks() -> Iterator[int]:
        nonlocal taken
        for n in range(50):
            taken += 1
            yield n

    held, results = [], []
    with ThreadPoolExecutor(8) as pool:
        for consumed, result in enumerate(ordered_map(lambda n: n * n, chunks(), executor=pool, lookahead=3), 1):
            held.append(taken - consumed + 1)  # taken, not yet handed over, counting the one in hand
            results.append(result)
    assert results == [n * n for n in range(50)]
    assert max(held) == 3, "fetches run ahead, by the look-ahead and no further"
