"""python -m service.conformance <base-url> --token T [--resource customers] [--json]

Checks a Custom Webshop against docs/custom-webshop-api.md. It writes records marked `conformance-<random>` and
deletes them at the end. Exit status: 0 all checks passed (skips allowed), 1 a check failed, 2 the shop is unreachable.
"""
from __future__ import annotations

import argparse
import os
import sys

import requests

from service.conformance.report import passed, render_json, render_table
from service.conformance.runner import RESOURCES, run_checks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m service.conformance", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("base_url", help="the shop's base URL, e.g. https://shop.example/api")
    parser.add_argument("--token", default=os.environ.get("WEBSHOP_TOKEN"),
                        help="bearer token (default: $WEBSHOP_TOKEN; the environment keeps it out of `ps`)")
    parser.add_argument("--resource", action="append", choices=RESOURCES,
                        help="check only this resource (repeatable; default: all)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("a token is required: --token or $WEBSHOP_TOKEN")
    try:
        requests.get(args.base_url, timeout=10)
    except requests.RequestException as exc:
        print(f"cannot reach {args.base_url}: {type(exc).__name__}", file=sys.stderr)
        return 2
    outcomes = run_checks(args.base_url, args.token, tuple(args.resource or RESOURCES))
    print(render_json(args.base_url, outcomes) if args.json else render_table(outcomes))
    return 0 if passed(outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
