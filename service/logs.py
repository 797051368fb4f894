"""Logging, configured before the app exists, with a filter that keeps credentials out of every log line.

The filter sits on the handler, so it also covers third-party loggers: urllib3 logs full request lines, query string
included, at DEBUG, and that is where query-string keys and OAuth signatures would otherwise leak. oauthlib logs the
signature base string, the signature and the nonce at DEBUG: it is held at WARNING whatever `LOG_LEVEL` says.
gunicorn's own logs go through the same filter (`GunicornLogger`, gunicorn.conf.py's `logger_class`): its access log
quotes the request line (a token sent as `?token=` by mistake) and the Basic user name (a token sent as the user).
"""
from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Iterable
from typing import Any

from gunicorn import glogging

from service.errors import ConfigError
from service.settings import Settings

_CREDENTIAL_PARAMS = re.compile(
    r"((?:consumer_key|consumer_secret|oauth_[a-z_]+|[a-z_]*(?:token|secret|password|signature|api_?key))=)"
    r"[^&\s\"']+", re.I)
QUIET_LOGGERS = ("oauthlib", "requests_oauthlib")
SECRET_HEADERS = frozenset({"{authorization}i", "{proxy-authorization}i", "{cookie}i", "{x-api-key}i"})


class RedactingFilter(logging.Filter):
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return _CREDENTIAL_PARAMS.sub(r"\1***", text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.redact(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def secret_values(settings: Settings) -> list[str]:
    return [value.value for value in vars(settings).values() if hasattr(value, "value") and value is not None]


def configure_logging(level: str, secrets: Iterable[str] = ()) -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_sync_service", False):
            root.removeHandler(old)
    handler._sync_service = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


class GunicornLogger(glogging.Logger):
    """gunicorn's error and access logs, redacted like ours."""

    def __init__(self, cfg: Any) -> None:
        try:
            secrets = secret_values(Settings.from_env(os.environ))
        except ConfigError:
            secrets = []  # gunicorn.conf.py has already refused to start
        self.redactor = RedactingFilter(secrets)
        super().__init__(cfg)

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.addFilter(self.redactor)

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["u"] = "-"  # the Basic user name is a credential as much as the password
        for key, value in atoms.items():
            if key in SECRET_HEADERS:
                atoms[key] = "***"
            elif isinstance(value, str):
                atoms[key] = self.redactor.redact(value)
        return atoms
