"""The sandbox's own endpoints under `/_sandbox/` (no authentication): reset, clock and write counts.

`/_sandbox/faults` and `/_sandbox/requests` come from the shared `FaultInjector` that wraps the app.
"""
from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, current_app, request

from .clock import parse_date
from .store import Store

bp = Blueprint("control", __name__, url_prefix="/_sandbox")


def _store() -> Store:
    return current_app.config["STORE"]


def _reply(payload: Any, status: int = 200) -> Response:
    return Response(json.dumps(payload), status=status, content_type="application/json")


def _payload() -> dict[str, Any] | None:
    try:
        body = json.loads(request.get_data() or b"{}")
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


@bp.route("/reset", methods=["POST"])
def reset() -> Response:
    """Empty the store, or load the demo store with `{"seed": "demo"}`."""
    body = _payload()
    if body is None or body.get("seed") not in (None, "demo"):
        return _reply({"error": 'body must be {} or {"seed": "demo"}'}, 400)
    store = _store()
    with store.lock:
        store.reset()
        if body.get("seed") == "demo":
            from .seed import seed_demo
            seed_demo(store)
        counts = {name: len(store.resource(name).table) for name in ("products", "orders", "customers")}
    return _reply({"reset": True, "seed": body.get("seed"), "counts": counts})


@bp.route("/clock", methods=["GET", "PUT"])
def clock() -> Response:
    """PUT `{"now": "2026-01-01T00:00:00"}` freezes, `{"advance": seconds}` moves, `{"frozen": false}` releases."""
    the_clock = _store().clock
    if request.method == "PUT":
        body = _payload()
        if body is None or not body.keys() & {"now", "advance", "frozen"}:
            return _reply({"error": 'send {"now": "YYYY-MM-DDTHH:MM:SS"}, {"advance": seconds} or {"frozen": false}'},
                          400)
        try:
            if "now" in body:
                the_clock.freeze(parse_date(str(body["now"])))
            if "advance" in body:
                if isinstance(body["advance"], bool) or not isinstance(body["advance"], (int, float)):
                    raise ValueError("advance must be a number of seconds")
                the_clock.advance(body["advance"])
            if body.get("frozen") is False:
                the_clock.unfreeze()
        except ValueError as error:
            return _reply({"error": str(error)}, 400)
    return _reply(the_clock.as_json())


@bp.route("/stats", methods=["GET", "DELETE"])
def stats() -> Response:
    store = _store()
    with store.lock:
        payload = store.stats.as_json()
        if request.method == "DELETE":
            store.stats.writes.clear()
            store.stats.reads.clear()
    return _reply(payload)
