"""What every connector's writer shares: the outcome of a batch, and the field-by-field comparison that keeps
unchanged data from being written (a no-op write still bumps WooCommerce's `date_modified`, and that change would
flow back to the other side forever)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from service.connectors.bookkeeping import SYNC_FIELDS
from service.sesam.push import is_reserved


@dataclass(frozen=True)
class Failure:
    entity_id: str
    reason: str
    retriable: bool


@dataclass
class WriteResult:
    counts: Counter[str] = field(default_factory=Counter)
    failures: list[Failure] = field(default_factory=list)

    def count(self, outcome: str, n: int = 1) -> None:
        self.counts[outcome] += n

    def fail(self, entity_id: str, reason: str, retriable: bool) -> None:
        self.failures.append(Failure(entity_id, reason, retriable))

    def summary(self) -> dict[str, int]:
        return {outcome: self.counts.get(outcome, 0)
                for outcome in ("created", "updated", "unchanged", "deleted", "skipped")}


def payload(entity: dict[str, Any]) -> dict[str, Any]:
    """The entity without Sesam's fields, our `sesam_origin` stamp, the target id and the sync's own fields
    (bookkeeping.py), which are written separately."""
    return {k: v for k, v in entity.items()
            if not is_reserved(k) and k not in ("id", "sesam_origin") and k not in SYNC_FIELDS}


def same_value(want: Any, have: Any, decimal: bool = False) -> bool:
    """Equality as the shop means it: null and "" are both empty; money compares as a decimal."""
    if want in (None, "") and have in (None, ""):
        return True
    if decimal:
        try:
            return Decimal(str(want)) == Decimal(str(have))
        except (InvalidOperation, ValueError):
            return want == have
    return want == have


def changed_subfields(want: dict[str, Any], have: Any) -> dict[str, Any]:
    """The keys of a partial object (an address) whose value differs; shops merge partial objects."""
    have = have if isinstance(have, dict) else {}
    return {k: v for k, v in want.items() if not same_value(v, have.get(k))}
