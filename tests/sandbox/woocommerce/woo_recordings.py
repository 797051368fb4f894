"""Recordings of a real WooCommerce 9.2 store (tests/recordings/woocommerce) and the comparisons tests make."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import requests

RECORDINGS = Path(__file__).resolve().parents[2] / "recordings" / "woocommerce"


def recording(name: str) -> dict[str, Any]:
    return json.loads((RECORDINGS / name).read_text())


def assert_error_as_recorded(response: requests.Response, name: str) -> None:
    recorded = recording(name)
    assert (response.status_code, response.json()) == (recorded["status"], recorded["body"])


def assert_keys_as_recorded(body: dict[str, Any], name: str) -> None:
    """The same keys at the top level and in nested objects (values differ: other ids, other times)."""
    recorded = recording(name)["body"]
    assert set(body) == set(recorded)
    for key, value in recorded.items():
        if isinstance(value, dict) and key != "_links":
            assert set(body[key] or {}) == set(value), key
