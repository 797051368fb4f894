"""What an order create costs the store, side by side with "scan for the origin, then create", in one run.

    python bench/order_creates.py [--orders N] [--latency-ms MS] [--creates N]

The WooCommerce sandbox holds --orders orders modified over the last 7 days (seeded without HTTP) and delays every
API request by --latency-ms. The receiver gets --creates order creates, one per push (Sesam re-sends a failed batch
entity by entity), then one create whose answer is lost after it landed (the connection dies after the store
wrote it) and its replay. The baseline is the previous receiver's way: list every order modified in the last
7 days, newest first, looking for the origin in `meta_data`, and create when it is not found.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from progress import HelpFormatter  # noqa: E402
from sandbox.faults import Faults  # noqa: E402
from sandbox.serving import ServedApp  # noqa: E402
from sandbox.woocommerce import Store, create_app as create_store_app  # noqa: E402
from sandbox.woocommerce.seed import seed_bulk  # noqa: E402
from service.app import create_app  # noqa: E402
from service.settings import Secret, Settings  # noqa: E402

KEY, SECRET = "ck_sandbox", "cs_sandbox"


def upstream_requests(shop_url: str) -> int:
    counts = requests.get(shop_url + "/_sandbox/requests").json()
    requests.delete(shop_url + "/_sandbox/requests")
    return sum(counts.values())


def scan_then_create(api: str, origin: str, since: str) -> None:
    """The baseline: the previous receiver's lookup of an order by its sesam_origin, then the create."""
    session = requests.Session()
    session.auth = (KEY, SECRET)
    page = 1
    while True:
        answer = session.get(f"{api}/orders", params={"modified_after": since, "dates_are_gmt": "true",
                                                      "orderby": "id", "order": "desc", "per_page": 100,
                                                      "page": page})
        if any(m["key"] == "sesam_origin" and m["value"] == origin for o in answer.json() for m in o["meta_data"]):
            return
        if page >= int(answer.headers["X-WP-TotalPages"]):
            break
        page += 1
    session.post(f"{api}/orders/batch", json={"create": [
        {"customer_note": "bench", "meta_data": [{"key": "sesam_origin", "value": origin}]}]}).raise_for_status()


def arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=HelpFormatter)
    parser.add_argument("--orders", type=int, default=5_000, help="orders already in the store")
    parser.add_argument("--latency-ms", type=float, default=80.0, help="delay of every store request")
    parser.add_argument("--creates", type=int, default=20, help="order creates measured each way")
    return parser


def main() -> None:
    args = arguments().parse_args()

    store = Store()
    seed_bulk(store, orders=args.orders, period=timedelta(days=7))
    with ServedApp(create_store_app(store, behind_https=True, faults=Faults(latency_ms=args.latency_ms))) as shop:
        api = shop.url + "/wp-json/wc/v3"
        since = (store.clock.now() - timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%S")
        print(f"store: {args.orders} orders over 7 days, {args.latency_ms:.0f} ms per request", flush=True)
        upstream_requests(shop.url)
        baseline = []
        for n in range(args.creates):
            started = time.perf_counter()
            scan_then_create(api, f"bench-baseline:{n}", since)
            baseline.append(time.perf_counter() - started)
        baseline_requests = upstream_requests(shop.url) / args.creates
        print(f"baseline  scan 7 days, then create: {baseline_requests:5.1f} requests and "
              f"{statistics.median(baseline):5.2f} s per create (median)", flush=True)

        settings = Settings(system="woocommerce", woocommerce_url=shop.url, woocommerce_consumer_key=Secret(KEY),
                            woocommerce_consumer_secret=Secret(SECRET), woocommerce_auth="basic",
                            log_level="WARNING")
        with ServedApp(create_app(settings)) as service:
            ours = []
            for n in range(args.creates):
                entity = {"_id": str(n), "sesam_origin": f"customwebshop-order:{n}", "customer_note": "bench"}
                started = time.perf_counter()
                answer = requests.post(f"{service.url}/receiver/order", json=[entity])
                ours.append(time.perf_counter() - started)
                assert answer.status_code == 200 and answer.json()["created"] == 1, answer.text
            receiver_requests = upstream_requests(shop.url) / args.creates
            print(f"receiver  POST /receiver/order:     {receiver_requests:5.1f} requests and "
                  f"{statistics.median(ours):5.2f} s per create (median; the first also reads the store's clock)")

            lost = {"_id": "lost", "sesam_origin": "customwebshop-order:lost", "customer_note": "bench"}
            requests.put(shop.url + "/_sandbox/faults", json={"latency_ms": args.latency_ms, "drop": [
                {"count": 1, "after_bytes": 10, "path": "/wp-json/wc/v3/orders/batch"}]}).raise_for_status()
            first = requests.post(f"{service.url}/receiver/order", json=[lost])
            upstream_requests(shop.url)
            replay = requests.post(f"{service.url}/receiver/order", json=[lost])
            print(f"receiver  a create whose answer was lost ({first.status_code}), replayed: "
                  f"{upstream_requests(shop.url)} requests, answered {replay.status_code} {replay.json()}")
        print(f"ratio     baseline / receiver requests per create: {baseline_requests / receiver_requests:.0f}x, "
              f"time: {statistics.median(baseline) / statistics.median(ours):.0f}x")


if __name__ == "__main__":
    main()
