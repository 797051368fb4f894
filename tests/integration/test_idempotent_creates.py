"""Order creates are idempotent under concurrency and slow writes, at a bounded cost (issue 11, items 7 and 8).

WooCommerce cannot filter orders by meta data and the reference webshop may not enforce a unique `origin`, so
"look up, then create" duplicates: both receivers serialise creates per origin and remember what each made and
which answers were lost (service/connectors/create_journal.py).
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from tests.integration.conftest import Service, Shop, Woo, push, shop_settings, wait_until, woo_settings


@dataclass
class Target:
    """A shop behind one of our services: how to count its orders and requests, and to set its faults."""

    system: str
    url: str
    service: Service
    orders_with_origin: Callable[[str], int]
    request_count: Callable[[], int]


@pytest.fixture(params=["woocommerce", "customwebshop"])
def target(request: pytest.FixtureRequest, serve_service: Callable[..., Service]) -> Iterator[Target]:
    def requests_made(url: str) -> int:
        return sum(requests.get(url + "/_sandbox/requests").json().values())

    if request.param == "woocommerce":
        woo: Woo = request.getfixturevalue("woo")
        service = serve_service(woo_settings(woo.url, upstream_timeout=1, upstream_retries=0),
                                clock=woo.store.clock.now)

        def woo_orders(origin: str) -> int:
            records = woo.http.get(f"{woo.api}/orders", params={"per_page": 100}).json()
            return sum(1 for o in records for m in o["meta_data"] if m["key"] == "sesam_origin" and m["value"] == origin)
        yield Target("woocommerce", woo.url, service, woo_orders, lambda: requests_made(woo.url))
    else:
        shop: Shop = request.getfixturevalue("shop")
        service = serve_service(shop_settings(shop.url, upstream_timeout=1, upstream_retries=0), clock=shop.now)
        yield Target("customwebshop", shop.url, service, lambda origin: len(shop.listing("orders", origin=origin)),
                     lambda: requests_made(shop.url))


def order(origin: str, **fields: Any) -> dict[str, Any]:
    return {"_id": origin.split(":")[-1], "sesam_origin": origin, "currency": "NOK", "grand_total": "0.00",
            "customer_note": "", **fields}


def shaped(target: Target, entity: dict[str, Any]) -> dict[str, Any]:
    """The same order in each shop's own shape (the pipes map it; here only what each shop requires)."""
    if target.system == "woocommerce":
        return {k: v for k, v in entity.items() if k not in ("currency", "grand_total")}
    return {k: v for k, v in entity.items() if k != "customer_note"}


def test_the_same_create_twice_in_one_batch_makes_one_order(target: Target):
    entity = shaped(target, order("customwebshop-order:1"))
    answer = push(target.service.url, "order", [entity, entity])
    assert answer.status_code == 200 and (answer.json()["created"], answer.json()["superseded"]) == (1, 1)
    assert target.orders_with_origin("customwebshop-order:1") == 1


def test_identical_creates_at_the_same_moment_make_one_order(target: Target):
    """Twenty pairs of identical pushes, each pair released together: one order per pair whatever the order."""
    pairs = 20
    gate = threading.Barrier(2)

    def create(n: int) -> int:
        gate.wait(timeout=10)
        return push(target.service.url, "order", [shaped(target, order(f"customwebshop-order:{n}"))]).status_code

    with ThreadPoolExecutor(max_workers=2) as pool:
        for n in range(pairs):
            assert list(pool.map(create, [n, n])) == [200, 200]
    assert [target.orders_with_origin(f"customwebshop-order:{n}") for n in range(pairs)] == [1] * pairs


def test_a_create_that_lands_after_the_timeout_while_sesam_replays_it_makes_one_order(target: Target):
    origin = "customwebshop-order:7"
    entity = shaped(target, order(origin))
    requests.put(target.url + "/_sandbox/faults", json={"hold": [{"method": "POST"}]}).raise_for_status()
    lost = push(target.service.url, "order", [entity])  # our request gives up after UPSTREAM_TIMEOUT (1 s)
    assert lost.status_code == 503 and lost.json()["failed"][0]["retriable"] is True
    replay = push(target.service.url, "order", [entity])  # Sesam retries while the first write is still held
    assert replay.status_code == 503 and "may still land" in replay.json()["failed"][0]["reason"]
    assert target.orders_with_origin(origin) == 0
    requests.post(target.url + "/_sandbox/faults/release").raise_for_status()
    wait_until(lambda: target.orders_with_origin(origin) == 1)  # the slow write lands, long after we gave up
    again = push(target.service.url, "order", [entity])
    assert again.status_code == 200 and again.json()["unchanged"] == 1, again.text
    assert target.orders_with_origin(origin) == 1


def test_a_create_costs_a_bounded_number_of_requests_whatever_the_store_holds(target: Target):
    """Issue 11 item 8: the old receiver scanned 7 days of WooCommerce orders before each create (51 requests on a
    5 000-order store). Now a create is one write, plus one read the first time (the store's clock)."""
    for n in range(300):  # a store that already has orders; bench/order_creates.py measures 5 000
        push(target.service.url, "order", [shaped(target, order(f"woocommerce-order:{n}"))])
    requests.delete(target.url + "/_sandbox/requests")
    for n in range(10):
        assert push(target.service.url, "order", [shaped(target, order(f"customwebshop-order:{n}"))]).status_code == 200
    assert target.request_count() <= 10 * 2, "at most one read and one write per create"
