"""Recorded request sequences replayed against the sandbox: the same requests give the same semantics."""
from __future__ import annotations

from datetime import datetime

import pytest
from woo_recordings import (RECORDINGS, Replay, customer_summary, meta_summary, order_summary, product_summary,
                            recording)


def _names(prefix: str) -> list[str]:
    return sorted(path.name for path in RECORDINGS.glob(f"{prefix}*.json"))


def test_line_item_sequence(shop):
    """`orders-li-00-create.json` … `orders-li-16-line-discount-total-below-subtotal.json`."""
    ten = shop.created("/products", {"name": "QA Ten", "regular_price": "10.00"})
    seven = shop.created("/products", {"name": "QA Seven", "regular_price": "7.00"})
    foreign = shop.created("/orders", {"line_items": [{"product_id": ten["id"]}]})
    ids = {93: ten["id"], 94: seven["id"], 48: foreign["line_items"][0]["id"]}
    replay = Replay(shop, ids)
    for name in _names("orders-li-"):
        recorded, ours = replay.send(name)
        if "line_items" in recorded:
            assert order_summary(ours) == order_summary(recorded, ids), name


def test_status_sequence(shop):
    """`orders-status-00-…` … `orders-status-25-…`, product and customer read-backs and the notes list."""
    stock = shop.created("/products", {"name": "QA Stock bb46ed", "sku": "qa-bb46ed-stock", "regular_price": "4.00",
                                       "manage_stock": True, "stock_quantity": 10})
    stock2 = shop.created("/products", {"name": "QA Stock2 bb46ed", "sku": "qa-bb46ed-stock2",
                                        "regular_price": "4.00", "manage_stock": True, "stock_quantity": 10})
    alice = shop.created("/customers", {"email": "qa-bb46ed-alice@example.test"})
    payer = shop.created("/customers", {"email": "qa-bb46ed-payer@example.test"})
    ids = {98: stock["id"], 131: stock2["id"], 12: alice["id"], 16: payer["id"]}
    replay = Replay(shop, ids)
    notes_name = "orders-status-23-notes-list.json"
    for name in _names("orders-status-"):
        if name == "orders-status-20-pending-to-cancelled-no-stock-change.json":
            ids[101] = shop.created("/orders", {"line_items": [{"product_id": stock["id"], "quantity": 1}]})["id"]
        if name == "orders-status-24-pending-to-on-hold.json":
            for recorded_id, quantity in ((132, 2), (133, 3)):
                ids[recorded_id] = shop.created("/orders", {"line_items": [{"product_id": stock2["id"],
                                                                             "quantity": quantity}]})["id"]
        shop.advance()
        recorded, ours = replay.send(name)
        if name == notes_name:
            assert [n["note"] for n in ours] == [n["note"] for n in recorded]
        elif "line_items" in recorded:
            assert order_summary(ours) == order_summary(recorded, ids), name
        elif "stock_quantity" in recorded:
            assert ours["stock_quantity"] == recorded["stock_quantity"], name
        else:
            assert ours["is_paying_customer"] == recorded["is_paying_customer"], name


def test_order_meta_sequence(shop):
    """`orders-meta-01-add-key.json` … `orders-meta-17-get-final.json`, ids kept where the store kept them."""
    replay = Replay(shop, {104: shop.created("/orders", {})["id"]})
    for name in _names("orders-meta-"):
        recorded, ours = replay.send(name)
        assert meta_summary(ours) == meta_summary(recorded), name


def test_customer_account_sequence(shop):
    """`customers-d01-…` … `customers-d16-list-role-all.json`, then `customers-meta-01-…`, `customers-meta-02-…`."""
    alice = shop.created("/customers", {"email": "qa-bb46ed-alice@example.test", "first_name": "Alice",
                                        "meta_data": [{"key": "qa_tag", "value": "bb46ed"}]})
    replay = Replay(shop, {12: alice["id"], 1: 1})
    for name in _names("customers-d[0-9]"):
        recorded, ours = replay.send(name)
        if isinstance(recorded, list):
            assert [customer_summary(c) for c in ours] == [customer_summary(c) for c in recorded], name
        elif "email" in recorded:
            assert customer_summary(ours) == customer_summary(recorded), name
    for name in _names("customers-meta-"):
        recorded, ours = replay.send(name)
        assert meta_summary(ours) == meta_summary(recorded), name


def _at(shop, moment: str) -> None:
    shop.store.clock.freeze(datetime.fromisoformat(moment))


@pytest.mark.parametrize("path, first, pair_second, next_second, update_second, update_body, after_update", [
    ("products", 125, "2026-11-28T03:18:21", "2026-11-28T03:18:22", "2026-11-28T03:18:24", {"name": "QA Since A2"},
     "products-f05"),
    ("orders", 128, "2026-11-28T03:18:25", "2026-11-28T03:18:26", "2026-11-28T03:18:29", {"customer_note": "x"},
     "orders-f03"),
])
def test_since_window_sequence(shop, path, first, pair_second, next_second, update_second, update_body,
                               after_update):
    """`products-f01-…` … `products-f08-…`, `orders-f01-…` … `orders-f05-…`: two records written in one second
    and one a second later, then the first updated; each recorded list query gives the recorded ids, times and
    paging headers."""
    body = {"name": "QA Since"} if path == "products" else {}
    ids = {}
    for offset, moment in enumerate((pair_second, pair_second, next_second)):
        _at(shop, moment)
        ids[first + offset] = shop.created(f"/{path}", body)["id"]
    replay = Replay(shop, ids)
    for name in _names(f"{path}-f"):
        if name.startswith(after_update) and not shop.store.clock.now().isoformat() == update_second:
            _at(shop, update_second)
            assert shop.put(f"/{path}/{ids[first]}", update_body).status_code == 200
        recorded, ours = replay.send(name)
        if isinstance(recorded, list):
            mapped = [(ids.get(item["id"]), item.get("date_modified_gmt")) for item in recorded]
            assert [(item["id"], item.get("date_modified_gmt")) for item in ours] == mapped, name


def test_product_rules_sequence(shop):
    """`products-e01-…` … `products-e29-…`, each write at its recorded second, so dates compare too."""
    _at(shop, "2026-11-28T03:17:04")
    simple = shop.created("/products", recording("products-create-simple.json")["request"]["body"] | {"categories": []})
    parent = shop.created("/products", recording("products-create-variable.json")["request"]["body"])
    variation = shop.created(f"/products/{parent['id']}/variations",
                             recording("product-variations-create.json")["request"]["body"])
    ids = {76: simple["id"], 78: variation["id"]}
    replay = Replay(shop, ids)
    for name in _names("products-e"):
        recorded_body = recording(name)["body"]
        if name.startswith("products-e10"):  # a product trashed before this step holds the SKU
            _at(shop, "2026-11-28T03:17:50")
            trashed = shop.created("/products", {"name": "QA Trashed bb46ed", "sku": "qa-bb46ed-trashed"})
            ids[107] = trashed["id"]
            shop.delete(f"/products/{trashed['id']}")
        if isinstance(recorded_body, dict) and str(recorded_body.get("date_modified_gmt")).startswith("2026"):
            _at(shop, recorded_body["date_modified_gmt"])
        recorded, ours = replay.send(name)
        if isinstance(recorded, list):
            assert [(item["id"], item["status"]) for item in ours] == [
                (ids[item["id"]], item["status"]) for item in recorded], name
        elif "sku" in recorded:
            assert product_summary(ours) == product_summary(recorded), name
