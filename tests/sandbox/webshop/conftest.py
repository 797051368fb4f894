"""One reference shop per test module on a real socket, emptied and its clock frozen before every test."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox.serving import ServedApp
from sandbox.webshop.app import create_app
from webshop_client import FROZEN_AT, TOKEN, Api


@pytest.fixture(scope="module")
def served() -> Iterator[ServedApp]:
    with ServedApp(create_app(token=TOKEN)) as server:
        yield server


@pytest.fixture
def api(served: ServedApp) -> Iterator[Api]:
    client = Api(served.url)
    client.post("/_sandbox/reset").raise_for_status()
    client.put("/_sandbox/clock", json={"now": FROZEN_AT}).raise_for_status()
    client.delete("/_sandbox/faults").raise_for_status()
    yield client
    client.put("/_sandbox/clock", json={"frozen": False}).raise_for_status()
