"""Scenario fixtures: a fresh world (both shops, both services, the pipe runner's state) per test."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from harness import World, start_world


@pytest.fixture()
def world(tmp_path: Path) -> Iterator[World]:
    started = start_world(tmp_path / "state")
    yield started
    started.stop()
