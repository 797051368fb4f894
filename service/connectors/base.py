"""What every connector shares with the routes: its token format and per-read request counting."""
from __future__ import annotations

from service.connectors.read_stats import ReadStats
from service.sesam.since import TokenFormat


class Connector:
    system: str
    tokens: TokenFormat

    def parse_since(self, raw: str | None) -> str | None:
        return self.tokens.parse_since(raw)

    @staticmethod
    def new_stats() -> ReadStats:
        return ReadStats()
