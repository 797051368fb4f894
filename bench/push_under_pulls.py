"""Receiver latency alone and while 20 pipes pull at once, with the bound on concurrent pulls at its default and at
its loosest.

    python bench/push_under_pulls.py [--orders N] [--latency-ms MS] [--pulls N] [--pushes N] [--port PORT]

The service runs as in production (gunicorn, one gthread worker with its 8 threads, in its own process) against a
WooCommerce sandbox holding --orders orders, every API request delayed by --latency-ms. A push is one customer
create. It is timed alone, then while --pulls clients each pull GET /entities/order over and over (a client
answered 503 waits for its Retry-After, as a pipe retries later), once with MAX_CONCURRENT_PULLS at its default
and once at the loosest the settings allow, one below GUNICORN_THREADS (a single thread left for everything else).
Without the bound every thread was held by a pull; the settings now refuse that configuration.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gunicorn_process import running_service  # noqa: E402
from progress import HelpFormatter  # noqa: E402
from sandbox.faults import Faults  # noqa: E402
from sandbox.serving import ServedApp  # noqa: E402
from sandbox.woocommerce import Store, create_app  # noqa: E402
from sandbox.woocommerce.seed import seed_bulk  # noqa: E402
from service.settings import Settings  # noqa: E402

KEY, SECRET = "ck_sandbox", "cs_sandbox"


def pull_forever(url: str, stop: threading.Event, outcomes: list[int]) -> None:
    while not stop.is_set():
        try:
            with requests.get(f"{url}/entities/order", stream=True, timeout=600) as response:
                outcomes.append(response.status_code)
                if response.status_code == 503:
                    stop.wait(float(response.headers.get("Retry-After", "5")))
                    continue
                for _ in response.iter_content(1 << 16):
                    if stop.is_set():
                        break
        except requests.RequestException:
            outcomes.append(0)


def time_pushes(url: str, count: int, tag: str) -> list[float]:
    seconds = []
    for n in range(count):
        entity = {"_id": f"{tag}{n}", "sesam_origin": f"bench-{tag}:{n}", "email": f"{tag}{n}@example.test"}
        started = time.perf_counter()
        answer = requests.post(f"{url}/receiver/customer", json=[entity], timeout=600)
        seconds.append(time.perf_counter() - started)
        assert answer.status_code == 200, answer.text
    return seconds


def describe(seconds: list[float]) -> str:
    ranked = sorted(seconds)
    return f"p50 {statistics.median(ranked):6.2f} s, p90 {ranked[int(len(ranked) * 0.9) - 1]:6.2f} s"


def run(store_url: str, port: int, max_pulls: int, pulls: int, pushes: int, tag: str) -> tuple[list[float], str]:
    env = {"SYSTEM": "woocommerce", "WOOCOMMERCE_URL": store_url, "WOOCOMMERCE_CONSUMER_KEY": KEY,
           "WOOCOMMERCE_CONSUMER_SECRET": SECRET, "WOOCOMMERCE_AUTH": "basic", "MAX_CONCURRENT_PULLS": str(max_pulls)}
    stop, outcomes = threading.Event(), []
    with running_service(env, port):
        clients = [threading.Thread(target=pull_forever, args=(f"http://127.0.0.1:{port}", stop, outcomes))
                   for _ in range(pulls)]
        for client in clients:
            client.start()
        time.sleep(2)  # let every client's first pull reach the service
        seconds = time_pushes(f"http://127.0.0.1:{port}", pushes, tag)
        stop.set()
        for client in clients:
            client.join(timeout=60)
    streamed, busy = outcomes.count(200), outcomes.count(503)
    return seconds, f"{streamed} pulls streamed, {busy} answered 503 + Retry-After"


def arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=HelpFormatter)
    parser.add_argument("--orders", type=int, default=5_000, help="orders in the store")
    parser.add_argument("--latency-ms", type=float, default=80.0, help="delay of every store request")
    parser.add_argument("--pulls", type=int, default=20, help="clients pulling at once")
    parser.add_argument("--pushes", type=int, default=10, help="pushes timed in each case")
    parser.add_argument("--port", type=int, default=5097, help="port of the services it starts")
    return parser


def main() -> None:
    args = arguments().parse_args()
    defaults = Settings(system="woocommerce")
    default, loosest = defaults.max_concurrent_pulls, defaults.gunicorn_threads - 1

    store = Store()
    seed_bulk(store, orders=args.orders)
    with ServedApp(create_app(store, behind_https=True, faults=Faults(latency_ms=args.latency_ms))) as shop:
        print(f"store: {args.orders} orders, {args.latency_ms:.0f} ms per request; {args.pushes} pushes per case",
              flush=True)
        alone, _ = run(shop.url, args.port, default, 0, args.pushes, "alone")
        print(f"push alone:                                         {describe(alone)}", flush=True)
        bounded, note = run(shop.url, args.port, default, args.pulls, args.pushes, "bounded")
        print(f"push under {args.pulls} pulls, MAX_CONCURRENT_PULLS={default} (default):     "
              f"{describe(bounded)} ({note})", flush=True)
        loose, note = run(shop.url, args.port, loosest, args.pulls, args.pushes, "loosest")
        print(f"push under {args.pulls} pulls, MAX_CONCURRENT_PULLS={loosest} (loosest):     "
              f"{describe(loose)} ({note})")
        print(f"ratio     p50 under pulls / alone: default {statistics.median(bounded) / statistics.median(alone):.1f}x, "
              f"loosest {statistics.median(loose) / statistics.median(alone):.1f}x")


if __name__ == "__main__":
    main()
