"""Check outcomes and how they are shown: a table for people, JSON for machines."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Literal

Status = Literal["pass", "fail", "skip"]


class CheckFailed(AssertionError):
    """The shop broke the contract; the message says how, in terms an integrator can act on."""


class CheckSkipped(Exception):
    """The shop's data does not allow this check to run (e.g. no records share an updated_at)."""


@dataclass(frozen=True)
class Outcome:
    resource: str
    check: str
    status: Status
    reason: str = ""


def passed(outcomes: list[Outcome]) -> bool:
    return all(outcome.status != "fail" for outcome in outcomes)


def render_table(outcomes: list[Outcome]) -> str:
    rows = [("RESOURCE", "CHECK", "RESULT", "REASON")]
    rows += [(o.resource, o.check, o.status.upper() if o.status == "fail" else o.status, o.reason) for o in outcomes]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths)) + "  " + row[3] for row in rows]
    failures = sum(o.status == "fail" for o in outcomes)
    skipped = sum(o.status == "skip" for o in outcomes)
    summary = f"{len(outcomes) - failures - skipped} passed, {failures} failed, {skipped} skipped"
    return "\n".join(line.rstrip() for line in lines) + "\n\n" + summary


def render_json(base_url: str, outcomes: list[Outcome]) -> str:
    return json.dumps({"base_url": base_url, "passed": passed(outcomes),
                       "results": [asdict(outcome) for outcome in outcomes]}, indent=2)
