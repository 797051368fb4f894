"""`create_app`: the WooCommerce sandbox as a WSGI app, wrapped in the shared fault injector."""
from __future__ import annotations

import time
from datetime import timezone
from email.utils import format_datetime

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from ..faults import FaultInjector, Faults
from . import control, routes
from .auth import ApiKey, Authenticator, anonymous_error, check_permission
from .errors import ApiError
from .store import Store

def create_app(store: Store | None = None, *, consumer_key: str = "ck_sandbox", consumer_secret: str = "cs_sandbox",
               read_only_key: tuple[str, str] | None = None, behind_https: bool = False,
               strip_authorization: bool = False, tls: bool = False, home_url: str | None = None,
               faults: Faults | None = None) -> FaultInjector:
    """The app; `store` lets tests and benchmarks fill it directly. `home_url` fixes the store URL (else the Host)."""
    https = behind_https or tls
    keys = [ApiKey(consumer_key, consumer_secret)]
    if read_only_key:
        keys.append(ApiKey(*read_only_key, permissions="read"))
    app = Flask(__name__)
    app.config.update(STORE=store or Store(), HOME_URL=home_url, AUTHENTICATOR=Authenticator(keys, https),
                      HTTPS=https, STRIP_AUTHORIZATION=strip_authorization)
    app.register_blueprint(routes.bp)
    app.register_blueprint(control.bp)

    @app.before_request
    def authenticate() -> Response | None:
        if not request.path.startswith(routes.API) or request.endpoint == "api.index":
            return None
        authorization = "" if app.config["STRIP_AUTHORIZATION"] else request.headers.get("Authorization", "")
        try:
            key = app.config["AUTHENTICATOR"].authenticate(
                request.method, routes.home_url(), request.path, request.query_string.decode("latin-1"),
                request.form.to_dict() if request.mimetype == "application/x-www-form-urlencoded" else {},
                # OAuth timestamps are checked against wall time, not the sandbox clock: clients sign with the real
                # time, and a test that freezes the store's clock in the past must still get through.
                authorization, int(time.time()))
            if key is None:
                anonymous = anonymous_error(routes.route_kind(), request.method)
                if request.endpoint in routes.VALIDATED_BEFORE_PERMISSION:
                    g.refusal = anonymous
                else:
                    raise anonymous
            else:
                check_permission(key, request.method)
        except ApiError as error:
            return routes.error_response(error)
        return None

    @app.after_request
    def stamp_date(response: Response) -> Response:
        # A frozen clock shows in the Date header. (The werkzeug handler also sends the real time as a second
        # Date header; clients then see both, the frozen one last.)
        clock = app.config["STORE"].clock
        if clock.frozen:
            response.headers["Date"] = format_datetime(clock.now().replace(tzinfo=timezone.utc), usegmt=True)
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        if request.path.startswith("/wp-json"):
            # WordPress answers an unknown route and a known route with the wrong method alike.
            return routes.error_response(ApiError(
                404, "rest_no_route", "No route was found matching the URL and request method."))
        return Response(f'{{"error": "{error.name}"}}', status=error.code, content_type="application/json")

    return FaultInjector(app, faults)

