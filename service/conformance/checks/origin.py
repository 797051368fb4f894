"""Origin: the id a record had in the system it was copied from, and the `?origin=` filter."""
from __future__ import annotations

from service.conformance.checks.registry import check, expect
from service.conformance.samples import Run, Sample


@check("origin_filter")
def check_origin(run: Run, sample: Sample) -> None:
    origin = f"{run.marker}-shared"
    pair = [run.make(sample, origin=origin) for _ in range(2)]
    run.make(sample)
    items = run.client.scan(sample.resource, {"origin": origin, "limit": 500})
    expect(sorted(item["id"] for item in items) == sorted(r["id"] for r in pair),
           f"origin={origin} returned {[item['id'] for item in items]}, expected exactly {[r['id'] for r in pair]}")
