"""What every connector shares with the routes: its token format, per-read request counting, and the shape of
the pushed fields its writers read (none by default: the shop validates what it is sent)."""
from __future__ import annotations

from collections.abc import Mapping

from service.connectors.read_stats import ReadStats
from service.sesam.shapes import Check
from service.sesam.since import TokenFormat


class Connector:
    system: str
    tokens: TokenFormat

    def parse_since(self, raw: str | None, type_name: str) -> str | None:
        return self.tokens.parse_since(raw)

    @staticmethod
    def new_stats() -> ReadStats:
        return ReadStats()

    def entity_shape(self, type_name: str) -> Mapping[str, Check]:
        return {}
