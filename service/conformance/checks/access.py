"""Authentication: every request without the shop's token is refused."""
from __future__ import annotations

from service.conformance.checks.registry import check
from service.conformance.client import error_body
from service.conformance.samples import Run, Sample


@check("auth_required")
def check_auth(run: Run, sample: Sample) -> None:
    for authorization, what in (("", "without Authorization"), ("Bearer wrong-token", "with a wrong token")):
        response = run.client.request("GET", f"/{sample.resource}", authorization=authorization)
        error_body(response, 401, "unauthorized", f"GET /{sample.resource} {what}")
