"""The store's notion of "now": real UTC time, or a frozen time that tests move by hand.

WordPress stores dates at one-second resolution, so `now()` drops microseconds; the site timezone is UTC.
"""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from typing import Any

DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"


def format_date(moment: datetime) -> str:
    return moment.strftime(DATE_FORMAT)


def parse_date(text: str) -> datetime:
    """A naive UTC datetime from an ISO 8601 string; an offset, if any, is converted to UTC (the site timezone)."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.replace(microsecond=0)


class Clock:
    def __init__(self) -> None:
        self._frozen: datetime | None = None
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            if self._frozen is not None:
                return self._frozen
        return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)

    def freeze(self, moment: datetime) -> None:
        with self._lock:
            self._frozen = moment.replace(microsecond=0)

    def advance(self, seconds: float) -> None:
        with self._lock:
            if self._frozen is None:
                raise ValueError("the clock is not frozen; set 'now' first")
            self._frozen += timedelta(seconds=seconds)

    def unfreeze(self) -> None:
        with self._lock:
            self._frozen = None

    @property
    def frozen(self) -> bool:
        return self._frozen is not None

    def as_json(self) -> dict[str, Any]:
        return {"now": format_date(self.now()), "frozen": self.frozen}
