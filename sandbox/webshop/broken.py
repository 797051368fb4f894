"""Deliberate contract violations, each a mistake real shops make, switched on by name for the checker's tests.

    create_app(..., broken={"offset_cursor"})          python -m sandbox.webshop --broken offset_cursor
"""
from __future__ import annotations

from collections.abc import Iterable

BREAKAGES: dict[str, str] = {
    "offset_cursor": "the cursor is a row offset, so a record updated during a scan shifts the pages and one is "
                     "skipped",
    "timestamp_cursor": "the cursor keeps only updated_at, so records sharing it across a page boundary are skipped",
    "second_stamps": "updated_at is the clock time cut to whole seconds (MySQL DATETIME), not above every stamp "
                     "already issued, so writes within one second tie and a record updated behind a cursor is skipped",
    "early_stamps": "updated_at is taken when a write starts, not when it becomes visible, so a slow write commits "
                    "behind a reader who has already moved past its stamp",
    "unstable_order": "listings are ordered by id, not (updated_at, id), so an updated record never moves to the end",
    "inclusive_updated_after": "updated_after is compared with >=, so the last record seen is sent again",
    "no_tombstones": "include_deleted is ignored: deletes vanish and can never be synced",
    "ignores_if_match": "If-Match is not checked, so a stale write overwrites a newer one",
    "bumps_unchanged": "a write equal to the stored record still bumps version and updated_at",
    "wrong_error_shape": "errors are 400 with a bare message instead of the contract's codes and fields",
    "origin_not_unique": "a second live record may take an origin already used, so a client's retried create "
                         "duplicates the record instead of answering 409",
}


def parse_breakages(names: Iterable[str]) -> frozenset[str]:
    chosen = frozenset(names)
    unknown = chosen - set(BREAKAGES)
    if unknown:
        raise ValueError(f"unknown breakages {sorted(unknown)}; known: {sorted(BREAKAGES)}")
    return chosen
