"""Rows of one resource with the indexes a database would keep, so lists over 100 000 rows stay cheap.

Rows are the API representation (without `_links`), keyed by id. Live and trashed rows are kept in separate
partitions, each with three sorted indexes: by id, by `(date_modified_gmt, id)` and by `(date_created_gmt, id)`.
The commonest lists (default status or `status=trash`, ordered by id, modification or creation time, optionally
within a date window on that same column) are answered by two bisections and a slice: no row is visited. Anything
else narrows by the index it can, filters, sorts, and caches the ids per query and table version (every write bumps
the version), so paging through one query costs a slice, as MySQL's buffer pool makes it cost on a real store.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

Row = dict[str, Any]
_HIGHEST_ID = float("inf")
INDEXED_ORDERS = ("id", "modified", "date")
# A list filter that every row of one partition passes: the default status ("any" but trash) and "trash".
PARTITION_OF_STATUS = {"any": "live", "trash": "trash"}


@dataclass(frozen=True)
class Window:
    """Exclusive bounds on a date column, as `YYYY-MM-DDTHH:MM:SS` strings (which sort like the times they name)."""

    after: str | None = None
    before: str | None = None

    def __bool__(self) -> bool:
        return self.after is not None or self.before is not None

    def admits(self, value: str | None) -> bool:
        if value is None:
            return not self
        return (self.after is None or value > self.after) and (self.before is None or value < self.before)


@dataclass(frozen=True)
class Selection:
    """What a list asks for, minus paging: hashable, so it keys the cache. `filters` holds (name, value) pairs."""

    orderby: str
    descending: bool
    modified: Window = Window()
    created: Window = Window()
    include: tuple[int, ...] | None = None
    filters: tuple[tuple[str, Hashable], ...] = ()


@dataclass(frozen=True)
class Found:
    """The ids a list matched, as a range of an ordered id list (an index, or a list built for the query)."""

    ids: list[int]
    start: int
    stop: int
    descending: bool = False

    def __len__(self) -> int:
        return self.stop - self.start

    def page(self, offset: int, count: int) -> list[int]:
        if not self.descending:
            return self.ids[self.start + offset:min(self.start + offset + count, self.stop)]
        high = self.stop - offset
        return self.ids[max(high - count, self.start):max(high, self.start)][::-1]


class _Index:
    """Sorted `(key, id)` pairs with the ids alongside, for bisection and C-speed slicing."""

    def __init__(self, pairs: list[tuple[Any, int]] | None = None) -> None:
        self.keys = sorted(pairs or [])
        self.ids = [row_id for _, row_id in self.keys]

    def add(self, key: Any, row_id: int) -> None:
        position = bisect_left(self.keys, (key, row_id))
        self.keys.insert(position, (key, row_id))
        self.ids.insert(position, row_id)

    def remove(self, key: Any, row_id: int) -> None:
        position = bisect_left(self.keys, (key, row_id))
        if position < len(self.keys) and self.keys[position] == (key, row_id):
            del self.keys[position]
            del self.ids[position]

    def bounds(self, window: Window) -> tuple[int, int]:
        start = 0 if window.after is None else bisect_right(self.keys, (window.after, _HIGHEST_ID))
        stop = len(self.keys) if window.before is None else bisect_left(self.keys, (window.before, -1))
        return start, max(start, stop)


def _index_keys(row: Row) -> dict[str, Any]:
    return {"id": row["id"], "modified": row.get("date_modified_gmt") or "", "date": row.get("date_created_gmt") or ""}


def _partition(row: Row) -> str:
    return "trash" if row.get("status") == "trash" else "live"


class Table:
    def __init__(self) -> None:
        self.rows: dict[int, Row] = {}
        self.version = 0
        self._indexed: dict[int, tuple[str, dict[str, Any]]] = {}
        self._partitions = {"live": self._empty_partition(), "trash": self._empty_partition()}
        self._cache: dict[Selection, tuple[int, Found]] = {}

    @staticmethod
    def _empty_partition() -> dict[str, _Index]:
        return {name: _Index() for name in INDEXED_ORDERS}

    def __len__(self) -> int:
        return len(self.rows)

    def get(self, row_id: int) -> Row | None:
        return self.rows.get(row_id)

    def save(self, row: Row) -> None:
        """Insert or replace a row and re-index it; call after every change to a row."""
        row_id = row["id"]
        placed = (_partition(row), _index_keys(row))
        old = self._indexed.get(row_id)
        if old != placed:
            if old is not None:
                self._unindex(row_id, old)
            for name, index in self._partitions[placed[0]].items():
                index.add(placed[1][name], row_id)
            self._indexed[row_id] = placed
        self.rows[row_id] = row
        self.version += 1

    def load(self, rows: list[Row]) -> None:
        """Bulk insert for seeding: one sort per index instead of one insertion per row."""
        for row in rows:
            self.rows[row["id"]] = row
            self._indexed[row["id"]] = (_partition(row), _index_keys(row))
        for partition in self._partitions:
            placed = [(row_id, keys) for row_id, (where, keys) in self._indexed.items() if where == partition]
            self._partitions[partition] = {name: _Index([(keys[name], row_id) for row_id, keys in placed])
                                           for name in INDEXED_ORDERS}
        self.version += 1

    def delete(self, row_id: int) -> None:
        self._unindex(row_id, self._indexed.pop(row_id))
        del self.rows[row_id]
        self.version += 1

    def _unindex(self, row_id: int, placed: tuple[str, dict[str, Any]]) -> None:
        for name, index in self._partitions[placed[0]].items():
            index.remove(placed[1][name], row_id)

    def select(self, selection: Selection, matches: Callable[[Row], bool],
               sort_key: Callable[[Row], Any]) -> Found:
        """The rows that match, in the requested order (ties broken by id in the same direction)."""
        cached = self._cache.get(selection)
        if cached is not None and cached[0] == self.version:
            return cached[1]
        found = self._from_index(selection) or self._scan(selection, matches, sort_key)
        if len(self._cache) > 256:
            self._cache.clear()
        self._cache[selection] = (self.version, found)
        return found

    def _from_index(self, selection: Selection) -> Found | None:
        """One partition, ordered by an indexed column, windowed (if at all) on that column: a slice."""
        partition = None
        for name, value in selection.filters:
            if name == "status" and value in PARTITION_OF_STATUS:
                partition = PARTITION_OF_STATUS[value]
            elif value:
                return None
        windows = {"modified": selection.modified, "date": selection.created}
        if partition is None or selection.include is not None or selection.orderby not in INDEXED_ORDERS or any(
                window for name, window in windows.items() if name != selection.orderby):
            return None
        index = self._partitions[partition][selection.orderby]
        start, stop = index.bounds(windows.get(selection.orderby, Window()))
        return Found(index.ids, start, stop, selection.descending)

    def _scan(self, selection: Selection, matches: Callable[[Row], bool], sort_key: Callable[[Row], Any]) -> Found:
        rows = self.rows
        if selection.include is not None:
            candidates = [i for i in dict.fromkeys(selection.include) if i in rows]
        else:
            candidates = []
            for partition in self._partitions.values():
                if selection.modified:
                    index = partition["modified"]
                    candidates += index.ids[slice(*index.bounds(selection.modified))]
                elif selection.created:
                    index = partition["date"]
                    candidates += index.ids[slice(*index.bounds(selection.created))]
                else:
                    candidates += partition["id"].ids
        ids = [i for i in candidates
               if selection.modified.admits(rows[i].get("date_modified_gmt"))
               and selection.created.admits(rows[i].get("date_created_gmt")) and matches(rows[i])]
        if selection.orderby != "include" or selection.include is None:
            ids.sort(key=lambda i: (sort_key(rows[i]), i))
            if selection.descending:
                ids.reverse()
        return Found(ids, 0, len(ids))
