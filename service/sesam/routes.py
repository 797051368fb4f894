"""HTTP routes Sesam calls: `GET /entities/<type>` (JSON Pull), `POST /receiver/<type>` (JSON Push), `/health`."""
from __future__ import annotations

import hmac
import logging
from typing import Any

from flask import Blueprint, current_app, jsonify, request

from service.errors import InvalidRequest, Unauthorized
from service.sesam.pull import stream_entities
from service.sesam.since import parse_since

log = logging.getLogger(__name__)
bp = Blueprint("sesam", __name__)


@bp.before_request
def require_service_token() -> None:
    token = current_app.config["SETTINGS"].service_token
    if token is None or request.endpoint == "sesam.health":
        return
    header = request.headers.get("Authorization", "")
    scheme, _, presented = header.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(presented.encode(), token.value.encode()):
        raise Unauthorized("missing or wrong bearer token (Authorization: Bearer <SERVICE_TOKEN>)")


@bp.get("/health")
def health() -> Any:
    settings = current_app.config["SETTINGS"]
    return jsonify({"status": "ok", "system": settings.system})


@bp.get("/entities/<type_name>")
def entities(type_name: str) -> Any:
    connector = current_app.config["CONNECTOR"]
    connector.entity_type(type_name)  # an unknown type is a 404 before anything else
    since = parse_since(request.args.get("since"))
    limit = _parse_limit(request.args.get("limit"))
    stats = connector.new_stats()
    entities = connector.read_entities(type_name, since, limit, stats)
    describe = f"{connector.system}/{type_name} since={since or '-'} limit={limit or '-'}"
    return stream_entities(entities, describe=describe, stats=stats)


def _parse_limit(raw: str | None) -> int | None:
    if raw is None:
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise InvalidRequest("limit must be a positive integer", limit=raw[:32])
    return int(raw)
