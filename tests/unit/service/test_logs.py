"""Secrets never reach a log line: not through oauthlib's DEBUG output, not through gunicorn's access log
(issue 11, item 11)."""
from __future__ import annotations

import base64
import logging
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

from gunicorn.config import Config

from service.clients.woocommerce import WooCommerceClient
from service.logs import GunicornLogger, configure_logging
from service.settings import Secret


def test_oauth1_signing_leaves_no_base_string_signature_or_nonce_at_debug(requests_mock, caplog, capsys):
    configure_logging("DEBUG", ["cs_secret"])
    caplog.set_level(logging.DEBUG)
    requests_mock.get("http://shop.example/wp-json/wc/v3/orders", json=[],
                      headers={"X-WP-Total": "0", "X-WP-TotalPages": "0"})
    WooCommerceClient("http://shop.example", Secret("ck_key"), Secret("cs_secret")).list("orders", {})
    signed = parse_qs(urlsplit(requests_mock.request_history[0].url).query)
    leaked = [record.getMessage() for record in caplog.records if record.name.startswith(("oauthlib", "requests_oa"))]
    assert leaked == [], "oauthlib logs the base string, signature and nonce at DEBUG"
    written = capsys.readouterr().out  # what our handler writes: urllib3-style URL lines redacted too
    assert "oauth_nonce=***" in written
    for value in (signed["oauth_signature"][0], signed["oauth_nonce"][0], "cs_secret"):
        assert value not in written


def test_the_access_log_redacts_query_tokens_and_basic_user_names(capsys, monkeypatch):
    monkeypatch.setenv("SYSTEM", "customwebshop")
    monkeypatch.setenv("WEBSHOP_URL", "http://shop.example")
    monkeypatch.setenv("WEBSHOP_TOKEN", "shop-token-value")
    config = Config()
    config.set("accesslog", "-")
    logger = GunicornLogger(config)
    credentials = base64.b64encode(b"sesam-token-as-user:x").decode()
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/entities/order?token=sesam-token-in-query&since=shop-token-value",
               "SERVER_PROTOCOL": "HTTP/1.1", "PATH_INFO": "/entities/order", "QUERY_STRING": "token=x",
               "HTTP_AUTHORIZATION": f"Basic {credentials}", "REMOTE_ADDR": "10.0.0.1"}
    request = SimpleNamespace(headers=[("AUTHORIZATION", f"Basic {credentials}")])
    response = SimpleNamespace(status="200 OK", headers=[], sent=2)
    logger.access(response, request, environ, timedelta(seconds=1))
    config.set("access_log_format", '%(u)s "%(r)s" %({authorization}i)s')
    logger.access(response, request, environ, timedelta(seconds=1))
    written = capsys.readouterr().out
    assert "GET /entities/order?token=***" in written
    for secret in ("sesam-token-in-query", "sesam-token-as-user", credentials, "shop-token-value"):
        assert secret not in written
