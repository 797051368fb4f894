"""Stamps: `updated_at` must be decided when a write becomes visible, or pollers skip changes."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from service.conformance.checks.registry import check, expect, expect_one_pass, just_before
from service.conformance.samples import Run, Sample


WRITERS, WRITES_PER_WRITER, MAX_POLLS = 3, 10, 1000


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
