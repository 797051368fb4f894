"""`make demo` (`python -m harness.demo`): both demo shops, both services and the real pipes, run offline until
nothing changes, then whether the two shops agree.

Starts the WooCommerce sandbox and the reference Custom Webshop, each seeded with its own demo data, serves our
service once per system, runs `sesam-config/` with the emulator round after round until nothing changes, and
shows, table by table, what each side holds and what the dataflow wrote into it; then what failed (pipe errors,
the share pipes' dead letters) and the agreement audit (`python -m dataflow audit`): every disagreement, every
record on one side only with its reason (refused by the target, an order waiting for its customer or product).
Exit status 0 when the shops agree, 1 when they do not.
"""
from __future__ import annotations

import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import requests

from emulator import Emulator, Report
from harness.world import start_world

NAMING_FIELDS = ("email", "sku", "number", "order_number", "name")

COLUMNS = {
    "products": (("sku", "sku"), ("name", "name"), ("price", "regular_price|price")),
    "customers": (("email", "email"), ("first name", "first_name"), ("last name", "last_name")),
    "orders": (("number", "number|order_number"), ("status", "status"), ("total", "total|grand_total")),
}


def cell(record: dict[str, Any], keys: str) -> str:
    # The first that holds something: a variable product has no regular price of its own, only its `price`.
    return next((str(record[key]) for key in keys.split("|") if record.get(key) not in (None, "")), "")


def origin(record: dict[str, Any]) -> str:
    stamp = record.get("origin") or next((m["value"] for m in record.get("meta_data", [])
                                          if m.get("key") == "sesam_origin"), None)
    return f"synced from {stamp}" if stamp else "native"


def show(title: str, records: list[dict[str, Any]], resource: str) -> None:
    rows = [[str(r["id"]), *(cell(r, keys) for _, keys in COLUMNS[resource]), origin(r)] for r in records]
    header = ["id", *(name for name, _ in COLUMNS[resource]), "where from"]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    print(f"\n{title} ({len(records)})")
    for row in [header, *rows]:
        print("  " + "  ".join(value.ljust(width)[:40] for value, width in zip(row, widths)))


def show_failures(report: Report, emulator: Emulator) -> None:
    errors = Counter(report.errors)
    print(f"\npipe errors ({sum(errors.values())})")
    for error, count in sorted(errors.items()):
        print(f"  {count} × {error}")
    for pipe in emulator.pipes:
        dataset = pipe.pump.get("dead_letter_dataset")
        letters = [letter for letter in emulator.dataset(dataset) if not letter["_deleted"]] if dataset else []
        if letters:
            print(f"dead letters of {pipe.id} ({len(letters)})")
        for letter in letters:
            which = letter.get("sesam_origin") or f"id {letter.get('id')}"
            named = next((str(letter[key]) for key in NAMING_FIELDS if letter.get(key)), "")
            print(f"  {which} {named}".rstrip())


def main() -> int:
    world = start_world(Path(tempfile.mkdtemp()) / "state")
    try:
        requests.post(world.woo.url + "/_sandbox/reset", json={"seed": "demo"}).raise_for_status()
        requests.post(world.shop.url + "/_sandbox/reset", json={"seed": "demo"}).raise_for_status()
        print(f"WooCommerce sandbox {world.woo.url} · reference webshop {world.shop.url}")
        print(f"services: woocommerce {world.woo_service.url} · customwebshop {world.shop_service.url}")
        before = world.woo_writes(), world.shop_writes()
        report = world.emulator().run()
        print(f"\npipes ran {len(report.rounds)} rounds; settled: {report.settled}")
        print(f"writes made by the dataflow: WooCommerce {world.woo_writes() - before[0]}, "
              f"Custom Webshop {world.shop_writes() - before[1]}")
        for resource in ("products", "customers", "orders"):
            show(f"WooCommerce {resource}", world.woo_list(resource), resource)
            show(f"Custom Webshop {resource}", world.shop_list(resource), resource)
        show_failures(report, world.emulator())
        audit = world.audit()
        print("\nagreement audit (python -m dataflow audit)")
        print("\n".join(f"  {line}" for line in audit.text().splitlines()))
        return 0 if audit.agree else 1
    finally:
        world.stop()


if __name__ == "__main__":
    sys.exit(main())
