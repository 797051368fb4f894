"""What our sync keeps in a shop and relies on: `metadata` stored as sent and written with the fields sent with it,
and stock moved by checkouts but never by an order a sync copies in (docs/custom-webshop-api.md §3.1, §3.6)."""
from __future__ import annotations

from typing import Any

from service.conformance.checks.registry import check, expect
from service.conformance.samples import SAMPLES, Run, Sample


@check("metadata_kept_as_sent")
def check_metadata(run: Run, sample: Sample) -> None:
    """Nested values come back exactly; a PATCH merges key by key (null removes one); and a PATCH of a field with
    metadata is one change, so no reader sees the field without the bookkeeping that goes with it."""
    path = f"/{sample.resource}"
    sent = {"sync": {"applied": 3, "seen": ["a", 1, None], "note": "Ærøskøbing ✓"}, "crm": "x"}
    record = run.make(sample, metadata=sent)
    url = f"{path}/{record['id']}"
    for where, got in (("POST " + path, record.get("metadata")), ("GET " + url,
                                                                 run.client.get(sample.resource, record["id"])
                                                                 .get("metadata"))):
        expect(got == sent, f"{where} holds metadata {got!r}, expected it as sent: {sent!r}")
    changed = run.client.call("PATCH", url, 200, json={**sample.change(run.counter),
                                                          "metadata": {"crm": None, "erp": 7}})
    expect(changed.get("metadata") == {"sync": sent["sync"], "erp": 7},
           f"PATCH {url} with metadata {{\"crm\": null, \"erp\": 7}} left {changed.get('metadata')!r}: metadata "
           "merges key by key, and null removes a key")
    expect(changed["version"] == record["version"] + 1,
           f"PATCH {url} with a field and metadata went from version {record['version']} to {changed['version']}: "
           "a write and the metadata sent with it must be one change")


@check("stock_moved_by_checkouts_only", only=("orders",))
def check_stock(run: Run, sample: Sample) -> None:
    """A checkout takes its stock when placed, gives it back when cancelled and takes the difference when a line
    changes; an order created with an origin (a copy) never moves stock, whatever happens to it."""
    product = run.make(SAMPLES["products"], stock_quantity=10)

    def level() -> int:
        return run.client.get("products", product["id"])["stock_quantity"]

    def order(quantity: int, **fields: Any) -> dict[str, Any]:
        total = f"{10 * quantity}.00"
        return {**run.body(sample, **fields), "grand_total": total,
                "lines": [{"product_id": product["id"], "sku": product["sku"], "name": "Conformance stock",
                           "quantity": quantity, "unit_price": "10.00", "line_total": total}]}

    def after(what: str, expected: int) -> None:
        expect(level() == expected, f"{what}: GET /products/{product['id']} has stock_quantity {level()}, "
                                    f"expected {expected}")

    checkout = run.make(sample, order(2, origin=None, status="pending"))
    url = f"/orders/{checkout['id']}"
    expect(checkout.get("moves_stock") is True, f"POST /orders without origin answered moves_stock "
                                                f"{checkout.get('moves_stock')!r}, expected true")
    after("POST /orders without origin (a checkout) for 2 of stock 10", 8)
    run.client.call("PATCH", url, 200, json={"lines": order(3)["lines"], "grand_total": "30.00"})
    after(f"PATCH {url} raising the line to 3", 7)
    run.client.call("PATCH", url, 200, json={"status": "cancelled"})
    after(f"PATCH {url} to cancelled", 10)
    copy = run.make(sample, order(2, status="processing"))
    expect(copy.get("moves_stock") is False, f"POST /orders with origin answered moves_stock "
                                             f"{copy.get('moves_stock')!r}, expected false")
    after("POST /orders with origin (a copy) for 2", 10)
    run.client.call("PATCH", f"/orders/{copy['id']}", 200, json={"status": "cancelled"})
    after(f"PATCH /orders/{copy['id']} (a copy) to cancelled", 10)
