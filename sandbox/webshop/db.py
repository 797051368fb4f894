"""SQLite storage of the reference shop: rows in, rows out, no contract rules (those live in `store.py`).

One connection guarded by one lock serves every thread of the threaded server: it is the only way to share a
`:memory:` database, and writes must be serialised anyway so that each write's `updated_at` is above all committed
ones (the listing guarantee, docs/custom-webshop-api.md §5). File databases use WAL so readers of the file from
other processes (a benchmark, `sqlite3` by hand) do not block the server.
"""
from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = Path(__file__).with_name("schema.sql").read_text()
COLUMNS = "resource, id, data, unique_key, origin, created_at, updated_at, version, deleted_at"
_UPSERT = (f"INSERT INTO records ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
           "ON CONFLICT (resource, id) DO UPDATE SET "
           + ", ".join(f"{column} = excluded.{column}" for column in COLUMNS.split(", ")[2:]))


@dataclass(frozen=True)
class Row:
    resource: str
    id: int
    data: dict[str, Any]
    unique_key: str
    origin: str | None
    created_at: str
    updated_at: str
    version: int
    deleted_at: str | None

    @classmethod
    def from_sql(cls, values: tuple[Any, ...]) -> "Row":
        resource, id_, data, *rest = values
        return cls(resource, id_, json.loads(data), *rest)

    def as_sql(self) -> tuple[Any, ...]:
        return (self.resource, self.id, json.dumps(self.data, separators=(",", ":")), self.unique_key, self.origin,
                self.created_at, self.updated_at, self.version, self.deleted_at)


class Database:
    def __init__(self, path: str = ":memory:") -> None:
        self.path = path
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        if path != ":memory:":
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(SCHEMA)
        self.lock = threading.RLock()

    @contextmanager
    def transaction(self) -> Iterator["Database"]:
        """All statements inside commit together or not at all; other threads wait on the lock."""
        with self.lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def select(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        with self.lock:
            return [Row.from_sql(values) for values in self._conn.execute(sql, tuple(params))]

    def scalar(self, sql: str, params: Iterable[Any] = ()) -> Any:
        with self.lock:
            found = self._conn.execute(sql, tuple(params)).fetchone()
        return None if found is None else found[0]

    def explain(self, sql: str, params: Iterable[Any] = ()) -> str:
        """SQLite's query plan, one step a line (tests check listings are index range scans)."""
        with self.lock:
            return "\n".join(step[-1] for step in self._conn.execute("EXPLAIN QUERY PLAN " + sql, tuple(params)))

    def get(self, resource: str, id_: int) -> Row | None:
        rows = self.select(f"SELECT {COLUMNS} FROM records WHERE resource = ? AND id = ?", (resource, id_))
        return rows[0] if rows else None

    def live_id_with_key(self, resource: str, unique_key: str) -> int | None:
        return self.scalar("SELECT id FROM records WHERE resource = ? AND unique_key = ? AND deleted_at IS NULL",
                           (resource, unique_key))

    def live_id_with_origin(self, resource: str, origin: str) -> int | None:
        return self.scalar("SELECT id FROM records WHERE resource = ? AND origin = ? AND deleted_at IS NULL",
                           (resource, origin))

    def allow_duplicate_origins(self) -> None:
        """For the `origin_not_unique` breakage only: drop the index that keeps live origins unique."""
        with self.lock:
            self._conn.execute("DROP INDEX IF EXISTS records_unique_origin")

    def is_empty(self) -> bool:
        return self.scalar("SELECT 1 FROM records LIMIT 1") is None

    def latest_update(self, resource: str) -> str | None:
        return self.scalar("SELECT MAX(updated_at) FROM records WHERE resource = ?", (resource,))

    def allocate_ids(self, resource: str, count: int = 1) -> range:
        """`count` fresh ids; call inside a transaction so a rolled-back write gives its ids back."""
        with self.lock:
            self._conn.execute("INSERT OR IGNORE INTO sequences (resource, last_id) VALUES (?, 0)", (resource,))
            last = self._conn.execute("UPDATE sequences SET last_id = last_id + ? WHERE resource = ? RETURNING last_id",
                                      (count, resource)).fetchone()[0]
        return range(last - count + 1, last + 1)

    def save(self, rows: Iterable[Row]) -> None:
        """Insert or overwrite whole rows. Not `INSERT OR REPLACE`: that would silently delete another record
        holding the same unique key, where an upsert on the primary key lets the unique index raise."""
        with self.lock:
            self._conn.executemany(_UPSERT, (row.as_sql() for row in rows))

    def wipe(self) -> None:
        with self.transaction():
            self._conn.execute("DELETE FROM records")
            self._conn.execute("DELETE FROM sequences")

    def close(self) -> None:
        with self.lock:
            self._conn.close()
