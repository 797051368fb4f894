"""Benchmarks are run by hand, so their --help is their manual: it must show the defaults they really use, and
their docstrings must not state values of their own (pull_throughput.py once said 6 where it used 8)."""
from __future__ import annotations

import argparse
import re
import runpy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from service.settings import Settings

BENCH = Path(__file__).resolve().parents[2] / "bench"
SCRIPTS = sorted(path for path in BENCH.glob("*.py") if path.name not in ("progress.py", "gunicorn_process.py"))


def load(script: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.syspath_prepend(str(BENCH))  # where a script run by hand finds progress.py
    return runpy.run_path(str(script), run_name="benchmark_under_test")


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_help_shows_the_defaults_the_benchmark_uses(script: Path, monkeypatch: pytest.MonkeyPatch):
    module = load(script, monkeypatch)
    parser: argparse.ArgumentParser = module["arguments"]()
    result = subprocess.run([sys.executable, str(script), "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    shown = " ".join(result.stdout.split())
    options = [a for a in parser._actions if a.option_strings and a.default not in (None, argparse.SUPPRESS)]
    assert options
    for action in options:
        assert f"(default: {action.default})" in shown, action.option_strings
    stated = re.findall(r"\[(--[\w-]+) ([^\]\s]+)\]", module["__doc__"])
    assert stated and not [(option, value) for option, value in stated if not value.isupper()], \
        "usage lines name placeholders; --help shows the values"


def test_pull_throughput_runs_the_service_at_its_own_concurrency(monkeypatch: pytest.MonkeyPatch):
    module = load(BENCH / "pull_throughput.py", monkeypatch)
    assert module["arguments"]().get_default("concurrency") == Settings.upstream_concurrency
