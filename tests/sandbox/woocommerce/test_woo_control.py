"""The control plane: reset (empty or demo), clock, write/read counts, and the shared fault endpoints."""
from __future__ import annotations

import requests


def test_reset_to_demo_and_back_to_empty(shop):
    demo = requests.post(f"{shop.url}/_sandbox/reset", json={"seed": "demo"}).json()
    assert demo["counts"]["products"] >= 20 and demo["counts"]["orders"] == 30
    orders = shop.get("/orders", per_page=100)
    assert int(orders.headers["X-WP-Total"]) == 27  # three are trashed
    assert len(shop.get("/orders", status="trash").json()) == 3
    variable = [p for p in shop.get("/products", per_page=100).json() if p["type"] == "variable"][0]
    assert len(shop.get(f"/products/{variable['id']}/variations").json()) == 3
    again = requests.post(f"{shop.url}/_sandbox/reset", json={"seed": "demo"}).json()
    assert again == demo
    empty = requests.post(f"{shop.url}/_sandbox/reset").json()["counts"]
    assert empty == {"products": 0, "orders": 0, "customers": 1}  # WordPress always has its administrator


def test_reset_refuses_unknown_seed(shop):
    shop.created("/products", {"name": "kept"})
    response = requests.post(f"{shop.url}/_sandbox/reset", json={"seed": "huge"})
    assert response.status_code == 400
    assert len(shop.get("/products").json()) == 1


def test_clock_freezes_advances_and_releases(shop):
    clock = f"{shop.url}/_sandbox/clock"
    assert requests.put(clock, json={"now": "2026-01-01T00:00:00"}).json() == {"now": "2026-01-01T00:00:00",
                                                                                "frozen": True}
    assert shop.created("/products", {"name": "x"})["date_created_gmt"] == "2026-01-01T00:00:00"
    assert requests.put(clock, json={"advance": 90}).json()["now"] == "2026-01-01T00:01:30"
    assert shop.get("/products").headers["Date"].endswith("Thu, 01 Jan 2026 00:01:30 GMT")
    assert requests.put(clock, json={"advance": "soon"}).status_code == 400
    assert requests.put(clock, json={"frozen": False}).json()["frozen"] is False
    assert requests.put(clock, json={"advance": 1}).status_code == 400


def test_stats_count_applied_writes_and_reads(shop):
    created = shop.created("/products", {"name": "x"})
    shop.put(f"/products/{created['id']}", {})
    shop.put(f"/products/{created['id']}", {"sku": 5})  # refused: not counted
    shop.get("/products")
    shop.get(f"/products/{created['id']}")
    stats = requests.get(f"{shop.url}/_sandbox/stats").json()
    assert stats == {"writes": {"products": {"create": 1, "update": 1}}, "reads": {"products": 2},
                     "total_writes": 2}
    requests.delete(f"{shop.url}/_sandbox/stats")
    assert requests.get(f"{shop.url}/_sandbox/stats").json()["total_writes"] == 0


def test_faults_wrap_the_api(shop):
    faults = f"{shop.url}/_sandbox/faults"
    requests.put(faults, json={"fail": [{"status": 503, "count": 1, "retry_after": 2, "path": "/wp-json/wc/v3"}]})
    failed = shop.get("/products")
    assert (failed.status_code, failed.headers["Retry-After"]) == (503, "2")
    assert shop.get("/products").status_code == 200
    assert requests.delete(faults).json()["fail"] == []


def test_unknown_route_or_method_is_rest_no_route(shop):
    for response in (shop.get("/coupons-nope"), shop.delete("/products")):
        assert (response.status_code, response.json()["code"]) == (404, "rest_no_route")


def test_index_is_public_and_names_the_list_parameters(shop):
    """Clients feature-detect `modified_after` in the index (reference §1.4); customers have no date filters."""
    index = requests.get(shop.api).json()
    orders = index["routes"]["/wc/v3/orders"]["endpoints"][0]["args"]
    customers = index["routes"]["/wc/v3/customers"]["endpoints"][0]["args"]
    assert {"modified_after", "modified_before", "dates_are_gmt", "orderby"} <= set(orders)
    assert "modified_after" not in customers and "email" in customers
