"""Deletes: tombstones in listings with include_deleted=true."""
from __future__ import annotations

from service.conformance.checks.registry import TIMESTAMP, check, expect, expect_ordered, just_before
from service.conformance.samples import Run, Sample


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
