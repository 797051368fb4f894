"""Stream entities as one JSON array (JSON Pull protocol) with flat memory.

The first entity is taken before the response starts, so a failure that happens before any data (refused
credentials, a shop that is down) becomes a real error status with a JSON body. After the first byte the status is
sent; a failure then propagates out of the generator, the server aborts the response and the array is never closed:
Sesam sees a malformed body and fails the run instead of taking a shortened array for deletes.
"""
from __future__ import annotations

import itertools
import json
import logging
import time
from collections.abc import Iterable, Iterator
from typing import Any

from flask import Response

log = logging.getLogger(__name__)

_SENTINEL = object()


def stream_entities(entities: Iterable[dict[str, Any]], *, describe: str, stats: Any = None) -> Response:
    iterator = iter(entities)
    started = time.monotonic()
    first = next(iterator, _SENTINEL)  # upstream errors before the first byte raise here, as a proper status
    if first is _SENTINEL:
        log.info("pull %s: 0 entities, %s in %.2fs", describe, stats, time.monotonic() - started)
        return Response("[]", mimetype="application/json")
    body = _json_array(itertools.chain([first], iterator), describe, stats, started)
    return Response(body, mimetype="application/json")


def _json_array(entities: Iterator[dict[str, Any]], describe: str, stats: Any, started: float) -> Iterator[str]:
    count = 0
    try:
        for entity in entities:
            yield ("[" if count == 0 else ",") + json.dumps(entity, separators=(",", ":"), ensure_ascii=False)
            count += 1
    except Exception:
        log.exception("pull %s failed after %d entities; aborting the response so Sesam fails the run",
                      describe, count)
        raise
    yield "]"
    log.info("pull %s: %d entities, %s in %.2fs", describe, count, stats, time.monotonic() - started)
