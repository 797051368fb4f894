"""python -m service.conformance <base-url> --token T [--resource customers] [--json]

Checks a Custom Webshop against docs/custom-webshop-api.md. It writes records marked `conformance-<random>` and
deletes them at the end. Progress goes to stderr, one line per check; the table (or --json) to stdout.
Exit status: 0 all checks passed (skips allowed), 1 a check failed, 2 the shop is unreachable.
"""
from __future__ import annotations

import argparse
import os
import sys

from service.conformance.client import REQUEST_SECONDS
from service.conformance.report import passed, render_json, render_table
from service.conformance.runner import RESOURCES, RUN_SECONDS, ShopUnreachable, run_checks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m service.conformance", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("base_url", help="the shop's base URL, e.g. https://shop.example/api")
    parser.add_argument("--token", default=os.environ.get("WEBSHOP_TOKEN"),
                        help="bearer token (default: $WEBSHOP_TOKEN; the environment keeps it out of `ps`)")
    parser.add_argument("--resource", action="append", choices=RESOURCES,
                        help="check only this resource (repeatable; default: all)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--request-seconds", type=_positive, default=REQUEST_SECONDS,
                        help="deadline for each request, whole answer included (default: %(default)g)")
    parser.add_argument("--run-seconds", type=_positive, default=RUN_SECONDS,
                        help="bound on the whole run; checks not reached by then fail as not run "
                             "(default: %(default)g)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("a token is required: --token or $WEBSHOP_TOKEN")
    try:
        outcomes = run_checks(args.base_url, args.token, tuple(args.resource or RESOURCES),
                              request_seconds=args.request_seconds, run_seconds=args.run_seconds,
                              progress=None if args.quiet else _progress)
    except ShopUnreachable as exc:
        print(f"cannot reach {args.base_url}: {exc}", file=sys.stderr)
        return 2
    print(render_json(args.base_url, outcomes) if args.json else render_table(outcomes))
    return 0 if passed(outcomes) else 1


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0:
        raise argparse.ArgumentTypeError("must be more than 0 seconds")
    return value


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
