"""The contract checks (docs/custom-webshop-api.md), each one function run once per resource.

A check raises `CheckFailed` with the reason, or `CheckSkipped` when the shop's data cannot exercise it. Listing
checks bound themselves to the records they wrote, starting just before the first one (`updated_after` is
exclusive), and ignore other records in the range, so they also run against a shop that is in use.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from typing import Any

from service.conformance.client import error_body
from service.conformance.report import CheckFailed, CheckSkipped
from service.conformance.samples import NEVER_ISSUED_ID, Run, Sample

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")
READ_ONLY = ("id", "created_at", "updated_at", "version")
WRITERS, WRITES_PER_WRITER, MAX_POLLS = 3, 10, 1000
Check = Callable[[Run, Sample], None]
CHECKS: list[tuple[str, Check]] = []


def check(name: str) -> Callable[[Check], Check]:
    def register(function: Check) -> Check:
        CHECKS.append((name, function))
        return function
    return register


def expect(condition: bool, reason: str) -> None:
    if not condition:
        raise CheckFailed(reason)


def just_before(record: dict[str, Any]) -> str:
    """An `updated_after` value that includes `record` and what follows it."""
    moment = datetime.strptime(record["updated_at"], "%Y-%m-%dT%H:%M:%S.%fZ") - timedelta(microseconds=1)
    return moment.replace(tzinfo=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def position(item: dict[str, Any]) -> tuple[str, int]:
    return item["updated_at"], item["id"]


def expect_ordered(items: list[dict[str, Any]], resource: str) -> None:
    for before, after in zip(items, items[1:]):
        expect(position(before) < position(after),
               f"GET /{resource} is not ordered by (updated_at, id): {position(before)} came before {position(after)}")


def expect_one_pass(items: list[dict[str, Any]], resource: str) -> None:
    """One scan: in (updated_at, id) order, and no version of a record sent twice."""
    expect_ordered(items, resource)
    seen = [(item["id"], item["version"]) for item in items]
    twice = sorted({pair for pair in seen if seen.count(pair) > 1})
    expect(not twice, f"a scan of /{resource} returned the same (id, version) more than once: {twice}")


@check("auth_required")
def check_auth(run: Run, sample: Sample) -> None:
    for authorization, what in (("", "without Authorization"), ("Bearer wrong-token", "with a wrong token")):
        response = run.client.request("GET", f"/{sample.resource}", authorization=authorization)
        error_body(response, 401, "unauthorized", f"GET /{sample.resource} {what}")


@check("create_read_update_delete")
def check_crud(run: Run, sample: Sample) -> None:
    path = f"/{sample.resource}"
    sent = run.body(sample)
    created = run.make(sample, sent)
    for key in READ_ONLY:
        expect(key in created, f"POST {path} answer lacks {key!r}")
    expect(created["version"] == 1, f"POST {path}: a new record must have version 1, got {created['version']!r}")
    for key in ("created_at", "updated_at"):
        expect(bool(TIMESTAMP.match(str(created[key]))),
               f"POST {path}: {key} {created[key]!r} is not in the format 2026-11-28T03:17:04.123456Z")
    differing = [key for key in sent if not _contains(created.get(key), sent[key])]
    expect(not differing, f"POST {path}: the record does not keep what was sent for {differing}")
    url = f"{path}/{created['id']}"
    expect(run.client.get(sample.resource, created["id"]) == created, f"GET {url} differs from the POST answer")

    patched = run.client.call("PATCH", url, 200, json=sample.change(1))
    expect(patched["version"] == 2, f"PATCH {url}: a change must bump version 1 to 2, got {patched['version']!r}")
    expect(patched["updated_at"] > created["updated_at"], f"PATCH {url}: a change must move updated_at forward")
    expect(_contains(patched, sample.change(1)), f"PATCH {url} did not apply {sample.change(1)}")
    expect(all(patched[k] == created[k] for k in created if k not in (*READ_ONLY, *sample.change(1))),
           f"PATCH {url} changed fields it was not given")

    full = {**{k: v for k, v in created.items() if k not in READ_ONLY}, **sample.change(2)}
    replaced = run.client.call("PUT", url, 200, json=full)
    expect(replaced["version"] == 3 and _contains(replaced, sample.change(2)),
           f"PUT {url} must store the new content as version 3, got version {replaced['version']!r}")

    run.client.call("DELETE", url, 204)
    for method in ("GET", "PATCH", "DELETE"):
        error_body(run.client.request(method, url, json={}), 404, "not_found", f"{method} {url} after DELETE")


@check("unchanged_write_keeps_version")
def check_unchanged(run: Run, sample: Sample) -> None:
    created = run.make(sample)
    url = f"/{sample.resource}/{created['id']}"
    same = {k: v for k, v in created.items() if k not in READ_ONLY}
    for method, body, what in (("PUT", same, "the same content"), ("PUT", created, "the record as read"),
                               ("PATCH", {}, "an empty patch"),
                               ("PATCH", {sample.unique_field: created[sample.unique_field]}, "an unchanged field")):
        answer = run.client.call(method, url, 200, json=body)
        expect((answer["version"], answer["updated_at"]) == (created["version"], created["updated_at"]),
               f"{method} {url} with {what} must not change version or updated_at (a sync would echo forever), "
               f"got version {answer['version']} at {answer['updated_at']}")


@check("if_match_412")
def check_if_match(run: Run, sample: Sample) -> None:
    created = run.make(sample)
    url = f"/{sample.resource}/{created['id']}"
    run.client.call("PATCH", url, 200, json=sample.change(1), headers={"If-Match": "1"})
    for method, body in (("PATCH", sample.change(2)), ("PUT", {k: v for k, v in created.items()}), ("DELETE", None)):
        response = run.client.request(method, url, json=body, headers={"If-Match": '"1"'})
        answer = error_body(response, 412, "version_mismatch", f"{method} {url} with a stale If-Match")
        expect(answer.get("current_version") == 2,
               f"{method} {url}: the 412 body must give current_version 2, got {answer.get('current_version')!r}")
    current = run.client.get(sample.resource, created["id"])
    expect(current["version"] == 2 and _contains(current, sample.change(1)),
           f"a write refused with 412 still changed {url}")


@check("error_shapes")
def check_errors(run: Run, sample: Sample) -> None:
    path = f"/{sample.resource}"
    error_body(run.client.request("GET", f"{path}/{NEVER_ISSUED_ID}"), 404, "not_found", f"GET {path}/<unknown id>")
    bad = run.body(sample, **sample.invalid, origin=f"{run.marker}-invalid")
    answer = error_body(run.client.request("POST", path, json=bad), 422, "validation_failed", f"POST {path} invalid")
    fields = answer.get("fields")
    expect(isinstance(fields, dict) and all(isinstance(fields.get(name), str) for name in sample.invalid),
           f"POST {path}: the 422 body must name each bad field {sorted(sample.invalid)} in \"fields\", got {fields!r}")
    required = sample.required_field
    missing = {k: v for k, v in run.body(sample, origin=f"{run.marker}-invalid").items() if k != required}
    answer = error_body(run.client.request("POST", path, json=missing), 422, "validation_failed",
                        f"POST {path} without {required}")
    expect(required in (answer.get("fields") or {}),
           f"POST {path} without {required}: the 422 must name it in \"fields\"")
    leftovers, _ = run.client.page(sample.resource, {"origin": f"{run.marker}-invalid"})
    expect(not leftovers, f"POST {path} was refused with 422 but created a record anyway")

    first = run.make(sample)
    copy = run.body(sample, **{sample.unique_field: str(first[sample.unique_field]).upper()})
    answer = error_body(run.client.request("POST", path, json=copy), 409, "duplicate",
                        f"POST {path} with the {sample.unique_field} of record {first['id']} in other case")
    expect(answer.get("existing_id") == first["id"],
           f"POST {path}: the 409 body must give existing_id {first['id']}, got {answer.get('existing_id')!r}")
    second = run.make(sample)
    error_body(run.client.request("PATCH", f"{path}/{second['id']}",
                                  json={sample.unique_field: first[sample.unique_field]}),
               409, "duplicate", f"PATCH {path}/{second['id']} taking the {sample.unique_field} of {first['id']}")


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


@check("incremental_reads_under_concurrent_writes")
def check_concurrent_reads(run: Run, sample: Sample) -> None:
    """Writer threads update records while a consumer polls as our sync does: scan from `updated_after=<the last
    updated_at it received>`, again and again, then once more after the writers stop.

    It must end up with every record's final version. A shop that takes `updated_at` before the write becomes
    visible (at transaction start, or from the clock of another server) lets the consumer move past a record that
    then commits with a smaller stamp; that change is never read. Races need not show in one run, so a pass here is
    evidence, not proof.
    """
    records = [run.make(sample) for _ in range(6)]
    latest: dict[int, int] = {}
    position = just_before(records[0])

    def write(writer: int) -> None:
        """Several writers, since a stamp taken too early only shows when another write overtakes it."""
        client = run.client.fork()
        for n in range(WRITES_PER_WRITER):
            target = records[(writer + n * WRITERS) % len(records)]["id"]
            client.call("PATCH", f"/{sample.resource}/{target}", 200, json=sample.change(1000 * (writer + 1) + n))

    def poll() -> str:
        items = run.client.scan(sample.resource, {"updated_after": position, "limit": 2})
        expect_one_pass(items, sample.resource)
        for item in items:
            latest[item["id"]] = max(item["version"], latest.get(item["id"], 0))
        return items[-1]["updated_at"] if items else position

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        writers = [pool.submit(write, writer) for writer in range(WRITERS)]
        for _ in range(MAX_POLLS):
            position = poll()
            if all(writer.done() for writer in writers):
                break
        for writer in writers:
            writer.result()
    position = poll()
    final = {r["id"]: run.client.get(sample.resource, r["id"])["version"] for r in records}
    missed = {id_: (latest.get(id_, 0), version) for id_, version in final.items() if latest.get(id_, 0) < version}
    expect(not missed, "polling with updated_after=<last updated_at received> while records were written never "
           f"delivered the final version of these records (id: (newest read, final)): {missed}. Either a write got "
           "an updated_at below one already read (stamp writes when they become visible) or paging skipped records "
           "that moved")


@check("tombstones_include_deleted")
def check_tombstones(run: Run, sample: Sample) -> None:
    doomed, kept = run.make(sample), run.make(sample)
    run.client.call("DELETE", f"/{sample.resource}/{doomed['id']}", 204)
    bound = {"updated_after": just_before(doomed), "limit": 500}
    live = [item["id"] for item in run.client.scan(sample.resource, bound)]
    expect(doomed["id"] not in live, f"record {doomed['id']} is listed without include_deleted after DELETE")
    items = run.client.scan(sample.resource, {**bound, "include_deleted": "true"})
    expect_ordered(items, sample.resource)
    tombs = [item for item in items if item["id"] == doomed["id"]]
    expect(len(tombs) == 1, f"include_deleted=true must list record {doomed['id']} once as a tombstone, "
                            f"found it {len(tombs)} times")
    tomb = tombs[0]
    expect(tomb.get("deleted") is True and bool(TIMESTAMP.match(str(tomb.get("deleted_at")))),
           f"a tombstone needs \"deleted\": true and a deleted_at timestamp, got {tomb}")
    expect(tomb["updated_at"] > kept["updated_at"],
           "a tombstone's updated_at must be the time of the DELETE, so it sorts after older writes")
    expect(kept["id"] in [item["id"] for item in items], "include_deleted=true must list live records too")


@check("origin_filter")
def check_origin(run: Run, sample: Sample) -> None:
    origin = f"{run.marker}-shared"
    pair = [run.make(sample, origin=origin) for _ in range(2)]
    run.make(sample)
    items = run.client.scan(sample.resource, {"origin": origin, "limit": 500})
    expect(sorted(item["id"] for item in items) == sorted(r["id"] for r in pair),
           f"origin={origin} returned {[item['id'] for item in items]}, expected exactly {[r['id'] for r in pair]}")


def _first_tie(items: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The first run of consecutive items sharing updated_at, and the item before it."""
    for start, item in enumerate(items):
        end = start
        while end + 1 < len(items) and items[end + 1]["updated_at"] == item["updated_at"]:
            end += 1
        if end > start and (start == 0 or items[start - 1]["updated_at"] != item["updated_at"]):
            return items[start:end + 1], items[start - 1] if start else None
    return [], None


def _contains(actual: Any, expected: Any) -> bool:
    """`actual` has everything in `expected` (objects may carry more keys: shops fill defaults)."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(_contains(actual.get(k), v) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and len(actual) == len(expected) and all(map(_contains, actual, expected))
    return actual == expected
