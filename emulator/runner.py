"""The round-based runner: every pipe in dependency order, round after round, until a round changes nothing.

A round runs each pipe once. A pipe comes after the pipes whose datasets it reads (source, merge and hops); pipes in
a cycle (two-way sync loops through the services) keep their configuration order. A round "changed something" when
any pipe wrote a new version, deleted, pushed or dead-lettered an entity. A pipe run that fails is reported with its
error and leaves its offset, so the next round (or the next invocation, with `--state`) retries it.

Rescans: `rescan_run_count` is honoured by counting runs; `rescan_cron_expression` has no clock to follow here, so
`rescan=True` (`--rescan`) makes the first round of an invocation a full rescan of every pipe.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from emulator.config import Config, load_config
from emulator.dataset import Store
from emulator.errors import ConfigError, PipeRunError
from emulator.pipes import Pipe, PipeReport
from emulator.systems import System

DEFAULT_MAX_ROUNDS = 20


@dataclass
class Report:
    rounds: list[list[PipeReport]] = field(default_factory=list)
    settled: bool = False
    warnings: list[str] = field(default_factory=list)  # what a node accepts but would not do (dependency tracking)

    @property
    def errors(self) -> list[str]:
        return [error for pipes in self.rounds for pipe in pipes for error in pipe.errors]

    def pipe(self, pipe_id: str, round_index: int = -1) -> PipeReport:
        """The report of one pipe in one round (0-based, -1 for the last round)."""
        return next(p for p in self.rounds[round_index] if p.pipe == pipe_id)

    def total(self, pipe_id: str, measure: str) -> int:
        """A measure (`read`, `written`, `pushed`, `requests`, …) summed over every round."""
        return sum(getattr(p, measure) for pipes in self.rounds for p in pipes if p.pipe == pipe_id)

    def as_json(self) -> dict[str, Any]:
        return {"settled": self.settled, "warnings": self.warnings,
                "rounds": [[asdict(p) for p in pipes] for pipes in self.rounds]}


class Emulator:
    def __init__(
        self,
        config_dir: str | Path,
        systems: Mapping[str, str] | None = None,
        env: Mapping[str, Any] | None = None,
        secrets: Mapping[str, str] | None = None,
        state_dir: str | Path | None = None,
        capture_output: bool = False,
    ) -> None:
        self.config: Config = load_config(Path(config_dir), env, secrets)
        unknown = set(systems or {}) - set(self.config.systems)
        if unknown:
            raise ConfigError(f"--system names systems the config does not have: {', '.join(sorted(unknown))}")
        self.systems = {
            system_id: System(system_id, spec, (systems or {}).get(system_id))
            for system_id, spec in self.config.systems.items()
        }
        for system in self.systems.values():
            if system.base_url is not None and system.missing_secrets:
                try:
                    system.require_secrets()  # a system we were told to reach will be used: say so now
                except PipeRunError as error:
                    raise ConfigError(str(error)) from None
        self.store = Store(Path(state_dir) if state_dir is not None else None)
        self.pipes = [Pipe(spec, self.config, self.store, self.systems, capture_output)
                      for spec in self.config.pipes.values()]
        self.order = order_pipes(self.pipes)
        self.warnings = [warning for pipe in self.pipes for warning in pipe.dependencies.warnings]

    def run(self, rounds: int | None = None, rescan: bool = False) -> Report:
        report = Report(warnings=list(self.warnings))
        limit = rounds if rounds is not None else DEFAULT_MAX_ROUNDS
        for number in range(1, limit + 1):
            results = [self._run_pipe(pipe, number, rescan and number == 1) for pipe in self.order
                       if pipe.mode == "scheduled"]
            report.rounds.append(results)
            self.store.save()
            if not any(result.changed for result in results):
                report.settled = True
                break
        return report

    def reset(self, pipe_id: str) -> None:
        """Forget a pipe's offset, as resetting a pipe on a node does: its next run reads everything ("the first
        time the inbound pipe runs (or if the pipe is reset) … resulting in a complete import",
        configuration-sources.rst) and its dataset sink does deletion tracking after it."""
        if pipe_id not in self.config.pipes:
            raise ConfigError(f"cannot reset unknown pipe {pipe_id!r}")
        self.store.pipe_state(pipe_id).pop("offset", None)

    def _run_pipe(self, pipe: Pipe, number: int, full: bool) -> PipeReport:
        report = pipe.run(number, full)
        report.errors = [self._redact(error) for error in report.errors]
        return report

    def _redact(self, text: str) -> str:
        for secret in self.config.secret_values:
            text = text.replace(secret, "***")
        return text

    def dataset(self, dataset_id: str) -> list[dict[str, Any]]:
        """The latest version of every entity in a dataset (deleted ones included), for tests and inspection."""
        return list(self.store.dataset(dataset_id).latest())


def order_pipes(pipes: list[Pipe]) -> list[Pipe]:
    writers = {pipe.output_dataset: pipe.id for pipe in pipes if pipe.output_dataset}
    needs = {pipe.id: {writers[d] for d in pipe.input_datasets if d in writers} - {pipe.id} for pipe in pipes}
    ordered: list[Pipe] = []
    remaining = list(pipes)
    while remaining:
        done = {pipe.id for pipe in ordered}
        ready = [pipe for pipe in remaining if needs[pipe.id] <= done]
        # In a cycle nobody is ready: take the first remaining pipe in configuration order.
        chosen = ready[0] if ready else remaining[0]
        ordered.append(chosen)
        remaining.remove(chosen)
    return ordered


def report_text(report: Report) -> str:
    lines = []
    for number, pipes in enumerate(report.rounds, 1):
        lines.append(f"round {number}")
        for p in pipes:
            line = (f"  {p.pipe}: {'full' if p.full else 'incremental'} read={p.read} requeued={p.requeued} "
                    f"written={p.written} deleted={p.deleted} pushed={p.pushed} requests={p.requests} dead={p.dead}")
            lines.append(line + "".join(f"\n    error: {e}" for e in p.errors))
    lines.append("settled: nothing changed in the last round" if report.settled else "stopped at the round limit")
    return "\n".join(lines)


def dump_report(report: Report) -> str:
    return json.dumps(report.as_json(), indent=2)
