"""Full-scan throughput and peak memory of GET /entities/order, side by side with a plain sequential loop.

    python bench/pull_throughput.py [--orders N] [--latency-ms MS] [--concurrency N] [--port PORT]

Both read the same WooCommerce sandbox (seeded without HTTP, every API request delayed by --latency-ms, like a real
store) in the same run. The baseline is what most connectors do: `per_page=100&page=N` until a short page. The
service runs as it does in production (`python -m service`: gunicorn, one gthread worker, in its own process) so
its peak memory (VmHWM of the worker) is its own; the response is counted while it streams, never held. Progress
goes to stderr.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gunicorn_process import (KEY, SECRET, add_store_and_service_options, peak_rss_mb,  # noqa: E402
                              running_service, woocommerce_service_env)
from progress import HelpFormatter, Progress  # noqa: E402
from sandbox.faults import Faults  # noqa: E402
from sandbox.serving import ServedApp, free_port  # noqa: E402
from sandbox.woocommerce import Store, create_app  # noqa: E402
from sandbox.woocommerce.seed import seed_bulk  # noqa: E402



def baseline(api: str, total: int) -> tuple[int, float, int]:
    progress = Progress("baseline", total)
    session = requests.Session()
    session.auth = (KEY, SECRET)
    count, requests_sent, page = 0, 0, 1
    started = time.perf_counter()
    while True:
        items = session.get(f"{api}/orders", params={"per_page": 100, "page": page, "orderby": "id",
                                                     "order": "asc"}).json()
        requests_sent += 1
        count += len(items)
        progress.update(count)
        if len(items) < 100:
            return count, time.perf_counter() - started, requests_sent
        page += 1


def service_scan(url: str, total: int) -> tuple[int, float]:
    progress = Progress("service", total)
    marker, count, tail = b'"_updated":"', 0, b""
    started = time.perf_counter()
    with requests.get(f"{url}/entities/order", stream=True) as response:
        response.raise_for_status()
        for chunk in response.iter_content(1 << 16):
            data = tail + chunk
            count += data.count(marker)
            tail = data[-(len(marker) - 1):]
            progress.update(count)
    return count, time.perf_counter() - started


def arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=HelpFormatter)
    parser.add_argument("--orders", type=int, default=100_000, help="orders in the store")
    add_store_and_service_options(parser)
    return parser


def main() -> None:
    args = arguments().parse_args()
    port = args.port or free_port()

    store = Store()
    print(f"seeding {args.orders} orders ...", file=sys.stderr, flush=True)
    seed_bulk(store, orders=args.orders)
    with ServedApp(create_app(store, behind_https=True, faults=Faults(latency_ms=args.latency_ms))) as shop:
        api = shop.url + "/wp-json/wc/v3"
        print(f"store: {args.orders} orders, {args.latency_ms:.0f} ms per request")
        count, seconds, sent = baseline(api, args.orders)
        print(f"baseline  sequential per_page=100 loop: {count} orders in {seconds:6.1f} s = "
              f"{count / seconds:7.0f} orders/s ({sent} requests)")
        requests.delete(shop.url + "/_sandbox/requests")
        env = woocommerce_service_env(shop.url, args.concurrency)
        with running_service(env, port) as process:
            count2, seconds2 = service_scan(f"http://127.0.0.1:{port}", args.orders)
            sent2 = sum(requests.get(shop.url + "/_sandbox/requests").json().values())
            peak = peak_rss_mb(process.pid)
        print(f"service   GET /entities/order:          {count2} orders in {seconds2:6.1f} s = "
              f"{count2 / seconds2:7.0f} orders/s ({sent2} requests, concurrency {args.concurrency}), "
              f"peak memory {peak:.0f} MB")
        print(f"ratio     service / baseline throughput: {(count2 / seconds2) / (count / seconds):.2f}x")
        if count2 != count:
            print(f"MISMATCH: the service streamed {count2} orders, the loop saw {count}")


if __name__ == "__main__":
    main()
