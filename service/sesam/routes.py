"""HTTP routes Sesam calls: `GET /entities/<type>` (JSON Pull), `POST /receiver/<type>` (JSON Push), `/health`."""
from __future__ import annotations

import binascii
import hmac
import logging
from base64 import b64decode
from typing import Any

from flask import Blueprint, current_app, jsonify, request

from service.connectors.writes import WriteResult
from service.errors import InvalidRequest, Unauthorized
from service.sesam.batch import check_content_type, parse_batch, read_body
from service.sesam.pull import stream_entities
from service.sesam.push import PushParams
from service.sesam.shapes import is_ascii_digits

log = logging.getLogger(__name__)
bp = Blueprint("sesam", __name__)


@bp.before_request
def require_service_token() -> None:
    """`Authorization: Bearer <SERVICE_TOKEN>`, or HTTP Basic with SERVICE_TOKEN as the password: a Sesam
    `system:microservice` can only authenticate with `authentication: basic` (a `$SECRET` is substituted in the
    system, never in a pipe's headers). The Basic user name is not a secret and is not checked."""
    token = current_app.config["SETTINGS"].service_token
    if token is None or request.endpoint == "sesam.health":
        return
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    presented = {"bearer": credentials, "basic": _basic_password(credentials)}.get(scheme.lower())
    if presented is None or not hmac.compare_digest(presented.encode(), token.value.encode()):
        raise Unauthorized("missing or wrong service token (Authorization: Bearer <SERVICE_TOKEN>, or Basic with "
                           "SERVICE_TOKEN as the password)")


def _basic_password(credentials: str) -> str | None:
    try:
        decoded = b64decode(credentials, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    _, colon, password = decoded.partition(":")
    return password if colon else None


@bp.get("/health")
def health() -> Any:
    settings = current_app.config["SETTINGS"]
    return jsonify({"status": "ok", "system": settings.system})


@bp.get("/entities/<type_name>")
def entities(type_name: str) -> Any:
    connector = current_app.config["CONNECTOR"]
    connector.entity_type(type_name)  # an unknown type is a 404 before anything else
    since = connector.parse_since(request.args.get("since"), type_name)
    limit = _parse_limit(request.args.get("limit"))
    release = current_app.config["PULL_SLOTS"].take()
    stats = connector.new_stats()
    try:
        entities = connector.read_entities(type_name, since, limit, stats)
    except BaseException:
        release()
        raise
    describe = f"{connector.system}/{type_name} since={since or '-'} limit={limit or '-'}"
    return stream_entities(entities, describe=describe, stats=stats, on_close=release)


MAX_LIMIT = 10**9


def _parse_limit(raw: str | None) -> int | None:
    if raw is None:
        return None
    if not is_ascii_digits(raw) or not 1 <= int(raw) <= MAX_LIMIT:
        raise InvalidRequest(f"limit must be an integer from 1 to {MAX_LIMIT}", limit=raw[:32])
    return int(raw)


@bp.post("/receiver/<type_name>")
def receiver(type_name: str) -> Any:
    connector = current_app.config["CONNECTOR"]
    connector.entity_type(type_name)
    params = PushParams.from_args(request.args)
    check_content_type(request.headers.get("Content-Type"))
    sequences = current_app.config["SEQUENCES"]
    sequences.check(type_name, params)
    try:
        text = read_body(request.stream, request.content_length, current_app.config["SETTINGS"].max_body_bytes)
        entities = parse_batch(text, connector.entity_shape(type_name))
    except InvalidRequest as refused:
        log.warning("push %s/%s refused, nothing written: %s %s", connector.system, type_name, refused.message,
                    "; ".join(refused.details.get("problems", [])[:20]))
        raise
    del text  # only the entities are needed from here on
    result = connector.write_batch(type_name, entities)
    sequences.advance(type_name, params)  # received in sequence, whatever became of single entities
    return _answer(result, len(entities), f"push {connector.system}/{type_name}: {len(entities)} entities")


def _answer(result: WriteResult, pushed: int, describe: str) -> Any:
    """200 with the counts; else 422 (retrying cannot help) or 503 (it can), naming each entity not applied."""
    summary = result.summary()
    if result.gone:
        log.warning("%s: %d updates of records deleted in the shop since, not applied (the delete wins, and reaches "
                    "the other shop with this shop's next read): %s", describe, len(result.gone),
                    ", ".join(f"{e.sesam_id} (id {e.target_id})" for e in result.gone[:20]))
    if not result.failures:
        log.info("%s %s", describe, summary)
        return jsonify(summary)
    retriable = any(f.retriable for f in result.failures)
    log.warning("%s %s, %d not applied (%s): %s", describe, summary, len(result.failures),
                "retriable" if retriable else "refused", "; ".join(f.logged() for f in result.failures[:20]))
    body = {"error": "UpstreamUnavailable" if retriable else "UpstreamRejected",
            "message": f"{len(result.failures)} of {pushed} entities were not applied"
                       + ("; retrying can help" if retriable else "; retrying the same data cannot help"),
            "failed": [f.as_json() for f in result.failures], **summary}
    return jsonify(body), 503 if retriable else 422
