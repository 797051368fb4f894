"""One WooCommerce sandbox per test session (behind-HTTPS mode, so Basic auth works), reset before every test."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import requests
from woo_recordings import recording

from sandbox.serving import ServedApp
from sandbox.woocommerce import Store, create_app

START = datetime(2026, 11, 28, 3, 17, 0)


class Shop:
    """The served sandbox, its store, and a client signed in with the default key."""

    def __init__(self, served: ServedApp, store: Store) -> None:
        self.url = served.url
        self.api = f"{served.url}/wp-json/wc/v3"
        self.store = store
        self.http = requests.Session()
        self.http.auth = ("ck_sandbox", "cs_sandbox")

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.http.get(self.api + path, params=params)

    def post(self, path: str, body: Any = None, **params: Any) -> requests.Response:
        return self.http.post(self.api + path, json=body, params=params)

    def put(self, path: str, body: Any = None, **params: Any) -> requests.Response:
        return self.http.put(self.api + path, json=body, params=params)

    def delete(self, path: str, **params: Any) -> requests.Response:
        return self.http.delete(self.api + path, params=params)

    def created(self, path: str, body: Any) -> dict[str, Any]:
        response = self.post(path, body)
        assert response.status_code == 201, response.text
        return response.json()

    def advance(self, seconds: int = 1) -> None:
        self.store.clock.advance(seconds)


@pytest.fixture(scope="session")
def served_shop() -> Iterator[Shop]:
    store = Store()
    with ServedApp(create_app(store, behind_https=True, home_url="https://shop.example.test")) as served:
        yield Shop(served, store)


@pytest.fixture()
def shop(served_shop: Shop) -> Shop:
    served_shop.store.reset()
    served_shop.store.clock.freeze(START)
    return served_shop


@pytest.fixture()
def product(shop: Shop) -> dict[str, Any]:
    """The simple product of `products-create-simple.json`."""
    return shop.created("/products", recording("products-create-simple.json")["request"]["body"])
