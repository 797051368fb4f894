"""Lists: paging headers and links, limits, date windows at one-second resolution, ordering, `_fields`."""
from __future__ import annotations

import pytest
from woo_recordings import assert_error_as_recorded, recording


def _products(shop, count: int) -> list[int]:
    return [shop.created("/products", {"name": f"P{i}", "sku": f"p{i}"})["id"] for i in range(count)]


def test_single_page_list_has_totals_and_only_the_api_link(shop):
    """`products-list.json` (headers), `products-get-simple.json` (the link when there is one page)."""
    _products(shop, 2)
    response = shop.get("/products")
    recorded = recording("products-list.json")["headers"]
    assert (response.headers["X-WP-Total"], response.headers["X-WP-TotalPages"]) == ("2", "1")
    assert response.headers["Link"] == recording("products-get-simple.json")["headers"]["Link"]
    assert response.headers["Allow"] == recorded["Allow"] == "GET, POST"
    assert response.headers["Content-Type"] == recorded["Content-Type"]


def test_pages_link_prev_and_past_the_end_is_empty(shop):
    """`products-list-page-2.json`, `products-list-page-past-end.json`."""
    _products(shop, 2)
    for name in ("products-list-page-2.json", "products-list-page-past-end.json"):
        recorded = recording(name)
        response = shop.get("/products", search="p", per_page=1, page=recorded["request"]["query"]["page"])
        assert response.headers["X-WP-Total"] == recorded["headers"]["X-WP-Total"]
        assert response.headers["X-WP-TotalPages"] == recorded["headers"]["X-WP-TotalPages"]
        assert response.headers["Link"] == recorded["headers"]["Link"].replace("bb46ed", "p")
    assert shop.get("/products", per_page=1, page=3).json() == []


def test_next_link_echoes_the_query_with_booleans_normalised(shop):
    """`products-f03-modified-asc-paged.json`."""
    _products(shop, 3)
    recorded = recording("products-f03-modified-asc-paged.json")
    query = dict(recorded["request"]["query"], modified_after="2026-11-28T03:16:59")
    response = shop.get("/products", **query)
    assert [set(item) for item in response.json()] == [{"id", "name", "date_modified_gmt"}] * 2
    assert response.headers["Link"] == recorded["headers"]["Link"].replace("03%3A18%3A20", "03%3A16%3A59")


@pytest.mark.parametrize("path, name", [("/products", "products-list-per-page-101-400.json"),
                                        ("/orders", "orders-list-per-page-101-400.json"),
                                        ("/products", "products-list-invalid-modified-after-400.json"),
                                        ("/orders", "orders-list-invalid-modified-after-400.json"),
                                        ("/orders", "orders-f06-orderby-invalid-400.json"),
                                        ("/products", "products-f09-orderby-invalid-400.json"),
                                        ("/customers", "customers-f-orderby-email.json"),
                                        ("/customers", "customers-f-orderby-modified.json"),
                                        ("/customers", "customers-f-orderby-date-modified.json")])
def test_invalid_list_parameters_are_refused_as_recorded(shop, path, name):
    assert_error_as_recorded(shop.get(path, **recording(name)["request"]["query"]), name)


@pytest.mark.parametrize("path", ["/products", "/orders"])
def test_modified_after_is_exclusive_at_one_second(shop, path):
    """`products-f01-…-pair.json`, `products-f02-…-pair-second.json`, `orders-f01-…`, `orders-f02-…`."""
    body = {"name": "x"} if path == "/products" else {}
    shop.advance(10)
    pair = [shop.created(path, body)["id"], shop.created(path, body)["id"]]
    window = {"dates_are_gmt": "true", "orderby": "id", "order": "asc"}
    before = shop.get(path, modified_after="2026-11-28T03:17:09", **window).json()
    assert [item["id"] for item in before] == pair
    assert shop.get(path, modified_after="2026-11-28T03:17:10", **window).json() == []
    assert shop.get(path, modified_before="2026-11-28T03:17:10", **window).json() == []
    assert len(shop.get(path, modified_before="2026-11-28T03:17:11", **window).json()) == 2
    naive = shop.get(path, modified_after="2026-11-28T03:17:09", orderby="id", order="asc").json()
    assert [item["id"] for item in naive] == pair  # `products-f07-modified-after-naive-without-dates-are-gmt.json`


def test_orderby_modified_moves_an_updated_item_to_the_end(shop):
    """`products-f05-modified-asc-after-updating-first.json`, `products-f06-orderby-modified-desc.json`."""
    ids = _products(shop, 3)
    shop.advance()
    shop.put(f"/products/{ids[0]}", {"name": "later"})
    ascending = [p["id"] for p in shop.get("/products", orderby="modified", order="asc").json()]
    assert ascending == [ids[1], ids[2], ids[0]]
    descending = [p["id"] for p in shop.get("/products", orderby="modified", order="desc").json()]
    assert descending == [ids[0], ids[2], ids[1]]


def test_offset_include_exclude_and_default_order(shop):
    ids = _products(shop, 5)
    assert [p["id"] for p in shop.get("/products").json()] == ids[::-1]  # date desc, ties by id desc
    assert [p["id"] for p in shop.get("/products", orderby="id", order="asc", offset=3).json()] == ids[3:]
    included = shop.get("/products", include=f"{ids[3]},{ids[1]}", orderby="include").json()
    assert [p["id"] for p in included] == [ids[3], ids[1]]
    excluded = shop.get("/products", exclude=f"{ids[0]}", orderby="id", order="asc").json()
    assert [p["id"] for p in excluded] == ids[1:]
    assert [p["id"] for p in shop.get("/products", sku="P2").json()] == [ids[2]]  # `products-list-by-sku.json`


def test_product_list_default_status_is_any_but_trash(shop):
    """`products-e17-list-default-status-any.json`, `products-e18-list-status-draft.json`."""
    statuses = ["draft", "pending", "private", "publish"]
    created = {status: shop.created("/products", {"name": status, "status": status})["id"] for status in statuses}
    assert len(shop.get("/products").json()) == 4
    assert [p["id"] for p in shop.get("/products", status="draft").json()] == [created["draft"]]


def test_fields_filter_lists_and_single_items(shop):
    """`products-g01-…`, `products-g03-fields-unknown-field.json`, `customers-g02-fields-nested-billing-email.json`,
    `orders-g02-fields-nested-line-items.json`, `orders-g03-put-with-fields.json`."""
    product = shop.created("/products", {"name": "x"})
    listed = shop.get("/products", _fields="id,date_modified_gmt,nonsense")
    assert listed.json() == [{"id": product["id"], "date_modified_gmt": product["date_modified_gmt"]}]
    assert listed.headers["X-WP-Total"] == "1"
    single = shop.get(f"/products/{product['id']}", _fields="id,nonsense").json()
    assert set(single) == set(recording("products-g03-fields-unknown-field.json")["body"]) == {"id", "_links"}
    customer = shop.created("/customers", {"email": "f@example.test", "billing": {"email": "b@example.test"}})
    nested = shop.get("/customers", _fields="id,billing.email").json()
    assert nested == [{"id": customer["id"], "billing": {"email": "b@example.test"}}]
    order = shop.created("/orders", {"line_items": [{"product_id": product["id"]}]})
    assert shop.get("/orders", _fields="id,line_items.id").json() == [{"id": order["id"]}]
    put = shop.put(f"/orders/{order['id']}", {"customer_note": "n"}, _fields="id").json()
    assert set(put) == {"id", "_links"} and shop.get(f"/orders/{order['id']}").json()["customer_note"] == "n"


def test_customers_role_email_and_ignored_modified_after(shop):
    """`customers-d16-list-role-all.json`, `customers-list-by-email.json`, `customers-d09-…-empty.json`,
    `customers-list-invalid-modified-after-ignored.json`, `customers-f-modified-after-future-ignored.json`."""
    alice = shop.created("/customers", {"email": "Alice@example.test"})
    assert [c["id"] for c in shop.get("/customers").json()] == [alice["id"]]
    assert [c["role"] for c in shop.get("/customers", role="all", orderby="id").json()] == ["administrator",
                                                                                            "customer"]
    assert [c["id"] for c in shop.get("/customers", email="alice@example.test").json()] == [alice["id"]]
    assert shop.get("/customers", email="bob@example.test").json() == []
    for value in ("not-a-date", "2099-01-01T00:00:00"):
        assert len(shop.get("/customers", modified_after=value).json()) == 1


def test_orderby_id_window_over_many_orders_matches_a_scan(shop):
    """The indexed path answers what a full scan would (seeded without HTTP, then paged over HTTP)."""
    from datetime import timedelta

    from sandbox.woocommerce.seed import seed_bulk
    seed_bulk(shop.store, orders=3_000, products=5, customers=20, same_second=40, period=timedelta(days=3))
    rows = shop.store.orders.table.rows.values()
    after, before = "2026-11-26T00:00:00", "2026-11-28T03:17:00"
    expected = sorted(r["id"] for r in rows if after < r["date_modified_gmt"] < before and r["status"] != "trash")
    seen, page = [], 1
    while True:
        response = shop.get("/orders", orderby="id", order="asc", modified_after=after, modified_before=before,
                            dates_are_gmt="true", per_page=100, page=page, _fields="id,date_modified_gmt")
        seen += [o["id"] for o in response.json()]
        if page >= int(response.headers["X-WP-TotalPages"]):
            break
        page += 1
    assert seen == expected
    in_last_second = sum(r["date_modified_gmt"] == before and r["status"] != "trash" for r in rows)
    burst = shop.get("/orders", modified_after="2026-11-28T03:16:59", per_page=1)
    assert int(burst.headers["X-WP-Total"]) == in_last_second >= 40


def test_concurrent_creates_all_land_with_unique_ids(shop):
    """The threaded server serialises writes: parallel clients get distinct ids and the totals add up."""
    from concurrent.futures import ThreadPoolExecutor

    import requests

    def create(index: int) -> int:
        with requests.Session() as session:
            session.auth = shop.http.auth
            return session.post(f"{shop.api}/orders", json={"customer_note": str(index)}).json()["id"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = list(pool.map(create, range(40)))
    assert len(set(ids)) == 40
    assert shop.get("/orders", per_page=1).headers["X-WP-Total"] == "40"
