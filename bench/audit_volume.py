"""`python -m dataflow audit` over populated shops: records read per second and the audit's peak memory.

    python bench/audit_volume.py [--orders N] [--customers N] [--products N]

Both sandboxes are seeded without HTTP with the given counts each. WooCommerce also gets one product per webshop
product with the same SKU (but its own name and price), so those pair up and are compared property by property;
the bulk records of each side are on one side only, which the audit reports. The world's two services run in this
process; the audit runs as `python -m dataflow audit` in its own process, so its peak memory (ru_maxrss of the
child) is its own. Prints the figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness.world import SERVICE_TOKEN, SHOP_TOKEN, start_world  # noqa: E402
from sandbox.webshop.app import create_app as create_shop_app  # noqa: E402
from sandbox.webshop.seed import product, seed_bulk as seed_shop  # noqa: E402
from sandbox.woocommerce import Store  # noqa: E402
from sandbox.woocommerce.seed import seed_bulk as seed_woo  # noqa: E402
from progress import HelpFormatter  # noqa: E402


def arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=HelpFormatter)
    parser.add_argument("--orders", type=int, default=3000, help="orders per shop")
    parser.add_argument("--customers", type=int, default=1000, help="customers per shop")
    parser.add_argument("--products", type=int, default=500, help="products per shop")
    return parser


def main() -> None:
    args = arguments().parse_args()
    woo_store, shop_app = Store(), create_shop_app(token=SHOP_TOKEN)
    seed_woo(woo_store, orders=args.orders, products=args.products, customers=args.customers)
    seed_shop(shop_app, orders=args.orders, customers=args.customers, products=args.products)
    with woo_store.lock:
        for n in range(args.products):
            woo_store.products.create({"name": f"Paired {n}", "sku": product(n)["sku"], "regular_price": "10.00"})
    world = start_world(Path(tempfile.mkdtemp()) / "state", woo_store, shop_app)
    try:
        started = time.perf_counter()
        audit = subprocess.run([sys.executable, "-m", "dataflow", "audit", "--woocommerce", world.woo_service.url,
                                "--customwebshop", world.shop_service.url, "--config", str(world.config)],
                               cwd=ROOT, env={"SERVICE_TOKEN": SERVICE_TOKEN, "PATH": ""}, capture_output=True,
                               text=True)
        elapsed = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        summary = audit.stdout.strip().splitlines()[-1] if audit.stdout.strip() else audit.stderr.strip()
        counts = re.findall(r"^read .*: (\d+) records$", audit.stderr, re.MULTILINE)
        records = sum(map(int, counts))
        print(f"records read: {records} ({args.orders} orders, {args.customers} customers, {args.products} "
              f"products per shop, {args.products} more WooCommerce products paired by SKU)")
        print(f"audit: exit {audit.returncode}, {elapsed:.1f} s, {records / elapsed:.0f} records/s, "
              f"peak memory {peak_mb:.0f} MB")
        print(summary)
    finally:
        world.stop()


if __name__ == "__main__":
    main()
