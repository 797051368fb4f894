"""Peak memory of the worker for one JSON Push of a given size, and for several at once.

    python bench/push_memory.py [--sizes-mib LIST] [--concurrent N] [--entity-kib KIB] [--port PORT]

For each size, a fresh service runs as in production (gunicorn, one gthread worker, in its own process) and gets
one push of that many MiB (then --concurrent pushes of the default MAX_BODY_BYTES at once, on one more fresh
service). The entities are `$replaced` (skipped by the receiver), so what is measured is reading, checking and
parsing the body, not the shop. Memory is the worker's peak resident set (VmHWM), before and after.
"""
from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gunicorn_process import peak_rss_mb, running_service  # noqa: E402
from progress import HelpFormatter  # noqa: E402
from service.settings import Settings  # noqa: E402

MIB = 1 << 20


def batch_of(size: int, entity_bytes: int) -> bytes:
    """A JSON array of `$replaced` product entities, about `size` bytes long, each about `entity_bytes`."""
    template = {"_id": "", "$replaced": True, "name": "Lamp", "sku": "", "description": "",
                "categories": [{"name": "Lights"}], "meta_data": [{"key": "k", "value": "v"}]}
    entities, total, n = [], 2, 0
    while total < size - entity_bytes:
        entity = {**template, "_id": str(n), "sku": f"SKU-{n}", "description": "x" * max(entity_bytes - 200, 0)}
        encoded = json.dumps(entity)
        entities.append(encoded)
        total += len(encoded) + 1
        n += 1
    return ("[" + ",".join(entities) + "]").encode()


def push(port: int, body: bytes) -> int:
    return requests.post(f"http://127.0.0.1:{port}/receiver/product", data=body,
                         headers={"Content-Type": "application/json"}, timeout=600).status_code


def measure(port: int, max_body_bytes: int, bodies: list[bytes]) -> tuple[float, float, list[int]]:
    env = {"SYSTEM": "customwebshop", "WEBSHOP_URL": "http://127.0.0.1:9", "WEBSHOP_TOKEN": "bench-token",
           "MAX_BODY_BYTES": str(max_body_bytes)}
    with running_service(env, port) as process:
        before = peak_rss_mb(process.pid)
        with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
            statuses = list(pool.map(lambda body: push(port, body), bodies))
        return before, peak_rss_mb(process.pid), statuses


def arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=HelpFormatter)
    parser.add_argument("--sizes-mib", default="1,8,64", help="push sizes to measure, one service each")
    parser.add_argument("--concurrent", type=int, default=4, help="pushes of MAX_BODY_BYTES's default at once")
    parser.add_argument("--entity-kib", type=float, default=0.3,
                        help="size of one pushed entity (small entities cost the most memory per byte)")
    parser.add_argument("--port", type=int, default=5098, help="port of the services it starts")
    return parser


def main() -> None:
    args = arguments().parse_args()
    default = Settings(system="customwebshop").max_body_bytes
    entity_bytes = int(args.entity_kib * 1024)
    print(f"default MAX_BODY_BYTES: {default} ({default / MIB:g} MiB); entities of {args.entity_kib:g} KiB")
    for size_mib in (float(s) for s in args.sizes_mib.split(",")):
        body = batch_of(int(size_mib * MIB), entity_bytes)
        before, after, statuses = measure(args.port, len(body) + 1, [body])
        print(f"one push of {len(body) / MIB:5.1f} MiB ({body.count(b'$replaced')} entities): worker peak "
              f"{before:5.0f} MB before, {after:5.0f} MB after (+{after - before:4.0f} MB), answered {statuses[0]}",
              flush=True)
    body = batch_of(default - entity_bytes, entity_bytes)
    before, after, statuses = measure(args.port, default, [body] * args.concurrent)
    print(f"{args.concurrent} pushes of {len(body) / MIB:.1f} MiB at once: worker peak {before:.0f} MB before, "
          f"{after:.0f} MB after (+{after - before:.0f} MB), answered {statuses}")


if __name__ == "__main__":
    main()
