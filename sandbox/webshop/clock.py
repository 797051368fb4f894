"""The reference shop's clock: real UTC time, or frozen and moved by hand for deterministic tests."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from sandbox.webshop.fields import format_timestamp


class Clock:
    def __init__(self, source: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        self._source = source
        self._frozen: datetime | None = None
        self._offset = timedelta()
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._frozen if self._frozen is not None else self._source() + self._offset

    def freeze(self, at: datetime | None = None) -> None:
        moment = at or self.now()
        with self._lock:
            self._frozen = moment

    def advance(self, delta: timedelta) -> None:
        """Moves a frozen clock, or shifts a running one (time never runs backwards for the shop's writes)."""
        with self._lock:
            if self._frozen is not None:
                self._frozen += delta
            else:
                self._offset += delta

    def unfreeze(self) -> None:
        with self._lock:
            self._frozen = None

    def as_json(self) -> dict[str, Any]:
        return {"now": format_timestamp(self.now()), "frozen": self._frozen is not None}
