"""Real sockets: the WooCommerce sandbox and our service, each served on 127.0.0.1 in a thread."""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import pytest
import requests

from sandbox.serving import ServedApp
from sandbox.webshop.app import create_app as create_shop_app
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


@contextmanager
def woo_behind(wrap: Callable[[Any], Any]) -> Iterator[Woo]:
    """A sandbox of its own behind a WSGI middleware (a test acting between requests), signed in, stopped after."""
    served, store = serve_woo(wrap, behind_https=True)
    http = requests.Session()
    http.auth = (KEY, SECRET)
    try:
        yield Woo(served.url, store, http)
    finally:
        served.stop()


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


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait for something another thread does (a held write landing, a log line), never for a fixed time."""
    pause = threading.Event()
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        pause.wait(0.02)
    raise AssertionError("the condition never came true")


def total_writes(woo: Woo) -> int:
    return woo.store.stats.as_json()["total_writes"]


class FailAfter:
    """WSGI middleware: requests whose query string contains `marker` fail with a 500 after the first `after`."""

    def __init__(self, app: Any, after: int, marker: str = "") -> None:
        self.app, self.after, self.marker, self.seen = app, after, marker, 0

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if self.marker in environ.get("QUERY_STRING", "") and not environ["PATH_INFO"].startswith("/_sandbox"):
            self.seen += 1
            if self.seen > self.after:
                start_response("500 Internal Server Error", [("Content-Type", "text/html")])
                return [b"<html>fatal error</html>"]
        return self.app(environ, start_response)


# -- the reference Custom Webshop ---------------------------------------------------------------------------------

TOKEN = "shop-token"
FROZEN_AT = datetime(2026, 11, 28, 3, 17, 4, tzinfo=timezone.utc)


class Shop:
    def __init__(self, served: ServedApp) -> None:
        self.url = served.url
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {TOKEN}"

    def create(self, resource: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.http.post(f"{self.url}/{resource}", json=body)
        assert response.status_code == 201, response.text
        return response.json()

    def get(self, resource: str, record_id: int) -> requests.Response:
        return self.http.get(f"{self.url}/{resource}/{record_id}")

    def listing(self, resource: str, **params: Any) -> list[dict[str, Any]]:
        return self.http.get(f"{self.url}/{resource}", params={"limit": 500, **params}).json()["items"]

    def advance(self, seconds: float) -> None:
        requests.put(f"{self.url}/_sandbox/clock", json={"advance": seconds}).raise_for_status()

    def writes(self) -> int:
        stats = requests.get(f"{self.url}/_sandbox/stats").json()
        return sum(n for counts in stats.values() for n in counts.values())  # {resource: {operation: n}}

    def now(self) -> datetime:
        raw = requests.get(f"{self.url}/_sandbox/clock").json()["now"]
        return datetime.fromisoformat(raw).astimezone(timezone.utc).replace(tzinfo=None)


@pytest.fixture(scope="module")
def served_shop() -> Iterator[ServedApp]:
    with ServedApp(create_shop_app(token=TOKEN)) as served:
        yield served


@pytest.fixture()
def shop(served_shop: ServedApp) -> Shop:
    requests.post(f"{served_shop.url}/_sandbox/reset").raise_for_status()
    requests.put(f"{served_shop.url}/_sandbox/clock", json={"now": FROZEN_AT.isoformat()}).raise_for_status()
    requests.delete(f"{served_shop.url}/_sandbox/faults").raise_for_status()
    requests.delete(f"{served_shop.url}/_sandbox/stats").raise_for_status()
    return Shop(served_shop)


def shop_settings(url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = dict(system="customwebshop", webshop_url=url, webshop_token=Secret(TOKEN),
                                  upstream_retries=1, settle_seconds=2)
    values.update(overrides)
    return Settings(**values)
