"""Per-read request counting for a pull's log line (several threads may count at once)."""
from __future__ import annotations

import threading


class ReadStats:
    def __init__(self) -> None:
        self.upstream_requests = 0
        self._lock = threading.Lock()

    def count_request(self) -> None:
        with self._lock:
            self.upstream_requests += 1

    def __str__(self) -> str:
        return f"{self.upstream_requests} upstream requests"
