"""Listings: order, cursors, parameters, exclusive `updated_after`, ties, stability under writes.

Listing checks bound themselves to the records they wrote, starting just before the first one (`updated_after` is
exclusive), and ignore other records in the range, so they also run against a shop that is in use.
"""
from __future__ import annotations

from typing import Any

from service.conformance.checks.registry import check, expect, expect_one_pass, expect_ordered, just_before
from service.conformance.client import error_body
from service.conformance.report import CheckSkipped
from service.conformance.samples import Run, Sample


@check("listing_order_and_cursors")
def check_listing(run: Run, sample: Sample) -> None:
    records = [run.make(sample) for _ in range(5)]
    ours = {r["id"] for r in records}
    items = run.client.scan(sample.resource, {"updated_after": just_before(records[0]), "limit": 2})
    expect_ordered(items, sample.resource)
    returned = [item["id"] for item in items if item["id"] in ours]
    expect(returned == [r["id"] for r in records],
           f"paging with limit=2 returned our records {returned}, expected each once: {[r['id'] for r in records]}")
    for params, what in (({"limit": 0}, "limit=0"), ({"limit": 100_000}, "limit above the maximum"),
                         ({"modified_after": records[0]["updated_at"]}, "an unknown parameter"),
                         ({"updated_after": "yesterday"}, "a malformed updated_after"),
                         ({"cursor": "not-a-cursor"}, "a cursor the shop never issued")):
        error_body(run.client.request("GET", f"/{sample.resource}", params=params), 422, "validation_failed",
                   f"GET /{sample.resource} with {what}")


@check("updated_after_exclusive")
def check_updated_after(run: Run, sample: Sample) -> None:
    records = [run.make(sample) for _ in range(3)]
    ours = {r["id"] for r in records}
    for index, record in enumerate(records):
        items = run.client.scan(sample.resource, {"updated_after": record["updated_at"], "limit": 500})
        returned = [item["id"] for item in items if item["id"] in ours]
        expected = [r["id"] for r in records[index + 1:]]
        expect(returned == expected, f"updated_after={record['updated_at']} (the updated_at of record "
               f"{record['id']}) returned {returned}, expected {expected}: the bound must be exclusive")


@check("ties_across_page_boundary")
def check_ties(run: Run, sample: Sample) -> None:
    """Records sharing an updated_at must page by (updated_at, id): a cursor holding only the time skips them."""
    items = run.client.scan(sample.resource, {"limit": 500}, max_items=5000)
    group, before = _first_tie(items)
    if not group:
        raise CheckSkipped("no two records share an updated_at, so ties cannot be checked here "
                           "(seed records in one transaction to exercise it)")
    stamp, ids = group[0]["updated_at"], [item["id"] for item in group]
    after_stamp, _ = run.client.page(sample.resource, {"updated_after": stamp, "limit": 500})
    expect(not [item["id"] for item in after_stamp if item["updated_at"] <= stamp],
           f"updated_after={stamp} returned records at or before that time (records {ids} share it)")
    params: dict[str, Any] = {"limit": 1, **({"updated_after": before["updated_at"]} if before else {})}
    paged = [item["id"] for item in run.client.scan(sample.resource, params, max_items=len(ids) + 5)
             if item["updated_at"] == stamp]
    expect(paged == ids, f"records {ids} share updated_at {stamp}; paging with limit=1 returned {paged}: "
           "the cursor must hold (updated_at, id), not only the time")


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

    items = run.client.scan(sample.resource, {"updated_after": just_before(records[0]), "limit": 3}, write)
    expect_one_pass(items, sample.resource)
    seen = [(item["id"], item["version"]) for item in items if item["id"] in ours]
    versions = {id_: sorted(v for i, v in seen if i == id_) for id_ in ours}
    expect(versions[deleted] == [], f"record {deleted} was deleted before the scan reached it, yet the scan "
                                    f"returned it (versions {versions[deleted]})")
    expect(versions[edited_after_seen] == [1, 2],
           f"record {edited_after_seen} was updated after the scan returned it; it must come again with version 2 "
           f"at the end of the scan, got versions {versions[edited_after_seen]}")
    expect(versions[edited_before_seen] == [2],
           f"record {edited_before_seen} was updated before the scan reached it; it must come once with version 2, "
           f"got versions {versions[edited_before_seen]}")
    skipped = [id_ for id_ in ours if id_ not in (deleted, edited_after_seen, edited_before_seen) and not versions[id_]]
    expect(not skipped, f"records {skipped}, unchanged during the scan, were never returned: the scan skipped them "
                        "(a cursor must be a position (updated_at, id), not an offset)")


def _first_tie(items: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The first run of consecutive items sharing updated_at, and the item before it."""
    for start, item in enumerate(items):
        end = start
        while end + 1 < len(items) and items[end + 1]["updated_at"] == item["updated_at"]:
            end += 1
        if end > start and (start == 0 or items[start - 1]["updated_at"] != item["updated_at"]):
            return items[start:end + 1], items[start - 1] if start else None
    return [], None
