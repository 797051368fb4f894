"""GET /entities/variation and POST /receiver/variation against the WooCommerce sandbox, over real sockets.

Variations are read through their parents, whose `date_modified` moves on every variation write and stock move
(FACTS, "Recorded 2026-12-01"), and written per parent through `/products/{id}/variations/batch`.
"""
from __future__ import annotations

from typing import Any

import requests

from tests.integration.conftest import Service, Woo


def tee(woo: Woo, name: str = "Tee", sizes: tuple[str, ...] = ("S", "M")) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    parent = woo.create("products", {"name": name, "type": "variable", "sku": name.upper(), "attributes": [
        {"name": "Size", "options": list(sizes), "variation": True}]})
    answer = woo.http.post(f"{woo.api}/products/{parent['id']}/variations/batch", json={"create": [
        {"sku": f"{name.upper()}-{size}", "regular_price": "10.00", "attributes": [{"name": "Size", "option": size}]}
        for size in sizes]})
    return parent, answer.json()["create"]


def test_a_full_read_lists_every_variation_of_every_variable_product_in_parent_then_id_order(woo: Woo,
                                                                                          service: Service):
    first, first_sizes = tee(woo, "Tee")
    woo.create("products", {"name": "Plain mug", "regular_price": "4.00"})
    woo.store.clock.advance(3)
    second, second_sizes = tee(woo, "Cap", ("S", "M", "L"))
    woo.store.clock.advance(5)
    entities = service.entities("variation")
    assert [e["_id"] for e in entities] == [str(v["id"]) for v in first_sizes + second_sizes]
    assert [e["_updated"] for e in entities] == sorted(e["_updated"] for e in entities)
    assert entities[0]["_updated"] == f"2026-11-28T03:17:00Z_{first['id']:012d}.{first_sizes[0]['id']:012d}"
    assert {e["parent_id"] for e in entities} == {first["id"], second["id"]}
    assert all(e["_deleted"] is False and "_links" not in e for e in entities)


def test_since_returns_the_variations_of_the_parents_changed_after_the_token(woo: Woo, service: Service):
    """A stock change of one variation moves its parent (`variations-b15-…`, `-b16-…`)."""
    tee(woo, "Tee")
    cap, cap_sizes = tee(woo, "Cap")
    woo.store.clock.advance(5)
    token = service.entities("variation")[-1]["_updated"]
    assert service.entities("variation", since=token) == []
    woo.http.put(f"{woo.api}/products/{cap['id']}/variations/{cap_sizes[1]['id']}",
                 json={"manage_stock": True, "stock_quantity": 3}).raise_for_status()
    woo.store.clock.advance(5)
    changed = service.entities("variation", since=token)
    assert [e["_id"] for e in changed] == [str(v["id"]) for v in cap_sizes]
    assert changed[1]["stock_quantity"] == 3


def test_a_read_resumes_within_a_parent_and_limit_cuts_it_anywhere(woo: Woo, service: Service):
    tee(woo, "Tee", ("S", "M", "L"))
    woo.store.clock.advance(5)
    everything = service.entities("variation")
    first_two = service.entities("variation", limit=2)
    assert first_two == everything[:2]
    assert service.entities("variation", since=first_two[-1]["_updated"]) == everything[2:]


def test_a_token_of_another_stream_is_refused(woo: Woo, service: Service):
    tee(woo)
    response = requests.get(f"{service.url}/entities/variation", params={"since": "2026-11-28T03:17:00Z_000000000010"})
    assert response.status_code == 400 and "variation" in response.json()["message"]


def test_requests_grow_with_the_changed_parents_not_with_the_store(woo: Woo, service: Service):
    """Thousands of variable products: an incremental read asks only about those that changed."""
    parents = [tee(woo, f"P{n}")[0] for n in range(30)]
    woo.store.clock.advance(5)
    token = service.entities("variation")[-1]["_updated"]
    woo.http.post(f"{woo.api}/products/{parents[7]['id']}/variations/batch",
                  json={"create": [{"sku": "P7-XL", "regular_price": "12.00",
                                    "attributes": [{"name": "Size", "option": "XL"}]}]}).raise_for_status()
    woo.store.clock.advance(5)
    before = woo.request_count()
    assert [e["sku"] for e in service.entities("variation", since=token)] == ["P7-S", "P7-M", "P7-XL"]
    assert woo.request_count() - before == 2, "one page of changed parents, one page of their variations"
