"""Stream entities as one JSON array (JSON Pull protocol) with flat memory, a bounded number at a time.

The first entity is taken before the response starts, so a failure that happens before any data (refused
credentials, a shop that is down) becomes a real error status with a JSON body. After the first byte the status is
sent; a failure then propagates out of the generator, the server aborts the response and the array is never closed:
Sesam sees a malformed body and fails the run instead of taking a shortened array for deletes.

A pull holds a server thread for as long as it streams (minutes on a large store). `PullSlots` bounds how many
stream at once (`MAX_CONCURRENT_PULLS`); one more is answered 503 with `Retry-After` at once, so the remaining
threads stay free for receivers and `/health` whatever the number of pipes pulling.
"""
from __future__ import annotations

import itertools
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from flask import Response

from service.errors import ServiceBusy

log = logging.getLogger(__name__)

_SENTINEL = object()
BUSY_RETRY_AFTER = 5  # seconds; a slot frees when any running pull ends


class PullSlots:
    def __init__(self, size: int) -> None:
        self.size = size
        self._free = threading.BoundedSemaphore(size)

    def take(self) -> Callable[[], None]:
        """A slot, or ServiceBusy; the returned function gives it back (exactly once)."""
        if not self._free.acquire(blocking=False):
            raise ServiceBusy(f"{self.size} pulls are already streaming (MAX_CONCURRENT_PULLS); retry shortly",
                              retry_after=BUSY_RETRY_AFTER)
        released = threading.Event()

        def release() -> None:
            if not released.is_set():
                released.set()
                self._free.release()
        return release


def stream_entities(entities: Iterable[dict[str, Any]], *, describe: str, stats: Any = None,
                    on_close: Callable[[], None] = lambda: None) -> Response:
    started = time.monotonic()
    try:
        iterator = iter(entities)
        first = next(iterator, _SENTINEL)  # upstream errors before the first byte raise here, as a proper status
    except BaseException:
        on_close()
        raise
    if first is _SENTINEL:
        on_close()
        log.info("pull %s: 0 entities, %s in %.2fs", describe, stats, time.monotonic() - started)
        return Response("[]", mimetype="application/json")
    body = _json_array(itertools.chain([first], iterator), describe, stats, started)
    response = Response(body, mimetype="application/json")
    response.call_on_close(on_close)  # WSGI servers close the body whether it ended, failed or was abandoned
    return response


def _json_array(entities: Iterator[dict[str, Any]], describe: str, stats: Any, started: float) -> Iterator[str]:
    count = 0
    try:
        for entity in entities:
            yield ("[" if count == 0 else ",") + json.dumps(entity, separators=(",", ":"), ensure_ascii=False,
                                                             allow_nan=False)
            count += 1
    except GeneratorExit:
        log.warning("pull %s abandoned by the client after %d entities (%.2fs)", describe, count,
                    time.monotonic() - started)
        raise
    except Exception:
        log.exception("pull %s failed after %d entities; aborting the response so Sesam fails the run",
                      describe, count)
        raise
    yield "]"
    log.info("pull %s: %d entities, %s in %.2fs", describe, count, stats, time.monotonic() - started)
