"""Logging, configured before the app exists, with a filter that keeps credentials out of every log line.

The filter sits on the handler, so it also covers third-party loggers: urllib3 logs full request lines, query string
included, at DEBUG, and that is where query-string keys and OAuth signatures would otherwise leak.
"""
from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable

_CREDENTIAL_PARAMS = re.compile(r"((?:consumer_key|consumer_secret|oauth_[a-z_]+|token)=)[^&\s\"']+", re.I)


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
