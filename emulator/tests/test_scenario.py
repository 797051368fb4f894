"""A whole loop through two stateful fake shops: collect (JSON Pull) → global (merge v2 on SKU) → share (JSON Push),
with namespaced identifiers as the docs recommend (hub/documentation/data-management/data-management.rst).

It shows the Sesam behaviours a two-way sync depends on, working together: the share pipe pushes again when the
global entity changes even if its output is the same (a json sink has no change tracking), the shop ignores the
identical write, and change tracking in the collect pipe and the merge then stop the loop."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, Response, request

from emulator import Emulator
from emulator.tests.conftest import microservice, write_config
from sandbox.serving import ServedApp


class Shop:
    """Records by `_id`; a write that changes nothing keeps the record's sequence number, like a real shop's
    modified date. A delete keeps the record as a tombstone (its fields and `_deleted: true`) so `since` readers see
    it, and a merge on SKU still knows which entity it was."""

    def __init__(self) -> None:
        self.records: dict[str, dict[str, Any]] = {}
        self.sequence = 0
        self.writes = 0
        app = Flask(__name__)
        app.add_url_rule("/entities", view_func=self.pull)
        app.add_url_rule("/receiver", view_func=self.push, methods=["POST"])
        self.app = app

    def put(self, record_id: str, **fields: Any) -> None:
        current = self.records.get(record_id, {})
        if fields.get("_deleted"):
            fields = {**{k: v for k, v in current.items() if not k.startswith("_")}, "_deleted": True}
        content = {"_id": record_id, **fields}
        if {k: v for k, v in current.items() if k != "_updated"} != content:
            self.sequence += 1
            self.records[record_id] = {**content, "_updated": self.sequence}

    def pull(self) -> Response:
        since = int(request.args.get("since", 0))
        found = sorted((r for r in self.records.values() if r["_updated"] > since), key=lambda r: r["_updated"])
        return Response(json.dumps(found), mimetype="application/json")

    def push(self) -> Response:
        for entity in request.get_json():
            self.writes += 1
            fields = {k: v for k, v in entity.items() if not k.startswith("_")}
            self.put(entity["_id"], **fields, **({"_deleted": True} if entity.get("_deleted") else {}))
        return Response("{}", mimetype="application/json")


Shops = tuple[Shop, Shop, dict[str, str]]  # WooCommerce, Custom Webshop, and their URLs by system id


@pytest.fixture
def shops() -> Iterator[Shops]:
    woo, webshop = Shop(), Shop()
    with ServedApp(woo.app) as woo_served, ServedApp(webshop.app) as webshop_served:
        yield woo, webshop, {"woocommerce": woo_served.url, "customwebshop": webshop_served.url}


def collect(system: str, namespace: str) -> dict[str, Any]:
    return {"_id": f"{namespace}-collect", "namespaces": {"identity": namespace, "property": namespace},
            "source": {"type": "json", "system": system, "url": "/entities", "supports_since": True},
            "transform": {"type": "dtl", "rules": {"default": [["copy", "*"]]}}}


PIPES = [
    collect("woocommerce", "woocommerce-product"),
    collect("customwebshop", "webshop-product"),
    {"_id": "global-product", "source": {
        "type": "merge", "version": 2, "identity": "first",
        "datasets": ["woocommerce-product-collect w", "webshop-product-collect s"],
        "equality": [["eq", "w.woocommerce-product:sku", "s.webshop-product:sku"]]}},
    {"_id": "webshop-product-share", "source": {"type": "dataset", "dataset": "global-product"},
     "transform": {"type": "dtl", "rules": {"default": [
         ["filter", ["is-not-null", "_S.woocommerce-product:sku"]],
         ["add", "_id", ["first", "_S.woocommerce-product:sku"]],
         ["add", "sku", ["first", "_S.woocommerce-product:sku"]],
         ["add", "name", ["first", "_S.woocommerce-product:name"]]]}},
     "sink": {"type": "json", "system": "customwebshop", "url": "/receiver"}},
]


def test_create_then_delete_flows_across_and_the_loop_settles(tmp_path: Path, shops: Shops) -> None:
    woo, webshop, urls = shops
    woo.put("76", sku="A-1", name="Mug")
    write_config(tmp_path, PIPES, [microservice("woocommerce"), microservice("customwebshop")],
                 metadata={"namespaced_identifiers": True})
    emulator = Emulator(tmp_path, urls)

    report = emulator.run()
    assert report.settled and not report.errors
    assert webshop.records["A-1"]["name"] == "Mug"
    [merged] = emulator.dataset("global-product")
    assert merged["$ids"] == ["~:woocommerce-product:76", "~:webshop-product:A-1"]
    # round 1 creates, round 2 echoes the same content (ignored by the shop), round 3 is quiet
    assert [report.pipe("webshop-product-share", n).pushed for n in range(len(report.rounds))] == [1, 1, 0]
    assert webshop.sequence == 1
    assert (report.total("webshop-product-share", "pushed"), webshop.writes) == (2, 2)

    woo.put("76", _deleted=True)
    report = emulator.run()
    assert report.settled and not report.errors
    assert webshop.records["A-1"].get("_deleted") is True

