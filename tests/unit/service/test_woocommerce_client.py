"""The WooCommerce client against requests-mock: authentication choice and fallback, errors, retries.

Error bodies are the ones recorded from a real store (tests/recordings/woocommerce/, FACTS §12).
"""
from __future__ import annotations

import base64
import logging
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from service.clients.transport import RetryPolicy
from service.clients.woocommerce import WooCommerceClient
from service.errors import UpstreamAuthError, UpstreamRejected, UpstreamUnavailable
from service.settings import Secret

CANNOT_VIEW = {"code": "woocommerce_rest_cannot_view", "message": "Sorry, you cannot list resources.",
               "data": {"status": 401}}  # auth-401-no-credentials.json
BAD_SECRET = {"code": "woocommerce_rest_authentication_error", "message": "Consumer secret is invalid.",
              "data": {"status": 401}}  # auth-401-wrong-secret.json
FAST = RetryPolicy(retries=3, backoff=0.001)


def totals(count: int, per_page: int = 10) -> dict[str, str]:
    """The totals headers every list answer carries (FACTS §1)."""
    return {"X-WP-Total": str(count), "X-WP-TotalPages": str(-(-count // per_page))}


def client(url: str = "https://shop.example", **kwargs) -> WooCommerceClient:
    return WooCommerceClient(url, Secret("ck_key"), Secret("cs_secret"), **{"policy": FAST, **kwargs})


def test_https_uses_basic_auth(requests_mock):
    requests_mock.get("https://shop.example/wp-json/wc/v3/orders", json=[], headers=totals(0))
    client().list("orders", {"per_page": 100})
    sent = requests_mock.request_history[0]
    assert sent.headers["Authorization"] == "Basic " + base64.b64encode(b"ck_key:cs_secret").decode()
    assert "consumer_key" not in sent.qs


def test_stripped_authorization_falls_back_to_query_keys_and_stays_there(requests_mock):
    def answer(request, context):
        if "consumer_key" in request.qs:
            context.headers.update(totals(1))
            return [{"id": 1}]
        context.status_code = 401
        return CANNOT_VIEW
    requests_mock.get("https://shop.example/wp-json/wc/v3/products", json=answer)
    woo = client()
    assert woo.list("products", {}).items == [{"id": 1}]
    assert woo.list("products", {}).items == [{"id": 1}]
    history = requests_mock.request_history
    assert len(history) == 3, "one refused Basic request, then query keys for every request"
    assert history[2].qs["consumer_key"] == ["ck_key"] and "Authorization" not in history[2].headers


def test_wrong_secret_is_a_configuration_error_at_once(requests_mock):
    requests_mock.get("https://shop.example/wp-json/wc/v3/orders", status_code=401, json=BAD_SECRET)
    with pytest.raises(UpstreamAuthError) as caught:
        client().list("orders", {})
    assert caught.value.code == "woocommerce_rest_authentication_error"
    assert len(requests_mock.request_history) == 1, "auth errors are not retried"


def test_http_signs_with_oauth1_in_the_query(requests_mock):
    requests_mock.get("http://shop.example/wp-json/wc/v3/customers", json=[], headers=totals(0))
    client("http://shop.example").list("customers", {"orderby": "id"})
    query = parse_qs(urlsplit(requests_mock.request_history[0].url).query)
    assert query["oauth_consumer_key"] == ["ck_key"] and query["oauth_signature_method"] == ["HMAC-SHA256"]
    assert {"oauth_nonce", "oauth_timestamp", "oauth_signature"} <= set(query)
    assert query["orderby"] == ["id"]
    assert "Authorization" not in requests_mock.request_history[0].headers


def test_server_errors_and_rate_limits_are_retried(requests_mock):
    requests_mock.get("https://shop.example/wp-json/wc/v3/orders", [
        {"status_code": 503, "text": "<html>busy</html>"},
        {"status_code": 429, "headers": {"Retry-After": "0"}, "text": "slow down"},
        {"exc": requests.exceptions.ConnectionError("reset by peer")},
        {"json": [{"id": 7}], "headers": {"X-WP-Total": "1", "X-WP-TotalPages": "1"}},
    ])
    page = client().list("orders", {})
    assert (page.items, page.total, page.total_pages) == ([{"id": 7}], 1, 1)
    assert len(requests_mock.request_history) == 4


def test_retries_give_up_with_a_retriable_error(requests_mock):
    requests_mock.get("https://shop.example/wp-json/wc/v3/orders", status_code=502, text="bad gateway")
    with pytest.raises(UpstreamUnavailable):
        client().list("orders", {})
    assert len(requests_mock.request_history) == FAST.retries + 1


def test_a_non_json_success_is_retried_as_a_broken_answer(requests_mock):
    requests_mock.get("https://shop.example/wp-json/wc/v3/orders", [
        {"text": "<html>maintenance</html>", "headers": {"Content-Type": "text/html"}},
        {"json": [], "headers": totals(0)}])
    assert client().list("orders", {}).items == []


def test_a_create_is_never_replayed(requests_mock):
    requests_mock.post("https://shop.example/wp-json/wc/v3/orders/batch", status_code=503, text="down")
    with pytest.raises(UpstreamUnavailable):
        client().call("POST", "/orders/batch", json={"create": [{}]})
    assert len(requests_mock.request_history) == 1


def test_invalid_data_is_a_rejection_with_the_stores_code(requests_mock):
    body = {"code": "rest_invalid_param", "message": "Invalid parameter(s): per_page",
            "data": {"status": 400, "params": {"per_page": "per_page must be between 1 (inclusive) and 100 "
                                                           "(inclusive)"}}}  # products-list-per-page-101-400.json
    requests_mock.get("https://shop.example/wp-json/wc/v3/products", status_code=400, json=body)
    with pytest.raises(UpstreamRejected) as caught:
        client().list("products", {"per_page": 101})
    assert caught.value.code == "rest_invalid_param" and caught.value.path == "/products"


def test_keys_never_reach_errors_or_logs(requests_mock, caplog):
    caplog.set_level(logging.DEBUG)
    requests_mock.get("https://shop.example/wp-json/wc/v3/orders",
                      exc=requests.exceptions.ConnectionError("HTTPSConnectionPool: Max retries exceeded with url: "
                                                              "/wp-json/wc/v3/orders?consumer_secret=cs_secret"))
    with pytest.raises(UpstreamUnavailable) as caught:
        client(auth="query").list("orders", {})
    text = str(caught.value) + repr(caught.value.as_json()) + caplog.text
    assert "cs_secret" not in text and "ck_key" not in text


def test_a_page_shorter_than_the_store_promised_is_retried_then_refused(requests_mock):
    """A cache, proxy or plugin filtering rows: 100 promised by X-WP-Total, 60 delivered (issue 11, item 2)."""
    rows = [{"id": n} for n in range(60)]
    requests_mock.get("https://shop.example/wp-json/wc/v3/orders", json=rows, headers=totals(250, 100))
    with pytest.raises(UpstreamUnavailable) as caught:
        client().list("orders", {"per_page": 100, "offset": 90})
    assert "60 records where its X-WP-Total of 250 promised 100 from position 90" in caught.value.message
    assert len(requests_mock.request_history) == FAST.retries + 1, "retried: a passing race may explain it"


def test_the_last_page_and_an_empty_store_are_what_the_totals_say(requests_mock):
    requests_mock.get("https://shop.example/wp-json/wc/v3/orders", [
        {"json": [{"id": n} for n in range(10)], "headers": totals(190, 100)},
        {"json": [], "headers": totals(0, 100)},
        {"json": [], "headers": totals(3, 100)},
    ])
    assert len(client().list("orders", {"per_page": 100, "offset": 180}).items) == 10, "180 + 10 = the total"
    assert client().list("orders", {"per_page": 100}).items == [], "an empty list the store says is empty"
    with pytest.raises(UpstreamUnavailable):
        client(policy=RetryPolicy(retries=0)).list("orders", {"per_page": 100})  # [] while the store says 3


def test_a_list_without_totals_cannot_prove_its_end(requests_mock):
    requests_mock.get("https://shop.example/wp-json/wc/v3/orders", json=[{"id": 1}])
    with pytest.raises(UpstreamUnavailable) as caught:
        client(policy=RetryPolicy(retries=0)).list("orders", {})
    assert "X-WP-Total" in caught.value.message


def test_a_refusal_names_the_fields_the_store_named(requests_mock):
    requests_mock.post("https://shop.example/wp-json/wc/v3/customers", status_code=400, json={
        "code": "customer_invalid_email", "message": "Invalid email address",
        "data": {"status": 400}})  # customers-d07-create-invalid-email-400.json
    with pytest.raises(UpstreamRejected) as caught:
        client().call("POST", "/customers", json={"email": "not-an-email"})
    assert caught.value.details["fields"] == {"email": "Invalid email address (customer_invalid_email)"}
    assert "email: Invalid email address" in caught.value.message


def test_a_lone_surrogate_from_the_store_is_replaced_not_passed_on(requests_mock, caplog):
    """A `\\udfff` escape is valid JSON but no character: passed on, it breaks every later pull (issue 11, item 1)."""
    requests_mock.get("https://shop.example/wp-json/wc/v3/products", headers=totals(1),
                      content=b'[{"id": 1, "name": "x \\udfff", "price": NaN}]')
    [product] = client().list("products", {}).items
    assert product == {"id": 1, "name": "x \ufffd", "price": None}
    assert "replaced by U+FFFD" in caplog.text
