"""JSON Push protocol: the batch and its request parameters, validated before anything is written.

Sequence rules (reference/sesam.md §2.1–2.2, docs.sesam.io/hub/json-push.html): only full syncs are sequences. A
full-sync request conflicts (409) when its `previous_request_id` is not the request before it, when `is_full`
changes within its sequence, or when `is_first` is set on a sequence already under way. A new `sequence_id` with
`is_first` replaces the active one; `is_last` ends it. The same request sent again (a batch retry re-sends it
whole, same `request_id`) is not a conflict. Incremental requests do not touch the active sequence and
their parameters are otherwise ignored. The state lives in this process, so the service runs one gunicorn worker
(with threads): requests of one sequence must meet the same tracker.

Our receivers never delete what a full sync leaves out: they apply exactly the deletes they are sent.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any, Mapping

from service.errors import InvalidRequest, PayloadTooLarge, SequenceConflict

_BOOLEAN = {"true": True, "false": False, "1": True, "0": False}


@dataclass(frozen=True)
class PushParams:
    sequence_id: str | None
    is_full: bool
    request_id: str | None
    previous_request_id: str | None
    is_first: bool
    is_last: bool

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> "PushParams":
        def flag(name: str) -> bool:
            raw = args.get(name)
            if raw is None:
                return False
            if raw.lower() not in _BOOLEAN:
                raise InvalidRequest(f"{name} must be true or false", parameter=name)
            return _BOOLEAN[raw.lower()]
        return cls(args.get("sequence_id"), flag("is_full"), args.get("request_id"),
                   args.get("previous_request_id"), flag("is_first"), flag("is_last"))


@dataclass
class _Sequence:
    sequence_id: str
    last_request_id: str | None


class SequenceTracker:
    """The active full-sync sequence of one receiver."""

    def __init__(self) -> None:
        self._active: _Sequence | None = None
        self._lock = threading.Lock()

    def check(self, params: PushParams) -> None:
        """Raise SequenceConflict if the request is out of sequence; does not advance the sequence."""
        with self._lock:
            self._conflict(params)

    def advance(self, params: PushParams) -> None:
        """Record a request that was applied."""
        if not params.is_full or params.sequence_id is None:
            return
        with self._lock:
            if params.is_last:
                self._active = None
            else:
                self._active = _Sequence(params.sequence_id, params.request_id)

    def _conflict(self, params: PushParams) -> None:
        active = self._active
        if not params.is_full:
            if active and params.sequence_id == active.sequence_id:
                raise SequenceConflict("is_full changed within the active full-sync sequence",
                                       sequence_id=params.sequence_id)
            return
        if params.sequence_id is None:
            raise InvalidRequest("a full sync (is_full=true) must send sequence_id")
        if active and (params.sequence_id, params.request_id) == (active.sequence_id, active.last_request_id):
            return  # the same request again: a batch retry (configuration-pump.rst, batch_retries)
        if params.is_first:
            if active and active.sequence_id == params.sequence_id:
                raise SequenceConflict("is_first=true on a sequence that has already started",
                                       sequence_id=params.sequence_id)
            return
        if active is None or active.sequence_id != params.sequence_id:
            raise SequenceConflict("full-sync request for a sequence that is not active (missing is_first?)",
                                   sequence_id=params.sequence_id)
        if params.previous_request_id != active.last_request_id:
            raise SequenceConflict("previous_request_id does not match the last request of the sequence",
                                   sequence_id=params.sequence_id, expected=active.last_request_id,
                                   got=params.previous_request_id)


def parse_batch(body: bytes, max_bytes: int) -> list[dict[str, Any]]:
    """The pushed entities, or InvalidRequest listing every problem (nothing is written then)."""
    if len(body) > max_bytes:
        raise PayloadTooLarge(f"the batch is {len(body)} bytes; this receiver accepts at most {max_bytes}")
    try:
        batch = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidRequest(f"the body is not JSON: {exc}") from None
    if isinstance(batch, dict):
        batch = [batch]  # a single entity is accepted as a batch of one, as Sesam's own receivers do
    if not isinstance(batch, list):
        raise InvalidRequest("the body must be a JSON array of entities")
    problems = [problem for index, entity in enumerate(batch) for problem in _entity_problems(index, entity)]
    if problems:
        raise InvalidRequest(f"{len(problems)} problem(s) in the batch; nothing was written", problems=problems)
    return batch


def _entity_problems(index: int, entity: Any) -> list[str]:
    if not isinstance(entity, dict):
        return [f"[{index}]: an entity must be a JSON object, not {type(entity).__name__}"]
    problems = []
    entity_id = entity.get("_id")
    where = f"[{index}]" if not isinstance(entity_id, str) else f"[{index}] {entity_id[:80]!r}"
    if not isinstance(entity_id, str) or not entity_id:
        problems.append(f"{where}: _id must be a non-empty string")
    for flag in ("_deleted", "$replaced"):
        if flag in entity and not isinstance(entity[flag], bool):
            problems.append(f"{where}: {flag} must be true or false")
    if "id" in entity and entity["id"] is not None and not _is_id(entity["id"]):
        problems.append(f"{where}: id must be the target record's id (an integer or a string of digits)")
    if "sesam_origin" in entity and entity["sesam_origin"] is not None and not isinstance(entity["sesam_origin"], str):
        problems.append(f"{where}: sesam_origin must be a string")
    return problems


def _is_id(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value > 0
    return isinstance(value, str) and value.isdigit() and int(value) > 0


def target_id(entity: dict[str, Any]) -> int | None:
    value = entity.get("id")
    return int(value) if value is not None else None


def is_reserved(key: str) -> bool:
    """Sesam's reserved (`_…`) and semi-reserved (`$…`) fields never reach a shop."""
    return key.startswith("_") or key.startswith("$")
