"""`python -m dataflow docs [--check]`: generate what is derived from `dataflow.model`."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dataflow.docs import stale_files, write_files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dataflow")
    commands = parser.add_subparsers(dest="command", required=True)
    docs = commands.add_parser("docs", help="write docs/dataflow/*.rst and docs/dataflow.md")
    docs.add_argument("--check", action="store_true", help="write nothing; exit 1 listing out-of-date files")
    docs.add_argument("--root", type=Path, default=Path("."), help="the repository root (default: .)")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_files(args.root)
        for path in stale:
            print(f"out of date: {path} (run: python -m dataflow docs)", file=sys.stderr)
        return 1 if stale else 0
    for path in write_files(args.root):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
