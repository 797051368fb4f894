"""The `json` sink: JSON Push to a system (`hub/json-push.rst`, `configuration-sinks-json.rst`,
`hub/custom-data-sink.rst`) with the pump's write-error handling (`configuration-pump.rst`).

Entities go out in POSTed arrays of at most `batch_size`, with `sequence_id` (new per run), `is_full`, `request_id`,
`previous_request_id` (all but the first request), and on full syncs `is_first`/`is_last`; one final empty batch
always closes the run. A batch answered with anything but 2xx is re-sent `batch_retries` times and then, with
`fallback_to_single_entities_on_batch_fail` (default true), entity by entity. Each entity that still fails is a write
error: with `max_write_errors_in_retry_dataset` > 0 it is kept for retry in later runs until it has failed
`max_retries_per_entity` times, when it goes to `dead_letter_dataset`; the run stops after
`max_consecutive_write_errors` errors in a row (default 1). For each setting the pump's own value wins, then the
system's `retry_strategy` entry for the status, then the documented default (`emulator.retries`). A stopped run keeps its offset, so the next run sends the same entities again. With
`track_dead_letters`, an entity written successfully is deleted from the dead letter dataset. A 409 on a full sync
stops the run at once: the sink "must stop the active sync, and try again later … from the beginning with a new
sequence" (json-push.rst).
"""
from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import requests

from emulator.dataset import Dataset
from emulator.errors import PipeRunError, SequenceConflict
from emulator.retries import retry_setting
from emulator.sinks import SinkResult
from emulator.systems import System

Item = tuple[str, dict[str, Any]]  # the source entity's _id and the entity the sink sends for it
Outcome = tuple[Item | None, int | None]  # an item (None: the final empty batch) and its failed status
DEFAULT_BATCH_SIZE = 100
CONFLICT = 409


class _Sequence:
    """Request parameters of one JSON Push sync."""

    def __init__(self, full: bool) -> None:
        self.sequence_id = uuid.uuid4().hex
        self.full = full
        self.request_number = 0

    def params(self, last: bool) -> dict[str, str]:
        self.request_number += 1
        params = {"sequence_id": self.sequence_id, "is_full": "true" if self.full else "false",
                  "request_id": str(self.request_number)}
        if self.request_number > 1:
            params["previous_request_id"] = str(self.request_number - 1)
        if self.full and self.request_number == 1:
            params["is_first"] = "true"
        if self.full and last:
            params["is_last"] = "true"
        return params


class JsonSink:
    def __init__(self, pipe_id: str, spec: dict[str, Any], system: System, pump: dict[str, Any],
                 dead_letters: Callable[[], Dataset] | None) -> None:
        self.pipe_id = pipe_id
        self.spec = spec
        self.system = system
        self.pump = pump
        self.batch_size = int(spec.get("batch_size", DEFAULT_BATCH_SIZE))
        self.dead_letters = dead_letters

    def write(self, items: list[Item], full: bool, book: dict[str, dict[str, Any]], result: SinkResult) -> None:
        """Push `items` (source entity id, entity to send) after any kept for retry. `book` holds `retries`
        (source id → {"entity", "attempts"}) and `dead` (source id → the `_id` of its dead letter), is updated in
        place and must only be kept by the caller if this returns (a raised PipeRunError means the run failed).

        The pump's bookkeeping follows the source entity: a write error is retried "until a new version comes along
        from the source" (pump-execution.rst, write-error `dead`), and `track_dead_letters` deletes a dead letter
        when "a later version of it is successfully written" (configuration-pump.rst). Two entities that happen to
        share an `_id` once namespaces are removed are never taken for one another."""
        retries = book.setdefault("retries", {})
        fresh = {source_id for source_id, _ in items}
        pending = [(key, item["entity"]) for key, item in retries.items() if key not in fresh] + items
        if not pending and not full:
            return  # an incremental run with nothing to send makes no requests (a "noop" run)
        sequence = _Sequence(full)
        consecutive = 0
        with self.system.session() as session:
            batches = [pending[i:i + self.batch_size] for i in range(0, len(pending), self.batch_size)] + [[]]
            for index, batch in enumerate(batches):
                is_last = index == len(batches) - 1
                for item, status in self._send_batch(session, sequence, batch, is_last, book, result):
                    if status is None:
                        consecutive = 0
                        continue
                    consecutive += 1
                    self._write_error(item, status, book, result)
                    if consecutive >= self._setting("max_consecutive_write_errors", status):
                        raise PipeRunError(
                            f"pipe {self.pipe_id}: {consecutive} consecutive write error(s), last: {result.errors[-1]}")

    def _send_batch(self, session: requests.Session, sequence: _Sequence, batch: list[Item], is_last: bool,
                    book: dict[str, dict[str, Any]], result: SinkResult) -> Iterator[Outcome]:
        """Send one batch (falling back to single entities), yielding the outcome per entity as it is known (None
        meaning written), so the caller can stop the run at the error that ends it. The final empty batch reports
        itself as one pseudo-entity so that its failure counts as a write error too."""
        status = self._post_with_retries(session, sequence, [entity for _, entity in batch], is_last, result)
        if status == CONFLICT and sequence.full:
            raise SequenceConflict(f"pipe {self.pipe_id}: the receiver answered 409 Conflict to the full sync")
        if status is None or not batch:
            outcomes: Iterable[Outcome] = [(item, status) for item in batch] or [(None, status)]
        elif self.pump.get("fallback_to_single_entities_on_batch_fail", True) and len(batch) > 1:
            outcomes = ((item, self._post(session, sequence, [item[1]], False, result)) for item in batch)
        else:
            outcomes = [(item, status) for item in batch]
        for item, item_status in outcomes:
            if item is not None and item_status is None:
                result.pushed += 1
                book["retries"].pop(item[0], None)
                self._forget_dead_letter(item[0], book)
            yield item, item_status

    def _forget_dead_letter(self, source_id: str, book: dict[str, dict[str, Any]]) -> None:
        dead = book.setdefault("dead", {})
        letter_id = dead.pop(source_id, None)
        if letter_id is None or not self.pump.get("track_dead_letters") or self.dead_letters is None:
            return
        if letter_id in dead.values():
            return  # a later dead entity of another source wrote the letter with this _id: it is theirs now
        letters = self.dead_letters()
        letter = letters.get(letter_id)
        if letter is not None and not letter["_deleted"]:
            letters.write({**letter, "_deleted": True})

    def _setting(self, name: str, status: int | None) -> Any:
        return retry_setting(name, status, self.pump, self.system)

    def _post_with_retries(self, session: requests.Session, sequence: _Sequence, batch: list[dict[str, Any]],
                           is_last: bool, result: SinkResult) -> int | None:
        """A batch retry re-sends the same request, parameters included: the receiver never applied it, so it is
        still the request that follows the previous one (json-push.rst does not say; see README)."""
        params = sequence.params(is_last)
        status = self._send(session, params, batch, result)
        attempts = 0
        while status not in (None, CONFLICT) and attempts < self._setting("batch_retries", status):
            attempts += 1
            time.sleep(self._setting("write_retry_delay", status))
            status = self._send(session, params, batch, result)
        return status

    def _post(self, session: requests.Session, sequence: _Sequence, batch: list[dict[str, Any]], is_last: bool,
              result: SinkResult) -> int | None:
        return self._send(session, sequence.params(is_last), batch, result)

    def _send(self, session: requests.Session, params: dict[str, str], batch: list[dict[str, Any]],
              result: SinkResult) -> int | None:
        """POST one request; None on 2xx, else the status (0 when no response arrived)."""
        result.requests += 1
        headers = {"Content-Type": "application/json", **self.system.headers(self.spec.get("headers"))}
        try:
            response = session.post(self.system.url_for(self.spec["url"]), params=params,
                                    json=batch, headers=headers, timeout=self.system.timeout)
        except requests.RequestException as error:
            result.errors.append(f"POST {self.spec['url']} failed: {type(error).__name__}")
            return 0
        if 200 <= response.status_code < 300:
            return None
        result.errors.append(f"POST {self.spec['url']} answered {response.status_code}")
        return response.status_code

    def _write_error(self, item: Item | None, status: int, book: dict[str, dict[str, Any]],
                     result: SinkResult) -> None:
        if item is None:
            return
        source_id, entity = item
        retries = book["retries"]
        attempts = retries.get(source_id, {}).get("attempts", 0) + 1
        retry_room = self._setting("max_write_errors_in_retry_dataset", status)
        if retry_room and attempts <= self._setting("max_retries_per_entity", status):
            if source_id in retries or len(retries) < retry_room:
                retries[source_id] = {"entity": entity, "attempts": attempts}
                return
            raise PipeRunError(f"pipe {self.pipe_id}: more than {retry_room} write errors in the retry dataset")
        retries.pop(source_id, None)
        if retry_room and self.dead_letters is not None:
            # "write any entities that fail retries" to the dead letter dataset (configuration-pump.rst)
            self.dead_letters().write(entity)
            book.setdefault("dead", {})[source_id] = entity["_id"]
            result.dead += 1
