"""Listings: order, cursors and completeness at several page sizes, full listings, items equal to GET by id,
parameters, exclusive `updated_after`, ties, stability under writes.

Listing checks either bound themselves to the records they wrote (`updated_after` just before the first one; it is
exclusive) or read the whole resource; either way they hold other records only to what can be proven about them
(see `scans.expect_complete`), so they also run against a shop that is in use.
"""
from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from service.conformance.checks.registry import check, expect, just_before
from service.conformance.checks.scans import Scan, expect_complete, expect_one_pass, listing_url, scan
from service.conformance.client import error_body
from service.conformance.report import CheckSkipped
from service.conformance.samples import Run, Sample

DEFAULT_LIMIT = 100
BOUNDED_PAGE_SIZES = (1, 2, None, 500)  # None: no limit parameter, the shop's default (100)
FULL_PAGE_SIZES = (500, None, 7, 2)
FULL_TOMBSTONE_PAGE_SIZES = (500, 3)
MAX_FULL_SCAN_PAGES = 100  # a small page size is left out where the shop is too big for it
MAX_FULL_SCAN_ITEMS = 50_000
SEQUENTIAL_RECORDS, BURST_RECORDS = 6, 6


def _params(limit: int | None, **params: Any) -> dict[str, Any]:
    return {**params, **({"limit": limit} if limit is not None else {})}


@check("listing_order_and_cursors")
def check_listing(run: Run, sample: Sample) -> None:
    """Our records, listed from just before the first: each once, in order, whatever the page size."""
    records = [run.make(sample) for _ in range(5)]
    bound = just_before(records[0])
    scans = [scan(run.client, sample.resource, _params(limit, updated_after=bound)) for limit in BOUNDED_PAGE_SIZES]
    expect_complete(run.client, scans, {r["id"]: r for r in records}, set())
    for params, what in (({"limit": 0}, "limit=0"), ({"limit": 100_000}, "limit above the maximum"),
                         ({"modified_after": records[0]["updated_at"]}, "an unknown parameter"),
                         ({"updated_after": "yesterday"}, "a malformed updated_after"),
                         ({"cursor": "not-a-cursor"}, "a cursor the shop never issued")):
        error_body(run.client.request("GET", f"/{sample.resource}", params=params), 422, "validation_failed",
                   f"{listing_url(sample.resource, params)} ({what})")


@check("full_listings")
def check_full_listings(run: Run, sample: Sample) -> None:
    """A full listing (no updated_after) is what a first sync and every full run read, and what a sync deletes by:
    a record missing from it is deleted on the other side. Some of our records are written in one concurrent burst,
    and the first two are changed afterwards so that (updated_at, id) order is not id order."""
    records = [run.make(sample) for _ in range(SEQUENTIAL_RECORDS)] + _burst(run, sample, BURST_RECORDS)
    live = {r["id"]: r for r in records[3:]}
    for n, record in enumerate(records[:2]):
        live[record["id"]] = run.client.call("PATCH", f"/{sample.resource}/{record['id']}", 200, json=sample.change(n))
    doomed = records[2]["id"]
    run.client.call("DELETE", f"/{sample.resource}/{doomed}", 204)
    plain = _full_scans(run, sample, FULL_PAGE_SIZES, {})
    with_tombstones = _full_scans(run, sample, FULL_TOMBSTONE_PAGE_SIZES, {"include_deleted": "true"})
    expect_complete(run.client, plain + with_tombstones, live, {doomed})
    # Each tombstone scan lists it exactly once, as expect_complete made sure.
    run.remember_tombstone(sample.resource, next(item for item in with_tombstones[0].items if item["id"] == doomed))


def _full_scans(run: Run, sample: Sample, limits: tuple[int | None, ...], params: dict[str, str]) -> list[Scan]:
    """One full scan per page size, the first (500) telling how many records there are: smaller page sizes are
    left out where they would take more than MAX_FULL_SCAN_PAGES pages (a shop keeps its tombstones for weeks)."""
    first = scan(run.client, sample.resource, {**params, "limit": limits[0]}, max_items=MAX_FULL_SCAN_ITEMS)
    if len(first.items) >= MAX_FULL_SCAN_ITEMS:
        raise CheckSkipped(f"{first.url} lists at least {MAX_FULL_SCAN_ITEMS} records, too many to read whole at "
                           "several page sizes: run the checker against a smaller copy of the shop")
    return [first] + [scan(run.client, sample.resource, _params(limit, **params)) for limit in limits[1:]
                      if math.ceil(len(first.items) / (limit or DEFAULT_LIMIT)) <= MAX_FULL_SCAN_PAGES]


def _burst(run: Run, sample: Sample, count: int) -> list[dict[str, Any]]:
    """Records created all at once from several connections, as a busy shop receives them."""
    bodies = [run.body(sample) for _ in range(count)]
    with ThreadPoolExecutor(max_workers=count) as pool:
        outcomes = list(pool.map(lambda body: _try(run.client.fork().create, sample.resource, body), bodies))
    made = [record for record, _ in outcomes if record is not None]
    run.created += [(sample.resource, record["id"]) for record in made]
    for _, failure in outcomes:
        if failure is not None:
            raise failure
    return sorted(made, key=lambda record: record["id"])


def _try(function: Any, *args: Any) -> tuple[Any, Exception | None]:
    try:
        return function(*args), None
    except Exception as exc:  # re-raised by the caller once every record made is known (for clean-up)
        return None, exc


@check("listing_items_match_get")
def check_listing_content(run: Run, sample: Sample) -> None:
    """A sync reads records only through listings: each item must be the whole record, every property as GET by id
    answers it (lines, addresses, categories, origin...)."""
    records = [run.make(sample) for _ in range(3)]
    bound = just_before(records[0])
    for limit in (1, 500):
        found = scan(run.client, sample.resource, {"updated_after": bound, "limit": limit})
        listed = {item["id"]: item for item in found.items}
        for record in records:
            url = f"/{sample.resource}/{record['id']}"
            expect(record["id"] in listed, f"{found.url} (all pages) did not list {url}")
            item, read = listed[record["id"]], run.client.get(sample.resource, record["id"])
            missing, extra = sorted(set(read) - set(item)), sorted(set(item) - set(read))
            differing = sorted(key for key in read if key in item and item[key] != read[key])
            expect(not (missing or extra or differing),
                   f"{found.url} lists {url} unlike GET {url}: properties missing {missing}, extra {extra}, "
                   f"with other values {differing}")


@check("updated_after_exclusive")
def check_updated_after(run: Run, sample: Sample) -> None:
    records = [run.make(sample) for _ in range(3)]
    ours = {r["id"] for r in records}
    for index, record in enumerate(records):
        found = scan(run.client, sample.resource, {"updated_after": record["updated_at"], "limit": 500})
        returned = [item["id"] for item in found.items if item["id"] in ours]
        expected = [r["id"] for r in records[index + 1:]]
        expect(returned == expected, f"{found.url} (the updated_at of {sample.resource}/{record['id']}) returned "
                                     f"{returned} of ours, expected {expected}: the bound must be exclusive")


@check("ties_across_page_boundary")
def check_ties(run: Run, sample: Sample) -> None:
    """Records sharing an updated_at must page by (updated_at, id): a cursor holding only the time skips them."""
    items = run.client.scan(sample.resource, {"limit": 500}, max_items=5000)
    group, before = _first_tie(items)
    if not group:
        raise CheckSkipped("no two records share an updated_at, so ties cannot be checked here, and a cursor "
                           "holding only updated_at cannot be told from a correct one (seed records in one "
                           "transaction to exercise it)")
    stamp, ids = group[0]["updated_at"], [item["id"] for item in group]
    after = {"updated_after": stamp, "limit": 500}
    after_stamp, _ = run.client.page(sample.resource, after)
    expect(not [item["id"] for item in after_stamp if item["updated_at"] <= stamp],
           f"{listing_url(sample.resource, after)} returned records at or before that time (records {ids} share it)")
    params: dict[str, Any] = {"limit": 1, **({"updated_after": before["updated_at"]} if before else {})}
    paged = [item["id"] for item in run.client.scan(sample.resource, params, max_items=len(ids) + 5)
             if item["updated_at"] == stamp]
    expect(paged == ids, f"records {ids} share updated_at {stamp}; {listing_url(sample.resource, params)} (all "
                         f"pages) returned {paged}: the cursor must hold (updated_at, id), not only the time")


@check("listing_stable_under_writes")
def check_stability(run: Run, sample: Sample) -> None:
    """Write while a scan is under way and prove nothing is skipped and no version is sent twice."""
    records = [run.make(sample) for _ in range(8)]
    ours = {r["id"]: r for r in records}
    edited_after_seen, edited_before_seen, deleted = records[0]["id"], records[5]["id"], records[6]["id"]

    def write(page_number: int, page: list[dict[str, Any]]) -> None:
        if page_number == 1:
            run.client.call("PATCH", f"/{sample.resource}/{edited_after_seen}", 200, json=sample.change(1))
            run.client.call("PATCH", f"/{sample.resource}/{edited_before_seen}", 200, json=sample.change(2))
            run.client.call("DELETE", f"/{sample.resource}/{deleted}", 204)

    found = scan(run.client, sample.resource, {"updated_after": just_before(records[0]), "limit": 3},
                 between_pages=write)
    expect_one_pass(found)
    seen = [(item["id"], item["version"]) for item in found.items if item["id"] in ours]
    versions = {id_: sorted(v for i, v in seen if i == id_) for id_ in ours}
    where = f"{found.url} (all pages; writes after page 1)"
    expect(versions[deleted] == [], f"{where}: {sample.resource}/{deleted} was deleted before the scan reached it, "
                                    f"yet the scan returned it (versions {versions[deleted]})")
    expect(versions[edited_after_seen] == [1, 2],
           f"{where}: {sample.resource}/{edited_after_seen} was updated after the scan returned it; it must come "
           f"again with version 2 at the end of the scan, got versions {versions[edited_after_seen]}")
    expect(versions[edited_before_seen] == [2],
           f"{where}: {sample.resource}/{edited_before_seen} was updated before the scan reached it; it must come "
           f"once with version 2, got versions {versions[edited_before_seen]}")
    skipped = [id_ for id_ in ours if id_ not in (deleted, edited_after_seen, edited_before_seen) and not versions[id_]]
    expect(not skipped, f"{where}: records {skipped}, unchanged during the scan, were never returned: the scan "
                        "skipped them (a cursor must be a position (updated_at, id), not an offset)")


def _first_tie(items: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The first run of consecutive items sharing updated_at, and the item before it."""
    for start, item in enumerate(items):
        end = start
        while end + 1 < len(items) and items[end + 1]["updated_at"] == item["updated_at"]:
            end += 1
        if end > start and (start == 0 or items[start - 1]["updated_at"] != item["updated_at"]):
            return items[start:end + 1], items[start - 1] if start else None
    return [], None
