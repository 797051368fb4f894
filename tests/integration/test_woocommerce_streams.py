"""GET /entities/<type> against the WooCommerce sandbox, over real sockets.

The sandbox reproduces the recorded store; each test names the recorded behaviour it leans on.
"""
from __future__ import annotations

import json
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs

import pytest
import requests

from tests.integration.conftest import (FailAfter, Service, Woo, push, serve_woo, wait_until, woo_behind,
                                       woo_settings)


def ids(entities: list[dict[str, Any]]) -> list[str]:
    return [e["_id"] for e in entities]


def assert_stream_shape(entities: list[dict[str, Any]]) -> None:
    updated = [e["_updated"] for e in entities]
    assert updated == sorted(updated) and len(set(updated)) == len(updated), "strictly increasing _updated"
    for entity in entities:
        assert isinstance(entity["_id"], str) and entity["_id"] == str(entity["id"])
        assert isinstance(entity["_deleted"], bool) and "_links" not in entity


def test_full_read_is_the_stores_own_json_with_sesam_fields(woo: Woo, service: Service):
    created = woo.create("products", {"name": "Mug", "sku": "MUG-1", "regular_price": "12.50"})
    woo.store.clock.advance(5)
    [entity] = service.entities("product")
    assert_stream_shape([entity])
    # A create answers in the edit context, with two keys lists do not carry (`products-create-simple.json`).
    listed = {k: v for k, v in created.items() if k not in ("_links", "permalink_template", "generated_slug")}
    assert entity == {**listed, "_id": str(created["id"]),
                      "_updated": f"2026-11-28T03:17:00Z_{created['id']:012d}", "_deleted": False}


@pytest.mark.parametrize("resource,type_name", [("orders", "order"), ("products", "product"),
                                                ("customers", "customer")])
def test_since_returns_exactly_what_changed_after_the_token(woo: Woo, service: Service, resource, type_name):
    def body(n: int) -> dict[str, Any]:
        return {"email": f"c{n}@example.test"} if resource == "customers" else {"name": f"P{n}"} \
            if resource == "products" else {"customer_note": f"order {n}"}
    first = woo.batch_create(resource, [body(n) for n in range(3)])
    woo.store.clock.advance(10)
    everything = service.entities(type_name)
    assert ids(everything) == [str(r["id"]) for r in first]
    token = everything[-1]["_updated"]
    assert service.entities(type_name, since=token) == []
    woo.store.clock.advance(10)
    woo.http.put(f"{woo.api}/{resource}/{first[0]['id']}", json={}).raise_for_status()  # a no-op PUT bumps it
    woo.store.clock.advance(10)
    changed = service.entities(type_name, since=token)
    assert ids(changed) == [str(first[0]["id"])] and changed[0]["_updated"] > token
    assert service.entities(type_name, since=everything[0]["_updated"])[0]["_id"] == str(first[1]["id"])


def test_hundreds_of_records_in_one_second_are_all_streamed_and_resume_exactly(woo: Woo, service: Service):
    """Bulk imports put hundreds of records in the same second (products-f01/f02: the filter is whole-second)."""
    created = woo.batch_create("products", [{"name": f"Bulk {n}", "sku": f"B-{n}"} for n in range(250)])
    woo.store.clock.advance(5)
    full = service.entities("product")
    assert ids(full) == [str(p["id"]) for p in created]
    assert_stream_shape(full)
    resumed, since = [], None
    while True:  # a chronological pipe resuming mid-stream, 37 at a time
        page = service.entities("product", limit=37, **({"since": since} if since else {}))
        if not page:
            break
        resumed += page
        since = page[-1]["_updated"]
    assert ids(resumed) == ids(full)


def test_trashed_orders_and_products_come_as_deletes(woo: Woo, service: Service):
    """orders-delete-no-force-trash / products-delete-no-force-trash: trash keeps the record, status=trash."""
    order = woo.create("orders", {"customer_note": "to be trashed"})
    product = woo.create("products", {"name": "Gone soon"})
    woo.store.clock.advance(5)
    order_token = service.entities("order")[-1]["_updated"]
    product_token = service.entities("product")[-1]["_updated"]
    woo.http.delete(f"{woo.api}/orders/{order['id']}").raise_for_status()
    woo.http.delete(f"{woo.api}/products/{product['id']}").raise_for_status()
    woo.store.clock.advance(5)
    [deleted_order] = service.entities("order", since=order_token)
    [deleted_product] = service.entities("product", since=product_token)
    assert deleted_order["_deleted"] is True and deleted_order["status"] == "trash"
    assert deleted_product["_deleted"] is True and deleted_product["_id"] == str(product["id"])
    assert [e["_deleted"] for e in service.entities("order")] == [True]


def test_records_changed_within_the_settle_window_are_sent_again_once_settled(woo: Woo, service: Service):
    early = woo.create("customers", {"email": "early@example.test"})
    woo.store.clock.advance(10)
    late = woo.create("customers", {"email": "late@example.test"})  # modified "now": not yet settled
    first = service.entities("customer")
    assert ids(first) == [str(early["id"]), str(late["id"])], "a full read never leaves a record out"
    assert "~" in first[-1]["_updated"] and "_" in first[0]["_updated"]
    assert ids(service.entities("customer", since=first[-1]["_updated"])) == [], "nothing settled meanwhile"
    woo.store.clock.advance(10)
    again = service.entities("customer", since=first[-1]["_updated"])
    assert ids(again) == [str(late["id"])] and "_" in again[0]["_updated"]


class ChangeStoreDuringScan:
    """WSGI middleware: when the n-th key page is requested, trash and delete records before the scan position."""

    def __init__(self, app: Any, on_request: int, change: Any) -> None:
        self.app, self.on_request, self.change, self.seen = app, on_request, change, 0

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        query = parse_qs(environ.get("QUERY_STRING", ""))
        if environ["PATH_INFO"].endswith("/orders") and "_fields" in query and "status" not in query:
            self.seen += 1
            if self.seen == self.on_request:
                self.change()
        return self.app(environ, start_response)


def test_a_full_read_skips_nothing_while_the_store_is_edited(serve_service):
    """Offset paging over a list that loses rows skips rows (reference/woocommerce.md §5, #33386)."""
    middleware: list[ChangeStoreDuringScan] = []
    served, store = serve_woo(lambda app: middleware.append(ChangeStoreDuringScan(app, 3, lambda: None))
                              or middleware[0], behind_https=True)
    try:
        http = requests.Session()
        http.auth = ("ck_sandbox", "cs_sandbox")
        api = served.url + "/wp-json/wc/v3"
        orders = []
        for start in range(0, 900, 100):
            answer = http.post(f"{api}/orders/batch", json={"create": [{"customer_note": str(n)}
                                                                       for n in range(start, start + 100)]})
            orders += [o["id"] for o in answer.json()["create"]]
        store.clock.advance(5)
        removed = orders[10:160]  # far more rows than the page overlap, all before the scan position

        def change() -> None:
            for order_id in removed[:100]:
                http.delete(f"{api}/orders/{order_id}").raise_for_status()            # trash
            http.post(f"{api}/orders/batch", json={"delete": removed[100:]}).raise_for_status()  # for good
            http.post(f"{api}/orders/batch", json={"create": [{"customer_note": "new"}] * 5}).raise_for_status()

        middleware[0].change = change
        service = serve_service(woo_settings(served.url, upstream_concurrency=4), clock=store.clock.now)
        entities = service.entities("order")
        live = {e["_id"] for e in entities if not e["_deleted"]}
        survivors = {str(i) for i in orders if i not in removed}
        assert middleware[0].seen > 3, "the change happened mid-scan"
        assert survivors <= live, f"skipped {len(survivors - live)} orders that were never touched"
        assert_stream_shape(entities)
    finally:
        served.stop()


def test_a_failure_before_the_first_byte_is_an_error_status(woo: Woo, service: Service):
    woo.faults({"fail": [{"status": 503, "count": 100}]})
    response = requests.get(f"{service.url}/entities/order")
    assert response.status_code == 503
    assert response.json()["error"] == "UpstreamUnavailable" and "GET /orders" in response.json()["message"]


def test_a_failure_after_streaming_began_breaks_the_response(serve_service):
    """Sesam must fail the run, not take a shortened array for deletes."""
    served, store = serve_woo(lambda app: FailAfter(app, after=1, marker="include="), behind_https=True)
    try:
        http = requests.Session()
        http.auth = ("ck_sandbox", "cs_sandbox")
        http.post(served.url + "/wp-json/wc/v3/products/batch",
                  json={"create": [{"name": f"P{n}"} for n in range(100)]}).raise_for_status()
        http.post(served.url + "/wp-json/wc/v3/products/batch",
                  json={"create": [{"name": f"Q{n}"} for n in range(50)]}).raise_for_status()
        store.clock.advance(5)
        service = serve_service(woo_settings(served.url, upstream_retries=1, upstream_concurrency=1),
                                clock=store.clock.now)
        with pytest.raises((requests.exceptions.ChunkedEncodingError, json.JSONDecodeError)):
            response = requests.get(f"{service.url}/entities/product")
            assert response.status_code == 200, "the first record was sent before the failure"
            json.loads(response.content)
    finally:
        served.stop()


def test_bad_requests_are_refused_before_any_upstream_call(woo: Woo, service: Service):
    before = woo.request_count()
    assert requests.get(f"{service.url}/entities/invoice").status_code == 404
    assert requests.get(f"{service.url}/entities/order", params={"since": "last tuesday"}).status_code == 400
    assert requests.get(f"{service.url}/entities/order", params={"limit": "-1"}).status_code == 400
    health = requests.get(f"{service.url}/health")
    assert health.status_code == 200 and health.json()["system"] == "woocommerce"
    assert woo.request_count() == before, "validation and /health never touch the store"


def test_an_empty_store_is_an_empty_array_not_an_error(woo: Woo, service: Service):
    assert service.entities("customer") == []


def test_a_small_store_is_read_in_few_requests(woo: Woo, service: Service):
    """One key page, one trash page, one page of what changed during the read (a record restored from the trash
    mid-read is in neither scan), one record page: no fan-out before the first page shows a longer list."""
    woo.batch_create("products", [{"name": f"P{n}"} for n in range(20)])
    woo.store.clock.advance(5)
    requests.delete(woo.url + "/_sandbox/requests")
    assert len(service.entities("product")) == 20
    assert requests.get(woo.url + "/_sandbox/requests").json() == {"GET": 4}


def test_a_page_shorter_than_the_store_promised_fails_the_read_instead_of_ending_it(woo: Woo, service: Service):
    """A proxy, cache or plugin that filters rows from a 200 page: the read used to end there and answer a
    well-formed, truncated array, and Sesam then deleted the rest (issue 11, item 2)."""
    woo.batch_create("orders", [{"customer_note": str(n)} for n in range(150)])
    woo.store.clock.advance(5)
    woo.faults({"short": [{"keep": 40, "count": 10, "path": "/wp-json/wc/v3/orders"}]})
    answer = requests.get(f"{service.url}/entities/order")
    assert answer.status_code == 503, answer.text[:300]
    assert "X-WP-Total of 150 promised 100" in answer.json()["message"]


def test_an_empty_full_read_is_answered_only_when_the_store_says_it_is_empty(woo: Woo, service: Service):
    woo.batch_create("customers", [{"email": f"c{n}@example.test"} for n in range(3)])
    woo.store.clock.advance(5)
    woo.faults({"short": [{"keep": 0, "count": 10, "path": "/wp-json/wc/v3/customers"}]})
    assert requests.get(f"{service.url}/entities/customer").status_code == 503, "[] while X-WP-Total says 3"
    woo.faults({})
    assert len(service.entities("customer")) == 3


def test_a_record_restored_from_the_trash_during_a_full_read_is_in_it(serve_service):
    """Still trashed when the live scan passed it, live again when the trash scan ran: in neither, and a full read
    that leaves it out makes Sesam mark it deleted (issue 11, item 14)."""
    state: dict[str, Any] = {"restored": False}

    def restore_at_the_trash_scan(app: Any) -> Any:
        def wrapped(environ: dict[str, Any], start_response: Any) -> Any:
            query = parse_qs(environ.get("QUERY_STRING", ""))
            if query.get("status") == ["trash"] and "_fields" in query and not state["restored"]:
                state["restored"] = True
                state["http"].put(f"{state['api']}/products/{state['id']}", json={"status": "publish"})
            return app(environ, start_response)
        return wrapped

    with woo_behind(restore_at_the_trash_scan) as woo:
        created = woo.batch_create("products", [{"name": f"P{n}"} for n in range(3)])
        trashed = created[1]["id"]
        woo.http.delete(f"{woo.api}/products/{trashed}").raise_for_status()
        woo.store.clock.advance(5)
        state.update(http=woo.http, api=woo.api, id=trashed)
        service = serve_service(woo_settings(woo.url), clock=woo.store.clock.now)
        entities = service.entities("product")
    assert state["restored"], "the restore happened between the two scans"
    assert [e["_deleted"] for e in entities if e["_id"] == str(trashed)] == [False]
    assert_stream_shape(entities)


def test_long_pulls_never_hold_every_thread_and_receivers_stay_responsive(woo: Woo, serve_service):
    """Pulls beyond MAX_CONCURRENT_PULLS are answered 503 with Retry-After at once (issue 11, item 12)."""
    service = serve_service(woo_settings(woo.url, max_concurrent_pulls=1), clock=woo.store.clock.now)
    woo.batch_create("products", [{"name": "P"}])
    woo.store.clock.advance(5)
    requests.delete(woo.url + "/_sandbox/requests")
    woo.faults({"hold": [{"method": "GET", "path": "/wp-json/wc/v3/products"}]})
    with ThreadPoolExecutor(max_workers=1) as pool:
        first = pool.submit(requests.get, f"{service.url}/entities/product", timeout=30)
        wait_until(lambda: woo.request_count() >= 1)  # the first pull is streaming (its read is held in the store)
        second = requests.get(f"{service.url}/entities/order")
        assert second.status_code == 503 and second.headers["Retry-After"] == "5"
        assert second.json()["error"] == "ServiceBusy"
        pushed = push(service.url, "customer", [{"_id": "c", "sesam_origin": "s:1", "email": "c@example.test"}])
        assert pushed.status_code == 200, "a receiver is answered while the pull runs"
        requests.post(woo.url + "/_sandbox/faults/release").raise_for_status()
        assert first.result().status_code == 200 and len(first.result().json()) == 1
    assert requests.get(f"{service.url}/entities/order").status_code == 200, "the slot was given back"


def test_a_pull_the_client_abandons_leaves_a_log_line(serve_service, caplog):
    """Issue 14: a client that goes away mid-stream (a Sesam timeout, a restart) is visible in the log."""
    gate = threading.Event()

    def pause_second_record_page(app: Any) -> Any:
        seen = {"include": 0}

        def wrapped(environ: dict[str, Any], start_response: Any) -> Any:
            if "include=" in environ.get("QUERY_STRING", ""):
                seen["include"] += 1
                if seen["include"] == 2:
                    gate.wait(timeout=30)
            return app(environ, start_response)
        return wrapped

    with woo_behind(pause_second_record_page) as woo:
        try:
            woo.batch_create("products", [{"name": "P" * 200} for _ in range(300)])
            woo.store.clock.advance(5)
            service = serve_service(woo_settings(woo.url, upstream_concurrency=1), clock=woo.store.clock.now)
            caplog.set_level(logging.INFO, logger="service.sesam.pull")
            with requests.get(f"{service.url}/entities/product", stream=True) as answer:
                assert answer.raw.read(1000)  # the first records arrived; then the client goes away
            gate.set()
            wait_until(lambda: any("abandoned by the client" in r.getMessage() for r in caplog.records))
        finally:
            gate.set()
