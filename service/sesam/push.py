"""JSON Push protocol: a request's parameters, and the full-sync sequences they belong to.

Sequence rules (reference/sesam.md §2.1–2.2, docs.sesam.io/hub/json-push.html): only full syncs are sequences. A
full-sync request conflicts (409) when its `previous_request_id` is not the request before it, when `is_full`
changes within its sequence, or when `is_first` is set on a sequence already under way. `is_last` ends it.

State is kept **per receiver and `sequence_id`**, not one per receiver: two pipes pushing full syncs to one type
each keep their own sequence instead of knocking each other out (the docs' "a new sequence_id replaces the active
one" is for one sink; a receiver shared by two sinks must not let one end the other's). The same request sent
again (a batch retry re-sends it whole, same `request_id`, `configuration-pump.rst`) is not a conflict, and that
includes the last request of a sequence replayed after it ended: its answer may never have reached Sesam (a 503, a
dropped connection). Finished and abandoned sequences are forgotten oldest first beyond `MAX_SEQUENCES`.
Incremental requests do not touch any sequence and their parameters are otherwise ignored.

The state lives in this process, so the service refuses to start with more than one gunicorn worker
(`WEB_CONCURRENCY`, service/settings.py): every request of a sequence must meet the same tracker. Our receivers never
delete what a full sync leaves out: they apply exactly the deletes they are sent.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Mapping

from service.errors import InvalidRequest, SequenceConflict

_BOOLEAN = {"true": True, "false": False, "1": True, "0": False}
MAX_SEQUENCES = 256


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
    last_request_id: str | None
    finished: bool = False


class Sequences:
    """The full-sync sequences of every receiver of this process."""

    def __init__(self) -> None:
        self._known: OrderedDict[tuple[str, str], _Sequence] = OrderedDict()
        self._lock = threading.Lock()

    def check(self, receiver: str, params: PushParams) -> None:
        """Raise SequenceConflict if the request is out of sequence; does not advance the sequence."""
        with self._lock:
            self._conflict(receiver, params)

    def advance(self, receiver: str, params: PushParams) -> None:
        """Record a request that was received in sequence, whatever became of its entities."""
        if not params.is_full or params.sequence_id is None:
            return
        with self._lock:
            key = (receiver, params.sequence_id)
            sequence = self._known.pop(key, None) or _Sequence(params.request_id)
            sequence.last_request_id = params.request_id
            sequence.finished = sequence.finished or params.is_last
            self._known[key] = sequence
            while len(self._known) > MAX_SEQUENCES:
                self._known.popitem(last=False)

    def _conflict(self, receiver: str, params: PushParams) -> None:
        sequence = self._known.get((receiver, params.sequence_id)) if params.sequence_id is not None else None
        if not params.is_full:
            if sequence is not None and not sequence.finished:
                raise SequenceConflict("is_full changed within an active full-sync sequence",
                                       sequence_id=params.sequence_id)
            return
        if params.sequence_id is None:
            raise InvalidRequest("a full sync (is_full=true) must send sequence_id")
        if sequence is not None and params.request_id == sequence.last_request_id:
            return  # the same request again: a batch retry, or a replay of the last one after a lost answer
        if params.is_first:
            if sequence is not None:
                raise SequenceConflict("is_first=true on a sequence that has already started",
                                       sequence_id=params.sequence_id)
            return
        if sequence is None or sequence.finished:
            raise SequenceConflict("full-sync request for a sequence that is not active (missing is_first?)",
                                   sequence_id=params.sequence_id)
        if params.previous_request_id != sequence.last_request_id:
            raise SequenceConflict("previous_request_id does not match the last request of the sequence",
                                   sequence_id=params.sequence_id, expected=sequence.last_request_id,
                                   got=params.previous_request_id)
