"""Scans (a listing followed from its first page to `next_cursor: null`) and what every scan must show.

`expect_complete` holds a shop to docs/custom-webshop-api.md §5.3 without assuming it is quiet. For the checker's
own records it knows the answer: each appears exactly once, in its current version, and a deleted one only as a
tombstone. For every other record it reasons from positions: stamps grow in commit order, so a scan that returned an
item *after* a record's current (`updated_at`, `id`) read its page when that version was already committed, and must
have returned it. A record that one scan lists and another passes over without listing was skipped, whether it is
ours or came with the shop's data.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from service.conformance.checks.registry import expect
from service.conformance.client import ShopClient, expect_status

Item = dict[str, Any]


def listing_url(resource: str, params: dict[str, Any]) -> str:
    """`GET /orders?updated_after=…&limit=2`, as a failure names the request."""
    query = urlencode(params, safe=":")
    return f"GET /{resource}" + (f"?{query}" if query else "")


def position(item: Item) -> tuple[str, int]:
    return item["updated_at"], item["id"]


@dataclass(frozen=True)
class Scan:
    resource: str
    params: dict[str, Any]
    items: list[Item]

    @property
    def url(self) -> str:
        return listing_url(self.resource, self.params)

    @property
    def with_tombstones(self) -> bool:
        return self.params.get("include_deleted") == "true"

    def matches(self, item: Item) -> bool:
        """Whether `item` is in the range this scan asked for (`updated_after` is exclusive)."""
        bound = self.params.get("updated_after")
        return (bound is None or item["updated_at"] > bound) and (self.with_tombstones or not item.get("deleted"))


def scan(client: ShopClient, resource: str, params: dict[str, Any], **options: Any) -> Scan:
    return Scan(resource, params, client.scan(resource, params, **options))


def expect_ordered(items: list[Item], what: str) -> None:
    for before, after in zip(items, items[1:]):
        expect(position(before) < position(after),
               f"{what} is not ordered by (updated_at, id): {position(before)} came before {position(after)}")


def expect_one_pass(found: Scan) -> None:
    """One scan: in (updated_at, id) order, and no version of a record sent twice."""
    expect_ordered(found.items, found.url)
    seen = Counter((item["id"], item["version"]) for item in found.items)
    twice = sorted(pair for pair, count in seen.items() if count > 1)
    expect(not twice, f"{found.url} (all pages) returned the same (id, version) more than once: {twice}")


def expect_complete(client: ShopClient, scans: list[Scan], live: dict[int, Item], deleted: set[int]) -> None:
    """Every scan is one ordered pass that lists each of `live` (our records, id → as last written) exactly once
    in that version and each of `deleted` only as a tombstone; no scan skips a record another scan listed."""
    for found in scans:
        expect_one_pass(found)
        listed = Counter(item["id"] for item in found.items)
        versions = {item["id"]: item["version"] for item in found.items}
        for id_, record in live.items():
            if not found.matches(record):
                continue
            expect(listed[id_] == 1, f"{found.url} (all pages) returned {found.resource}/{id_} {listed[id_]} times, "
                                     "expected exactly once (nothing changed it during the scan)")
            expect(versions[id_] == record["version"], f"{found.url} returned {found.resource}/{id_} in version "
                                                       f"{versions[id_]}, expected its current {record['version']}")
        for id_ in deleted:
            tombstones = [item for item in found.items if item["id"] == id_ and item.get("deleted") is True]
            expected = 1 if found.with_tombstones else 0
            expect(listed[id_] == expected == len(tombstones),
                   f"{found.url} (all pages) returned deleted {found.resource}/{id_} {listed[id_]} times "
                   f"({len(tombstones)} as a tombstone), expected {expected}")
    _expect_nothing_passed_over(client, scans, set(live) | deleted)


def _expect_nothing_passed_over(client: ShopClient, scans: list[Scan], ours: set[int]) -> None:
    tombstones = {item["id"]: item for found in scans for item in found.items if item.get("deleted") is True}
    everything = {item["id"] for found in scans for item in found.items} - ours
    current: dict[int, Item | None] = {}
    for found in scans:
        if not found.items:
            continue
        last = position(found.items[-1])
        for id_ in sorted(everything - {item["id"] for item in found.items}):
            if id_ not in current:
                current[id_] = _current(client, found.resource, id_)
            record = current[id_] or tombstones.get(id_)
            if record is None or not found.matches(record) or position(record) > last:
                continue
            expect(False, f"{found.url} (all pages) skipped {found.resource}/{id_} (version {record['version']}, "
                          f"updated_at {record['updated_at']}), which other scans list: the scan returned records "
                          f"after it, up to {last}, so it read that part when this version was already committed")


def _current(client: ShopClient, resource: str, id_: int) -> Item | None:
    """The record as it is now, or None when it is deleted."""
    answer = client.request("GET", f"/{resource}/{id_}")
    if answer.status_code == 404:
        return None
    expect_status(answer, 200, f"GET /{resource}/{id_}")
    return answer.json()
