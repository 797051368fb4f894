"""GET /entities/variation and POST /receiver/variation against the WooCommerce sandbox, over real sockets.

Variations are read through their parents, whose `date_modified` moves on every variation write and stock move
(FACTS, "Recorded 2026-12-01"), and written per parent through `/products/{id}/variations/batch`.
"""
from __future__ import annotations

from typing import Any

import requests

from tests.integration.conftest import Service, Woo, push, total_writes


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


# -- POST /receiver/variation ---------------------------------------------------------------------------------------

def pushed_size(parent_id: int, size: str, **fields: Any) -> dict[str, Any]:
    return {"_id": f"customwebshop-variation:{size}", "sesam_origin": f"customwebshop-variation:{size}",
            "parent_id": parent_id, "sku": f"HOODIE-{size}", "regular_price": "40.00",
            "attributes": [{"name": "Size", "option": size}], **fields}


def test_variations_pushed_to_a_simple_product_make_it_variable_with_their_options(woo: Woo, service: Service):
    """WooCommerce keeps a variation's attribute only when its parent varies by it (`prepare_object_for_database`,
    class-wc-rest-product-variations-controller.php): the parent gains the attribute and every option first."""
    parent = woo.create("products", {"name": "Hoodie", "sku": "HOODIE", "regular_price": "40.00"})
    answer = push(service.url, "variation", [pushed_size(parent["id"], "S"),
                                             pushed_size(parent["id"], "M", regular_price="45.00")])
    assert answer.status_code == 200 and answer.json()["created"] == 2, answer.text
    after = woo.http.get(f"{woo.api}/products/{parent['id']}").json()
    assert after["type"] == "variable"
    assert [(a["name"], a["options"], a["variation"]) for a in after["attributes"]] == [("Size", ["S", "M"], True)]
    listed = woo.http.get(f"{woo.api}/products/{parent['id']}/variations").json()
    assert sorted((v["sku"], v["regular_price"], v["attributes"][0]["option"]) for v in listed) == [
        ("HOODIE-M", "45.00", "M"), ("HOODIE-S", "40.00", "S")]
    assert all(meta["value"].startswith("customwebshop-variation:") for v in listed for meta in v["meta_data"]
               if meta["key"] == "sesam_origin")


def test_a_create_meeting_its_sku_in_the_parent_adopts_that_variation_and_unchanged_ones_are_not_written(
        woo: Woo, service: Service):
    """A variation that exists on both sides links up: the create meets the SKU (another case) in the space products
    and variations share (`product_invalid_sku` with `resource_id`, `variations-b19-…`, `-b21-…`) and becomes an update of it.
    Nothing unchanged is written, because every variation write moves the parent's `date_modified` (`-b12-…`)."""
    parent, [small] = tee(woo, "Hoodie", ("S",))
    answer = push(service.url, "variation", [pushed_size(parent["id"], "S", sku="hoodie-s", regular_price="42.00")])
    assert (answer.json()["created"], answer.json()["updated"]) == (0, 1), answer.text
    [variation] = woo.http.get(f"{woo.api}/products/{parent['id']}/variations").json()
    assert (variation["id"], variation["regular_price"]) == (small["id"], "42.00")
    woo.store.clock.advance(5)
    before = total_writes(woo)
    same = {**pushed_size(parent["id"], "S", sku="hoodie-s", regular_price="42"), "id": variation["id"]}
    assert push(service.url, "variation", [same]).json()["unchanged"] == 1
    assert total_writes(woo) == before


def test_a_variation_whose_sku_a_product_holds_is_refused_naming_it(woo: Woo, service: Service):
    parent = woo.create("products", {"name": "Hoodie", "sku": "HOODIE", "regular_price": "40.00"})
    woo.create("products", {"name": "Other", "sku": "HOODIE-S", "regular_price": "1.00"})
    answer = push(service.url, "variation", [pushed_size(parent["id"], "S")])
    assert answer.status_code == 422, answer.text
    assert "sku" in answer.text.lower()
    assert woo.http.get(f"{woo.api}/products/{parent['id']}/variations").json() == []


def test_a_deleted_variation_is_deleted_for_good_and_a_parent_left_without_any_is_simple_again(
        woo: Woo, service: Service):
    """A trashed variation would keep its SKU; WooCommerce's own screen deletes variations for good."""
    parent, sizes = tee(woo, "Tee", ("S", "M"))
    deletes = [{"_id": f"customwebshop-variation:{v['id']}", "_deleted": True, "id": v["id"], "parent_id": parent["id"]}
               for v in sizes]
    assert push(service.url, "variation", deletes[:1]).json()["deleted"] == 1
    assert [v["sku"] for v in woo.http.get(f"{woo.api}/products/{parent['id']}/variations").json()] == ["TEE-M"]
    assert push(service.url, "variation", deletes[1:]).json()["deleted"] == 1
    after = woo.http.get(f"{woo.api}/products/{parent['id']}").json()
    assert (after["type"], after["variations"]) == ("simple", [])
    assert push(service.url, "variation", deletes[1:]).json()["deleted"] == 1, "deleting again is not a failure"
    edit = push(service.url, "variation", [{"_id": "e", "id": sizes[0]["id"], "parent_id": parent["id"],
                                            "regular_price": "1.00"}])
    assert (edit.status_code, edit.json()["gone"]) == (200, 1), "an edit of a deleted variation: the delete wins"


def test_a_variation_without_its_parent_is_refused_and_nothing_is_written(woo: Woo, service: Service):
    before = total_writes(woo)
    answer = push(service.url, "variation", [{**pushed_size(1, "S"), "parent_id": "one"}])
    assert answer.status_code == 400 and "parent_id" in answer.text
    missing = push(service.url, "variation", [pushed_size(999, "S")])
    assert missing.status_code == 422 and "999" in missing.text
    assert total_writes(woo) == before
