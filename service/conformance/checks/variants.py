"""Variants: one SKU space with products, a variant stays with its product, a sale of a variant moves the variant's
stock, and a deleted product takes its variants with it (docs/custom-webshop-api.md §3.4, §3.4.1, §3.5, §3.6)."""
from __future__ import annotations

from typing import Any

from service.conformance.checks.registry import check, expect, just_before
from service.conformance.checks.scans import scan
from service.conformance.client import error_body
from service.conformance.samples import SAMPLES, Run, Sample

VARIANTS = ("variants",)


@check("variant_skus_share_the_product_space", only=VARIANTS)
def check_shared_sku_space(run: Run, sample: Sample) -> None:
    """A variant may not take a product's SKU, nor a product a variant's, in any case: the sync links records by SKU,
    and in WooCommerce a variation's SKU and a product's are one space."""
    product = run.make(SAMPLES["products"])
    clash = run.body(sample, sku=str(product["sku"]).lower())
    answer = error_body(run.post(sample, json=clash), 409, "duplicate",
                        f"POST /variants with the sku of /products/{product['id']} in other case")
    expect((answer.get("existing_resource"), answer.get("existing_id")) == ("products", product["id"]),
           f"POST /variants: the 409 must name existing_resource \"products\" and existing_id {product['id']}, got "
           f"{answer.get('existing_resource')!r}, {answer.get('existing_id')!r}")
    variant = run.make(sample)
    products = SAMPLES["products"]
    answer = error_body(run.post(products, json=run.body(products, sku=str(variant["sku"]).upper())), 409,
                        "duplicate", f"POST /products with the sku of /variants/{variant['id']} in other case")
    expect((answer.get("existing_resource"), answer.get("existing_id")) == ("variants", variant["id"]),
           f"POST /products: the 409 must name existing_resource \"variants\" and existing_id {variant['id']}, got "
           f"{answer.get('existing_resource')!r}, {answer.get('existing_id')!r}")


@check("variant_stays_with_its_product", only=VARIANTS)
def check_variant_product(run: Run, sample: Sample) -> None:
    """`product_id` names a live product and never changes; an order line's variant is one of the line's product."""
    variant = run.make(sample)
    other = run.make(SAMPLES["products"])
    url = f"/variants/{variant['id']}"
    answer = error_body(run.client.request("PATCH", url, json={"product_id": other["id"]}), 422,
                        "validation_failed", f"PATCH {url} moving it to /products/{other['id']}")
    expect("product_id" in (answer.get("fields") or {}), f"PATCH {url}: the 422 must name product_id")
    expect(run.client.get("variants", variant["id"]) == variant, f"PATCH {url} refused with 422 changed it")
    line = {"product_id": other["id"], "variant_id": variant["id"], "name": "Conformance line", "quantity": 1,
            "unit_price": "10.00", "line_total": "10.00"}
    orders = SAMPLES["orders"]
    answer = error_body(run.post(orders, json=run.body(orders, lines=[line], grand_total="10.00")), 422,
                        "validation_failed", f"POST /orders with a line of /products/{other['id']} naming {url}")
    expect("lines[0].variant_id" in (answer.get("fields") or {}), "POST /orders: the 422 must name lines[0].variant_id")


def _line(variant: dict[str, Any], quantity: int) -> dict[str, Any]:
    return {"product_id": variant["product_id"], "variant_id": variant["id"], "sku": variant["sku"],
            "name": "Conformance variant line", "quantity": quantity, "unit_price": "10.00",
            "line_total": f"{10 * quantity}.00"}


def _levels(run: Run, variant: dict[str, Any]) -> tuple[Any, Any]:
    return (run.client.get("variants", variant["id"])["stock_quantity"],
            run.client.get("products", variant["product_id"])["stock_quantity"])


@check("variant_lines_move_the_variants_stock", only=VARIANTS)
def check_variant_stock(run: Run, sample: Sample) -> None:
    """A checkout's line of a variant takes from the variant's stock, gives it back when cancelled, and leaves the
    product's alone; a variant without stock of its own sells from its product's; a copy (with origin) moves
    nothing (§3.6)."""
    product = run.make(SAMPLES["products"], stock_quantity=50)
    own = run.make(sample, product_id=product["id"], stock_quantity=10)
    orders = SAMPLES["orders"]
    placed = run.make(orders, lines=[_line(own, 2)], grand_total="20.00", origin=None)
    where = f"after POST /orders (a checkout of 2 × /variants/{own['id']}, variant stock 10, product stock 50)"
    expect(_levels(run, own) == (8, 50), f"{where}: variant and product stock are {_levels(run, own)}, expected "
                                         "(8, 50)")
    run.client.call("PATCH", f"/orders/{placed['id']}", 200, json={"status": "cancelled"})
    expect(_levels(run, own) == (10, 50), f"after cancelling /orders/{placed['id']}: variant and product stock "
                                          f"are {_levels(run, own)}, expected (10, 50)")
    run.make(orders, lines=[_line(own, 3)], grand_total="30.00")
    expect(_levels(run, own) == (10, 50), f"after POST /orders with an origin (a copy): variant and product stock "
                                          f"are {_levels(run, own)}, expected (10, 50): a copy moves no stock")
    shared = run.make(sample, product_id=product["id"], stock_quantity=None)
    run.make(orders, lines=[_line(shared, 4)], grand_total="40.00", origin=None)
    expect(_levels(run, shared) == (None, 46),
           f"after a checkout of 4 × /variants/{shared['id']} (no stock of its own): variant and product stock are "
           f"{_levels(run, shared)}, expected (None, 46): it sells from its product's")


@check("deleted_product_takes_its_variants", only=VARIANTS)
def check_cascade(run: Run, sample: Sample) -> None:
    """Deleting a product deletes its variants, each leaving a tombstone a client can act on (§3.4, §6)."""
    product = run.make(SAMPLES["products"])
    variants = [run.make(sample, product_id=product["id"]) for _ in range(2)]
    run.client.call("DELETE", f"/products/{product['id']}", 204)
    for variant in variants:
        error_body(run.client.request("GET", f"/variants/{variant['id']}"), 404, "not_found",
                   f"GET /variants/{variant['id']} after DELETE /products/{product['id']}")
    found = scan(run.client, "variants", {"updated_after": just_before(variants[0]), "include_deleted": "true",
                                          "limit": 500})
    tombstones = {item["id"] for item in found.items if item.get("deleted") is True}
    missing = sorted({variant["id"] for variant in variants} - tombstones)
    expect(not missing, f"{found.url} (all pages) lists no tombstone of /variants {missing} after DELETE "
                        f"/products/{product['id']}")
