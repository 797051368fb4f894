"""What every check shares: the registry the runner walks, `expect`, and the listing-order helpers.

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
CHECKS: list[tuple[str, Check]] = []


def check(name: str) -> Callable[[Check], Check]:
    def register(function: Check) -> Check:
        CHECKS.append((name, function))
        return function
    return register


def expect(condition: bool, reason: str) -> None:
    if not condition:
        raise CheckFailed(reason)


def just_before(record: dict[str, Any]) -> str:
    """An `updated_after` value that includes `record` and what follows it."""
    moment = datetime.strptime(record["updated_at"], "%Y-%m-%dT%H:%M:%S.%fZ") - timedelta(microseconds=1)
    return moment.replace(tzinfo=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def position(item: dict[str, Any]) -> tuple[str, int]:
    return item["updated_at"], item["id"]


def expect_ordered(items: list[dict[str, Any]], resource: str) -> None:
    for before, after in zip(items, items[1:]):
        expect(position(before) < position(after),
               f"GET /{resource} is not ordered by (updated_at, id): {position(before)} came before {position(after)}")


def expect_one_pass(items: list[dict[str, Any]], resource: str) -> None:
    """One scan: in (updated_at, id) order, and no version of a record sent twice."""
    expect_ordered(items, resource)
    seen = [(item["id"], item["version"]) for item in items]
    twice = sorted({pair for pair in seen if seen.count(pair) > 1})
    expect(not twice, f"a scan of /{resource} returned the same (id, version) more than once: {twice}")


def contains(actual: Any, expected: Any) -> bool:
    """`actual` has everything in `expected` (objects may carry more keys: shops fill defaults)."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(contains(actual.get(k), v) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and len(actual) == len(expected) and all(map(contains, actual, expected))
    return actual == expected
