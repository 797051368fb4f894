"""Recordings of a real WooCommerce 9.2 store (tests/recordings/woocommerce) and the comparisons tests make."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import requests

RECORDINGS = Path(__file__).resolve().parents[2] / "recordings" / "woocommerce"


def recording(name: str) -> dict[str, Any]:
    return json.loads((RECORDINGS / name).read_text())


def assert_error_as_recorded(response: requests.Response, name: str) -> None:
    recorded = recording(name)
    assert (response.status_code, response.json()) == (recorded["status"], recorded["body"])


def assert_keys_as_recorded(body: dict[str, Any], name: str) -> None:
    """The same keys at the top level and in nested objects (values differ: other ids, other times)."""
    recorded = recording(name)["body"]
    assert set(body) == set(recorded)
    for key, value in recorded.items():
        if isinstance(value, dict) and key != "_links":
            assert set(body[key] or {}) == set(value), key


class Replay:
    """Send a recorded request sequence to the sandbox and compare each answer with the recorded one.

    Ids differ between the real store and the sandbox, so `ids` maps recorded ids to ours: seed it with what the
    test created beforehand; every answer adds the ids of its objects and items (matched by position). Request
    paths and bodies are translated through the map before sending.
    """

    ITEM_KINDS = ("line_items", "shipping_lines", "fee_lines", "coupon_lines")
    ID_KEYS = frozenset({"id", "product_id", "variation_id", "customer_id", "resource_id"})
    ID_LIST_PARAMS = frozenset({"include", "exclude", "customer", "product", "parent"})

    def __init__(self, shop: Any, ids: dict[int, int]) -> None:
        self.shop = shop
        self.ids = ids
        self.meta_ids: dict[int, int] = {}

    def translate(self, value: Any, key: str = "") -> Any:
        if key == "meta_data" and isinstance(value, list):
            # Meta ids are a sequence of their own (a meta id may equal an order id).
            return [{**m, "id": self.meta_ids.get(m["id"], m["id"])} if isinstance(m, dict) and "id" in m else m
                    for m in value]
        if isinstance(value, dict):
            return {k: self.translate(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self.translate(v, key) for v in value]
        if key in self.ID_KEYS and isinstance(value, int):
            return self.ids.get(value, value)
        return value

    def send(self, name: str) -> tuple[dict[str, Any], Any]:
        recorded = recording(name)
        request = recorded["request"]
        path = re.sub(r"/(\d+)", lambda m: f"/{self.ids.get(int(m.group(1)), m.group(1))}",
                      request["path"].removeprefix("/wp-json/wc/v3"))
        query = {key: (",".join(str(self.ids.get(int(i), i)) for i in str(value).split(","))
                       if key in self.ID_LIST_PARAMS else value) for key, value in request["query"].items()}
        response = self.shop.http.request(request["method"], self.shop.api + path, params=query,
                                          json=self.translate(request["body"]))
        assert response.status_code == recorded["status"], (name, response.text)
        self._compare_headers(name, recorded["headers"], response.headers, query)
        body = response.json()
        if recorded["status"] >= 400:
            assert body == self.translate(recorded["body"]), name
        elif isinstance(body, dict):
            self.ids[recorded["body"]["id"]] = body["id"]
            for kind in self.ITEM_KINDS:
                for ours, theirs in zip(body.get(kind, []), recorded["body"].get(kind, [])):
                    self.ids[theirs["id"]] = ours["id"]
            self._map_meta(name, body.get("meta_data", []), recorded["body"].get("meta_data", []))
        return recorded["body"], body

    def _compare_headers(self, name: str, recorded: dict[str, str], ours: Any, query: dict[str, Any]) -> None:
        """Totals, Allow and Content-Type as recorded; Link too unless it echoes ids that differ here."""
        compared = ["X-WP-Total", "X-WP-TotalPages", "Allow", "Content-Type"]
        if not self.ID_LIST_PARAMS & query.keys():
            compared.append("Link")
        for header in compared:
            if header in recorded:
                assert ours.get(header) == recorded[header], (name, header)

    def _map_meta(self, name: str, ours: list[dict[str, Any]], theirs: list[dict[str, Any]]) -> None:
        """Meta entries pair up by key; an entry the store kept must keep its id in the sandbox too."""
        by_key = {entry["key"]: entry["id"] for entry in ours}
        for entry in theirs:
            if entry["key"] not in by_key:
                continue
            if entry["id"] in self.meta_ids:
                assert self.meta_ids[entry["id"]] == by_key[entry["key"]], f"{name}: meta {entry['key']} changed id"
            self.meta_ids[entry["id"]] = by_key[entry["key"]]


def order_summary(order: dict[str, Any], ids: dict[int, int] | None = None) -> dict[str, Any]:
    """What an order's semantics come down to: status, totals, and each item's numbers (ids mapped to ours)."""
    mapped = ids or {}
    return {
        **{key: order[key] for key in ("status", "total", "discount_total", "shipping_total")},
        "paid": order["date_paid_gmt"] is not None, "completed": order["date_completed_gmt"] is not None,
        "refunds": [r["total"] for r in order["refunds"]],
        "line_items": [(mapped.get(i["product_id"], i["product_id"]), i["quantity"], i["subtotal"], i["total"],
                        i["price"], sorted((m["key"], m["value"]) for m in i["meta_data"]))
                       for i in order["line_items"]],
        "shipping_lines": [(i["method_id"], i["method_title"], i["instance_id"], i["total"])
                           for i in order["shipping_lines"]],
        "fee_lines": [(i["name"], i["tax_class"], i["tax_status"], i["amount"], i["total"])
                      for i in order["fee_lines"]],
    }


def meta_summary(body: dict[str, Any]) -> list[tuple[str, Any]]:
    """Meta entries as (key, value), in key order: the store's entry order is not stable (FACTS §7)."""
    return sorted(((m["key"], m["value"]) for m in body["meta_data"]), key=lambda kv: kv[0])


def customer_summary(body: dict[str, Any]) -> dict[str, Any]:
    """A customer's account fields; a generated username's random suffix is masked."""
    return {**{key: body[key] for key in ("email", "first_name", "last_name", "role")},
            "username": re.sub(r"-\d{4}$", "-NNNN", body["username"]), "billing_email": body["billing"]["email"]}


PRODUCT_FIELDS = ("name", "slug", "status", "sku", "price", "regular_price", "sale_price", "on_sale", "purchasable",
                  "manage_stock", "stock_quantity", "stock_status", "date_created_gmt", "date_modified_gmt",
                  "price_html", "categories")


def product_summary(body: dict[str, Any]) -> dict[str, Any]:
    return {key: body[key] for key in PRODUCT_FIELDS}
