"""Origin: the id a record had in the system it was copied from. Unique among live records and matched exactly,
since our service looks a record up by origin before creating it (docs/custom-webshop-api.md §3.1, §5.1)."""
from __future__ import annotations

from service.conformance.checks.registry import check, expect, writable
from service.conformance.client import error_body
from service.conformance.samples import Run, Sample


@check("origin_filter_exact")
def check_origin_filter(run: Run, sample: Sample) -> None:
    """Origins that differ by a prefix, a suffix or case each find only their own record: a prefix match would
    make a create with origin "1" update the record whose origin is "12"."""
    origin = f"{run.marker}-origin-1"
    near = (origin[:-1], origin + "2", origin.upper())
    records = {value: run.make(sample, origin=value) for value in (origin, *near)}
    for value, record in records.items():
        for limit in (1, 500):
            found = [item["id"] for item in run.client.scan(sample.resource, {"origin": value, "limit": limit})]
            expect(found == [record["id"]],
                   f"GET /{sample.resource}?origin={value}&limit={limit} returned {found}, expected only "
                   f"{record['id']}: origin must match the whole string exactly "
                   f"(the run also made origins {sorted(set(records) - {value})})")


@check("origin_unique")
def check_origin_unique(run: Run, sample: Sample) -> None:
    """A second live record with a taken origin is a 409 naming the holder, on create and on change."""
    path = f"/{sample.resource}"
    holder = run.make(sample)
    taken = holder["origin"]

    def expect_clash(method: str, url: str, body: dict[str, object], doing: str) -> None:
        answer = run.post(sample, json=body) if method == "POST" else run.client.request(method, url, json=body)
        answer_body = error_body(answer, 409, "duplicate",
                                 f"{method} {url} {doing} (origin {taken!r} is held by {path}/{holder['id']})")
        expect((answer_body.get("field"), answer_body.get("existing_id")) == ("origin", holder["id"]),
               f"{method} {url}: the 409 must name field \"origin\" and existing_id {holder['id']}, got field "
               f"{answer_body.get('field')!r}, existing_id {answer_body.get('existing_id')!r}")

    expect_clash("POST", path, run.body(sample, origin=taken), "creating a record")
    other = run.make(sample)
    url = f"{path}/{other['id']}"
    expect_clash("PATCH", url, {"origin": taken}, "changing its origin")
    expect_clash("PUT", url, {**writable(other), "origin": taken}, "replacing it")
    expect(run.client.get(sample.resource, other["id"])["version"] == other["version"],
           f"a write to {url} refused with 409 still changed it")
    found = [item["id"] for item in run.client.scan(sample.resource, {"origin": taken, "limit": 500})]
    expect(found == [holder["id"]], f"GET {path}?origin={taken} returned {found}, expected only {holder['id']}")
