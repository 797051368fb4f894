"""The shared fault injector: specs are validated whole, and each fault kind does to an answer what it says."""
from __future__ import annotations

import json
import queue
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from sandbox.faults import FaultInjector
from sandbox.serving import ServedApp

ROOT = Path(__file__).resolve().parents[2]
PAGE = [{"id": n} for n in range(10)]


class Recorder:
    """A tiny WSGI app: answers a JSON page with totals headers and counts the requests that reached it."""

    def __init__(self) -> None:
        self.arrivals: queue.Queue[str] = queue.Queue()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        self.arrivals.put(environ["PATH_INFO"])
        body = json.dumps({"items": PAGE, "next_cursor": None} if environ["PATH_INFO"] == "/cursor" else PAGE)
        start_response("200 OK", [("Content-Type", "application/json"), ("X-WP-Total", "10")])
        return [body.encode()]


@pytest.fixture()
def served() -> Iterator[tuple[str, Recorder]]:
    app = Recorder()
    with ServedApp(FaultInjector(app)) as server:
        yield server.url, app


@pytest.mark.parametrize("spec,problem", [
    ({"fail": [{"status": "x"}]}, "fail[0].status: must be an integer from 100 to 599"),
    ({"fail": [{"count": 1}]}, "fail[0].status: is required"),
    ({"drop": [{"after_bytes": -1}]}, "drop[0].after_bytes: must be an integer from 0 up"),
    ({"short": [{"keep": 1, "colour": "red"}]}, "short[0].colour: not a setting of a short rule"),
    ({"fail": {"status": 503}}, "fail: must be a list of rules"),
    ({"latency_ms": "slow"}, "latency_ms: must be a number of milliseconds, 0 or more"),
    ({"teleport": []}, "teleport: not a fault kind"),
    ({"hold": [{"method": "post"}]}, "hold[0].method: must be one of GET, POST, PUT, PATCH, DELETE"),
])
def test_a_bad_spec_is_a_400_naming_the_problem_and_changes_nothing(served, spec, problem):
    url, _ = served
    requests.put(f"{url}/_sandbox/faults", json={"latency_ms": 1}).raise_for_status()
    answer = requests.put(f"{url}/_sandbox/faults", json=spec)
    assert answer.status_code == 400 and answer.headers["Content-Type"] == "application/json"
    assert any(p.startswith(problem) for p in answer.json()["problems"]), answer.json()
    assert requests.get(f"{url}/_sandbox/faults").json()["latency_ms"] == 1, "the faults in force are kept"


def test_a_bad_spec_on_the_command_line_is_a_usage_error_not_a_traceback():
    for module in ("sandbox.woocommerce", "sandbox.webshop"):
        run = subprocess.run([sys.executable, "-m", module, "--faults", '{"fail": [{"status": "x"}]}'], cwd=ROOT,
                             capture_output=True, text=True, timeout=60)
        assert run.returncode == 2, run.stderr
        assert "fail[0].status: must be an integer from 100 to 599" in run.stderr
        assert "Traceback" not in run.stderr


def test_short_keeps_the_first_items_and_the_promise_of_the_headers(served):
    url, _ = served
    rules = [{"keep": 2, "strip": ["next_cursor"], "path": "/cursor"}, {"keep": 3}]
    requests.put(f"{url}/_sandbox/faults", json={"short": rules}).raise_for_status()
    cut = requests.get(f"{url}/cursor")
    assert cut.json() == {"items": PAGE[:2]}, "the cursor key is gone, the items shortened"
    page = requests.get(f"{url}/page")
    assert (page.json(), page.headers["X-WP-Total"]) == (PAGE[:3], "10")
    assert requests.get(f"{url}/page").json() == PAGE, "each rule applies `count` times"


def test_cut_is_a_complete_answer_with_a_broken_body(served):
    url, _ = served
    requests.put(f"{url}/_sandbox/faults", json={"cut": [{"after_bytes": 12}]}).raise_for_status()
    answer = requests.get(f"{url}/page")
    assert answer.status_code == 200 and answer.content == json.dumps(PAGE).encode()[:12]
    with pytest.raises(ValueError):
        answer.json()


def test_trickle_sends_the_whole_body_piece_by_piece(served):
    url, _ = served
    requests.put(f"{url}/_sandbox/faults", json={"trickle": [{"chunk_bytes": 7, "interval_ms": 1}]}).raise_for_status()
    assert requests.get(f"{url}/page").content == json.dumps(PAGE).encode()
    assert requests.get(f"{url}/_sandbox/faults").json()["trickle"][0]["count"] == 0, "the rule was applied"


def test_hold_lands_the_request_only_when_released(served):
    url, app = served
    requests.put(f"{url}/_sandbox/faults", json={"hold": [{"method": "POST", "path": "/orders"}]}).raise_for_status()
    with pytest.raises(requests.Timeout):
        requests.post(f"{url}/orders", json={}, timeout=0.5)  # the client gives up; the request waits in the shop
    assert requests.post(f"{url}/other", json={}).status_code == 200, "other requests are not held"
    assert app.arrivals.get(timeout=10) == "/other" and app.arrivals.empty()
    requests.post(f"{url}/_sandbox/faults/release").raise_for_status()
    assert app.arrivals.get(timeout=10) == "/orders", "the held write lands after the client has given up"
