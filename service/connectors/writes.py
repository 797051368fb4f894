"""What every connector's writer shares: the outcome of a batch, how a failed write is told to Sesam, and the
field-by-field comparison that keeps unchanged data from being written (a no-op write still bumps WooCommerce's
`date_modified`, and that change would flow back to the other side forever).

Counts are what happened in the shop: `created` only when a new record was made; a create that found the record it
stands for (same SKU or e-mail, the origin of an earlier attempt) is `updated` or `unchanged`; earlier versions of
an entity repeated in the batch are `superseded` (service/sesam/batch.py), never written. An update of a record the
shop no longer holds is `gone`, not a failure: it was deleted here, the delete wins over the edit (README, "Golden
values"), and the other shop learns of it from this shop's next read (a full rescan for a delete that leaves no
trace). Failing it would dead-letter an edit no retry can apply, and leave the letter behind once the delete is done.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from service.clients.transport import describe_fields
from service.errors import UpstreamAuthError, UpstreamError, UpstreamUnavailable
from service.sesam.batch import PushedEntity

OUTCOMES = ("created", "updated", "unchanged", "deleted", "skipped", "superseded", "gone")
CREDENTIALS_REFUSED = ("the shop refused our credentials (401/403): a rotated or revoked key. Nothing was written; "
                       "fix the credentials in the configuration and Sesam's retry will apply it")


@dataclass(frozen=True)
class Failure:
    entity: PushedEntity
    reason: str
    retriable: bool
    fields: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The entity named by `_id` and by its identity: `_id`s of different systems can collide."""
        named: dict[str, Any] = {"_id": self.entity.sesam_id}
        if self.entity.target_id is not None:
            named["id"] = self.entity.target_id
        elif self.entity.origin is not None:
            named["sesam_origin"] = self.entity.origin
        return {**named, "reason": self.reason, "retriable": self.retriable,
                **({"fields": self.fields} if self.fields else {})}

    def logged(self) -> str:
        return f"{self.entity.sesam_id}: {self.reason}"


@dataclass
class WriteResult:
    counts: Counter[str] = field(default_factory=Counter)
    failures: list[Failure] = field(default_factory=list)
    gone: list[PushedEntity] = field(default_factory=list)  # named in the log: edits an operator may look for

    def count(self, outcome: str, n: int = 1) -> None:
        assert outcome in OUTCOMES, outcome
        self.counts[outcome] += n

    def include(self, other: "WriteResult") -> None:
        """Take in what a part of the batch written on its own came to (a parent's variations)."""
        self.counts.update(other.counts)
        self.failures.extend(other.failures)
        self.gone.extend(other.gone)

    def record(self, entity: PushedEntity, outcome: str) -> None:
        self.count(outcome)
        if outcome == "gone":
            self.gone.append(entity)

    def fail(self, entity: PushedEntity, reason: str, retriable: bool, fields: dict[str, str] | None = None) -> None:
        self.failures.append(Failure(entity, reason, retriable, dict(fields or {})))

    def refuse(self, entity: PushedEntity, fields: dict[str, str]) -> None:
        """A write the shop would refuse, known before sending it: the field-level reason, no round trip."""
        self.fail(entity, describe_fields(fields), False, fields)

    def fail_upstream(self, entity: PushedEntity, error: UpstreamError) -> None:
        if isinstance(error, UpstreamAuthError):
            self.fail(entity, f"{CREDENTIALS_REFUSED} ({error.message})", True)
        else:
            self.fail(entity, error.message, isinstance(error, UpstreamUnavailable), error.details.get("fields"))

    def summary(self) -> dict[str, int]:
        return {outcome: self.counts.get(outcome, 0) for outcome in OUTCOMES}


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
