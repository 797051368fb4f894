"""Access: every path and method needs the token (§2), and no answer ever repeats a credential.

A request without a valid token is answered 401 before anything else is looked at (§4.4), whatever the path, so a
shop that guards only its listings, or answers 404 for an unknown path first, fails here. Credentials in answers
end up in logs, tickets and dashboards, so an echo fails the check, whatever the report shows.
"""
from __future__ import annotations

from typing import Any

from service.conformance.checks.registry import check, expect, writable
from service.conformance.client import MIN_SECRET_LENGTH, Answer, error_body
from service.conformance.samples import NEVER_ISSUED_ID, Run, Sample

Probe = tuple[str, str, dict[str, Any]]  # method, path, keyword arguments of the request


def _every_route(run: Run, sample: Sample, record: dict[str, Any]) -> list[Probe]:
    path, url = f"/{sample.resource}", f"/{sample.resource}/{record['id']}"
    return [("GET", path, {}), ("POST", path, {"json": run.body(sample)}), ("GET", url, {}),
            ("PUT", url, {"json": {**writable(record), **sample.change(1)}}), ("PATCH", url, {"json": sample.change(2)}),
            ("DELETE", url, {}), ("POST", url, {"json": {}}), ("GET", f"/{run.marker}-no-such-resource", {})]


def _send(run: Run, sample: Sample, method: str, path: str, **kwargs: Any) -> Answer:
    if (method, path) == ("POST", f"/{sample.resource}"):
        return run.post(sample, **kwargs)  # a shop that creates anyway still gets its record cleaned up
    return run.client.request(method, path, **kwargs)


@check("auth_required")
def check_auth(run: Run, sample: Sample) -> None:
    record = run.make(sample)
    for authorization, what in (("", "without Authorization"), (f"Bearer {run.marker}-wrong", "with a wrong token"),
                                (f"Basic {run.client.token}", "with the token under another scheme")):
        for method, path, kwargs in _every_route(run, sample, record):
            answer = _send(run, sample, method, path, authorization=authorization, **kwargs)
            error_body(answer, 401, "unauthorized", f"{method} {path} {what}")
            challenge = answer.headers.get("WWW-Authenticate", "")
            expect(challenge.lower().startswith("bearer"), f"{method} {path} {what}: a 401 must carry "
                                                            f"WWW-Authenticate: Bearer realm=\"webshop\", got {challenge!r}")
    url = f"/{sample.resource}/{record['id']}"
    expect(run.client.get(sample.resource, record["id"]) == record, f"requests to {url} without a valid token "
                                                                     "changed it")


@check("credentials_never_echoed")
def check_credentials(run: Run, sample: Sample) -> None:
    """Every kind of error answer, with the right token and a wrong one: none may contain the token sent."""
    record = run.make(sample)
    path, url = f"/{sample.resource}", f"/{sample.resource}/{record['id']}"
    json_type = {"Content-Type": "application/json"}
    probes: list[tuple[str | None, Probe]] = [
        (None, ("GET", f"{path}/{NEVER_ISSUED_ID}", {})),
        (None, ("POST", path, {"json": run.body(sample, **sample.invalid)})),
        (None, ("POST", path, {"data": b"{not json", "headers": json_type})),
        (None, ("POST", path, {"json": run.body(sample, **{sample.unique_field: record[sample.unique_field]})})),
        (None, ("PATCH", url, {"json": sample.change(1), "headers": {"If-Match": str(record["version"] + 7)}})),
        (None, ("POST", url, {"json": {}})),
        (None, ("GET", path, {"params": {f"{run.marker}-unknown": "1"}})),
        (f"Bearer {run.marker}-wrong-token", ("GET", path, {})),
        (f"Bearer {run.marker}-wrong-token", ("DELETE", url, {})),
    ]
    for authorization, (method, target, kwargs) in probes:
        sent = authorization or f"Bearer {run.client.token}"
        answer = _send(run, sample, method, target, **({"authorization": authorization} if authorization else {}),
                       **kwargs)
        where = _quoted_in(answer, sent)
        token = "a wrong bearer token" if authorization else "the bearer token"
        expect(where is None, f"{method} {target} (answered {answer.status_code}) repeats {token} it was sent in its "
                              f"{where}: an answer must never quote credentials (error messages end up in logs)")


def _quoted_in(answer: Answer, authorization: str) -> str | None:
    """Where the answer repeats the Authorization header sent, or its token when long enough to be one."""
    token = authorization.split(" ", 1)[-1]
    secrets = [authorization] + ([token] if len(token) >= MIN_SECRET_LENGTH else [])
    if any(secret in answer.text for secret in secrets):
        return "body"
    for name, value in answer.headers.items():
        if any(secret in value for secret in secrets):
            return f"{name} header"
    return None
