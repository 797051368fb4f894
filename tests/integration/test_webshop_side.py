"""SYSTEM=customwebshop against the reference webshop (docs/custom-webshop-api.md), over real sockets: the same
stream guarantees as the WooCommerce side, and receivers that never duplicate and never echo."""
from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
import requests

from sandbox.serving import ServedApp
from sandbox.webshop.app import create_app as create_shop_app
from service.clients.webshop_api import WebshopApi
from tests.integration.conftest import TOKEN, FailAfter, Service, Shop, push, shop_settings


@pytest.fixture()
def service(shop: Shop, serve_service: Callable[..., Service]) -> Service:
    return serve_service(shop_settings(shop.url), clock=shop.now)


def customer(n: int, **fields: Any) -> dict[str, Any]:
    return {"email": f"person{n}@example.test", "first_name": f"Person {n}", **fields}


def product(n: int, **fields: Any) -> dict[str, Any]:
    return {"sku": f"SKU-{n}", "name": f"Product {n}", "price": "10.00", **fields}


# -- streams -----------------------------------------------------------------------------------------------------

def test_full_read_since_and_resume_in_updated_at_id_order(shop: Shop, service: Service):
    made = [shop.create("customers", customer(n)) for n in range(5)]
    shop.advance(10)
    full = service.entities("customer")
    assert [e["_id"] for e in full] == [str(c["id"]) for c in made]
    assert [e["_updated"] for e in full] == sorted(e["_updated"] for e in full)
    assert full[0]["_updated"] == f"{made[0]['updated_at'][:-1]}Z_{made[0]['id']:012d}"
    resumed, since = [], None
    while page := service.entities("customer", limit=2, **({"since": since} if since else {})):
        resumed += page
        since = page[-1]["_updated"]
    assert resumed == full
    shop.http.patch(f"{shop.url}/customers/{made[1]['id']}", json={"first_name": "Changed"}).raise_for_status()
    shop.advance(10)
    assert [e["first_name"] for e in service.entities("customer", since=full[-1]["_updated"])] == ["Changed"]


def test_deletes_come_as_tombstones(shop: Shop, service: Service):
    kept, gone = shop.create("products", product(1)), shop.create("products", product(2))
    shop.advance(5)
    token = service.entities("product")[-1]["_updated"]
    assert shop.http.delete(f"{shop.url}/products/{gone['id']}").status_code == 204
    shop.advance(5)
    [tombstone] = service.entities("product", since=token)
    assert tombstone["_id"] == str(gone["id"]) and tombstone["_deleted"] is True
    assert [e["_deleted"] for e in service.entities("product")] == [False, True]
    assert kept


def test_records_in_the_settle_window_come_last_and_again(shop: Shop, service: Service):
    settled = shop.create("customers", customer(1))
    shop.advance(10)
    fresh = shop.create("customers", customer(2))
    first = service.entities("customer")
    assert [e["_id"] for e in first] == [str(settled["id"]), str(fresh["id"])]
    assert "~" in first[-1]["_updated"]
    shop.advance(10)
    assert [e["_id"] for e in service.entities("customer", since=first[-1]["_updated"])] == [str(fresh["id"])]


def test_a_failure_before_the_first_byte_is_an_error_status(shop: Shop, service: Service):
    shop.create("customers", customer(1))
    requests.put(f"{shop.url}/_sandbox/faults", json={"fail": [{"status": 502, "count": 10}]}).raise_for_status()
    response = requests.get(f"{service.url}/entities/customer")
    assert response.status_code == 503 and response.json()["error"] == "UpstreamUnavailable"


def test_a_failure_after_streaming_began_breaks_the_response(serve_service):
    with ServedApp(FailAfter(create_shop_app(token=TOKEN), after=1, marker="limit=")) as served:
        for n in range(30):
            requests.post(f"{served.url}/customers", json=customer(n),
                          headers={"Authorization": f"Bearer {TOKEN}"}).raise_for_status()
        service = serve_service(shop_settings(served.url, webshop_api=WebshopApi(page_size=10), upstream_retries=0,
                                              settle_seconds=0), clock=lambda: datetime(2100, 1, 1))
        with pytest.raises((requests.exceptions.ChunkedEncodingError, json.JSONDecodeError)):
            response = requests.get(f"{service.url}/entities/customer")
            assert response.status_code == 200
            json.loads(response.content)


# -- the transport adapts to a shop that differs from the contract -------------------------------------------------

class LegacyShop:
    """A shop that pages by page number, names things its own way and wants an API key header."""

    def __init__(self, records: list[dict[str, Any]], per_page: int) -> None:
        self.records, self.per_page, self.requests = records, per_page, 0

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        from urllib.parse import parse_qs
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        if environ.get("HTTP_X_API_KEY") != TOKEN or environ["PATH_INFO"] != "/api/v2/clients":
            start_response("401 Unauthorized", [("Content-Type", "application/json")])
            return [b'{"error": "no"}']
        self.requests += 1
        rows = sorted((r for r in self.records if r["modified"] > query.get("changed_since", "")),
                      key=lambda r: (r["modified"], r["key"]))
        page = int(query["pg"])
        body = json.dumps({"data": {"clients": rows[(page - 1) * self.per_page: page * self.per_page]}}).encode()
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body]


def test_a_differently_shaped_shop_is_read_through_webshop_api_alone(serve_service):
    same_moment = "2026-11-28T03:17:04.500000Z"
    records = [{"key": n, "modified": same_moment if n < 7 else f"2026-11-28T03:17:0{n - 2}.000000Z",
                "mail": f"{n}@x.test"} for n in range(1, 10)]
    legacy = LegacyShop(records, per_page=3)
    api = WebshopApi.from_json({"paths": {"customer": "/api/v2/clients"}, "pagination": "page", "page_size": 3,
                                "params": {"updated_after": "changed_since", "page": "pg", "limit": "per_page"},
                                "items_path": "data.clients", "id_field": "key", "updated_field": "modified",
                                "tombstones": False, "auth_header": "X-Api-Key", "auth_scheme": ""})
    with ServedApp(legacy) as served:
        service = serve_service(shop_settings(served.url, webshop_api=api),
                                clock=lambda: datetime(2026, 11, 29))
        full = service.entities("customer")
        assert [e["_id"] for e in full] == [str(n) for n in range(1, 10)], "seven records in one instant, 3 a page"
        assert service.entities("customer", since=full[4]["_updated"]) == full[5:]


# -- receivers -----------------------------------------------------------------------------------------------------

def test_create_update_unchanged_and_delete(shop: Shop, service: Service):
    created = push(service.url, "product", [{"_id": "woocommerce-product:5", "sesam_origin": "woocommerce-product:5",
                                             **product(1, price="12.50")}])
    assert created.json()["created"] == 1
    [record] = shop.listing("products", origin="woocommerce-product:5")
    writes = shop.writes()
    same = {"_id": "x", "id": record["id"], "name": "Product 1", "price": "12.5", "sku": "SKU-1"}
    assert push(service.url, "product", [same]).json()["unchanged"] == 1
    assert shop.writes() == writes, "an unchanged entity is not written"
    assert push(service.url, "product", [{**same, "price": "13.00"}]).json()["updated"] == 1
    assert shop.get("products", record["id"]).json()["price"] == "13.00"
    for _ in range(2):
        assert push(service.url, "product", [{"_id": "x", "id": record["id"], "_deleted": True}]).json()["deleted"] == 1
    assert shop.get("products", record["id"]).status_code == 404
    writes = shop.writes()
    gone = push(service.url, "product", [{**same, "price": "14.00"}])
    assert (gone.status_code, gone.json()["gone"]) == (200, 1), "an edit of a deleted record: the delete wins"
    assert shop.writes() == writes and not [p for p in shop.listing("products") if p["sku"] == "SKU-1"], "and nothing is recreated"


def test_creates_replayed_after_a_dropped_answer_make_no_duplicates(shop: Shop, service: Service):
    batches = {
        "customers": [{"_id": "c", "sesam_origin": "woocommerce-customer:3", **customer(1)}],
        "products": [{"_id": "p", "sesam_origin": "woocommerce-product:4", **product(1)}],
        "orders": [{"_id": "o", "sesam_origin": "woocommerce-order:9", "currency": "NOK", "grand_total": "10.00"}],
    }
    for resource, entities in batches.items():
        shop_faults = {"drop": [{"count": 1, "after_bytes": 5, "path": f"/{resource}", "method": "POST"}]}
        requests.put(f"{shop.url}/_sandbox/faults", json=shop_faults).raise_for_status()
        type_name = resource[:-1]
        assert push(service.url, type_name, entities).status_code == 503
        replay = push(service.url, type_name, entities)  # finds what the first attempt made: nothing to change
        assert replay.status_code == 200 and replay.json()["unchanged"] == 1, replay.text
        assert len(shop.listing(resource)) == 1


def test_an_existing_record_with_the_same_email_is_linked_not_duplicated(shop: Shop, service: Service):
    existing = shop.create("customers", customer(1, first_name="Old"))
    answer = push(service.url, "customer", [{"_id": "c", "sesam_origin": "woocommerce-customer:8",
                                             **customer(1, first_name="New")}])
    assert answer.status_code == 200 and (answer.json()["created"], answer.json()["updated"]) == (0, 1)
    [linked] = shop.listing("customers")
    assert linked["id"] == existing["id"] and linked["first_name"] == "New"
    assert linked["origin"] == "woocommerce-customer:8"


def test_a_write_racing_another_is_compared_again(shop: Shop, serve_service):
    record = shop.create("customers", customer(1))
    racing = {"done": False}

    def race(app: Any) -> Any:
        def wrapped(environ: dict[str, Any], start_response: Any) -> Any:
            if environ["REQUEST_METHOD"] == "PATCH" and not racing["done"]:
                racing["done"] = True  # someone else edits between our read and our write: If-Match fails
                shop.http.patch(f"{shop.url}/customers/{record['id']}", json={"phone": "555"}).raise_for_status()
            return app(environ, start_response)
        return wrapped

    with ServedApp(race(lambda e, s: requests_proxy(shop.url, e, s))) as proxy:
        service = serve_service(shop_settings(proxy.url), clock=shop.now)
        answer = push(service.url, "customer", [{"_id": "c", "id": record["id"], "first_name": "Renamed"}])
    assert answer.status_code == 200 and answer.json()["updated"] == 1
    after = shop.get("customers", record["id"]).json()
    assert (after["first_name"], after["phone"], after["version"]) == ("Renamed", "555", 3)


def requests_proxy(base: str, environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """Forward a WSGI request to `base` (a transparent hop where the test can act between requests)."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    headers = {k[5:].replace("_", "-").title(): v for k, v in environ.items() if k.startswith("HTTP_")}
    if environ.get("CONTENT_TYPE"):
        headers["Content-Type"] = environ["CONTENT_TYPE"]
    query = environ.get("QUERY_STRING")
    answer = requests.request(environ["REQUEST_METHOD"], base + environ["PATH_INFO"] + (f"?{query}" if query else ""),
                              data=environ["wsgi.input"].read(length) if length else None, headers=headers)
    start_response(f"{answer.status_code} {answer.reason}",
                   [(k, v) for k, v in answer.headers.items() if k.lower() in ("content-type", "etag", "location")])
    return [answer.content]



# -- what the shop says, field by field; pages that do not say they are the last -----------------------------------

def test_a_refusal_reaches_sesam_with_the_shops_field_level_reasons(shop: Shop, service: Service):
    """The shop's 422 `fields` used to be dropped: "the request has invalid fields" said nothing (issue 14)."""
    answer = push(service.url, "customer", [{"_id": "c", "sesam_origin": "woocommerce-customer:1",
                                             **customer(1, billing={"country": "Norway"})}])
    assert answer.status_code == 422
    [failure] = answer.json()["failed"]
    assert failure["fields"] == {"billing.country": "must be an ISO 3166-1 alpha-2 code such as NO, or empty"}
    assert "billing.country: must be an ISO 3166-1 alpha-2 code" in failure["reason"]


def test_a_page_without_next_cursor_is_not_the_end(shop: Shop, service: Service):
    """Only `next_cursor: null` ends a scan (docs/custom-webshop-api.md §5.2); a rewritten page fails the read."""
    for n in range(5):
        shop.create("customers", customer(n))
    shop.advance(10)
    requests.put(f"{shop.url}/_sandbox/faults", json={"short": [
        {"keep": 2, "strip": ["next_cursor"], "count": 5, "path": "/customers"}]}).raise_for_status()
    answer = requests.get(f"{service.url}/entities/customer")
    assert answer.status_code == 503 and "next_cursor" in answer.json()["message"], answer.text
    requests.delete(f"{shop.url}/_sandbox/faults").raise_for_status()
    assert len(service.entities("customer")) == 5


def test_a_lone_surrogate_from_the_shop_is_replaced_and_the_stream_stays_valid(serve_service):
    """A shop that returns `\\udfff` used to break every pull that included the record (issue 11, item 1)."""
    def shop_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        body = (b'{"items": [{"id": 1, "updated_at": "2026-11-28T03:17:04.000000Z", "name": "x \\udfff", '
                b'"email": "a@example.test"}], "next_cursor": null}')
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body]

    with ServedApp(shop_app) as served:
        service = serve_service(shop_settings(served.url), clock=lambda: datetime(2026, 11, 29))
        response = requests.get(f"{service.url}/entities/customer")
        assert response.status_code == 200
        [entity] = json.loads(response.content.decode("utf-8"))
        assert entity["name"] == "x \ufffd"


def test_a_409_naming_any_existing_record_is_adopted(serve_service):
    """A shop that enforces the contract's unique `origin` answers 409 `duplicate` with `field: "origin"`: the
    receiver updates that record, whatever the field."""
    shop_app = create_shop_app(token=TOKEN)

    def enforcing_origin(environ: dict[str, Any], start_response: Any) -> Any:
        if environ["REQUEST_METHOD"] == "POST" and environ["PATH_INFO"] == "/customers":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            raw = environ["wsgi.input"].read(length)
            environ["wsgi.input"] = io.BytesIO(raw)
            origin = json.loads(raw).get("origin")
            listed = requests.get(f"{state['url']}/customers", params={"origin": origin},
                                  headers={"Authorization": f"Bearer {TOKEN}"}).json()["items"]
            if listed:
                body = json.dumps({"error": "duplicate", "message": "origin is already used",
                                   "field": "origin", "existing_id": listed[0]["id"]}).encode()
                start_response("409 Conflict", [("Content-Type", "application/json")])
                return [body]
        return shop_app(environ, start_response)

    state: dict[str, str] = {}
    with ServedApp(enforcing_origin) as served:
        state["url"] = served.url
        headers = {"Authorization": f"Bearer {TOKEN}"}
        existing = requests.post(f"{served.url}/customers", headers=headers,
                                 json={**customer(1), "origin": "woocommerce-customer:7"}).json()
        service = serve_service(shop_settings(served.url), clock=lambda: datetime(2026, 11, 29))
        answer = push(service.url, "customer", [{"_id": "7", "sesam_origin": "woocommerce-customer:7",
                                                 **customer(2, first_name="Moved")}])
        assert answer.status_code == 200 and (answer.json()["created"], answer.json()["updated"]) == (0, 1)
        after = requests.get(f"{served.url}/customers/{existing['id']}", headers=headers).json()
        assert (after["email"], after["first_name"]) == ("person2@example.test", "Moved")


def test_records_of_two_systems_sharing_an_id_are_both_created(shop: Shop, service: Service):
    """The json sink strips namespaces, so two records arrive as "4"; keeping the last per `_id` lost one
    (issue 9, item 2). Each is its own record by its origin."""
    answer = push(service.url, "customer", [
        {"_id": "4", "sesam_origin": "woocommerce-customer:4", **customer(1)},
        {"_id": "4", "sesam_origin": "woocommerce-order-guest:4", **customer(2)}])
    assert answer.status_code == 200 and (answer.json()["created"], answer.json()["superseded"]) == (2, 0)
    assert len(shop.listing("customers")) == 2


# -- variations: the webshop's variants (docs/custom-webshop-api.md §3.4.1) ---------------------------------------

def test_variants_are_read_and_written_as_the_variation_type(shop: Shop, service: Service):
    """A variant is its own resource (`/variants`): read as the `variation` stream with tombstones, created,
    linked by SKU in any case, and never linked to a product holding the SKU (another resource)."""
    tee = shop.create("products", product(1, sku="TEE"))
    small = shop.create("variants", {"product_id": tee["id"], "sku": "TEE-S", "price": "10.00",
                                     "options": [{"name": "Size", "value": "S"}]})
    shop.create("products", product(2, sku="TEE-L"))
    shop.advance(5)
    [streamed] = service.entities("variation")
    assert (streamed["_id"], streamed["product_id"], streamed["sku"]) == (str(small["id"]), tee["id"], "TEE-S")

    def pushed(size: str, **fields: Any) -> dict[str, Any]:
        return {"_id": f"woocommerce-variation:{size}", "sesam_origin": f"woocommerce-variation:{size}",
                "product_id": tee["id"], "sku": f"tee-{size.lower()}", "price": "12.00",
                "options": [{"name": "Size", "value": size}], **fields}

    answer = push(service.url, "variation", [pushed("S"), pushed("M")])
    assert (answer.json()["created"], answer.json()["updated"]) == (1, 1), answer.text
    variants = {v["sku"].upper(): v for v in shop.listing("variants")}
    assert set(variants) == {"TEE-S", "TEE-M"} and variants["TEE-S"]["id"] == small["id"]
    assert variants["TEE-S"]["price"] == variants["TEE-M"]["price"] == "12.00"
    refused = push(service.url, "variation", [pushed("L")])
    assert refused.status_code == 422 and "sku" in refused.text.lower(), refused.text
    assert len(shop.listing("variants")) == 2
    assert push(service.url, "variation", [{"_id": "x", "_deleted": True, "id": small["id"]}]).json()["deleted"] == 1
    shop.advance(5)
    assert [e["_deleted"] for e in service.entities("variation", since=streamed["_updated"])] == [False, True]
