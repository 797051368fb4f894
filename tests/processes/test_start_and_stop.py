"""Starting and stopping as an operator does: `python -m service` (the image's command), scripts/start.sh (what
`make start` runs) and Ctrl-C. Every port is ephemeral; every process runs in its own session and is ended by id."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from sandbox.serving import ServedApp
from sandbox.webshop.app import create_app as create_shop_app
from tests.integration.test_serving import free_port

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 60  # seconds a start or a stop may take before the test calls it hung; never a measure of speed


def environment(**values: str) -> dict[str, str]:
    """This environment (the service's variables already cleared by conftest), with this interpreter's tools first
    on PATH, as the Makefile puts the venv's."""
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    return {**os.environ, "PATH": path, **values}


class Started:
    """scripts/start.sh in a session of its own, its output in a file."""

    def __init__(self, log: Path, **env: str) -> None:
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(["./scripts/start.sh"], cwd=ROOT, env=environment(**env),
                                            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_until_serving(self, port: int) -> None:
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"start.sh ended early:\n{self.output()}"
            try:
                requests.get(f"http://127.0.0.1:{port}/health", timeout=1).raise_for_status()
                return
            except requests.ConnectionError:
                time.sleep(0.1)  # polling for readiness, not racing: the loop ends on an answer
        pytest.fail(f"the service did not answer /health:\n{self.output()}")

    def finish(self) -> int:
        try:
            return self.process.wait(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            pytest.fail(f"start.sh did not end:\n{self.output()}")

    def interrupt(self) -> int:
        """Ctrl-C: the terminal sends SIGINT to the whole foreground process group."""
        os.killpg(self.process.pid, signal.SIGINT)
        return self.finish()

    def group_command_lines(self) -> list[str]:
        lines = []
        for proc in Path("/proc").iterdir():
            try:
                if proc.name.isdigit() and os.getpgid(int(proc.name)) == self.process.pid:
                    lines.append((proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
            except (ProcessLookupError, FileNotFoundError, PermissionError):
                continue
        return lines


@pytest.fixture()
def started(tmp_path: Path) -> Iterator[list[Started]]:
    runs: list[Started] = []
    yield runs
    for run in runs:
        if run.process.poll() is None:
            os.killpg(run.process.pid, signal.SIGKILL)
            run.process.wait()


def refuses_connections(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


# -- python -m service -------------------------------------------------------------------------------------------

def test_a_malformed_gunicorn_setting_is_the_settings_error_not_a_traceback():
    """gunicorn itself parses WEB_CONCURRENCY when imported, with a traceback and exit 1: we check first."""
    result = subprocess.run([sys.executable, "-m", "service"], cwd=ROOT, capture_output=True, text=True,
                            timeout=DEADLINE, env=environment(SYSTEM="woocommerce", WEB_CONCURRENCY="two",
                                                              GUNICORN_TIMEOUT="2m", MAX_BODY_BYTES="1 MB",
                                                              WOOCOMMERCE_CONSUMER_SECRET="cs_never_shown"))
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("service not started: invalid configuration:")
    for problem in ("WEB_CONCURRENCY: must be a whole number from 1 to 64 (got 'two')",
                    "GUNICORN_TIMEOUT: must be a whole number of seconds", "WOOCOMMERCE_URL: is required"):
        assert problem in result.stderr
    assert "MAX_BODY_BYTES" not in result.stderr, "1 MB is a size"
    assert "Traceback" not in result.stderr and "cs_never_shown" not in result.stderr


def test_check_validates_without_serving():
    env = environment(SYSTEM="customwebshop", WEBSHOP_URL="https://shop.example", WEBSHOP_TOKEN="t", PORT="1")
    result = subprocess.run([sys.executable, "-m", "service", "--check"], cwd=ROOT, capture_output=True,
                            text=True, timeout=DEADLINE, env=env)
    assert (result.returncode, result.stderr) == (0, "")


# -- Ctrl-C --------------------------------------------------------------------------------------------------------

def test_a_second_quit_signal_inside_the_pool_shutdown_does_not_hang_the_worker():
    """Ctrl-C's second quit signal (the master's SIGQUIT after the terminal's SIGINT), delivered exactly where it
    deadlocked gthread's handle_quit; without gunicorn.conf.py's post_worker_init this hangs until killed."""
    env = environment(SYSTEM="customwebshop", WEBSHOP_URL="https://shop.example", WEBSHOP_TOKEN="t",
                      PYTHONPATH=str(ROOT))
    process = subprocess.Popen([sys.executable, "tests/processes/quit_twice.py", "gunicorn.conf.py"], cwd=ROOT,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        output, _ = process.communicate(timeout=DEADLINE)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail("the worker deadlocked on the second quit signal")
    assert process.returncode == 0, output


def test_ctrl_c_on_make_start_stops_the_service_and_the_sandbox(tmp_path: Path, started: list[Started]):
    port, sandbox_port = free_port(), free_port()
    run = Started(tmp_path / "start.log", SYSTEM="woocommerce", PORT=str(port), SANDBOX_PORT=str(sandbox_port))
    started.append(run)
    run.wait_until_serving(port)
    assert len(requests.get(f"http://127.0.0.1:{port}/entities/order", timeout=DEADLINE).json()) > 0
    pushed = requests.post(f"http://127.0.0.1:{port}/receiver/customer", timeout=DEADLINE, json=[
        {"_id": "customwebshop-customer:1", "sesam_origin": "customwebshop-customer:1",
         "email": "aiko.tanaka@example.jp", "first_name": "愛子", "last_name": "田中"}])
    assert pushed.json()["created"] == 1, pushed.text

    assert run.interrupt() == 0, run.output()
    output = run.output()
    assert "Worker exiting" in output and "Shutting down: Master" in output
    assert "SIGKILL" not in output and "Traceback" not in output
    assert refuses_connections(port) and refuses_connections(sandbox_port)
