"""What every check shares: the registry the runner walks, `expect`, and small helpers for records and times.

A check is a function of the run and one resource's sample. It raises `CheckFailed` with the reason, or
`CheckSkipped` when the shop's data cannot exercise it.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from service.conformance.report import CheckFailed
from service.conformance.samples import Run, Sample

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")
READ_ONLY = ("id", "created_at", "updated_at", "version")
Check = Callable[[Run, Sample], None]
CHECKS: list[tuple[str, Check, tuple[str, ...] | None]] = []
FINAL_CHECKS: list[tuple[str, Check]] = []


def check(name: str, only: tuple[str, ...] | None = None) -> Callable[[Check], Check]:
    """Register a check for every resource, or `only` for these (e.g. money exists on products and orders)."""
    def register(function: Check) -> Check:
        CHECKS.append((name, function, only))
        return function
    return register


def final_check(name: str) -> Callable[[Check], Check]:
    """Register a check that runs once per resource after all the others (e.g. what must still hold at the end)."""
    def register(function: Check) -> Check:
        FINAL_CHECKS.append((name, function))
        return function
    return register


def expect(condition: bool, reason: str) -> None:
    if not condition:
        raise CheckFailed(reason)


def writable(record: dict[str, Any]) -> dict[str, Any]:
    """A record as read, without its read-only properties: a body for PUT."""
    return {key: value for key, value in record.items() if key not in READ_ONLY}


def just_before(record: dict[str, Any]) -> str:
    """An `updated_after` value that includes `record` and what follows it."""
    moment = datetime.strptime(record["updated_at"], "%Y-%m-%dT%H:%M:%S.%fZ") - timedelta(microseconds=1)
    return moment.replace(tzinfo=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def contains(actual: Any, expected: Any) -> bool:
    """`actual` has everything in `expected` (objects may carry more keys: shops fill defaults)."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(contains(actual.get(k), v) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and len(actual) == len(expected) and all(map(contains, actual, expected))
    return actual == expected
