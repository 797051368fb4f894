"""The first sync of a populated WooCommerce store into an empty Custom Webshop: what the emulator itself costs.

    python bench/emulator_initial_sync.py [--products N] [--customers N] [--orders N] [--latency-ms MS]
                                          [--baseline-ref REF]

The WooCommerce sandbox is seeded without HTTP; both services and both shops run in this process, as in the
scenario tests (`harness.start_world`). The emulator runs `sesam-config/` in a child process of its own, round
after round until nothing changes, so its CPU seconds are its own; this process's CPU over the same time is what
the shops and services spent. With `--baseline-ref`, the emulator package of that git revision (say `main`) runs
the same sync against a fresh, identically seeded world, side by side in the same run. Nothing is timed in tests.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from progress import HelpFormatter

ROOT = Path(__file__).resolve().parents[1]


def child() -> None:
    """Run the emulator found first on sys.path (the tree under test) with the arguments on stdin."""
    job = json.loads(sys.stdin.read())
    sys.path.insert(0, job["tree"])
    from emulator import Emulator

    emulator = Emulator(job["config"], systems=job["systems"], env={"node-env": "prod"}, secrets=job["secrets"],
                        state_dir=job["state"])
    started, cpu = time.perf_counter(), time.process_time()
    report = emulator.run()
    print(json.dumps({"cpu": time.process_time() - cpu, "wall": time.perf_counter() - started,
                      "rounds": len(report.rounds), "settled": report.settled, "errors": report.errors[:3]}))


def seeded_store(args: argparse.Namespace) -> Any:
    from sandbox.woocommerce import Store
    from sandbox.woocommerce.seed import seed_bulk

    store = Store()
    seed_bulk(store, orders=args.orders, products=args.products, customers=args.customers)
    return store


def export_tree(ref: str, folder: Path) -> Path:
    """The emulator package as it is at `ref`, to run the same sync with it."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "emulator"], check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder


def sync_once(args: argparse.Namespace, tree: Path, label: str) -> dict[str, Any]:
    import requests

    from harness.world import SECRETS, start_world
    from sandbox.faults import Faults

    print(f"{label}: seeding {args.products} products, {args.customers} customers, {args.orders} orders …",
          flush=True)
    with tempfile.TemporaryDirectory() as scratch:
        world = start_world(Path(scratch) / "state", woo_store=seeded_store(args))
        try:
            for shop in (world.woo, world.shop):
                requests.put(shop.url + "/_sandbox/faults", json=Faults(latency_ms=args.latency_ms).as_json())
            job = {"tree": str(tree), "config": str(world.config), "secrets": _secrets(world.config, SECRETS),
                   "state": str(world.state),
                   "systems": {"woocommerce": world.woo_service.url, "customwebshop": world.shop_service.url}}
            print(f"{label}: syncing …", flush=True)
            started, cpu = time.perf_counter(), time.process_time()
            done = subprocess.run([sys.executable, __file__, "--child"], input=json.dumps(job), text=True,
                                  capture_output=True, cwd=tree, check=False)
            result = {"wall_total": time.perf_counter() - started, "shops_cpu": time.process_time() - cpu}
            if done.returncode != 0:
                raise SystemExit(f"{label}: the emulator failed:\n{done.stderr[-2000:]}")
            result.update(json.loads(done.stdout.strip().splitlines()[-1]))
            result["landed"] = {resource: _count(world, resource) for resource in ("products", "customers", "orders")}
        finally:
            world.stop()
    return result


def _secrets(config: Path, given: dict[str, str]) -> dict[str, str]:
    """The pipes' secrets, and a stand-in for those only a service's container uses (the emulator of an older
    revision wants every secret the systems name)."""
    names = {name for path in (config / "systems").glob("*.conf.json")
             for name in re.findall(r"\$SECRET\(([^()]+)\)", path.read_text(encoding="utf-8"))}
    return {**{name: "unused-offline" for name in names}, **given}


def _count(world: Any, resource: str) -> int:
    total, cursor = 0, None
    while True:
        page = world.shop_http.get(f"{world.shop.url}/{resource}",
                                   params={"limit": 500, **({"cursor": cursor} if cursor else {})}).json()
        total += len(page["items"])
        cursor = page.get("next_cursor")
        if not cursor:
            return total


def arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=HelpFormatter)
    parser.add_argument("--products", type=int, default=2000, help="WooCommerce products")
    parser.add_argument("--customers", type=int, default=1000, help="WooCommerce customers")
    parser.add_argument("--orders", type=int, default=5000, help="WooCommerce orders")
    parser.add_argument("--latency-ms", type=float, default=0.0,
                        help="delay of every shop API request, like a real store's")
    parser.add_argument("--baseline-ref", help="also run the emulator of this git revision, side by side")
    return parser


def main() -> None:
    if sys.argv[1:] == ["--child"]:
        child()
        return
    args = arguments().parse_args()
    sys.path.insert(0, str(ROOT))
    runs = [("current", ROOT)]
    with tempfile.TemporaryDirectory() as exported:
        if args.baseline_ref:
            runs.append((args.baseline_ref, export_tree(args.baseline_ref, Path(exported))))
        results = [(label, sync_once(args, tree, label)) for label, tree in runs]
    print(f"\nfirst sync of {args.products} products, {args.customers} customers, {args.orders} orders "
          f"(shop latency {args.latency_ms:g} ms)")
    print(f"{'emulator':>10} {'rounds':>6} {'settled':>7} {'emulator CPU s':>14} {'shops+services CPU s':>20} "
          f"{'wall s':>8}  landed in the webshop")
    for label, r in results:
        landed = ", ".join(f"{n} {resource}" for resource, n in r["landed"].items())
        print(f"{label:>10} {r['rounds']:>6} {str(r['settled']):>7} {r['cpu']:>14.1f} {r['shops_cpu']:>20.1f} "
              f"{r['wall_total']:>8.1f}  {landed}")
        for error in r["errors"]:
            print(f"{'':>10} error: {error}")
    if len(results) == 2:
        print(f"\nemulator CPU, {results[1][0]} / current: {results[1][1]['cpu'] / results[0][1]['cpu']:.1f}x")


if __name__ == "__main__":
    main()
