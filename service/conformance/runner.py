"""Run every check against every chosen resource, then delete what the checks wrote."""
from __future__ import annotations

import dataclasses
from collections.abc import Callable

import requests

from service.conformance.checks import CHECKS
from service.conformance.client import ShopClient
from service.conformance.report import CheckFailed, CheckSkipped, Outcome
from service.conformance.samples import SAMPLES, Run

RESOURCES = tuple(SAMPLES)
MIN_SECRET_LENGTH = 8


def run_checks(base_url: str, token: str, resources: tuple[str, ...] = RESOURCES) -> list[Outcome]:
    run = Run(ShopClient(base_url, token))
    outcomes = []
    try:
        for resource in resources:
            for name, function in CHECKS:
                outcomes.append(_outcome(resource, name, lambda: function(run, SAMPLES[resource])))
    finally:
        problems = run.clean_up()
    outcomes.append(Outcome("-", "clean_up", "fail" if problems else "pass", "; ".join(problems)))
    return [dataclasses.replace(o, reason=redact(o.reason, token)) for o in outcomes]


def redact(text: str, token: str) -> str:
    """A shop that echoes request headers in its errors must not get the token into the report. Tokens too short
    to be secrets (test fixtures) are left alone, since replacing them would garble every reason."""
    return text.replace(token, "***") if len(token) >= MIN_SECRET_LENGTH else text


def _outcome(resource: str, name: str, body: Callable[[], None]) -> Outcome:
    try:
        body()
    except CheckFailed as exc:
        return Outcome(resource, name, "fail", str(exc))
    except CheckSkipped as exc:
        return Outcome(resource, name, "skip", str(exc))
    except requests.RequestException as exc:
        return Outcome(resource, name, "fail", f"request failed: {type(exc).__name__}")
    except (KeyError, TypeError, ValueError) as exc:
        # A record missing a contract field (or of the wrong type) surfaces here rather than as a crash.
        return Outcome(resource, name, "fail", f"unexpected answer: {type(exc).__name__} {exc}")
    return Outcome(resource, name, "pass")
