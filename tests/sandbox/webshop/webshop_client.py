"""Talking to the reference shop in tests: a token-carrying client and record bodies."""
from __future__ import annotations

from typing import Any

import requests

TOKEN = "sandbox-test-token"
FROZEN_AT = "2026-11-28T03:17:04.000000Z"


class Api:
    """requests against the shop with the token; `url(path)` for anything else."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {TOKEN}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def __getattr__(self, method: str) -> Any:
        send = getattr(self.session, method)
        return lambda path, **kwargs: send(self.base_url + path, timeout=10, **kwargs)

    def create(self, resource: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.post(f"/{resource}", json=body)
        assert response.status_code == 201, response.text
        return response.json()

    def scan(self, resource: str, **params: Any) -> list[dict[str, Any]]:
        items, cursor = [], None
        while True:
            page = self.get(f"/{resource}", params={**params, **({"cursor": cursor} if cursor else {})}).json()
            items += page["items"]
            cursor = page["next_cursor"]
            if cursor is None:
                return items


def customer(n: int, **fields: Any) -> dict[str, Any]:
    return {"email": f"person{n}@example.test", "first_name": f"Person {n}", **fields}


def product(n: int, **fields: Any) -> dict[str, Any]:
    return {"sku": f"SKU-{n}", "name": f"Product {n}", "price": "10.00", **fields}
