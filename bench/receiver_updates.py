"""Product updates through POST /receiver/product, side by side with one PUT per entity, in one run.

    python bench/receiver_updates.py [--updates N] [--latency-ms MS] [--batch-size N]

The WooCommerce sandbox holds the products (seeded without HTTP) and delays every API request by --latency-ms.
The receiver gets the updates as Sesam's json sink sends them (batches of --batch-size); the baseline sends each
entity's fields with its own PUT, as a naive connector does. Both change the same products' names, so each side
really writes every entity. Progress goes to stderr.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from progress import HelpFormatter, Progress  # noqa: E402
from sandbox.faults import Faults  # noqa: E402
from sandbox.serving import ServedApp  # noqa: E402
from sandbox.woocommerce import Store, create_app as create_store_app  # noqa: E402
from sandbox.woocommerce.seed import seed_bulk  # noqa: E402
from service.app import create_app  # noqa: E402
from service.settings import Secret, Settings  # noqa: E402


def upstream_requests(shop_url: str) -> int:
    counts = requests.get(shop_url + "/_sandbox/requests").json()
    requests.delete(shop_url + "/_sandbox/requests")
    return sum(counts.values())


def arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=HelpFormatter)
    parser.add_argument("--updates", type=int, default=10_000, help="products updated by each side")
    parser.add_argument("--latency-ms", type=float, default=80.0, help="delay of every store request")
    parser.add_argument("--batch-size", type=int, default=100, help="entities per JSON Push request, as Sesam sends")
    return parser


def main() -> None:
    args = arguments().parse_args()

    store = Store()
    seed_bulk(store, orders=0, products=args.updates * 2, customers=0)
    with ServedApp(create_store_app(store, behind_https=True, faults=Faults(latency_ms=args.latency_ms))) as shop:
        api = shop.url + "/wp-json/wc/v3"
        session = requests.Session()
        session.auth = ("ck_sandbox", "cs_sandbox")
        all_ids = sorted(store.products.table.rows)
        first, second = all_ids[:args.updates], all_ids[args.updates:2 * args.updates]
        print(f"store: {len(all_ids)} products, {args.latency_ms:.0f} ms per request, {args.updates} updates")
        upstream_requests(shop.url)

        started = time.perf_counter()
        progress = Progress("baseline", len(first))
        for done, product_id in enumerate(first, 1):
            session.put(f"{api}/products/{product_id}", json={"name": f"Renamed {product_id}"}).raise_for_status()
            progress.update(done)
        baseline = time.perf_counter() - started
        baseline_requests = upstream_requests(shop.url)
        print(f"baseline  one PUT per entity:   {baseline:7.1f} s, {baseline_requests} upstream requests")

        settings = Settings(system="woocommerce", woocommerce_url=shop.url, woocommerce_consumer_key=Secret(
            "ck_sandbox"), woocommerce_consumer_secret=Secret("cs_sandbox"), woocommerce_auth="basic",
            log_level="WARNING")
        with ServedApp(create_app(settings)) as service:
            started = time.perf_counter()
            progress = Progress("receiver", len(second))
            for start in range(0, len(second), args.batch_size):
                batch = [{"_id": str(i), "id": i, "name": f"Renamed {i}"}
                         for i in second[start:start + args.batch_size]]
                answer = requests.post(f"{service.url}/receiver/product", json=batch)
                assert answer.status_code == 200 and answer.json()["updated"] == len(batch), answer.text
                progress.update(start + len(batch))
            requests.post(f"{service.url}/receiver/product", json=[])  # Sesam's final empty batch
            receiver = time.perf_counter() - started
        receiver_requests = upstream_requests(shop.url)
        print(f"receiver  POST /receiver/product: {receiver:7.1f} s, {receiver_requests} upstream requests "
              f"({receiver_requests / (args.updates / 100):.2f} per 100 entities)")
        print(f"ratio     baseline / receiver time: {baseline / receiver:.1f}x")


if __name__ == "__main__":
    main()
