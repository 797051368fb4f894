"""Stamps: `updated_at` must be decided when a write becomes visible, or pollers skip changes (§5.3).

`stamped_when_visible` is deterministic: it holds one write's body back until another write has been answered and
listed, so a shop that stamps a write when its request (or transaction) starts gives the held write the older stamp,
every time. `incremental_reads_under_concurrent_writes` polls while threads write, as our sync does; races need not
show in one run, so its pass is evidence, not proof.
"""
from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from service.conformance.checks.registry import check, expect, just_before
from service.conformance.checks.scans import expect_one_pass, scan
from service.conformance.client import decode, expect_status
from service.conformance.samples import Run, Sample

WRITERS, WRITES_PER_WRITER, MAX_POLLS = 3, 10, 1000
HOLD_SECONDS = 0.25  # how long a shop may take to start handling a request whose headers it has received


class _HeldBody:
    """A request body sent only when released, so the request's line and headers reach the shop well before it.
    `len()` gives requests the Content-Length, so the body is not chunked."""

    def __init__(self, content: bytes, wait_seconds: float) -> None:
        self._content = content
        self._wait_seconds = wait_seconds
        self._done = False
        self.started = threading.Event()
        self._released = threading.Event()

    def __len__(self) -> int:
        return len(self._content)

    def read(self, size: int = -1) -> bytes:
        self.started.set()
        if self._done:
            return b""
        self._released.wait(self._wait_seconds)
        self._done = True
        return self._content

    def release(self) -> None:
        self._released.set()


@check("stamped_when_visible")
def check_stamped_when_visible(run: Run, sample: Sample) -> None:
    """A PATCH whose headers arrive first and whose body arrives after another write was answered and listed must
    still get the newer `updated_at`: it became visible later, and a poller already past the other write's stamp
    would otherwise never read it."""
    slow, fast = run.make(sample), run.make(sample)
    slow_url, fast_url = f"/{sample.resource}/{slow['id']}", f"/{sample.resource}/{fast['id']}"
    held = _HeldBody(json.dumps(sample.change(1)).encode(), run.client.request_seconds)
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(run.client.fork().request, "PATCH", slow_url, data=held,
                              headers={"Content-Type": "application/json"})
        try:
            started = held.started.wait(run.client.request_seconds)
            if started:
                time.sleep(HOLD_SECONDS)
                fast_now = run.client.call("PATCH", fast_url, 200, json=sample.change(2))
                seen = scan(run.client, sample.resource, {"updated_after": just_before(slow), "limit": 500})
        finally:
            held.release()
        answer = pending.result()
    what = f"PATCH {slow_url} (its body sent {HOLD_SECONDS:g} s after its headers)"
    expect(started, f"{what} was answered {answer.status_code} before its body was sent")
    expect_status(answer, 200, what)
    slow_now = decode(answer, what)
    expect(fast_now["id"] in [item["id"] for item in seen.items], f"{seen.url} did not list {fast_url}, which a "
                                                                  "PATCH had just changed")
    position = seen.items[-1]["updated_at"]
    after = scan(run.client, sample.resource, {"updated_after": position, "limit": 500})
    versions = [item["version"] for item in after.items if item["id"] == slow["id"]]
    expect(slow_now["version"] in versions,
           f"{what} got updated_at {slow_now['updated_at']}, although PATCH {fast_url} (updated_at "
           f"{fast_now['updated_at']}) was answered and listed before this body was even sent; so {after.url}, a "
           f"poller's next request, never returns the change. Stamp a write when it becomes visible (inside the "
           "lock that orders commits), not when its request or transaction starts")


@check("incremental_reads_under_concurrent_writes")
def check_concurrent_reads(run: Run, sample: Sample) -> None:
    """Writer threads update records while a consumer polls as our sync does: scan from `updated_after=<the last
    updated_at it received>`, again and again, then once more after the writers stop.

    It must end up with every record's final version. A shop that takes `updated_at` before the write becomes
    visible (at transaction start, or from the clock of another server) lets the consumer move past a record that
    then commits with a smaller stamp; that change is never read.
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
        found = scan(run.client, sample.resource, {"updated_after": position, "limit": 2})
        expect_one_pass(found)
        for item in found.items:
            latest[item["id"]] = max(item["version"], latest.get(item["id"], 0))
        return found.items[-1]["updated_at"] if found.items else position

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
    expect(not missed, f"polling GET /{sample.resource}?updated_after=<last updated_at received>&limit=2 while "
           "records were written never delivered the final version of these records (id: (newest read, final)): "
           f"{missed}. Either a write got an updated_at below one already read (stamp writes when they become "
           "visible) or paging skipped records that moved")
