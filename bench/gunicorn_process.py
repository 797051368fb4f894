"""The service as benchmarks run it: as in production (`python -m service`: gunicorn, one gthread worker, its own
process), so its memory and its threads are its own and not the benchmark's."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def running_service(env: dict[str, str], port: int) -> Iterator[subprocess.Popen[bytes]]:
    """gunicorn with the given settings on `port`, from when it answers /health until the block ends."""
    process = subprocess.Popen([sys.executable, "-m", "service"], cwd=ROOT,
                               env={**os.environ, "LOG_LEVEL": "WARNING", **env, "PORT": str(port)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                requests.get(f"http://127.0.0.1:{port}/health", timeout=1)
                break
            except (requests.ConnectionError, requests.Timeout):  # a listening master whose worker still boots
                time.sleep(0.1)
        else:
            raise RuntimeError("the service did not start")
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
