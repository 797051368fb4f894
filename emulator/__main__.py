"""Command line: `python -m emulator run sesam-config --system woocommerce=<URL> ...` and `python -m emulator test`.

Exit status: 0 when the last round had no pipe errors and, without `--rounds`, the pipes settled (run), or when every
expected output matched (test); 1 otherwise (a loop that never settles is an echo between the systems); 2 for a
configuration the emulator cannot load or refuses.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from emulator.errors import EmulatorError
from emulator.runner import Emulator, dump_report, report_text
from emulator.verify import run_tests


def _pairs(values: list[str], option: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        name, sep, setting = value.partition("=")
        if not sep or not name:
            raise SystemExit(f"{option} expects NAME=VALUE, got {value.split('=')[0]!r}...")
        pairs[name] = setting
    return pairs


def _warn(warnings: list[str]) -> None:
    """What a node would accept but not do, such as a join it cannot track: on stderr, before anything else."""
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m emulator", description="Run Sesam pipe configurations offline.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run every pipe round after round until nothing changes")
    test = commands.add_parser("test", help="what sesam test does: upload testdata/ with test-env.json's variables, "
                                            "run, and compare the output pipes with expected/")
    for command in (run, test):
        command.add_argument("config", type=Path, help="the sesam-config folder")
        command.add_argument("--env", action="append", default=[], metavar="NAME=VALUE", help="a $ENV variable")
        command.add_argument("--secret", action="append", default=[], metavar="NAME=VALUE", help="a $SECRET value")
        command.add_argument("--rounds", type=int, default=None,
                             help="stop after N rounds (default: until settled, at most 20)")
    run.add_argument("--system", action="append", default=[], metavar="ID=URL", help="base URL of a system's service")
    run.add_argument("--state", type=Path, default=None, help="keep datasets and offsets here between invocations")
    run.add_argument("--rescan", action="store_true", help="make the first round a full rescan of every pipe")
    run.add_argument("--reset", action="append", default=[], metavar="PIPE",
                     help="reset a pipe before running, so it reads everything again (repeatable)")
    run.add_argument("--json", action="store_true", help="print the report as JSON")
    test.add_argument("--update", action="store_true", help="write the current output to expected/, as sesam update")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    env, secrets = _pairs(args.env, "--env"), _pairs(args.secret, "--secret")
    try:
        if args.command == "run":
            emulator = Emulator(args.config, _pairs(args.system, "--system"), env, secrets, args.state)
            _warn(emulator.warnings)
            for pipe_id in args.reset:
                emulator.reset(pipe_id)
            report = emulator.run(rounds=args.rounds, rescan=args.rescan)
            print(dump_report(report) if args.json else report_text(report))
            failed = bool(report.rounds) and any(p.errors for p in report.rounds[-1])
            return 1 if failed or (args.rounds is None and not report.settled) else 0
        run = run_tests(args.config, env, secrets, args.rounds, args.update)
        _warn(run.warnings)
    except EmulatorError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(report_text(run.report))
    for failure in run.failures:
        print(f"FAIL {failure}")
    for result in run.results:
        label = "UPDATED" if args.update else "PASS" if result.passed else "FAIL"
        print(f"{label} {result.pipe} (expected/{result.spec}.test.json)" + (f"\n{result.diff}" if result.diff else ""))
    return 0 if run.passed else 1


if __name__ == "__main__":
    sys.exit(main())
