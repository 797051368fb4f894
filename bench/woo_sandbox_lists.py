"""How much a list request costs the WooCommerce sandbox over a store of 100 000 orders.

    python bench/woo_sandbox_lists.py [--orders N]

Seeds the store without HTTP (`seed_bulk`), serves it on a real socket, and prints for each kind of list request
the median wall time and the median CPU time of this process (sandbox and client together) per request: the first
request of a query (a window over the index) and the following pages (cached).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from progress import HelpFormatter  # noqa: E402
from sandbox.serving import ServedApp  # noqa: E402
from sandbox.woocommerce import Store, create_app  # noqa: E402
from sandbox.woocommerce.seed import seed_bulk  # noqa: E402

FIELDS = {"_fields": "id,date_modified_gmt", "per_page": 100, "dates_are_gmt": "true"}
QUERIES = {
    "orderby=id, pages": {"orderby": "id", "order": "asc"},
    "orderby=modified, 30-day window": {"orderby": "modified", "order": "asc",
                                        "modified_after": "{month_ago}", "modified_before": "{now}"},
    "orderby=id, offset": {"orderby": "id", "order": "asc", "offset": 50_000},
    "include=100 ids": {"include": "{include}", "orderby": "include"},
    "full objects, orderby=modified": {"orderby": "modified", "order": "desc", "_fields": None},
}


def measure(session: requests.Session, url: str, params: dict, pages: int) -> tuple[float, float]:
    walls, cpus = [], []
    for page in range(1, pages + 1):
        start_wall, start_cpu = time.perf_counter(), time.process_time()
        response = session.get(url, params={**params, "page": page})
        response.raise_for_status()
        walls.append(time.perf_counter() - start_wall)
        cpus.append(time.process_time() - start_cpu)
    return statistics.median(walls) * 1000, statistics.median(cpus) * 1000


def arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=HelpFormatter)
    parser.add_argument("--orders", type=int, default=100_000, help="orders in the store")
    return parser


def main() -> None:
    args = arguments().parse_args()
    store = Store()
    started = time.perf_counter()
    print(f"seeding {args.orders} orders ...", file=sys.stderr, flush=True)
    seed_bulk(store, orders=args.orders, same_second=500)
    print(f"seeded {args.orders} orders in {time.perf_counter() - started:.1f} s")
    now = store.clock.now()
    ids = sorted(store.orders.table.rows)
    values = {"now": now.strftime("%Y-%m-%dT%H:%M:%S"),
              "month_ago": now.replace(day=1).strftime("%Y-%m-%dT%H:%M:%S"),
              "include": ",".join(str(i) for i in ids[1000:1100])}
    with ServedApp(create_app(store, behind_https=True)) as served:
        session = requests.Session()
        session.auth = ("ck_sandbox", "cs_sandbox")
        url = f"{served.url}/wp-json/wc/v3/orders"
        print(f"{'request':34} {'first ms (wall/cpu)':>22} {'next pages ms (wall/cpu)':>26}")
        for name, query in QUERIES.items():
            params = {k: (v.format(**values) if isinstance(v, str) else v) for k, v in {**FIELDS, **query}.items()}
            params = {k: v for k, v in params.items() if v is not None}
            first = measure(session, url, params, 1)
            following = measure(session, url, params, 10)
            print(f"{name:34} {first[0]:10.1f} / {first[1]:6.1f} {following[0]:14.1f} / {following[1]:6.1f}")


if __name__ == "__main__":
    main()
