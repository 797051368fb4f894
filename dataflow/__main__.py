"""`python -m dataflow [--check]`: generate everything derived from `dataflow.model`.

First `sesam-config/` (systems, pipes, node metadata, test environment, test data, test specs), then
`sesam-config/expected/` by running the pipes offline on the test data as `sesam test` does (what QA's node compares
with), then the QA documents and the picture of the pipes. It names each file whose content changed, or says that
nothing did. `--check` writes nothing, says what it compared, and exits 1 listing what is out of date.

`python -m dataflow audit --woocommerce URL --customwebshop URL [...]` checks that the two shops agree
(`dataflow/audit.py`; `python -m dataflow audit --help`).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dataflow import audit, docs, pipes
from emulator.verify import run_tests

CONFIG = Path("sesam-config")
EXPECTED = CONFIG / "expected"


def expected_outputs(root: Path) -> tuple[int, list[str]]:
    """Run the pipes as `sesam test` does: how many expected outputs were compared, and what did not match."""
    run = run_tests(root / CONFIG, {}, {}, None, update=False)
    return len(run.results), [*run.failures, *(str(EXPECTED / f"{v.spec}.json") for v in run.results if not v.passed)]


def update_expected(root: Path) -> list[Path]:
    """Rewrite expected/ from what the pipes produce; the files whose content changed."""
    def contents() -> dict[Path, str]:
        return {path.relative_to(root): path.read_text(encoding="utf-8")
                for path in (root / EXPECTED).glob("*.json") if not path.name.endswith(".test.json")}
    before = contents()
    run_tests(root / CONFIG, {}, {}, None, update=True)
    return sorted(path for path, text in contents().items() if before.get(path) != text)


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
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["audit"]:
        return audit.main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m dataflow", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 listing out-of-date files")
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1],
                        help="the repository root (default: this checkout)")
    args = parser.parse_args(argv)
    config = pipes.config_files()
    documents = docs.generated_files(args.root)
    if args.check:
        return check(args.root, config, documents)
    changed = [*write(args.root, config), *update_expected(args.root), *docs.write_files(args.root)]
    for path in changed:
        print(f"wrote {path}")
    if not changed:
        print(f"nothing changed: the {len(config)} files of {CONFIG}/, its expected outputs and the "
              f"{len(documents)} documents already are what dataflow/model.py generates")
    return 0


def check(root: Path, config: dict[Path, str], documents: dict[Path, str]) -> int:
    out_of_date = [str(path) for path in stale(root, config)]
    if out_of_date:  # expected/ can only be checked against a config that is itself current
        compared = f"not the expected outputs ({CONFIG}/ itself is out of date)"
    else:
        count, mismatches = expected_outputs(root)
        out_of_date += mismatches
        compared = f"{count} expected outputs with what the pipes produce on the test data (as sesam test does)"
    out_of_date += [str(path) for path in docs.stale_files(root)]
    for path in out_of_date:
        print(f"out of date: {path} (run: python -m dataflow)", file=sys.stderr)
    verdict = "all up to date" if not out_of_date else f"{len(out_of_date)} out of date"
    print(f"compared {len(config)} files of {CONFIG}/ and {len(documents)} documents with what dataflow/model.py "
          f"generates, and {compared}: {verdict}")
    return 1 if out_of_date else 0


if __name__ == "__main__":
    sys.exit(main())
