"""GET /entities/variation on a store of many variable products, side by side with a per-parent loop.

    python bench/variation_stream.py [--parents N] [--sizes N] [--changed N] [--latency-ms MS] [--concurrency N]

WooCommerce lists variations per parent only. The baseline is what a connector without a changes feed does: list
every variable product (`type=variable`, 100 a page), then each one's variations, one after the other, on every
read. The service (README, "Variable products") asks for the variable products changed since its token, then their
variations, several parents ahead in parallel. Both read one WooCommerce sandbox (seeded without HTTP, every API
request delayed by --latency-ms) in the same run: a full read, then an incremental read after a price change of
one variation in --changed parents. The service runs as in production (`python -m service`, its own process).
Progress goes to stderr.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gunicorn_process import (KEY, SECRET, add_store_and_service_options, running_service,  # noqa: E402
                              woocommerce_service_env)
from progress import HelpFormatter, Progress  # noqa: E402
from sandbox.faults import Faults  # noqa: E402
from sandbox.serving import ServedApp, free_port  # noqa: E402
from sandbox.woocommerce import Store, create_app  # noqa: E402
from service.settings import Settings  # noqa: E402

SIZE_NAMES = ("XS", "S", "M", "L", "XL", "XXL", "3XL", "4XL")


def seed(store: Store, parents: int, sizes: int) -> list[tuple[int, int]]:
    """`parents` variable products of `sizes` variations each; returns (parent id, first variation id) per parent."""
    options = list(SIZE_NAMES[:sizes])
    firsts = []
    with store.lock:
        for n in range(parents):
            parent = store.products.create({"name": f"Shirt {n}", "type": "variable", "sku": f"SHIRT-{n:06d}",
                                            "attributes": [{"name": "Size", "options": options, "variation": True}]})
            made = [store.variations.create_for(store.products.table.rows[parent["id"]], {
                "sku": f"SHIRT-{n:06d}-{size}", "regular_price": "20.00", "manage_stock": True, "stock_quantity": 10,
                "attributes": [{"name": "Size", "option": size}]}) for size in options]
            firsts.append((parent["id"], made[0]["id"]))
    return firsts


def baseline(api: str, total: int) -> tuple[int, float, int]:
    """Every variable product, then each one's variations, sequentially: (variations, seconds, requests)."""
    progress = Progress("baseline", total)
    session = requests.Session()
    session.auth = (KEY, SECRET)
    count, sent, page = 0, 0, 1
    started = time.perf_counter()
    while True:
        parents = session.get(f"{api}/products", params={"type": "variable", "per_page": 100, "page": page,
                                                         "orderby": "id", "order": "asc", "_fields": "id"}).json()
        sent += 1
        for parent in parents:
            count += len(session.get(f"{api}/products/{parent['id']}/variations", params={"per_page": 100}).json())
            sent += 1
            progress.update(count)
        if len(parents) < 100:
            return count, time.perf_counter() - started, sent
        page += 1


def service_read(url: str, since: str | None) -> tuple[int, float, str | None]:
    """(variations streamed, seconds, the last `_updated`)."""
    started = time.perf_counter()
    with requests.get(f"{url}/entities/variation", params={"since": since} if since else {}) as response:
        response.raise_for_status()
        entities: list[dict[str, Any]] = response.json()
    return len(entities), time.perf_counter() - started, entities[-1]["_updated"] if entities else since


def requests_since_reset(shop_url: str) -> int:
    sent = sum(requests.get(shop_url + "/_sandbox/requests").json().values())
    requests.delete(shop_url + "/_sandbox/requests")
    return sent


def arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=HelpFormatter)
    parser.add_argument("--parents", type=int, default=1_000, help="variable products in the store")
    parser.add_argument("--sizes", type=int, default=4, choices=range(1, len(SIZE_NAMES) + 1),
                        help="variations per variable product")
    parser.add_argument("--changed", type=int, default=20, help="parents with one variation changed before the "
                                                                "incremental read")
    add_store_and_service_options(parser)
    return parser


def main() -> None:
    args = arguments().parse_args()
    port = args.port or free_port()
    store = Store()
    print(f"seeding {args.parents} variable products of {args.sizes} sizes ...", file=sys.stderr, flush=True)
    firsts = seed(store, args.parents, args.sizes)
    total = args.parents * args.sizes
    with ServedApp(create_app(store, behind_https=True, faults=Faults(latency_ms=args.latency_ms))) as shop:
        api = shop.url + "/wp-json/wc/v3"
        print(f"store: {args.parents} variable products × {args.sizes} variations = {total} variations, "
              f"{args.latency_ms:.0f} ms per request")
        count, seconds, sent = baseline(api, total)
        print(f"baseline  full read, parent by parent:   {count} variations in {seconds:6.1f} s ({sent} requests); "
              "every later read costs the same")
        requests_since_reset(shop.url)
        env = woocommerce_service_env(shop.url, args.concurrency)
        with running_service(env, port) as _:
            url = f"http://127.0.0.1:{port}"
            time.sleep(Settings.settle_seconds + 1)  # the seeded records leave the settle window
            requests_since_reset(shop.url)
            full, full_seconds, token = service_read(url, None)
            full_sent = requests_since_reset(shop.url)
            print(f"service   full read GET /entities/variation: {full} variations in {full_seconds:6.1f} s "
                  f"({full_sent} requests, concurrency {args.concurrency})")
            changed = firsts[:: max(1, len(firsts) // args.changed)][:args.changed]
            session = requests.Session()
            session.auth = (KEY, SECRET)
            for parent_id, variation_id in changed:
                session.put(f"{api}/products/{parent_id}/variations/{variation_id}",
                            json={"regular_price": "21.00"}).raise_for_status()
            time.sleep(Settings.settle_seconds + 1)  # the edits leave the settle window
            requests_since_reset(shop.url)
            incremental, incremental_seconds, _ = service_read(url, token)
            incremental_sent = requests_since_reset(shop.url)
            print(f"service   incremental read, {len(changed)} parents changed: {incremental} variations in "
                  f"{incremental_seconds:6.2f} s ({incremental_sent} requests)")
        print(f"ratio     full read: baseline / service time {seconds / full_seconds:.1f}x; incremental read: "
              f"baseline / service time {seconds / incremental_seconds:.0f}x, requests {sent / incremental_sent:.0f}x")
        if full != count:
            print(f"MISMATCH: the service streamed {full} variations, the loop saw {count}")


if __name__ == "__main__":
    main()
