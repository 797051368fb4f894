"""python -m sandbox.webshop --port N [--db PATH] [--token T] [--seed demo] [--latency-ms N] [--faults JSON]"""
from __future__ import annotations

import argparse
import os
import sys

from sandbox.faults import FaultSpecError, add_fault_arguments, faults_from_arguments
from sandbox.serving import serve_until_interrupted
from sandbox.webshop.app import DEFAULT_TOKEN, create_app
from sandbox.webshop.broken import BREAKAGES
from sandbox.webshop.seed import SEEDS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox.webshop", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (printed)")
    parser.add_argument("--db", default=":memory:", help="SQLite file (WAL mode) or :memory: (the default)")
    parser.add_argument("--token", default=os.environ.get("WEBSHOP_TOKEN", DEFAULT_TOKEN),
                        help="bearer token clients must send (default: $WEBSHOP_TOKEN or the sandbox token)")
    parser.add_argument("--seed", choices=sorted(SEEDS), help="fill an empty shop with deterministic data")
    parser.add_argument("--broken", action="append", default=[], choices=sorted(BREAKAGES),
                        help="switch on a deliberate contract violation (repeatable)")
    add_fault_arguments(parser)
    args = parser.parse_args(argv)
    try:
        app = create_app(args.db, args.token, args.seed, broken=args.broken, fault_spec=faults_from_arguments(args))
    except (ValueError, FaultSpecError) as exc:
        parser.error(str(exc))
    return serve_until_interrupted(app, "Custom Webshop sandbox", port=args.port)


if __name__ == "__main__":
    sys.exit(main())
