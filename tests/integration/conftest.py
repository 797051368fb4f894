"""Real sockets: the WooCommerce sandbox and our service, each served on 127.0.0.1 in a thread."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
import requests

from sandbox.serving import ServedApp
from sandbox.woocommerce import Store, create_app as create_store_app
from service.app import create_app
from service.settings import Secret, Settings

START = datetime(2026, 11, 28, 3, 17, 0)
KEY, SECRET = "ck_sandbox", "cs_sandbox"


@dataclass
class Woo:
    """A served WooCommerce sandbox and a signed-in client for arranging data in it."""

    url: str
    store: Store
    http: requests.Session

    @property
    def api(self) -> str:
        return self.url + "/wp-json/wc/v3"

    def create(self, resource: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.http.post(f"{self.api}/{resource}", json=body)
        assert response.status_code == 201, response.text
        return response.json()

    def batch_create(self, resource: str, bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
        created = []
        for start in range(0, len(bodies), 100):
            response = self.http.post(f"{self.api}/{resource}/batch", json={"create": bodies[start:start + 100]})
            assert response.status_code == 200, response.text
            created += response.json()["create"]
        assert not [c for c in created if "error" in c]
        return created

    def faults(self, spec: dict[str, Any]) -> None:
        requests.put(self.url + "/_sandbox/faults", json=spec).raise_for_status()

    def request_count(self) -> int:
        return sum(requests.get(self.url + "/_sandbox/requests").json().values())


def serve_woo(wrap: Callable[[Any], Any] = lambda app: app, **options: Any) -> tuple[ServedApp, Store]:
    store = Store()
    store.clock.freeze(START)
    served = ServedApp(wrap(create_store_app(store, **options))).start()
    return served, store


@pytest.fixture(scope="module")
def woo_server() -> Iterator[tuple[ServedApp, Store]]:
    served, store = serve_woo(behind_https=True)
    yield served, store
    served.stop()


@pytest.fixture()
def woo(woo_server: tuple[ServedApp, Store]) -> Woo:
    served, store = woo_server
    store.reset()
    store.clock.freeze(START)
    requests.delete(served.url + "/_sandbox/faults").raise_for_status()
    http = requests.Session()
    http.auth = (KEY, SECRET)
    return Woo(served.url, store, http)


def woo_settings(url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = dict(system="woocommerce", woocommerce_url=url, woocommerce_consumer_key=Secret(KEY),
                                  woocommerce_consumer_secret=Secret(SECRET), woocommerce_auth="basic",
                                  upstream_retries=2, settle_seconds=2)
    values.update(overrides)
    return Settings(**values)


@dataclass
class Service:
    url: str
    app: Any

    def entities(self, type_name: str, **params: Any) -> list[dict[str, Any]]:
        response = requests.get(f"{self.url}/entities/{type_name}", params=params)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture()
def serve_service() -> Iterator[Callable[..., Service]]:
    started: list[ServedApp] = []

    def start(settings: Settings, clock: Callable[[], datetime] | None = None) -> Service:
        app = create_app(settings)
        if clock is not None:
            app.config["CONNECTOR"].clock = clock
        served = ServedApp(app).start()
        started.append(served)
        return Service(served.url, app)

    yield start
    for served in started:
        served.stop()


@pytest.fixture()
def service(woo: Woo, serve_service: Callable[..., Service]) -> Service:
    """Our service for SYSTEM=woocommerce, on the sandbox, with the sandbox's clock."""
    return serve_service(woo_settings(woo.url), clock=woo.store.clock.now)


def push(service_url: str, type_name: str, entities: Any, **params: Any) -> requests.Response:
    return requests.post(f"{service_url}/receiver/{type_name}", json=entities, params=params)


def total_writes(woo: Woo) -> int:
    return woo.store.stats.as_json()["total_writes"]
