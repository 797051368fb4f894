"""The shared transport: Retry-After as RFC 9110 defines it, backoff that a shop cannot switch off, and a timeout
that bounds the whole answer (issue 11, item 15; the trickling body of the sandbox faults)."""
from __future__ import annotations

import json
import logging
import re
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
import requests

from sandbox.faults import FaultInjector, Faults
from sandbox.serving import ServedApp
from service.clients.transport import RetryPolicy, Transport, retry_after_seconds, with_retries
from service.errors import UpstreamUnavailable


def answer_with(retry_after: str) -> requests.Response:
    response = requests.Response()
    response.headers["Retry-After"] = retry_after
    return response


def test_retry_after_reads_seconds_and_http_dates():
    assert retry_after_seconds(answer_with("7")) == 7
    in_two_minutes = datetime.now(timezone.utc) + timedelta(seconds=120)
    assert 100 < retry_after_seconds(answer_with(format_datetime(in_two_minutes, usegmt=True))) <= 120
    past = datetime.now(timezone.utc) - timedelta(hours=1)
    assert retry_after_seconds(answer_with(format_datetime(past, usegmt=True))) == 0
    assert retry_after_seconds(answer_with("soon")) is None
    assert retry_after_seconds(answer_with("99999")) == 300, "capped"


def test_retry_after_zero_does_not_switch_backoff_off(caplog):
    caplog.set_level(logging.WARNING)
    attempts = []

    def busy() -> None:
        attempts.append(1)
        error = UpstreamUnavailable("rate limited", upstream_status=429)
        error.retry_after = 0.0
        raise error

    with pytest.raises(UpstreamUnavailable):
        with_retries(busy, RetryPolicy(retries=3, backoff=0.2, max_backoff=1), "GET /orders")
    waits = [float(w) for w in re.findall(r"retry \d of 3 in ([\d.]+)s", caplog.text)]
    assert len(attempts) == 4 and len(waits) == 3
    assert all(wait > 0 for wait in waits), f"a shop's Retry-After: 0 must not remove our backoff: {waits}"


def test_a_body_that_trickles_is_cut_off_at_the_timeout():
    """Every wait for a byte is short, so a per-read timeout never fires; the whole answer must be bounded."""
    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps([{"id": n, "name": "x" * 20} for n in range(100)]).encode()]

    faults = Faults.parse({"trickle": [{"chunk_bytes": 16, "interval_ms": 100}]})
    with ServedApp(FaultInjector(app, faults)) as served:
        transport = Transport("The shop", pool_size=1, timeout=1, policy=RetryPolicy(retries=0))
        with pytest.raises(UpstreamUnavailable) as caught:
            transport.send("GET", served.url + "/orders", "/orders")
    assert "not within 1s" in caught.value.message
