"""How the reference Custom Webshop lists a large shop: bulk load, then page through it over HTTP.

    python bench/webshop_listing.py [--orders N]

Prints the load time, a full scan of the orders with limit=500, and single pages of 100 taken from the middle of
the table through a cursor (the case the (updated_at, id) index exists for). Progress goes to stderr.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from progress import HelpFormatter, Progress  # noqa: E402
from sandbox.serving import ServedApp  # noqa: E402
from sandbox.webshop.app import create_app  # noqa: E402
from sandbox.webshop.seed import seed_bulk  # noqa: E402

TOKEN = "bench-token"


def arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=HelpFormatter)
    parser.add_argument("--orders", type=int, default=100_000, help="orders loaded into the shop")
    return parser


def main() -> None:
    args = arguments().parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(db_path=f"{folder}/bench.db", token=TOKEN)
        started = time.perf_counter()
        print(f"loading {args.orders} orders ...", file=sys.stderr, flush=True)
        seed_bulk(app, orders=args.orders)
        print(f"bulk load of {args.orders} orders: {time.perf_counter() - started:.1f} s")
        with ServedApp(app) as served:
            session = requests.Session()
            session.headers["Authorization"] = f"Bearer {TOKEN}"
            started, pages, items, cursor, middle = time.perf_counter(), 0, 0, None, None
            progress = Progress("full scan", args.orders)
            while True:
                params = {"limit": 500, **({"cursor": cursor} if cursor else {})}
                page = session.get(f"{served.url}/orders", params=params, timeout=60).json()
                pages, items, cursor = pages + 1, items + len(page["items"]), page["next_cursor"]
                progress.update(items)
                if items >= args.orders // 2 and middle is None:
                    middle = cursor
                if cursor is None:
                    break
            elapsed = time.perf_counter() - started
            print(f"full scan: {items} orders in {pages} pages of 500, {elapsed:.1f} s "
                  f"({items / elapsed:.0f} orders/s)")
            timings = []
            for _ in range(50):
                started = time.perf_counter()
                page_params = {"limit": 100, "cursor": middle}
                session.get(f"{served.url}/orders", params=page_params, timeout=60).raise_for_status()
                timings.append((time.perf_counter() - started) * 1000)
            print(f"page of 100 from the middle: median {statistics.median(timings):.1f} ms, max {max(timings):.1f} ms")


if __name__ == "__main__":
    main()
