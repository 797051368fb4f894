"""Listing: (updated_at, id) order, keyset cursors stable under writes, exclusive updated_after, tombstones."""
from __future__ import annotations

import pytest

from webshop_client import FROZEN_AT, Api, customer, product
from sandbox.webshop.app import create_app
from sandbox.webshop.listing import ListQuery, decode_cursor, listing_sql
from sandbox.webshop.seed import seed_bulk, store_of


def test_listing_is_ordered_by_updated_at_then_id_and_each_write_moves_a_record_to_the_end(api: Api) -> None:
    ids = [api.create("customers", customer(n))["id"] for n in range(4)]
    api.patch(f"/customers/{ids[1]}", json={"last_name": "Moved"}).raise_for_status()
    items = api.scan("customers", limit=2)
    assert [item["id"] for item in items] == [ids[0], ids[2], ids[3], ids[1]]
    assert [item["updated_at"] for item in items] == sorted(item["updated_at"] for item in items)


def test_writes_under_a_frozen_clock_still_get_strictly_increasing_stamps(api: Api) -> None:
    stamps = [api.create("products", product(n))["updated_at"] for n in range(3)]
    assert stamps == ["2026-11-28T03:17:04.000000Z", "2026-11-28T03:17:04.000001Z", "2026-11-28T03:17:04.000002Z"]


def test_a_scan_skips_nothing_and_repeats_no_version_while_records_change(api: Api) -> None:
    ids = [api.create("products", product(n))["id"] for n in range(7)]
    first = api.get("/products", params={"limit": 3}).json()
    api.patch(f"/products/{ids[0]}", json={"name": "seen, then changed"}).raise_for_status()
    api.patch(f"/products/{ids[4]}", json={"name": "changed before seen"}).raise_for_status()
    api.delete(f"/products/{ids[5]}").raise_for_status()
    rest = api.scan("products", limit=3, cursor=first["next_cursor"])
    seen = [(item["id"], item["version"]) for item in first["items"] + rest]
    assert seen == [(ids[0], 1), (ids[1], 1), (ids[2], 1), (ids[3], 1), (ids[6], 1), (ids[0], 2), (ids[4], 2)]


def test_updated_after_is_exclusive(api: Api) -> None:
    records = [api.create("customers", customer(n)) for n in range(3)]
    items = api.scan("customers", updated_after=records[1]["updated_at"])
    assert [item["id"] for item in items] == [records[2]["id"]]


def test_updated_after_accepts_any_rfc3339_offset(api: Api) -> None:
    record = api.create("customers", customer(1))
    assert api.scan("customers", updated_after="2026-11-28T04:17:03.999999+01:00") == [record]


def test_records_sharing_an_updated_at_page_by_id_across_the_boundary(api: Api) -> None:
    api.post("/_sandbox/reset", json={"seed": "demo"}).raise_for_status()
    products = api.scan("products", limit=500)
    assert len({item["updated_at"] for item in products}) == 1 and len(products) == 20
    assert [item["id"] for item in api.scan("products", limit=3)] == [item["id"] for item in products]
    assert api.scan("products", updated_after=products[0]["updated_at"]) == []


def test_tombstones_are_listed_only_with_include_deleted(api: Api) -> None:
    doomed = api.create("products", product(1, origin="wc-7"))
    kept = api.create("products", product(2))
    assert api.delete(f"/products/{doomed['id']}").status_code == 204
    assert [item["id"] for item in api.scan("products")] == [kept["id"]]
    assert api.scan("products", include_deleted="true") == [kept, {
        "id": doomed["id"], "deleted": True, "deleted_at": "2026-11-28T03:17:04.000002Z",
        "updated_at": "2026-11-28T03:17:04.000002Z", "version": 2, "origin": "wc-7"}]


def test_origin_filter_matches_the_whole_string_exactly(api: Api) -> None:
    wanted = api.create("customers", customer(1, origin="wc-12"))
    for n, near in enumerate(("wc-1", "wc-123", "WC-12", "wc-12 "), 2):
        api.create("customers", customer(n, origin=near))
    assert api.scan("customers", origin="wc-12", limit=1) == [wanted]


def test_origin_filter_lists_the_tombstone_and_the_live_record_that_took_its_origin(api: Api) -> None:
    doomed = api.create("customers", customer(1, origin="wc-12"))
    api.delete(f"/customers/{doomed['id']}").raise_for_status()
    heir = api.create("customers", customer(2, origin="wc-12"))
    assert api.scan("customers", origin="wc-12") == [heir]
    assert [(item["id"], item.get("deleted", False)) for item in
            api.scan("customers", origin="wc-12", include_deleted="true")] == [(doomed["id"], True), (heir["id"], False)]


@pytest.mark.parametrize(("params", "field"), [
    ({"limit": "0"}, "limit"), ({"limit": "501"}, "limit"), ({"limit": "ten"}, "limit"),
    ({"updated_after": "2026-11-28T03:17:04"}, "updated_after"), ({"updated_after": "yesterday"}, "updated_after"),
    ({"cursor": "bm90IGEgY3Vyc29y"}, "cursor"), ({"cursor": "e30"}, "cursor"),
    ({"include_deleted": "yes"}, "include_deleted"), ({"modified_after": FROZEN_AT}, "modified_after"),
])
def test_bad_listing_parameters_are_422_naming_the_parameter(api: Api, params: dict[str, str], field: str) -> None:
    response = api.get("/customers", params=params)
    assert response.status_code == 422
    assert field in response.json()["fields"]


def test_next_cursor_is_null_exactly_when_nothing_follows(api: Api) -> None:
    for n in range(4):
        api.create("customers", customer(n))
    full = api.get("/customers", params={"limit": 4}).json()
    assert full["next_cursor"] is None and len(full["items"]) == 4
    page = api.get("/customers", params={"limit": 3}).json()
    assert decode_cursor(page["next_cursor"]) == {"u": page["items"][-1]["updated_at"], "i": page["items"][-1]["id"]}


def test_a_page_from_a_large_shop_is_an_index_range_scan_not_a_sort(tmp_path: object) -> None:
    app = create_app(db_path=f"{tmp_path}/bulk.db")
    seed_bulk(app, orders=2_000, customers=50, products=20)
    shop = store_of(app)
    orders, cursor = shop.list("orders", {"limit": "100", "updated_after": "2000-01-01T00:00:00Z"})
    assert len(orders) == 100 and cursor is not None
    query = ListQuery(updated_after=orders[0]["updated_at"], cursor=decode_cursor(cursor), limit=100)
    plan = shop.db.explain(*listing_sql("orders", query, frozenset()))
    assert "USING INDEX records_by_update" in plan and "TEMP B-TREE" not in plan
    # Live origins are unique, so a live lookup is one index probe; tombstones may share an origin with a live record
    # and each other, and those listings walk the origin index in (updated_at, id) order.
    live_plan = shop.db.explain(*listing_sql("orders", ListQuery(origin="x"), frozenset()))
    assert "USING INDEX records_unique_origin (resource=? AND origin=?)" in live_plan
    origin_plan = shop.db.explain(*listing_sql("orders", ListQuery(origin="x", include_deleted=True), frozenset()))
    assert "records_by_origin" in origin_plan and "TEMP B-TREE" not in origin_plan
