"""Run every check against every chosen resource, then delete what the checks wrote.

Before the checks, one request tells whether the shop can be reached and takes the token: a rejected token is one
clear failure, not a 401 in every check. The run has a time bound; checks it does not reach are reported as failed
(not run), and the clean-up that follows gets a bound of its own.
"""
from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

from service.conformance.checks import CHECKS, FINAL_CHECKS
from service.conformance.client import MIN_SECRET_LENGTH, REQUEST_SECONDS, Progress, RequestFailed, ShopClient
from service.conformance.report import CheckFailed, CheckSkipped, Outcome
from service.conformance.samples import SAMPLES, Run

RESOURCES = tuple(SAMPLES)
RUN_SECONDS = 900.0
CLEAN_UP_SECONDS = 120.0


class ShopUnreachable(Exception):
    """Not even the first request got an answer."""


def run_checks(base_url: str, token: str, resources: tuple[str, ...] = RESOURCES, *,
               request_seconds: float = REQUEST_SECONDS, run_seconds: float = RUN_SECONDS,
               progress: Progress | None = None) -> list[Outcome]:
    client = ShopClient(base_url, token, request_seconds, progress)
    started = time.monotonic()
    client.run_ends_at = started + run_seconds
    say = progress or (lambda line: None)
    rejected = _token_rejected(client, resources[0])
    if rejected is not None:
        return [rejected]
    run = Run(client)
    outcomes = []
    try:
        planned = [(resource, name, function) for resource in resources
                   for name, function, only in CHECKS if only is None or resource in only]
        planned += [(resource, name, function) for name, function in FINAL_CHECKS for resource in resources]
        for number, (resource, name, function) in enumerate(planned, 1):
            if time.monotonic() >= client.run_ends_at:
                outcome = Outcome(resource, name, "fail", f"not run: the run reached its time bound of "
                                                          f"{run_seconds:g} s")
            else:
                outcome = _outcome(resource, name, client, lambda: function(run, SAMPLES[resource]))
            outcomes.append(outcome)
            say(f"[{time.monotonic() - started:6.1f} s] {number}/{len(planned)} {resource} {name}: {outcome.status}")
    finally:
        client.run_ends_at = time.monotonic() + CLEAN_UP_SECONDS
        problems = run.clean_up()
    outcomes.append(Outcome("-", "clean_up", "fail" if problems else "pass", "; ".join(problems)))
    return [dataclasses.replace(o, reason=redact(o.reason, token)) for o in outcomes]


def _token_rejected(client: ShopClient, resource: str) -> Outcome | None:
    """One listing request: unreachable shops raise `ShopUnreachable`, a 401 is the run's only outcome."""
    try:
        answer = client.request("GET", f"/{resource}", params={"limit": 1})
    except RequestFailed as exc:
        if exc.unreachable:
            raise ShopUnreachable(str(exc)) from None
        return None  # a slow shop: the checks say so one by one
    if answer.status_code != 401:
        return None
    return Outcome("-", "token_accepted", "fail", f"GET /{resource} answered 401 to the token given: check --token "
                   "(or $WEBSHOP_TOKEN); no other check was run, since each would only fail with 401")


def redact(text: str, token: str) -> str:
    """Defence in depth: the checks fail a shop that echoes credentials, and the report must not repeat them
    either. Tokens too short to be secrets (test fixtures) are left alone, since replacing them would garble every
    reason."""
    return text.replace(token, "***") if len(token) >= MIN_SECRET_LENGTH else text


def _outcome(resource: str, name: str, client: ShopClient, body: Callable[[], None]) -> Outcome:
    try:
        body()
    except CheckFailed as exc:
        return Outcome(resource, name, "fail", str(exc))
    except CheckSkipped as exc:
        return Outcome(resource, name, "skip", str(exc))
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        # A record missing a contract field (or of the wrong type) surfaces here rather than as a crash.
        return Outcome(resource, name, "fail", f"unexpected answer (last request: {client.last_request}): "
                                               f"{type(exc).__name__} {exc}")
    return Outcome(resource, name, "pass")
