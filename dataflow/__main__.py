"""`python -m dataflow [--check]`: generate everything derived from `dataflow.model`.

First `sesam-config/` (systems, pipes, node metadata, test environment, test data), then `sesam-config/expected/`
by running the pipes offline on the test data (what QA's `sesam test` compares with on a node), then the QA
documents and the picture of the pipes. `--check` writes nothing and exits 1 listing what is stale.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dataflow import docs, pipes
from emulator.verify import run_tests

def expected_outputs(root: Path, update: bool) -> list[str]:
    """Run the pipes as `sesam test` does; with `update`, rewrite expected/, else list what does not match."""
    run = run_tests(root / "sesam-config", {}, {}, None, update)
    return [*run.failures, *(f"sesam-config/expected/{v.spec}.json" for v in run.results if not v.passed)]


def stale(root: Path, files: dict[Path, str]) -> list[Path]:
    return [path for path, text in files.items()
            if not (root / path).is_file() or (root / path).read_text(encoding="utf-8") != text]


def write(root: Path, files: dict[Path, str]) -> list[Path]:
    changed = stale(root, files)
    for path in changed:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(files[path], encoding="utf-8")
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dataflow", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 listing out-of-date files")
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1],
                        help="the repository root (default: this checkout)")
    args = parser.parse_args(argv)
    if args.check:
        out_of_date = [*map(str, stale(args.root, pipes.config_files()))]
        if not out_of_date:  # expected/ can only be checked against a config that is itself current
            out_of_date += expected_outputs(args.root, update=False)
        out_of_date += [str(path) for path in docs.stale_files(args.root)]
        for path in out_of_date:
            print(f"out of date: {path} (run: python -m dataflow)", file=sys.stderr)
        return 1 if out_of_date else 0
    written = write(args.root, pipes.config_files())
    expected_outputs(args.root, update=True)
    for path in [*written, Path("sesam-config/expected"), *docs.write_files(args.root)]:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
