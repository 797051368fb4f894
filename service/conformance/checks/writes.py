"""Writes: create, read, change and delete one record; unchanged writes; If-Match; error answers; unknown
properties refused; money kept as sent."""
from __future__ import annotations

from typing import Any

from service.conformance.checks.registry import READ_ONLY, TIMESTAMP, check, contains, expect, just_before, writable
from service.conformance.checks.scans import scan
from service.conformance.client import error_body
from service.conformance.report import CheckSkipped
from service.conformance.samples import NEVER_ISSUED_ID, Run, Sample


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
    differing = [key for key in sent if not contains(created.get(key), sent[key])]
    expect(not differing, f"POST {path}: the record does not keep what was sent for {differing}")
    url = f"{path}/{created['id']}"
    expect(run.client.get(sample.resource, created["id"]) == created, f"GET {url} differs from the POST answer")

    patched = run.client.call("PATCH", url, 200, json=sample.change(1))
    expect(patched["version"] == 2, f"PATCH {url}: a change must bump version 1 to 2, got {patched['version']!r}")
    expect(patched["updated_at"] > created["updated_at"], f"PATCH {url}: a change must move updated_at forward")
    expect(contains(patched, sample.change(1)), f"PATCH {url} did not apply {sample.change(1)}")
    expect(all(patched[k] == created[k] for k in created if k not in (*READ_ONLY, *sample.change(1))),
           f"PATCH {url} changed fields it was not given")

    full = {**writable(created), **sample.change(2)}
    replaced = run.client.call("PUT", url, 200, json=full)
    expect(replaced["version"] == 3 and contains(replaced, sample.change(2)),
           f"PUT {url} must store the new content as version 3, got version {replaced['version']!r}")

    run.client.call("DELETE", url, 204)
    for method in ("GET", "PATCH", "DELETE"):
        error_body(run.client.request(method, url, json={}), 404, "not_found", f"{method} {url} after DELETE")


@check("unchanged_write_keeps_version")
def check_unchanged(run: Run, sample: Sample) -> None:
    created = run.make(sample)
    url = f"/{sample.resource}/{created['id']}"
    same = writable(created)
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
    expect(current["version"] == 2 and contains(current, sample.change(1)),
           f"a write refused with 412 still changed {url}")


@check("error_shapes")
def check_errors(run: Run, sample: Sample) -> None:
    path = f"/{sample.resource}"
    error_body(run.client.request("GET", f"{path}/{NEVER_ISSUED_ID}"), 404, "not_found", f"GET {path}/<unknown id>")
    bad = run.body(sample, **sample.invalid, origin=f"{run.marker}-invalid")
    answer = error_body(run.post(sample, json=bad), 422, "validation_failed", f"POST {path} invalid")
    fields = answer.get("fields")
    expect(isinstance(fields, dict) and all(isinstance(fields.get(name), str) for name in sample.invalid),
           f"POST {path}: the 422 body must name each bad field {sorted(sample.invalid)} in \"fields\", got {fields!r}")
    required = sample.required_field
    missing = {k: v for k, v in run.body(sample, origin=f"{run.marker}-invalid").items() if k != required}
    answer = error_body(run.post(sample, json=missing), 422, "validation_failed",
                        f"POST {path} without {required}")
    expect(required in (answer.get("fields") or {}),
           f"POST {path} without {required}: the 422 must name it in \"fields\"")
    leftovers, _ = run.client.page(sample.resource, {"origin": f"{run.marker}-invalid"})
    expect(not leftovers, f"POST {path} was refused with 422 but created a record anyway")

    first = run.make(sample)
    copy = run.body(sample, **{sample.unique_field: str(first[sample.unique_field]).upper()})
    answer = error_body(run.post(sample, json=copy), 409, "duplicate",
                        f"POST {path} with the {sample.unique_field} of record {first['id']} in other case")
    expect(answer.get("existing_id") == first["id"],
           f"POST {path}: the 409 body must give existing_id {first['id']}, got {answer.get('existing_id')!r}")
    second = run.make(sample)
    error_body(run.client.request("PATCH", f"{path}/{second['id']}",
                                  json={sample.unique_field: first[sample.unique_field]}),
               409, "duplicate", f"PATCH {path}/{second['id']} taking the {sample.unique_field} of {first['id']}")


UNKNOWN = "colour"


def _with_unknown(body: dict[str, Any], where: str) -> dict[str, Any]:
    """`body` with the property UNKNOWN added at `where` ("" for the top, "billing", "lines[0]")."""
    if not where:
        return {**body, UNKNOWN: "red"}
    name, _, index = where.partition("[")
    if not index:
        return {**body, name: {**body.get(name, {}), UNKNOWN: "red"}}
    items = [dict(item) for item in body[name]]
    items[int(index.rstrip("]"))][UNKNOWN] = "red"
    return {**body, name: items}


@check("unknown_properties_refused")
def check_unknown_properties(run: Run, sample: Sample) -> None:
    """A property the contract does not know is a 422 naming it, at any depth (§3.1): a misspelt field that
    vanishes silently leaves the sender believing the shop stored a value it threw away."""
    path = f"/{sample.resource}"
    for where in ("", *sample.nested):
        name = f"{where}.{UNKNOWN}" if where else UNKNOWN
        what = f"POST {path} with the unknown property {name}"
        answer = error_body(run.post(sample, json=_with_unknown(run.body(sample), where)), 422, "validation_failed",
                            what)
        expect(name in (answer.get("fields") or {}), f"{what}: the 422 must name {name!r} in \"fields\", got "
                                                     f"{answer.get('fields')!r}")
    record = run.make(sample)
    url = f"{path}/{record['id']}"
    for method, body in (("PATCH", {UNKNOWN: "red"}), ("PUT", {**writable(record), UNKNOWN: "red"})):
        what = f"{method} {url} with the unknown property {UNKNOWN}"
        answer = error_body(run.client.request(method, url, json=body), 422, "validation_failed", what)
        expect(UNKNOWN in (answer.get("fields") or {}), f"{what}: the 422 must name {UNKNOWN!r} in \"fields\"")
    expect(run.client.get(sample.resource, record["id"]) == record, f"writes to {url} refused with 422 changed it")


@check("money_kept_as_sent", only=("products", "orders"))
def check_money(run: Run, sample: Sample) -> None:
    """Amounts are stored as sent, on create and after a change, and listed so: a total the shop recalculates is a
    change the sender did not make, and the sync would carry it back (§3.5)."""
    if sample.money is None:
        raise CheckSkipped(f"{sample.resource} carry no amounts")
    sent = sample.money(run)
    path = f"/{sample.resource}"
    record = run.make(sample, **sent)
    url = f"{path}/{record['id']}"

    def expect_kept(found: dict[str, Any], where: str) -> None:
        differing = {key: found.get(key) for key in sent if not contains(found.get(key), sent[key])}
        expect(not differing, f"{where} has other amounts than were sent: sent "
                              f"{ {key: sent[key] for key in differing} }, got {differing}")

    expect_kept(record, f"the answer to POST {path}")
    expect_kept(run.client.get(sample.resource, record["id"]), f"GET {url}")
    expect_kept(run.client.call("PATCH", url, 200, json=sample.change(1)), f"the answer to PATCH {url} (another field)")
    found = scan(run.client, sample.resource, {"updated_after": just_before(record), "limit": 500})
    listed = [item for item in found.items if item["id"] == record["id"]]
    expect(len(listed) == 1, f"{found.url} (all pages) did not list {url}")
    expect_kept(listed[0], found.url)
