"""Customers: e-mail and username rules, no trash, batch."""
from __future__ import annotations

import pytest
from woo_recordings import assert_error_as_recorded, assert_keys_as_recorded, recording


def test_created_customer_has_the_recorded_keys(shop):
    """`customers-create.json`, `customers-get.json`, `customers-d02-get-new-customer.json`."""
    created = shop.created("/customers", recording("customers-create.json")["request"]["body"])
    got = shop.get(f"/customers/{created['id']}").json()
    assert_keys_as_recorded(got, "customers-get.json")
    assert got["date_modified_gmt"] == got["date_created_gmt"]
    assert "password" not in got


@pytest.mark.parametrize("name", ["customers-d06-create-missing-email-400.json",
                                  "customers-d07-create-invalid-email-400.json"])
def test_email_is_required_and_checked(shop, name):
    assert_error_as_recorded(shop.post("/customers", recording(name)["request"]["body"]), name)


def test_email_and_username_uniqueness(shop):
    """`customers-d01-…`, `customers-d04-…`, `customers-d05-…`, `customers-d14-…`, `customers-create-duplicate-…`."""
    bob = shop.created("/customers", recording("customers-d01-create-minimal-email-only.json")["request"]["body"])
    assert bob["username"] == "qa-bb46ed-bob" and bob["billing"]["email"] == ""
    other = shop.created("/customers", recording("customers-d14-create-same-local-part-username-suffix.json")[
        "request"]["body"])
    assert other["username"].startswith("qa-bb46ed-bob-") and other["username"][-4:].isdigit()
    assert_error_as_recorded(shop.post("/customers", recording("customers-d05-create-duplicate-email-other-case-400.json")[
        "request"]["body"]), "customers-d05-create-duplicate-email-other-case-400.json")
    shop.created("/customers", {"email": "carol@example.test", "username": "qa_bb46ed_carol"})
    assert_error_as_recorded(shop.post("/customers", recording("customers-d04-create-duplicate-username-400.json")[
        "request"]["body"]), "customers-d04-create-duplicate-username-400.json")


def test_email_change_and_username_not_editable(shop):
    """`customers-d08-…`, `customers-d10-…`, `customers-d11-…`, `customers-d12-…`, `customers-d13-…`."""
    alice = shop.created("/customers", {"email": "qa-bb46ed-alice@example.test"})
    carol = shop.created("/customers", {"email": "carol@example.test", "username": "carol"})
    path = f"/customers/{carol['id']}"
    assert shop.put(path, {"email": "carol2@example.test"}).json()["email"] == "carol2@example.test"
    assert_error_as_recorded(shop.put(path, {"email": alice["email"].upper()}),
                             "customers-d10-update-email-taken-400.json")
    assert_error_as_recorded(shop.put(path, recording("customers-d11-update-username-400.json")["request"]["body"]),
                             "customers-d11-update-username-400.json")
    assert shop.put(path, {"username": "carol"}).status_code == 200
    assert shop.put(path, {"password": "secret"}).status_code == 200


def test_partial_billing_changes_only_keys_sent(shop):
    """`customers-update.json`, `customers-d15-update-billing-email-independent.json`."""
    body = recording("customers-create.json")["request"]["body"]
    created = shop.created("/customers", body)
    updated = shop.put(f"/customers/{created['id']}", {"billing": {"city": "Oslo"}}).json()
    assert updated["billing"] == {**created["billing"], "city": "Oslo"}
    assert updated["email"] == created["email"]


def test_no_trash_only_force(shop):
    """`customers-delete-no-force-501.json`, `customers-delete-force.json`, `customers-get-deleted-404.json`."""
    created = shop.created("/customers", {"email": "gone@example.test"})
    path = f"/customers/{created['id']}"
    assert_error_as_recorded(shop.delete(path), "customers-delete-no-force-501.json")
    assert shop.delete(path, force="true").json()["email"] == "gone@example.test"
    assert_error_as_recorded(shop.get(path), "customers-get-deleted-404.json")


def test_batch_with_duplicate_email(shop):
    """`customers-batch-mixed-one-failing.json`."""
    alice = shop.created("/customers", {"email": "qa-bb46ed-alice@example.test"})
    doomed = shop.created("/customers", {"email": "doomed@example.test"})
    recorded = recording("customers-batch-mixed-one-failing.json")
    body = recorded["request"]["body"] | {"update": [{"id": alice["id"], "first_name": "Alicia B"}],
                                          "delete": [doomed["id"]]}
    response = shop.post("/customers/batch", body).json()
    assert response["create"][1] == recorded["body"]["create"][1]
    assert response["update"][0]["first_name"] == "Alicia B"
    assert shop.get(f"/customers/{doomed['id']}").status_code == 404


def test_batch_over_100_items_is_refused_and_writes_nothing(shop):
    """`products-batch-101-items-413.json`."""
    body = recording("products-batch-101-items-413.json")["request"]["body"]
    assert_error_as_recorded(shop.post("/products/batch", body), "products-batch-101-items-413.json")
    assert shop.get("/products").json() == []
    assert shop.store.stats.as_json()["total_writes"] == 0


def test_product_batch_errors_in_place(shop, product):
    """`products-batch-mixed-one-failing.json`, `products-batch-create-duplicate-sku.json`."""
    body = {"create": [{"name": "dup", "sku": product["sku"]}, {"name": "new", "sku": "new"}],
            "update": [{"id": 999999999, "regular_price": "9.00"}]}
    response = shop.post("/products/batch", body).json()
    duplicate = recording("products-batch-create-duplicate-sku.json")["body"]["create"][0]
    duplicate["error"]["data"]["resource_id"] = product["id"]
    assert response["create"][0] == duplicate
    assert response["create"][1]["sku"] == "new"
    assert response["update"] == recording("products-batch-mixed-one-failing.json")["body"]["update"][1:]
    assert "delete" not in response


@pytest.mark.parametrize("orderby", ["name", "include", "registered_date", "id"])
def test_orderby_as_recorded(shop, orderby):
    """`customers-f-orderby-name.json`, `-include.json`, `-registered-date.json`, `-id.json`: the same customers
    created in the same order come back in the recorded order."""
    made = {}
    for email, username in [("qa-bb46ed-alice@example.test", None), ("qa-bb46ed-batch@example.test", None),
                            ("qa-bb46ed-payer@example.test", None), ("qa-bb46ed-bob@example.test", None),
                            ("qa-bb46ed-carol@example.test", "qa_bb46ed_carol"),
                            ("qa-bb46ed-bob@other.example.test", None)]:
        shop.advance()
        made[email] = shop.created("/customers", {"email": email} | ({"username": username} if username else {}))
    shop.put(f"/customers/{made['qa-bb46ed-bob@example.test']['id']}", {"email": "qa-bb46ed-bob-new@example.test"})
    recorded = recording(f"customers-f-orderby-{orderby.replace('_', '-')}.json")
    listed = shop.get("/customers", **recorded["request"]["query"]).json()
    assert [c["email"] for c in listed] == [c["email"] for c in recorded["body"]]
