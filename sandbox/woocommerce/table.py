"""Rows of one resource with the indexes a database would keep, so lists over 100 000 rows stay cheap.

Rows are the API representation (without `_links`), keyed by id. Two sorted indexes hold `(date_modified_gmt, id)`
and `(date_created_gmt, id)`: a `modified_after`/`modified_before` window is two bisections, and ordering by
modification or creation time needs no sort. A list's matching ids are cached per query and per table version
(every write bumps it), so paging through one query costs a slice, as MySQL's buffer pool makes it cost on a real store.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

Row = dict[str, Any]
_HIGHEST_ID = float("inf")


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
    """What a list asks for, minus paging: hashable, so it keys the cache."""

    orderby: str
    descending: bool
    modified: Window = Window()
    created: Window = Window()
    include: tuple[int, ...] | None = None
    filters: Hashable = ()


class Table:
    def __init__(self) -> None:
        self.rows: dict[int, Row] = {}
        self.version = 0
        self._by_modified: list[tuple[str, int]] = []
        self._by_created: list[tuple[str, int]] = []
        self._indexed: dict[int, tuple[str, str]] = {}
        self._cache: dict[Selection, tuple[int, list[int]]] = {}

    def __len__(self) -> int:
        return len(self.rows)

    def get(self, row_id: int) -> Row | None:
        return self.rows.get(row_id)

    def save(self, row: Row) -> None:
        """Insert or replace a row and re-index it; call after every change to a row."""
        row_id = row["id"]
        keys = (row.get("date_modified_gmt") or "", row.get("date_created_gmt") or "")
        old = self._indexed.get(row_id)
        if old != keys:
            if old is not None:
                _discard(self._by_modified, (old[0], row_id))
                _discard(self._by_created, (old[1], row_id))
            insort(self._by_modified, (keys[0], row_id))
            insort(self._by_created, (keys[1], row_id))
            self._indexed[row_id] = keys
        self.rows[row_id] = row
        self.version += 1

    def load(self, rows: list[Row]) -> None:
        """Bulk insert for seeding: one sort instead of one insertion per row."""
        for row in rows:
            self.rows[row["id"]] = row
            self._indexed[row["id"]] = (row.get("date_modified_gmt") or "", row.get("date_created_gmt") or "")
        self._by_modified = sorted((keys[0], row_id) for row_id, keys in self._indexed.items())
        self._by_created = sorted((keys[1], row_id) for row_id, keys in self._indexed.items())
        self.version += 1

    def delete(self, row_id: int) -> None:
        old = self._indexed.pop(row_id)
        _discard(self._by_modified, (old[0], row_id))
        _discard(self._by_created, (old[1], row_id))
        del self.rows[row_id]
        self.version += 1

    def select(self, selection: Selection, matches: Callable[[Row], bool],
               sort_key: Callable[[Row], Any] | None = None) -> list[int]:
        """Ids of the rows that match, in the requested order (ties broken by id in the same direction)."""
        cached = self._cache.get(selection)
        if cached is not None and cached[0] == self.version:
            return cached[1]
        ids = self._select(selection, matches, sort_key)
        if len(self._cache) > 256:
            self._cache.clear()
        self._cache[selection] = (self.version, ids)
        return ids

    def _select(self, selection: Selection, matches: Callable[[Row], bool],
                sort_key: Callable[[Row], Any] | None) -> list[int]:
        rows = self.rows
        if selection.include is not None:
            candidates, natural = [i for i in dict.fromkeys(selection.include) if i in rows], "include"
        elif selection.modified or selection.orderby == "modified":
            candidates, natural = _window(self._by_modified, selection.modified), "modified"
        elif selection.created or selection.orderby == "date":
            candidates, natural = _window(self._by_created, selection.created), "date"
        else:
            candidates, natural = sorted(rows), "id"
        ids = [i for i in candidates
               if selection.modified.admits(rows[i].get("date_modified_gmt"))
               and selection.created.admits(rows[i].get("date_created_gmt")) and matches(rows[i])]
        if selection.orderby != natural:
            ids.sort(key=lambda i: (sort_key(rows[i]) if sort_key else rows[i]["id"], i))
        if selection.descending and selection.orderby != "include":
            ids.reverse()
        return ids


def _window(index: list[tuple[str, int]], window: Window) -> list[int]:
    start = 0 if window.after is None else bisect_right(index, (window.after, _HIGHEST_ID))
    end = len(index) if window.before is None else bisect_left(index, (window.before, -1))
    return [row_id for _, row_id in index[start:end]]


def _discard(index: list[tuple[str, int]], entry: tuple[str, int]) -> None:
    position = bisect_left(index, entry)
    if position < len(index) and index[position] == entry:
        del index[position]
