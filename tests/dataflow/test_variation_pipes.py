"""The generated pipes on variations, run offline in the configuration's `test` mode: records are fed to the collect
pipes as our services would stream them, and what the share pipes would push is read at their sinks (as `sesam
test` does). Each test is one rule of the model: how a deleted WooCommerce variation is seen, a variable product's
price, order lines naming variations both ways, and the stock copies of webshop orders hold of a variation."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from emulator import Emulator
from emulator.pipes import capture_dataset

CONFIG = Path(__file__).resolve().parents[2] / "sesam-config"
WOO_SECOND = "2026-12-01T21:40:{:02d}"


class Flow:
    """The real sesam-config, fed by hand, its pushes read at the share pipes' sinks."""

    def __init__(self) -> None:
        self.emulator = Emulator(CONFIG, {}, {"node-env": "test"}, {}, capture_output=True)
        self.pipes = {pipe.id: pipe for pipe in self.emulator.pipes}
        self.second = 0

    def woo(self, type_name: str, **record: Any) -> None:
        """A WooCommerce record as the service streams it, modified a second after the one before."""
        self.second += 1
        stamp = WOO_SECOND.format(self.second)
        full = {"date_modified_gmt": stamp, "meta_data": [], **record}
        self.pipes[f"woocommerce-{type_name}-collect"].receive(
            [{**full, "_id": str(record["id"]), "_updated": f"{stamp}Z_{record['id']:012d}", "_deleted": False}])

    def shop(self, type_name: str, **record: Any) -> None:
        self.second += 1
        stamp = f"2026-12-01T21:40:{self.second:02d}.000000Z"
        full = {"updated_at": stamp, "origin": None, "metadata": {}, **record}
        self.pipes[f"customwebshop-{type_name}-collect"].receive(
            [{**full, "_id": str(record["id"]), "_updated": f"{stamp}_{record['id']:012d}", "_deleted": False}])

    def run(self) -> None:
        report = self.emulator.run()
        assert not report.errors, report.errors

    def pushed(self, system: str, type_name: str) -> dict[str, dict[str, Any]]:
        """What the share pipe would push now, by `_id`, deletes included."""
        return {entity["_id"]: entity for entity in self.emulator.dataset(capture_dataset(f"{system}-{type_name}-share"))}


def link_product(flow: Flow, **fields: Any) -> None:
    """The webshop's copy of the T-shirt, made by the sync (its origin names the WooCommerce product)."""
    flow.shop("product", **{"id": 3, "sku": "TEE", "name": "Tee", "description": "", "price": "9.00",
                            "sale_price": None, "stock_quantity": None, "status": "publish", "weight": None,
                            "categories": [], "origin": "woocommerce-product:14", **fields})


def tee(**fields: Any) -> dict[str, Any]:
    return {"id": 14, "type": "variable", "name": "Tee", "sku": "TEE", "status": "publish", "description": "",
            "regular_price": "", "sale_price": "", "price": "9.00", "weight": "", "categories": [],
            "manage_stock": False, "stock_quantity": None, "variations": [15, 16], **fields}


def size(variation_id: int, option: str, **fields: Any) -> dict[str, Any]:
    return {"id": variation_id, "parent_id": 14, "sku": f"TEE-{option}", "regular_price": "9.00", "sale_price": "",
            "manage_stock": True, "stock_quantity": 5, "attributes": [{"id": 0, "name": "Size", "option": option}],
            **fields}


@pytest.fixture
def flow() -> Flow:
    linked = Flow()
    linked.woo("product", **tee())
    linked.woo("variation", **size(15, "S"))
    linked.woo("variation", **size(16, "M", regular_price="11.00"))
    linked.run()
    return linked


def test_variations_reach_the_webshop_under_their_product_once_it_is_there(flow: Flow) -> None:
    assert flow.pushed("customwebshop", "variation") == {}, "waiting: the product is not in the webshop yet"
    link_product(flow)
    flow.run()
    variants = flow.pushed("customwebshop", "variation")
    assert set(variants) == {"woocommerce-variation:15", "woocommerce-variation:16"}
    assert {v["product_id"] for v in variants.values()} == {3}
    assert variants["woocommerce-variation:15"]["options"] == [{"name": "Size", "value": "S"}]
    assert variants["woocommerce-variation:16"]["price"] == "11.00"


def test_a_variable_products_price_is_its_lowest_variations_and_is_never_written_into_woocommerce(flow: Flow) -> None:
    """`variations-b18-parent-after-lowest-price-change.json`, `variations-c02-put-type-variable.json`."""
    link_product(flow, price="25.00", sale_price="20.00")
    flow.run()
    assert (flow.pushed("customwebshop", "product")["customwebshop-product:3"]["price"],
            flow.pushed("customwebshop", "product")["customwebshop-product:3"]["sale_price"]) == ("9.00", None)
    into_woo = flow.pushed("woocommerce", "product")["woocommerce-product:14"]
    assert "regular_price" not in into_woo and "sale_price" not in into_woo


def test_a_variation_its_parent_no_longer_lists_is_deleted_in_the_webshop(flow: Flow) -> None:
    """A batch delete is permanent and leaves no trace (`variations-b06-…`); the parent's `variations` drops it
    (`variations-b07-…`), and that is what the node sees."""
    link_product(flow)
    flow.shop("variation", id=8, product_id=3, sku="TEE-M", options=[{"name": "Size", "value": "M"}],
              price="11.00", sale_price=None, stock_quantity=5, origin="woocommerce-variation:16")
    flow.run()
    assert flow.pushed("customwebshop", "variation").get("customwebshop-variation:8", {}).get("_deleted") is not True
    flow.woo("product", **tee(variations=[15]))
    flow.run()
    deleted = flow.pushed("customwebshop", "variation")["customwebshop-variation:8"]
    assert (deleted["_deleted"], deleted["id"]) == (True, 8)


def test_a_parent_read_before_its_new_variation_existed_does_not_delete_it(flow: Flow) -> None:
    """Products and variations are read by different streams: a view of the parent from before the variation was
    created, or from the same second, does not list it yet, and that is no delete (a delete moves the parent later)."""
    link_product(flow)
    flow.woo("variation", **size(17, "L"))
    flow.run()
    created = flow.pushed("customwebshop", "variation").get("woocommerce-variation:17")
    assert created is not None and created.get("_deleted") is not True and created["sku"] == "TEE-L"
    flow.woo("product", **tee(date_modified_gmt=WOO_SECOND.format(flow.second)))
    flow.run()
    assert flow.pushed("customwebshop", "variation")["woocommerce-variation:17"].get("_deleted") is not True


def test_a_variation_without_a_sku_of_its_own_does_not_link_by_its_parents(flow: Flow) -> None:
    """A variation with no SKU shows its parent's (`product-variations-delete-no-force.json`)."""
    link_product(flow)
    flow.shop("variation", id=9, product_id=3, sku="tee", options=[], price="1.00", sale_price=None,
              stock_quantity=None)
    flow.woo("variation", **size(17, "L", sku="TEE"))
    flow.woo("product", **tee(variations=[15, 16, 17]))
    flow.run()
    into_woo = flow.pushed("woocommerce", "variation")
    assert "customwebshop-variation:9" in into_woo, "the webshop variant links with nothing in WooCommerce"
    assert "id" not in into_woo["customwebshop-variation:9"]
    assert flow.pushed("customwebshop", "variation")["woocommerce-variation:17"]["sku"] is None, \
        "it has no SKU of its own (the webshop refuses it, and says so)"


def test_order_lines_name_the_variation_both_ways(flow: Flow) -> None:
    link_product(flow)
    flow.shop("variation", id=8, product_id=3, sku="TEE-M", options=[{"name": "Size", "value": "M"}],
              price="11.00", sale_price=None, stock_quantity=5, origin="woocommerce-variation:16")
    flow.shop("order", id=5, order_number="5", status="processing", currency="USD", customer_id=None,
              email="a@example.test", billing={}, shipping={}, shipping_total="0.00", fee_total="0.00",
              discount_total="0.00", tax_total="0.00", prices_include_tax=False, grand_total="22.00", note="",
              placed_at="2026-12-01T21:40:00.000000Z",
              lines=[{"product_id": 3, "variant_id": 8, "sku": "TEE-M", "name": "Tee - M", "quantity": 2,
                      "unit_price": "11.00", "line_total": "22.00"}])
    flow.woo("order", id=30, number="30", status="processing", currency="USD", customer_id=0, billing={},
             shipping={}, total="9.00", total_tax="0.00", shipping_total="0.00", fee_lines=[], prices_include_tax=False,
             customer_note="", date_created_gmt="2026-12-01T21:40:00",
             line_items=[{"id": 1, "product_id": 14, "variation_id": 15, "sku": "TEE-S", "name": "Tee - S",
                          "quantity": 1, "subtotal": "9.00", "total": "9.00", "meta_data": []}])
    flow.run()
    [line] = flow.pushed("woocommerce", "order")["customwebshop-order:5"]["line_items"]
    assert (line["product_id"], line["variation_id"]) == (14, 16)
    into_shop = flow.pushed("customwebshop", "order")
    assert "woocommerce-order:30" not in into_shop, "size S is not in the webshop yet: the order waits for it"
    flow.shop("variation", id=7, product_id=3, sku="TEE-S", options=[{"name": "Size", "value": "S"}],
              price="9.00", sale_price=None, stock_quantity=5, origin="woocommerce-variation:15")
    flow.run()
    [line] = flow.pushed("customwebshop", "order")["woocommerce-order:30"]["lines"]
    assert (line["product_id"], line["variant_id"]) == (3, 7)


def _copy(order_id: int, variation_id: int, product_id: int = 14) -> dict[str, Any]:
    """A WooCommerce copy of a webshop order whose line took 2 from stock (`_reduced_stock`)."""
    return {"id": order_id, "number": str(order_id), "status": "processing", "currency": "USD", "customer_id": 0,
            "billing": {}, "shipping": {}, "total": "18.00", "total_tax": "0.00", "shipping_total": "0.00",
            "fee_lines": [], "prices_include_tax": False, "customer_note": "", "date_created_gmt": "2026-12-01T21:40:00",
            "meta_data": [{"id": 1, "key": "sesam_origin", "value": f"customwebshop-order:{order_id}"}],
            "line_items": [{"id": 1, "product_id": product_id, "variation_id": variation_id, "sku": "x", "name": "x",
                            "quantity": 2, "subtotal": "18.00", "total": "18.00",
                            "meta_data": [{"id": 2, "key": "_reduced_stock", "value": "2"}]}]}


def test_a_copys_held_stock_counts_against_the_variation_or_the_parent_that_keeps_it(flow: Flow) -> None:
    """WooCommerce moves a variation's own stock, or its parent's when the variation has none
    (`stock-s02-…`, `stock-s33-…`): what a copy of a webshop order holds is counted out of that record."""
    flow.woo("variation", **size(18, "L", manage_stock=False, stock_quantity=None))
    flow.woo("product", **tee(variations=[15, 16, 18], manage_stock=True, stock_quantity=20))
    order = _copy(31, 15)
    order["line_items"].append({**order["line_items"][0], "id": 3, "variation_id": 18,
                                "meta_data": [{"id": 4, "key": "_reduced_stock", "value": "3"}]})
    flow.woo("order", **order)
    flow.run()
    held = {entity["_id"]: entity.get("woocommerce-variation:copies-held", entity.get("woocommerce-product:copies-held"))
            for dataset in ("woocommerce-variation-enrich", "woocommerce-product-enrich")
            for entity in flow.emulator.dataset(dataset)}
    assert (held["woocommerce-variation:15"], held["woocommerce-variation:16"], held["woocommerce-variation:18"],
            held["woocommerce-product:14"]) == (2, 0, 0, 3)


def test_a_variant_deleted_in_the_webshop_is_deleted_in_woocommerce_through_its_parent(flow: Flow) -> None:
    """WooCommerce deletes a variation through its parent's `/products/{id}/variations/batch`: the delete names it."""
    link_product(flow)
    flow.shop("variation", id=8, product_id=3, sku="TEE-M", options=[{"name": "Size", "value": "M"}],
              price="11.00", sale_price=None, stock_quantity=5, origin="woocommerce-variation:16")
    flow.run()
    flow.second += 1
    flow.pipes["customwebshop-variation-collect"].receive([
        {"_id": "8", "_updated": f"2026-12-01T21:40:{flow.second:02d}.000000Z_000000000008", "_deleted": True,
         "id": 8, "deleted": True, "origin": "woocommerce-variation:16"}])
    flow.run()
    deleted = flow.pushed("woocommerce", "variation")["woocommerce-variation:16"]
    assert (deleted["_deleted"], deleted["id"], deleted["parent_id"]) == (True, 16, 14)
