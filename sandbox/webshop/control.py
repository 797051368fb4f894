"""The sandbox control plane under /_sandbox/ (no token; never part of the contract a real shop offers).

    POST /_sandbox/reset   {"seed": "demo"} optional      empty the shop (and seed it), zero the stats
    GET  /_sandbox/clock                                  {"now": ..., "frozen": bool}
    PUT  /_sandbox/clock   {"now": "<RFC 3339>"}           freeze at that time
                           {"advance": 1.5}       move the clock (frozen or not)
                           {"frozen": false}              run with real time again
    GET|DELETE /_sandbox/stats                            real writes by resource and operation; DELETE zeroes them
Fault injection (/_sandbox/faults, /_sandbox/requests) is answered by `sandbox.faults.FaultInjector` around the app.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, Response, request

from sandbox.webshop.errors import ValidationFailed
from sandbox.webshop.fields import Invalid, parse_timestamp
from sandbox.webshop.routes import json_response, request_json, store
from sandbox.webshop.seed import SEEDS

bp = Blueprint("webshop_control", __name__, url_prefix="/_sandbox")


@bp.post("/reset")
def reset() -> Response:
    body = request_json() or {}
    seed = body.get("seed") if isinstance(body, dict) else None
    if seed is not None and seed not in SEEDS:
        raise ValidationFailed({"seed": f"must be one of {', '.join(SEEDS)}"})
    shop = store()
    shop.db.wipe()
    shop.stats.clear()
    if seed is not None:
        SEEDS[seed](shop)
    return json_response({"reset": True, "seed": seed})


@bp.route("/clock", methods=["GET", "PUT"])
def clock() -> Response:
    shop = store()
    if request.method == "PUT":
        _set_clock(request_json())
    return json_response(shop.clock.as_json())


def _set_clock(body: Any) -> None:
    """Validates everything before touching the clock, so a bad request changes nothing."""
    if not isinstance(body, dict) or not body or set(body) - {"now", "advance", "frozen"}:
        raise ValidationFailed({"body": 'send {"now": ...}, {"advance": ...} or {"frozen": false}'})
    try:
        at = parse_timestamp(body["now"]) if "now" in body else None
    except Invalid as exc:
        raise ValidationFailed({"now": exc.errors[""]}) from None
    seconds = body.get("advance", 0)
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise ValidationFailed({"advance": "must be a number"})
    if body.get("frozen", False) is not False:
        raise ValidationFailed({"frozen": 'can only be false; freeze with {"now": ...}'})
    clock = store().clock
    if at is not None:
        clock.freeze(at)
    clock.advance(timedelta(seconds=seconds))
    if "frozen" in body:
        clock.unfreeze()


@bp.route("/stats", methods=["GET", "DELETE"])
def stats() -> Response:
    shop = store()
    counts = shop.stats_json()
    if request.method == "DELETE":
        shop.stats.clear()
    return json_response(counts)
