"""Full-scan throughput and peak memory of GET /entities/order, side by side with a plain sequential loop.

    python bench/pull_throughput.py [--orders 100000] [--latency-ms 80] [--concurrency 8]

Both read the same WooCommerce sandbox (seeded without HTTP, every API request delayed by --latency-ms, like a real
store) in the same run. The baseline is what most connectors do: `per_page=100&page=N` until a short page. The
service runs as it does in production (gunicorn, one gthread worker, in its own process) so its peak memory
(VmHWM of the worker) is its own; the response is counted while it streams, never held.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.gunicorn_process import peak_rss_mb, running_service  # noqa: E402
from sandbox.faults import Faults  # noqa: E402
from sandbox.serving import ServedApp  # noqa: E402
from sandbox.woocommerce import Store, create_app  # noqa: E402
from sandbox.woocommerce.seed import seed_bulk  # noqa: E402

KEY, SECRET = "ck_sandbox", "cs_sandbox"


def baseline(api: str) -> tuple[int, float, int]:
    session = requests.Session()
    session.auth = (KEY, SECRET)
    count, requests_sent, page = 0, 0, 1
    started = time.perf_counter()
    while True:
        items = session.get(f"{api}/orders", params={"per_page": 100, "page": page, "orderby": "id",
                                                     "order": "asc"}).json()
        requests_sent += 1
        count += len(items)
        if len(items) < 100:
            return count, time.perf_counter() - started, requests_sent
        page += 1


def service_scan(url: str) -> tuple[int, float]:
    marker, count, tail = b'"_updated":"', 0, b""
    started = time.perf_counter()
    with requests.get(f"{url}/entities/order", stream=True) as response:
        response.raise_for_status()
        for chunk in response.iter_content(1 << 16):
            data = tail + chunk
            count += data.count(marker)
            tail = data[-(len(marker) - 1):]
    return count, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=100_000, help="orders in the store (default 100000)")
    parser.add_argument("--latency-ms", type=float, default=80.0, help="delay of every store request (default 80)")
    parser.add_argument("--concurrency", type=int, default=8, help="UPSTREAM_CONCURRENCY of the service (default 8)")
    parser.add_argument("--port", type=int, default=5099, help="port of the service (default 5099)")
    args = parser.parse_args()

    store = Store()
    seed_bulk(store, orders=args.orders)
    with ServedApp(create_app(store, behind_https=True, faults=Faults(latency_ms=args.latency_ms))) as shop:
        api = shop.url + "/wp-json/wc/v3"
        print(f"store: {args.orders} orders, {args.latency_ms:.0f} ms per request", flush=True)
        count, seconds, sent = baseline(api)
        print(f"baseline  sequential per_page=100 loop: {count} orders in {seconds:6.1f} s = "
              f"{count / seconds:7.0f} orders/s ({sent} requests)", flush=True)
        requests.delete(shop.url + "/_sandbox/requests")
        env = {"SYSTEM": "woocommerce", "WOOCOMMERCE_URL": shop.url, "WOOCOMMERCE_CONSUMER_KEY": KEY,
               "WOOCOMMERCE_CONSUMER_SECRET": SECRET, "WOOCOMMERCE_AUTH": "basic",
               "UPSTREAM_CONCURRENCY": str(args.concurrency)}
        with running_service(env, args.port) as process:
            count2, seconds2 = service_scan(f"http://127.0.0.1:{args.port}")
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
