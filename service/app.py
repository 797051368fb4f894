"""The Flask application factory: `gunicorn 'service.app:create_app()'`.

Settings are read from the environment once, here, unless a test hands them in. The connector for `SYSTEM` is
built once and shared by all requests.
"""
from __future__ import annotations

import os
from typing import Any

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from service.connectors.factory import build_connector
from service.errors import ServiceBusy, SyncError
from service.logs import configure_logging, secret_values
from service.sesam.pull import PullSlots
from service.sesam.push import Sequences
from service.sesam.routes import bp as sesam_bp
from service.settings import Settings


def create_app(settings: Settings | None = None, *, connector: Any = None) -> Flask:
    settings = settings or Settings.from_env(os.environ)
    configure_logging(settings.log_level, secret_values(settings))
    app = Flask(__name__)
    app.config["SETTINGS"] = settings
    app.config["CONNECTOR"] = connector if connector is not None else build_connector(settings)
    app.config["SEQUENCES"] = Sequences()
    app.config["PULL_SLOTS"] = PullSlots(settings.max_concurrent_pulls)
    app.register_blueprint(sesam_bp)
    app.register_error_handler(SyncError, _sync_error)
    app.register_error_handler(HTTPException, _http_error)
    return app


def _sync_error(error: SyncError) -> Any:
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, ServiceBusy) else {}
    return jsonify(error.as_json()), error.status, headers


def _http_error(error: HTTPException) -> Any:
    return jsonify({"error": error.name, "message": error.description}), error.code
