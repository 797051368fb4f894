"""Writes: defaults, validation, uniqueness, references, PUT/PATCH semantics, unchanged writes, If-Match, deletes."""
from __future__ import annotations

from typing import Any

import pytest

from webshop_client import FROZEN_AT, Api, customer, product


def order(customer_id: int | None, product_id: int | None, **fields: Any) -> dict[str, Any]:
    return {"currency": "NOK", "customer_id": customer_id, "grand_total": "20.00",
            "lines": [{"product_id": product_id, "name": "Mug", "quantity": 2, "unit_price": "10.00",
                       "line_total": "20.00"}], **fields}


def test_create_fills_defaults_and_read_only_fields(api: Api) -> None:
    response = api.post("/products", json=product(1))
    assert response.status_code == 201
    assert response.headers["Location"] == "/products/1" and response.headers["ETag"] == '"1"'
    assert response.json() == {
        "id": 1, "sku": "SKU-1", "name": "Product 1", "description": "", "price": "10.00", "sale_price": None,
        "stock_quantity": None, "status": "publish", "weight": None, "categories": [], "origin": None,
        "metadata": {}, "created_at": FROZEN_AT, "updated_at": FROZEN_AT, "version": 1}
    assert api.get("/products/1").json() == response.json()


def test_orders_get_a_number_and_placed_at_when_omitted_and_keep_them_on_put(api: Api) -> None:
    buyer, mug = api.create("customers", customer(1)), api.create("products", product(1))
    created = api.create("orders", order(buyer["id"], mug["id"]))
    assert (created["order_number"], created["placed_at"]) == ("1", FROZEN_AT)
    replaced = api.put(f"/orders/{created['id']}", json=order(buyer["id"], mug["id"], note="Ring twice")).json()
    assert (replaced["order_number"], replaced["placed_at"], replaced["version"]) == ("1", FROZEN_AT, 2)


def test_validation_reports_every_bad_field_by_path_and_writes_nothing(api: Api) -> None:
    body = {**order(None, None), "currency": "nok", "grand_total": 20, "colour": "red",
            "billing": {"country": "Norway"}, "lines": [{"name": "", "quantity": 0, "unit_price": "1",
                                                         "line_total": "1.00"}]}
    response = api.post("/orders", json=body)
    assert response.status_code == 422
    assert response.json()["error"] == "validation_failed"
    assert set(response.json()["fields"]) == {"currency", "grand_total", "colour", "billing.country",
                                             "lines[0].name", "lines[0].quantity", "lines[0].unit_price"}
    assert api.scan("orders", include_deleted="true") == []
    assert api.get("/_sandbox/stats").json()["orders"] == {"create": 0, "update": 0, "delete": 0}


@pytest.mark.parametrize(("body", "status", "error"), [
    (b"{not json", 400, "invalid_json"), (b"[]", 422, "validation_failed"), (b"", 422, "validation_failed")])
def test_a_body_that_is_not_a_json_object_is_refused(api: Api, body: bytes, status: int, error: str) -> None:
    response = api.post("/customers", data=body, headers={"Content-Type": "application/json"})
    assert (response.status_code, response.json()["error"]) == (status, error)


def test_unknown_references_are_422_but_deleted_ones_are_history(api: Api) -> None:
    mug = api.create("products", product(1))
    response = api.post("/orders", json=order(99, 98))
    assert response.status_code == 422
    assert response.json()["fields"] == {"customer_id": "no customers record with id 99",
                                         "lines[0].product_id": "no products record with id 98"}
    api.delete(f"/products/{mug['id']}").raise_for_status()
    assert api.post("/orders", json=order(None, mug["id"])).status_code == 201


def test_unique_values_clash_case_insensitively_naming_the_holder(api: Api) -> None:
    first = api.create("customers", customer(1))
    response = api.post("/customers", json=customer(2, email="PERSON1@Example.TEST"))
    assert response.status_code == 409
    assert response.json() == {"error": "duplicate", "message": "email is already used by customers/1",
                               "field": "email", "existing_id": first["id"]}
    other, holder = api.create("products", product(2)), api.create("products", product(3))
    assert api.patch(f"/products/{other['id']}", json={"sku": "sku-3"}).json()["existing_id"] == holder["id"]


def test_origin_is_unique_among_live_records_compared_exactly(api: Api) -> None:
    """docs/custom-webshop-api.md §3.1: only the shop can make "look up by origin, then create" atomic."""
    first = api.create("orders", order(None, None, origin="wc-7"))
    response = api.post("/orders", json=order(None, None, origin="wc-7"))
    assert response.status_code == 409
    assert response.json() == {"error": "duplicate", "message": "origin is already used by orders/1",
                               "field": "origin", "existing_id": first["id"]}
    other = api.create("orders", order(None, None, origin="WC-7"))
    assert api.patch(f"/orders/{other['id']}", json={"origin": "wc-7"}).json()["existing_id"] == first["id"]
    assert api.put(f"/orders/{other['id']}", json=order(None, None, origin="wc-7")).status_code == 409
    assert api.get(f"/orders/{other['id']}").json()["version"] == 1
    assert api.patch(f"/orders/{first['id']}", json={"origin": "wc-7", "note": "same origin"}).status_code == 200


def test_the_unique_value_clash_is_reported_before_the_origin_clash(api: Api) -> None:
    first = api.create("products", product(1, origin="wc-1"))
    response = api.post("/products", json=product(1, origin="wc-1"))
    assert (response.json()["field"], response.json()["existing_id"]) == ("sku", first["id"])


def test_a_deleted_records_origin_is_free_but_its_tombstone_keeps_it(api: Api) -> None:
    first = api.create("customers", customer(1, origin="wc-3"))
    api.delete(f"/customers/{first['id']}").raise_for_status()
    again = api.create("customers", customer(2, origin="wc-3"))
    tombstone = api.scan("customers", include_deleted="true")[0]
    assert (tombstone["id"], tombstone["origin"], again["origin"]) == (first["id"], "wc-3", "wc-3")


def test_a_deleted_records_unique_value_can_be_used_again_with_a_new_id(api: Api) -> None:
    first = api.create("products", product(1))
    api.delete(f"/products/{first['id']}").raise_for_status()
    assert api.create("products", product(1))["id"] == first["id"] + 1


def test_put_replaces_every_writable_field_and_ignores_read_only_ones(api: Api) -> None:
    created = api.create("products", product(1, description="Old", categories=["Tea"]))
    replaced = api.put("/products/1", json={**product(1, name="New"), "id": 77, "version": 9}).json()
    assert (replaced["id"], replaced["name"], replaced["description"], replaced["categories"]) == (1, "New", "", [])
    assert replaced["version"] == created["version"] + 1


def test_patch_merges_objects_replaces_arrays_and_null_restores_defaults(api: Api) -> None:
    api.create("customers", customer(1, billing={"city": "Oslo", "company": "Acme"}, origin="wc-1"))
    patched = api.patch("/customers/1", json={"billing": {"company": None, "postcode": "0150"}, "origin": None}).json()
    assert (patched["billing"]["city"], patched["billing"]["company"], patched["billing"]["postcode"]) == (
        "Oslo", "", "0150")
    assert patched["origin"] is None
    assert api.patch("/customers/1", json={"email": None}).json()["fields"] == {"email": "is required"}


def test_writes_that_change_nothing_keep_version_stamp_and_stats(api: Api) -> None:
    created = api.create("customers", customer(1))
    api.put("/_sandbox/clock", json={"advance": 60}).raise_for_status()
    for method, body in (("put", created), ("put", customer(1)), ("patch", {}), ("patch", {"first_name": "Person 1"})):
        assert getattr(api, method)("/customers/1", json=body).json() == created
    assert api.get("/_sandbox/stats").json()["customers"] == {"create": 1, "update": 0, "delete": 0}


def test_if_match_refuses_stale_versions_with_the_current_one(api: Api) -> None:
    api.create("customers", customer(1))
    assert api.patch("/customers/1", json={"last_name": "A"}, headers={"If-Match": "1"}).status_code == 200
    for method in ("put", "patch", "delete"):
        response = getattr(api, method)("/customers/1", json=customer(1), headers={"If-Match": '"1"'})
        assert response.status_code == 412
        assert response.json() == {"error": "version_mismatch", "message": "the record is at version 2",
                                   "current_version": 2}
    assert api.get("/customers/1").json()["last_name"] == "A"
    assert api.delete("/customers/1", headers={"If-Match": '"2"'}).status_code == 204


def test_a_malformed_if_match_is_422(api: Api) -> None:
    api.create("customers", customer(1))
    response = api.patch("/customers/1", json={}, headers={"If-Match": "*"})
    assert response.status_code == 422 and "If-Match" in response.json()["fields"]


def test_deleted_and_unknown_records_are_404_everywhere(api: Api) -> None:
    api.create("customers", customer(1))
    assert api.delete("/customers/1").status_code == 204
    for method in ("get", "put", "patch", "delete"):
        response = getattr(api, method)("/customers/1", json={})
        assert (response.status_code, response.json()["error"]) == (404, "not_found")
    assert api.get("/vouchers").status_code == 404
    assert api.post("/customers/1").json()["error"] == "method_not_allowed"
