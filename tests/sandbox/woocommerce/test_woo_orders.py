"""Orders: creation defaults and totals, line-item reconciliation, status side effects, meta and batch."""
from __future__ import annotations

from typing import Any

import pytest
from woo_recordings import assert_error_as_recorded, assert_keys_as_recorded, recording


@pytest.fixture()
def customer(shop) -> dict[str, Any]:
    return shop.created("/customers", recording("customers-create.json")["request"]["body"])


def _order_body(product_id: int, customer_id: int, **extra: Any) -> dict[str, Any]:
    body = recording("orders-create.json")["request"]["body"]
    body.update(customer_id=customer_id, line_items=[{"product_id": product_id, "quantity": 2}], **extra)
    return body


def test_create_defaults_totals_and_shape(shop, product, customer):
    """`orders-create.json`, `orders-get.json`: pending, number = id, rest-api, sale price × quantity, discounts."""
    body = _order_body(product["id"], customer["id"])
    body["line_items"].append({"product_id": product["id"], "quantity": 1, "subtotal": "30.00", "total": "27.00"})
    order = shop.created("/orders", body)
    assert_keys_as_recorded(order, "orders-get.json")
    assert (order["status"], order["number"], order["created_via"]) == ("pending", str(order["id"]), "rest-api")
    assert order["order_key"].startswith("wc_order_") and order["date_paid"] is None
    assert [(i["total"], i["price"]) for i in order["line_items"]] == [("30.00", 15), ("27.00", 27)]
    recorded = recording("orders-get.json")["body"]
    assert (order["discount_total"], order["shipping_total"], order["total"]) == (
        recorded["discount_total"], recorded["shipping_total"], recorded["total"])
    assert set(order["line_items"][0]) == set(recorded["line_items"][0])
    assert order["_links"]["customer"] == [{"href": f"https://shop.example.test/wp-json/wc/v3/customers/{customer['id']}"}]


def test_nonexistent_product_gives_a_product_id_0_line(shop, customer):
    """`orders-create-nonexistent-product.json`."""
    order = shop.created("/orders", recording("orders-create-nonexistent-product.json")["request"]["body"]
                         | {"customer_id": customer["id"]})
    line = order["line_items"][0]
    recorded = recording("orders-create-nonexistent-product.json")["body"]["line_items"][0]
    assert {k: v for k, v in line.items() if k != "id"} == {k: v for k, v in recorded.items() if k != "id"}


def test_line_item_by_sku_and_billing_email_from_customer(shop, product, customer):
    """`orders-create-line-item-by-sku.json`, `orders-create-negative-fee.json`."""
    order = shop.created("/orders", {"customer_id": customer["id"], "line_items": [{"sku": product["sku"]}],
                                     "fee_lines": [{"name": "Discount", "total": "-5.00"}]})
    assert order["line_items"][0]["product_id"] == product["id"]
    assert (order["total"], order["discount_total"]) == ("10.00", "0.00")
    assert order["billing"]["email"] == customer["email"] and order["billing"]["first_name"] == ""


@pytest.mark.parametrize("name", ["orders-create-invalid-customer-400.json", "orders-create-invalid-status-400.json",
                                  "orders-create-line-item-without-product-400.json"])
def test_create_errors_are_as_recorded_and_write_nothing(shop, product, name):
    body = recording(name)["request"]["body"]
    for line in body.get("line_items", []):
        if "product_id" in line:
            line["product_id"] = product["id"]
    assert_error_as_recorded(shop.post("/orders", body), name)
    assert shop.get("/orders").json() == []


def test_read_only_fields_are_ignored(shop, product):
    """`orders-create-readonly-fields-ignored.json`, `orders-put-readonly-fields-ignored.json`."""
    order = shop.created("/orders", {"line_items": [{"product_id": product["id"]}], "total": "1.00",
                                     "number": "X", "order_key": "k", "created_via": "me"})
    assert (order["total"], order["number"], order["created_via"]) == ("15.00", str(order["id"]), "rest-api")


def test_line_item_reconciliation_sequence(shop, product, customer):
    """`orders-li-00-create.json` … `orders-li-16-line-discount-total-below-subtotal.json`."""
    other = shop.created("/products", {"name": "Second", "regular_price": "4.00"})
    order = shop.created("/orders", {"customer_id": customer["id"], "line_items": [{"product_id": product["id"],
                                                                                     "quantity": 1}]})
    path = f"/orders/{order['id']}"
    first = order["line_items"][0]["id"]
    appended = shop.put(path, {"line_items": [{"product_id": product["id"], "quantity": 1}]}).json()
    assert [i["product_id"] for i in appended["line_items"]] == [product["id"]] * 2  # li-01
    assert appended["total"] == "30.00"
    second = appended["line_items"][1]["id"]
    requantified = shop.put(path, {"line_items": [{"id": first, "quantity": 3}]}).json()  # li-02
    line = requantified["line_items"][0]
    assert (line["quantity"], line["total"], line["price"]) == (3, "15.00", 5)
    repriced = shop.put(path, {"line_items": [{"id": first, "quantity": 3, "subtotal": "45.00", "total": "45.00"}]})
    assert repriced.json()["total"] == "60.00"  # li-03
    removed = shop.put(path, {"line_items": [{"id": second, "quantity": 0}]}).json()  # li-04
    assert [i["id"] for i in removed["line_items"]] == [first]
    added = shop.put(path, {"line_items": [{"product_id": other["id"], "quantity": 1}]}).json()  # li-05
    third = added["line_items"][1]["id"]
    switched = shop.put(path, {"line_items": [{"id": third, "product_id": product["id"]}]}).json()  # li-07
    assert (switched["line_items"][1]["name"], switched["line_items"][1]["total"]) == (product["name"], "4.00")
    dropped = shop.put(path, {"line_items": [{"id": third, "product_id": None}]}).json()  # li-06
    assert [i["id"] for i in dropped["line_items"]] == [first]
    other_order = shop.created("/orders", {"line_items": [{"product_id": product["id"]}]})
    foreign = shop.put(path, {"line_items": [{"id": other_order["line_items"][0]["id"], "quantity": 2}]})
    assert_error_as_recorded(foreign, "orders-li-10-foreign-line-item-id-400.json")
    missing = shop.put(path, {"line_items": [{"id": 99999999, "quantity": 2}]})
    assert_error_as_recorded(missing, "orders-li-11-nonexistent-line-item-id-400.json")
    shipping = shop.put(path, {"shipping_lines": [{"method_id": "flat_rate", "method_title": "Flat", "total": "5.00"}],
                               "fee_lines": [{"name": "Fee", "total": "2.50"}]}).json()
    assert shipping["total"] == "52.50"  # li-12, li-13
    fee_id, ship_id = shipping["fee_lines"][0]["id"], shipping["shipping_lines"][0]["id"]
    cleared = shop.put(path, {"fee_lines": [{"id": fee_id, "name": None}],
                              "shipping_lines": [{"id": ship_id, "method_id": None}]}).json()
    assert (cleared["fee_lines"], cleared["shipping_lines"], cleared["total"]) == ([], [], "45.00")  # li-14, li-15
    discounted = shop.put(path, {"line_items": [{"id": first, "total": "40.00"}]}).json()
    assert (discounted["discount_total"], discounted["total"]) == ("5.00", "40.00")  # li-16


def test_status_transitions_move_stock_once(shop, product):
    """`orders-status-00-…` to `orders-status-09-…`, `orders-status-20-…`: stock 10, line quantity 2."""
    order = shop.created("/orders", {"line_items": [{"product_id": product["id"], "quantity": 2}]})
    path, stock = f"/orders/{order['id']}", lambda: shop.get(f"/products/{product['id']}").json()["stock_quantity"]
    processing = shop.put(path, {"status": "processing"}).json()
    assert stock() == 8 and processing["date_paid_gmt"] is not None
    recorded = recording("orders-status-01-pending-to-processing.json")["body"]["line_items"][0]["meta_data"]
    assert [{**m, "id": 0} for m in processing["line_items"][0]["meta_data"]] == [{**m, "id": 0} for m in recorded]
    line = processing["line_items"][0]["id"]
    shop.put(path, {"line_items": [{"id": line, "quantity": 3}]})
    assert stock() == 7
    completed = shop.put(path, {"status": "completed"}).json()
    assert stock() == 7 and completed["date_completed_gmt"] is not None
    cancelled = shop.put(path, {"status": "cancelled"}).json()
    assert stock() == 10 and cancelled["line_items"][0]["meta_data"] == []
    shop.put(path, {"status": "on-hold"})
    assert stock() == 7
    shop.put(path, {"status": "pending"})
    assert stock() == 10
    refunded = shop.put(path, {"status": "refunded"}).json()
    assert stock() == 10
    assert refunded["refunds"][0]["reason"] == "Order fully refunded."
    assert refunded["refunds"][0]["total"] == "-" + refunded["total"]
    shop.put(path, {"status": "failed"})
    notes = shop.get(f"{path}/notes")
    recorded = recording("orders-status-23-notes-list.json")
    assert set(notes.json()[0]) == set(recorded["body"][0])
    texts = [n["note"] for n in notes.json()]
    name = f"{product['name']} ({product['sku']})"
    assert texts[:3] == [n["note"] for n in recorded["body"][:3]]  # failed, refunded, the refund reminder
    assert texts[-2:] == ["Order status changed from Pending payment to Processing.",
                          f"Stock levels reduced: {name} 10&rarr;8"]


def test_set_paid_processes_and_marks_the_customer_paying(shop, product, customer):
    """`orders-status-21-create-set-paid-true.json`, `orders-status-21-customer-after.json`."""
    shop.advance(2)
    order = shop.created("/orders", {"customer_id": customer["id"], "set_paid": True,
                                     "line_items": [{"product_id": product["id"], "quantity": 2}]})
    assert (order["status"], order["date_paid_gmt"]) == ("processing", "2026-11-28T03:17:02")
    after = shop.get(f"/customers/{customer['id']}").json()
    assert (after["is_paying_customer"], after["date_modified_gmt"]) == (True, "2026-11-28T03:17:02")
    assert shop.get(f"/products/{product['id']}").json()["stock_quantity"] == 8


def test_meta_data_merge_rules(shop):
    """`orders-meta-01-…` to `orders-meta-16-…`."""
    order = shop.created("/orders", {})
    path = f"/orders/{order['id']}"

    def meta(update: list[Any]) -> dict[str, Any]:
        return {m["key"]: m for m in shop.put(path, {"meta_data": update}).json()["meta_data"]}

    first = meta([{"key": "k1", "value": "v1"}])["k1"]
    assert set(meta([{"key": "k2", "value": "v2"}])) == {"k1", "k2"}
    assert meta([{"key": "k1", "value": "v3"}])["k1"] == {"id": first["id"], "key": "k1", "value": "v3"}
    assert meta([{"id": first["id"], "key": "k1_renamed", "value": "v4"}])["k1_renamed"]["id"] == first["id"]
    assert meta([{"id": first["id"], "value": "ignored"}])["k1_renamed"]["value"] == "v4"
    assert "k2" not in meta([{"key": "k2", "value": None}])
    assert meta([{"key": "empty", "value": ""}])["empty"]["value"] == ""
    assert "empty" not in meta([{"key": "empty"}])
    typed = meta([{"key": "num", "value": 42}, {"key": "flag", "value": True}, {"key": "obj", "value": {"a": [1]}},
                  {"key": "_private", "value": "x"}])
    assert (typed["num"]["value"], typed["flag"]["value"], typed["obj"]["value"], typed["_private"]["value"]) == (
        "42", "1", {"a": [1]}, "x")
    twice = shop.put(path, {"meta_data": [{"key": "dup", "value": "a"}, {"key": "dup", "value": "b"}]}).json()
    assert [m["value"] for m in twice["meta_data"] if m["key"] == "dup"] == ["b"]
    assert meta([{"id": 999999999, "key": "k4", "value": "z"}])["k4"]["id"] != 999999999
    before = shop.get(path).json()["meta_data"]
    assert shop.put(path, {"meta_data": []}).json()["meta_data"] == before


def test_trash_410_force_404(shop):
    """`orders-delete-no-force-trash.json`, `orders-get-trashed.json`, `orders-delete-again-no-force.json`,
    `orders-delete-force.json`, `orders-get-deleted-404.json`, `orders-list-status-trash.json`."""
    order = shop.created("/orders", {})
    path = f"/orders/{order['id']}"
    assert shop.delete(path).json()["status"] == "pending"
    assert shop.get(path).json()["status"] == "trash"
    assert shop.get("/orders").json() == []
    assert [o["id"] for o in shop.get("/orders", status="trash").json()] == [order["id"]]
    assert_error_as_recorded(shop.delete(path), "orders-delete-again-no-force.json")
    assert shop.delete(path, force="true").status_code == 200
    assert_error_as_recorded(shop.get(path), "orders-get-deleted-404.json")


def test_batch_mixed_one_failing(shop, product, customer):
    """`orders-batch-mixed-one-failing.json`, `orders-get-after-batch-delete.json`."""
    keep = shop.created("/orders", {"customer_id": customer["id"]})
    doomed = shop.created("/orders", {})
    response = shop.post("/orders/batch", {
        "create": [{"customer_id": customer["id"], "line_items": [{"product_id": product["id"], "quantity": 1}]}],
        "update": [{"id": keep["id"], "customer_note": "Batch-updated note."}, {"id": 999999999, "customer_note": "x"}],
        "delete": [doomed["id"]]})
    recorded = recording("orders-batch-mixed-one-failing.json")
    assert response.headers["Allow"] == recorded["headers"]["Allow"]
    body = response.json()
    assert body["update"][1] == recorded["body"]["update"][1]
    assert body["update"][0]["customer_note"] == "Batch-updated note."
    assert body["delete"][0]["id"] == doomed["id"]
    assert_error_as_recorded(shop.get(f"/orders/{doomed['id']}"), "orders-get-after-batch-delete.json")
