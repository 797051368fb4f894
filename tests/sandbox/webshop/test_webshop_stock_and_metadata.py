"""Stock moved by checkout orders and never by copies, order money fields, and `metadata` (contract §3.1, §3.5, §3.6)."""
from __future__ import annotations

from typing import Any

import pytest

from webshop_client import Api, customer, product


def order_of(product_id: int, quantity: int, **fields: Any) -> dict[str, Any]:
    return {"currency": "NOK", "grand_total": f"{10 * quantity}.00", **fields,
            "lines": [{"product_id": product_id, "name": "Mug", "quantity": quantity, "unit_price": "10.00",
                       "line_total": f"{10 * quantity}.00"}]}


def stock(api: Api, product_id: int) -> int | None:
    return api.get(f"/products/{product_id}").json()["stock_quantity"]


def test_a_checkout_takes_its_stock_when_placed_and_a_cancellation_gives_it_back_once(api: Api) -> None:
    mug = api.create("products", product(1, stock_quantity=10))
    placed = api.create("orders", order_of(mug["id"], 2))  # a pending checkout holds its stock, as shops do
    assert placed["moves_stock"] is True and stock(api, mug["id"]) == 8
    api.patch(f"/orders/{placed['id']}", json={"status": "processing"}).raise_for_status()
    assert stock(api, mug["id"]) == 8, "moving on between holding statuses takes nothing more"
    api.patch(f"/orders/{placed['id']}", json={"status": "cancelled"}).raise_for_status()
    api.patch(f"/orders/{placed['id']}", json={"note": "still cancelled"}).raise_for_status()
    assert stock(api, mug["id"]) == 10, "given back once"
    api.patch(f"/orders/{placed['id']}", json={"status": "processing"}).raise_for_status()
    assert stock(api, mug["id"]) == 8, "taken again when the order leaves cancelled"


def test_a_changed_line_takes_or_gives_the_difference_and_backorders_go_negative(api: Api) -> None:
    mug, cup = api.create("products", product(1, stock_quantity=3)), api.create("products", product(2, stock_quantity=5))
    placed = api.create("orders", order_of(mug["id"], 2))
    api.patch(f"/orders/{placed['id']}", json={"lines": order_of(mug["id"], 5)["lines"]}).raise_for_status()
    assert stock(api, mug["id"]) == -2, "backorders: stock may go below zero"
    api.patch(f"/orders/{placed['id']}", json={"lines": order_of(cup["id"], 1)["lines"]}).raise_for_status()
    assert (stock(api, mug["id"]), stock(api, cup["id"])) == (3, 4), "a line moved to another product"


def test_an_order_copied_in_by_a_sync_never_moves_stock(api: Api) -> None:
    mug = api.create("products", product(1, stock_quantity=10))
    copy = api.create("orders", order_of(mug["id"], 2, origin="woocommerce-order:7", status="processing"))
    assert copy["moves_stock"] is False and stock(api, mug["id"]) == 10
    api.patch(f"/orders/{copy['id']}", json={"status": "cancelled"}).raise_for_status()
    api.patch(f"/orders/{copy['id']}", json={"status": "completed", "origin": None}).raise_for_status()
    assert stock(api, mug["id"]) == 10, "decided when the order is created: a copy stays a copy"


def test_unmanaged_stock_is_not_counted_and_a_product_managed_later_is_not_given_back_what_was_never_taken(
        api: Api) -> None:
    free = api.create("products", product(1))
    placed = api.create("orders", order_of(free["id"], 2))
    api.patch(f"/products/{free['id']}", json={"stock_quantity": 4}).raise_for_status()
    api.patch(f"/orders/{placed['id']}", json={"status": "cancelled"}).raise_for_status()
    assert stock(api, free["id"]) == 4


def test_stock_moves_are_changes_of_the_product_and_deleting_an_order_gives_nothing_back(api: Api) -> None:
    mug = api.create("products", product(1, stock_quantity=10))
    placed = api.create("orders", order_of(mug["id"], 2))
    moved = api.get(f"/products/{mug['id']}").json()
    assert moved["version"] == 2, "a sync reading products since the last scan sees the new level"
    assert api.delete(f"/orders/{placed['id']}").status_code == 204
    assert stock(api, mug["id"]) == 8, "as in WooCommerce, cancel an order to give its stock back"


def test_a_refused_order_moves_no_stock(api: Api) -> None:
    mug = api.create("products", product(1, stock_quantity=10))
    assert api.post("/orders", json={**order_of(mug["id"], 2), "customer_id": 99}).status_code == 422
    assert stock(api, mug["id"]) == 10


def test_seeded_orders_hold_what_they_sold_so_cancelling_one_gives_it_back(api: Api) -> None:
    api.post("/_sandbox/reset", json={"seed": "demo"}).raise_for_status()
    held = next(o for o in api.scan("orders") if o["status"] == "processing" and o["lines"][0]["product_id"]
                and stock(api, o["lines"][0]["product_id"]) is not None)
    line = held["lines"][0]
    before = stock(api, line["product_id"])
    api.patch(f"/orders/{held['id']}", json={"status": "cancelled"}).raise_for_status()
    assert stock(api, line["product_id"]) == before + sum(
        other["quantity"] for other in held["lines"] if other["product_id"] == line["product_id"])


def test_orders_carry_fees_and_say_whether_their_prices_include_tax(api: Api) -> None:
    mug = api.create("products", product(1))
    created = api.create("orders", order_of(mug["id"], 1))
    assert (created["fee_total"], created["prices_include_tax"]) == ("0.00", False)
    assert api.post("/orders", json={**order_of(mug["id"], 1), "prices_include_tax": "yes"}).json()["fields"] == {
        "prices_include_tax": "must be true or false"}


def test_metadata_is_stored_as_sent_merged_by_key_and_bounded(api: Api) -> None:
    created = api.create("customers", customer(1, metadata={"sync": {"stock": 3, "seen": ["a"]}, "crm": "x"}))
    assert created["metadata"] == {"sync": {"stock": 3, "seen": ["a"]}, "crm": "x"}
    patched = api.patch(f"/customers/{created['id']}", json={"metadata": {"crm": None, "erp": 7}}).json()
    assert patched["metadata"] == {"sync": {"stock": 3, "seen": ["a"]}, "erp": 7}
    assert patched["version"] == 2, "a metadata change is a change of the record"
    for bad, message in (("x", "must be an object"), ({"k" * 65: 1}, "keys must be 1-64 characters"),
                         ({str(n): n for n in range(51)}, "must have at most 50 keys"),
                         ({"big": "x" * 16_400}, "must be at most 16384 bytes as JSON")):
        answer = api.post("/customers", json=customer(2, metadata=bad))
        assert answer.json()["fields"] == {"metadata": message}


@pytest.mark.parametrize("resource", ["customers", "products", "orders"])
def test_moves_stock_is_read_only_and_may_be_sent_back(api: Api, resource: str) -> None:
    mug = api.create("products", product(9))
    body = {"customers": customer(1), "products": product(1), "orders": order_of(mug["id"], 1)}[resource]
    record = api.create(resource, body)
    again = api.put(f"/{resource}/{record['id']}", json={**record, "moves_stock": not record.get("moves_stock")})
    assert again.status_code == 200 and again.json()["version"] == record["version"]
