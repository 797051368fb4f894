"""The HTTP face of the contract: bearer auth, JSON in and out, errors as JSON (docs/custom-webshop-api.md §2, §7)."""
from __future__ import annotations

import hmac
import json
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException

from sandbox.webshop.errors import ApiError, InvalidJson, Unauthorized, ValidationFailed
from sandbox.webshop.store import Store

bp = Blueprint("webshop_api", __name__)


def store() -> Store:
    return current_app.extensions["webshop"]


def json_response(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(payload), status=status, headers=headers, mimetype="application/json")


def _with_etag(record: dict[str, Any], status: int = 200, **headers: str) -> Response:
    return json_response(record, status, {"ETag": f'"{record["version"]}"', **headers})


@bp.before_app_request
def require_token() -> None:
    if request.path.startswith("/_sandbox/"):
        return
    expected = f"Bearer {current_app.config['WEBSHOP_TOKEN']}".encode()
    given = request.headers.get("Authorization", "").encode()
    if not hmac.compare_digest(given, expected):
        raise Unauthorized("send Authorization: Bearer <token> with a valid token")


@bp.get("/<resource>")
def list_records(resource: str) -> Response:
    items, cursor = store().list(resource, request.args.to_dict(flat=True))
    return json_response({"items": items, "next_cursor": cursor})


@bp.post("/<resource>")
def create_record(resource: str) -> Response:
    record = store().create(resource, request_json())
    return _with_etag(record, 201, Location=f"/{resource}/{record['id']}")


@bp.get("/<resource>/<int:id_>")
def get_record(resource: str, id_: int) -> Response:
    return _with_etag(store().get(resource, id_))


@bp.put("/<resource>/<int:id_>")
def replace_record(resource: str, id_: int) -> Response:
    return _with_etag(store().replace(resource, id_, request_json(), _if_match()))


@bp.patch("/<resource>/<int:id_>")
def patch_record(resource: str, id_: int) -> Response:
    return _with_etag(store().patch(resource, id_, request_json(), _if_match()))


@bp.delete("/<resource>/<int:id_>")
def delete_record(resource: str, id_: int) -> Response:
    store().delete(resource, id_, _if_match())
    return Response(status=204)


def request_json() -> Any:
    try:
        return json.loads(request.get_data(cache=False) or b"null")
    except ValueError:
        raise InvalidJson("the request body is not valid JSON") from None


def _if_match() -> int | None:
    """`If-Match: 3` or the ETag form `If-Match: "3"`."""
    value = request.headers.get("If-Match")
    if value is None:
        return None
    digits = value.strip().strip('"')
    if not digits.isdigit():
        raise ValidationFailed({"If-Match": "must be a record version, such as 3 or \"3\""})
    return int(digits)


def handle_api_error(error: ApiError) -> Response:
    if "wrong_error_shape" in current_app.config["WEBSHOP_BROKEN"] and error.status != 401:
        return json_response({"message": error.message}, 404 if error.status == 404 else 400)
    headers = {"WWW-Authenticate": 'Bearer realm="webshop"'} if isinstance(error, Unauthorized) else None
    return json_response(error.as_json(), error.status, headers)


def handle_http_error(error: HTTPException) -> Response:
    code = (error.name or "error").lower().replace(" ", "_")
    return json_response({"error": code, "message": error.description}, error.code or 500)


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_error_handler(ApiError, handle_api_error)
    app.register_error_handler(HTTPException, handle_http_error)
