"""The service as it runs in production: `python -m service` (gunicorn with gunicorn.conf.py), in its own process."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import requests

from sandbox.serving import free_port, wait_for_health
from tests.integration.conftest import serve_woo

ROOT = Path(__file__).resolve().parents[2]


def gunicorn(env: dict[str, str]) -> subprocess.Popen[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("WOOCOMMERCE_", "WEBSHOP_", "SYSTEM"))}
    return subprocess.Popen([sys.executable, "-m", "service"],
                            cwd=ROOT, env={**clean, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_bad_configuration_stops_at_once_with_every_problem_and_no_secret():
    process = gunicorn({"SYSTEM": "woocommerce", "PORT": "eighty", "WOOCOMMERCE_CONSUMER_SECRET": "cs_do_not_print",
                        "WOOCOMMERCE_URL": "ftp://shop"})
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 2
    assert "PORT:" in stderr and "WOOCOMMERCE_URL:" in stderr and "WOOCOMMERCE_CONSUMER_KEY: is required" in stderr
    assert "cs_do_not_print" not in stderr


def test_more_than_one_worker_is_refused_at_start():
    """The JSON Push sequences and the journal of creates in flight live in the process: a second worker failed 19
    of 20 full syncs (issue 11, item 3). The configuration is refused before any worker starts."""
    process = gunicorn({"SYSTEM": "customwebshop", "WEBSHOP_URL": "http://127.0.0.1:9", "WEBSHOP_TOKEN": "t",
                        "WEB_CONCURRENCY": "2"})
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 2
    assert "WEB_CONCURRENCY: must be 1" in stderr


def test_workers_asked_for_on_gunicorns_own_command_line_are_refused_too():
    env = {"SYSTEM": "customwebshop", "WEBSHOP_URL": "http://127.0.0.1:9", "WEBSHOP_TOKEN": "t",
           "PORT": str(free_port())}
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("WOOCOMMERCE_", "WEBSHOP_", "SYSTEM"))}
    process = subprocess.run([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-w", "3",
                              "service.app:create_app()"], cwd=ROOT, env={**clean, **env}, capture_output=True,
                             text=True, timeout=30)
    assert process.returncode == 2, process.stderr
    assert "3 workers: must be 1" in process.stderr


def test_a_stream_longer_than_the_worker_timeout_is_not_killed():
    """A sync worker is killed when one request outlives --timeout (benoitc/gunicorn#1440); ours are threaded."""
    served, store = serve_woo(behind_https=True)
    port = free_port()
    process = None
    try:
        for chunk in range(3):
            store.batch(store.resource("products"), {"create": [{"name": f"P{chunk}-{n}"} for n in range(100)]})
        store.clock.advance(5)
        requests.put(served.url + "/_sandbox/faults", json={"latency_ms": 400}).raise_for_status()
        process = gunicorn({"SYSTEM": "woocommerce", "WOOCOMMERCE_URL": served.url, "PORT": str(port),
                            "WOOCOMMERCE_CONSUMER_KEY": "ck_sandbox", "WOOCOMMERCE_CONSUMER_SECRET": "cs_sandbox",
                            "WOOCOMMERCE_AUTH": "basic", "UPSTREAM_CONCURRENCY": "1", "GUNICORN_TIMEOUT": "1",
                            "WEB_CONCURRENCY": "1"})
        wait_for_health(port)
        started = time.monotonic()
        response = requests.get(f"http://127.0.0.1:{port}/entities/product", timeout=60)
        assert time.monotonic() - started > 2, "the pull really outlived the 1 s worker timeout"
        assert response.status_code == 200 and len(response.json()) == 300
    finally:
        if process:
            process.terminate()
            process.communicate(timeout=30)
        served.stop()


def test_the_gunicorn_access_log_never_shows_a_token_sent_in_the_wrong_place():
    """gunicorn writes its access log itself: a token sent as `?token=` or as a Basic user name used to reach it."""
    port = free_port()
    process = gunicorn({"SYSTEM": "customwebshop", "WEBSHOP_URL": "http://127.0.0.1:9",
                        "WEBSHOP_TOKEN": "shop-token-value", "PORT": str(port), "SERVICE_TOKEN": "the-service-token"})
    try:
        wait_for_health(port)
        requests.get(f"http://127.0.0.1:{port}/entities/order", params={"token": "the-service-token"})
        requests.get(f"http://127.0.0.1:{port}/entities/order", auth=("a-misplaced-token", "x"))
    finally:
        process.terminate()
        stdout, stderr = process.communicate(timeout=30)
    assert '"GET /entities/order?token=*** HTTP/1.1" 401' in stdout, stdout
    assert "the-service-token" not in stdout + stderr and "a-misplaced-token" not in stdout + stderr
