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
from sandbox.serving import free_port

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


# -- scripts/start.sh ----------------------------------------------------------------------------------------------

class Stranger:
    """Something else listening where the demo sandbox would: it answers everything, and counts."""

    def __init__(self) -> None:
        self.requests: list[str] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        self.requests.append(environ["PATH_INFO"])
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"items": [], "next_cursor": null}']


def test_a_taken_sandbox_port_refuses_the_start_and_never_reaches_the_stranger(tmp_path: Path,
                                                                             started: list[Started]):
    stranger = Stranger()
    port = free_port()
    with ServedApp(stranger) as served:
        run = Started(tmp_path / "start.log", SYSTEM="customwebshop", PORT=str(port), SANDBOX_PORT=str(served.port))
        started.append(run)
        assert run.finish() == 1, run.output()
    output = run.output()
    assert f"not started: the demo reference webshop cannot listen on port {served.port}" in output
    assert "SANDBOX_PORT" in output and "serving the demo" not in output
    assert stranger.requests == [] and refuses_connections(port)


def test_a_bad_setting_stops_the_start_before_any_sandbox(tmp_path: Path, started: list[Started]):
    run = Started(tmp_path / "start.log", SYSTEM="customwebshop", SANDBOX_PORT="8o82", GUNICORN_THREADS="many")
    started.append(run)
    assert run.finish() == 2
    output = run.output()
    assert "SANDBOX_PORT: must be a whole number from 1 to 65535 (got '8o82')" in output
    assert "GUNICORN_THREADS: must be a whole number" in output
    assert "listening" not in output and "Traceback" not in output


def test_secrets_come_from_the_env_file_and_never_reach_a_command_line(tmp_path: Path, started: list[Started]):
    token = "shop-token-Ærøskøbing-42"
    with ServedApp(create_shop_app(token=token, seed="demo")) as shop:
        env_file = tmp_path / "shop.env"
        env_file.write_text(f"# the shop\nSYSTEM=customwebshop\n\nWEBSHOP_URL={shop.url}\nWEBSHOP_TOKEN={token}\n"
                            "PORT=1\n", encoding="utf-8")
        port = free_port()
        run = Started(tmp_path / "start.log", ENV_FILE=str(env_file), PORT=str(port))  # the environment wins
        started.append(run)
        run.wait_until_serving(port)
        pulled = requests.get(f"http://127.0.0.1:{port}/entities/customer", timeout=DEADLINE).json()
        listed = requests.get(f"{shop.url}/customers", params={"limit": 500}, timeout=DEADLINE,
                              headers={"Authorization": f"Bearer {token}"}).json()["items"]
        assert listed and {c["email"] for c in pulled} == {c["email"] for c in listed}, "the file's shop, its token"
        command_lines = run.group_command_lines()
        assert any("service" in line for line in command_lines)
        assert not [line for line in command_lines if token in line]
        assert run.interrupt() == 0
    assert token not in run.output()


def test_a_malformed_env_file_line_is_named_not_shown(tmp_path: Path, started: list[Started]):
    env_file = tmp_path / "shop.env"
    env_file.write_text("SYSTEM=customwebshop\nexport WEBSHOP_TOKEN cs_secret_value\n")
    run = Started(tmp_path / "start.log", ENV_FILE=str(env_file))
    started.append(run)
    assert run.finish() == 2
    assert f"not started: {env_file} line 2 is not NAME=value" in run.output()
    assert "cs_secret_value" not in run.output()
