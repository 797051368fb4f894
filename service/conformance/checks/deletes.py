"""Deletes: tombstones carry what §6 says and stay listed; a deleted record's unique values are free again.

Retention is promised for 30 days; a run can only show that tombstones outlive it, so every tombstone a check saw is
listed again, unchanged, at the end of the run, and at least `MIN_TOMBSTONE_AGE_SECONDS` after its delete.
"""
from __future__ import annotations

import time
from typing import Any

from service.conformance.checks.registry import TIMESTAMP, check, expect, final_check, just_before
from service.conformance.checks.scans import expect_ordered, scan
from service.conformance.client import decode, error_body, expect_status
from service.conformance.report import CheckSkipped
from service.conformance.samples import Run, Sample

TOMBSTONE_KEYS = ("id", "deleted", "deleted_at", "updated_at", "version", "origin")
MIN_TOMBSTONE_AGE_SECONDS = 1.0


@check("tombstones_include_deleted")
def check_tombstones(run: Run, sample: Sample) -> None:
    doomed, kept = run.make(sample), run.make(sample)
    url = f"/{sample.resource}/{doomed['id']}"
    run.client.call("DELETE", url, 204)
    bound = {"updated_after": just_before(doomed), "limit": 500}
    live = scan(run.client, sample.resource, bound)
    expect(doomed["id"] not in [item["id"] for item in live.items], f"{live.url} still lists {url} after DELETE")
    found = scan(run.client, sample.resource, {**bound, "include_deleted": "true"})
    expect_ordered(found.items, found.url)
    tombs = [item for item in found.items if item["id"] == doomed["id"]]
    expect(len(tombs) == 1, f"{found.url} (all pages) must list {url} once as a tombstone, found it {len(tombs)} "
                            "times")
    expect_tombstone(tombs[0], doomed, sample.resource, found.url)
    expect(tombs[0]["updated_at"] > kept["updated_at"], f"{found.url}: the tombstone of {url} must have the time "
                                                        "of the DELETE as updated_at, so it sorts after older writes")
    expect(kept["id"] in [item["id"] for item in found.items], f"{found.url} must list live records too")
    run.remember_tombstone(sample.resource, tombs[0])


def expect_tombstone(tomb: dict[str, Any], record: dict[str, Any], resource: str, where: str) -> None:
    """Exactly the properties of §6: id, deleted, deleted_at = updated_at, the next version, the last origin."""
    url = f"/{resource}/{record['id']}"
    expect(sorted(tomb) == sorted(TOMBSTONE_KEYS),
           f"{where}: the tombstone of {url} must have exactly the properties {list(TOMBSTONE_KEYS)}, got "
           f"{sorted(tomb)}")
    expected = {"id": record["id"], "deleted": True, "version": record["version"] + 1, "origin": record["origin"]}
    wrong = {key: tomb[key] for key, value in expected.items() if tomb[key] != value}
    expect(not wrong, f"{where}: the tombstone of {url} must carry {expected} (origin is how a client finds its "
                      f"copy), got {wrong}")
    expect(bool(TIMESTAMP.match(str(tomb["deleted_at"]))) and tomb["deleted_at"] == tomb["updated_at"],
           f"{where}: the tombstone of {url} needs a deleted_at timestamp equal to its updated_at, got "
           f"{tomb['deleted_at']!r} and {tomb['updated_at']!r}")


@check("deleted_values_free")
def check_deleted_values(run: Run, sample: Sample) -> None:
    """A deleted record never comes back, and its unique value and origin are free for a new record (§4.1):
    a record deleted in WooCommerce and made again must be able to come back through the sync."""
    first = run.make(sample)
    path, url = f"/{sample.resource}", f"/{sample.resource}/{first['id']}"
    run.client.call("DELETE", url, 204)
    reused = {sample.unique_field: first[sample.unique_field], "origin": first["origin"]}
    what = f"POST {path} with the {sample.unique_field} and origin of deleted {url}"
    answer = run.post(sample, json=run.body(sample, **reused))
    expect_status(answer, 201, what)
    again = decode(answer, what)
    expect(again["id"] != first["id"], f"{what} brought the deleted record back (id {first['id']}): a new record "
                                       "gets a new id")
    error_body(run.client.request("GET", url), 404, "not_found", f"GET {url} after its values were reused")
    origin = first["origin"]
    listed = scan(run.client, sample.resource, {"origin": origin, "include_deleted": "true", "limit": 500})
    shape = [(item["id"], item.get("deleted", False)) for item in listed.items]
    expect(shape == [(first["id"], True), (again["id"], False)],
           f"{listed.url} returned (id, deleted) {shape}, expected the tombstone of {url} then the live "
           f"{path}/{again['id']}")
    live = scan(run.client, sample.resource, {"origin": origin, "limit": 500})
    expect([item["id"] for item in live.items] == [again["id"]],
           f"{live.url} returned {[item['id'] for item in live.items]}, expected only {path}/{again['id']}")
    run.remember_tombstone(sample.resource, listed.items[0])


@final_check("tombstones_retained")
def check_tombstones_retained(run: Run, sample: Sample) -> None:
    """Every tombstone the run saw is still listed, unchanged, at the end of the run."""
    kept = run.tombstones.get(sample.resource, [])
    if not kept:
        raise CheckSkipped("no tombstone of this resource was seen earlier in the run")
    oldest = min(seen_at for seen_at, _ in kept)
    wait = MIN_TOMBSTONE_AGE_SECONDS - (time.monotonic() - oldest)
    if wait > 0:  # a fast run: give every tombstone at least this age before asking again
        time.sleep(min(wait, max(0.0, run.client.run_ends_at - time.monotonic())))
    first = min((tomb for _, tomb in kept), key=lambda tomb: (tomb["updated_at"], tomb["id"]))
    found = scan(run.client, sample.resource, {"updated_after": just_before(first), "include_deleted": "true",
                                               "limit": 500})
    listed = {item["id"]: item for item in found.items}
    gone = [tomb["id"] for _, tomb in kept if tomb["id"] not in listed]
    expect(not gone, f"{found.url} (all pages) no longer lists the tombstones of {sample.resource} {gone}, the "
                     f"oldest deleted {time.monotonic() - oldest:.1f} s ago: tombstones must be kept at least 30 days")
    changed = [tomb["id"] for _, tomb in kept if listed[tomb["id"]] != tomb]
    expect(not changed, f"{found.url}: the tombstones of {sample.resource} {changed} changed since they were "
                        "first listed")
