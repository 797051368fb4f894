"""The service as benchmarks run it: as in production (`python -m service`: gunicorn, one gthread worker, its own
process), so its memory and its threads are its own and not the benchmark's."""
from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sandbox.serving import wait_for_health  # noqa: E402
from service.settings import Settings  # noqa: E402

KEY, SECRET = "ck_sandbox", "cs_sandbox"  # the WooCommerce sandbox's credentials


def add_store_and_service_options(parser: argparse.ArgumentParser) -> None:
    """The options of a benchmark that reads a slow WooCommerce sandbox through the service."""
    parser.add_argument("--latency-ms", type=float, default=80.0, help="delay of every store request")
    parser.add_argument("--concurrency", type=int, default=Settings.upstream_concurrency,
                        help="the service's UPSTREAM_CONCURRENCY (its own default)")
    parser.add_argument("--port", type=int, default=0, help="the service's port; 0 picks a free one")


def woocommerce_service_env(store_url: str, concurrency: int) -> dict[str, str]:
    return {"SYSTEM": "woocommerce", "WOOCOMMERCE_URL": store_url, "WOOCOMMERCE_CONSUMER_KEY": KEY,
            "WOOCOMMERCE_CONSUMER_SECRET": SECRET, "WOOCOMMERCE_AUTH": "basic",
            "UPSTREAM_CONCURRENCY": str(concurrency)}


@contextmanager
def running_service(env: dict[str, str], port: int) -> Iterator[subprocess.Popen[bytes]]:
    """gunicorn with the given settings on `port`, from when it answers /health until the block ends."""
    process = subprocess.Popen([sys.executable, "-m", "service"], cwd=ROOT,
                               env={**os.environ, "LOG_LEVEL": "WARNING", **env, "PORT": str(port)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_health(port)
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)


def peak_rss_mb(master_pid: int) -> float:
    """Peak resident memory of the master's worker processes (the ones serving requests)."""
    peaks = []
    for child in Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split():
        status = Path(f"/proc/{child}/status").read_text()
        peaks.append(int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024)
    return max(peaks)
