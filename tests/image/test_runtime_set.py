"""The image, without Docker (no daemon runs here): what the Dockerfile installs, copies and runs, and nothing else.

A venv holds requirements/runtime.txt alone, installed with its hashes as the Dockerfile does; a folder holds only
the files the Dockerfile COPYs; the Dockerfile's CMD starts the service there (gunicorn, settings from the
environment) against a WooCommerce sandbox served by the test's own (dev) venv; it serves a pull and a push, and the
HEALTHCHECK command reports it healthy, then unhealthy once it stops.

The venv is kept in .venv-runtime/ and rebuilt only when the lock or the interpreter changes. Building it took 40 s
here with pip's download cache warm (more on a first download); after that the two tests take about 8 s (README,
"Measured").
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.integration.conftest import KEY, SECRET, serve_woo
from sandbox.serving import free_port

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements" / "runtime.txt"
RUNTIME_VENV = ROOT / ".venv-runtime"
DEADLINE = 120  # seconds before a step is called hung; not a measure of speed


def dockerfile() -> list[tuple[str, str]]:
    """The Dockerfile's instructions as (INSTRUCTION, arguments), continuation lines joined."""
    instructions, pending = [], ""
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        pending += line.rstrip()
        if pending.endswith("\\"):
            pending = pending[:-1] + " "
            continue
        keyword, _, arguments = pending.strip().partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        pending = ""
    return instructions


def exec_form(arguments: str) -> list[str]:
    command = json.loads(arguments[arguments.index("["):])
    assert command[0] == "python", "the image runs its own interpreter"
    return command


def runtime_python() -> Path:
    """A venv with the runtime lock alone, built once per lock and interpreter."""
    digest = hashlib.sha256(LOCK.read_bytes() + sys.version.encode()).hexdigest()
    stamp = RUNTIME_VENV / "built-from.sha256"
    python = RUNTIME_VENV / "bin" / "python"
    # Each xdist worker that runs a test of this module asks for the venv: one builds it, the others wait for it.
    with open(ROOT / ".venv-runtime.lock", "w") as building:
        fcntl.flock(building, fcntl.LOCK_EX)
        if not (stamp.is_file() and stamp.read_text() == digest):
            _build(digest, stamp, python)
    return python


def _build(digest: str, stamp: Path, python: Path) -> None:
    shutil.rmtree(RUNTIME_VENV, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(RUNTIME_VENV)], check=True, timeout=DEADLINE)
    install = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--require-hashes",
               "-r", str(LOCK)]
    subprocess.run(install, check=True, timeout=10 * DEADLINE)
    stamp.write_text(digest)


def pins(lock_text: str) -> set[str]:
    return {line.split(" ")[0].lower().replace("_", "-") for line in lock_text.splitlines() if "==" in line
            and not line.startswith((" ", "#"))}


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """(interpreter, /app): the runtime venv and a folder holding exactly what the Dockerfile copies."""
    python = runtime_python()
    app = tmp_path_factory.mktemp("app")
    for keyword, arguments in dockerfile():
        if keyword != "COPY":
            continue
        source, target = arguments.split()
        if source.endswith("/"):
            shutil.copytree(ROOT / source, app / target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            destination = app / (Path(source).name if target == "." else target)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / source, destination)
    yield python, app


def test_the_runtime_venv_holds_the_runtime_lock_and_nothing_else(image: tuple[Path, Path]):
    python, _ = image
    freeze = subprocess.run([str(python), "-m", "pip", "freeze", "--all", "--exclude", "pip", "--exclude",
                             "setuptools"], capture_output=True, text=True, check=True, timeout=DEADLINE).stdout
    assert pins(freeze) == pins(LOCK.read_text())
    probe = ("import importlib.util as u; print([m for m in ('pytest', 'hypothesis', 'requests_mock', 'cryptography', "
             "'dateutil', 'piptools') if u.find_spec(m)])")
    development_tools = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, check=True).stdout
    assert development_tools.strip() == "[]"


def test_the_image_command_serves_a_pull_and_a_push_and_reports_its_health(image: tuple[Path, Path]):
    python, app = image
    instructions = dict(dockerfile())
    command = exec_form(instructions["CMD"])
    healthcheck = exec_form(instructions["HEALTHCHECK"])
    served, store = serve_woo(behind_https=True)
    store.batch(store.resource("products"), {"create": [{"name": "Smørbrødfat", "sku": "NO-1",
                                                         "regular_price": "249.00"}]})
    store.clock.advance(5)
    port = free_port()
    env = {"PATH": os.environ["PATH"], "SYSTEM": "woocommerce", "WOOCOMMERCE_URL": served.url, "PORT": str(port),
           "WOOCOMMERCE_CONSUMER_KEY": KEY, "WOOCOMMERCE_CONSUMER_SECRET": SECRET, "WOOCOMMERCE_AUTH": "basic"}
    process = subprocess.Popen([str(python), *command[1:]], cwd=app, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + DEADLINE
        while subprocess.run([str(python), *healthcheck[1:]], cwd=app, env=env, capture_output=True).returncode:
            assert process.poll() is None and time.monotonic() < deadline, "the image's service did not start"
            time.sleep(0.2)  # polling the HEALTHCHECK command until it passes, as Docker does
        products = requests.get(f"{base}/entities/product", timeout=DEADLINE).json()
        assert [p["sku"] for p in products] == ["NO-1"]
        pushed = requests.post(f"{base}/receiver/customer", timeout=DEADLINE, json=[
            {"_id": "customwebshop-customer:7", "sesam_origin": "customwebshop-customer:7",
             "email": "chidi.okeke@example.ng", "first_name": "Chidi", "last_name": "Okeke"}])
        assert (pushed.status_code, pushed.json()["created"]) == (200, 1), pushed.text
        assert [c["email"] for c in store.customers.table.rows.values()][-1] == "chidi.okeke@example.ng"
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=DEADLINE)
        served.stop()
    assert process.returncode == 0, output
    assert f"Listening at: http://0.0.0.0:{port}" in output and "Using worker: gthread" in output
    unhealthy = subprocess.run([str(python), *healthcheck[1:]], cwd=app, env=env, capture_output=True, text=True)
    assert unhealthy.returncode == 1 and "unhealthy" in unhealthy.stderr
