"""The error tree. Every failure the service reports is one of these; one Flask handler turns them into JSON.

    SyncError
    ├── ConfigError              bad or missing settings; at start-up, or credentials an upstream refuses
    ├── InvalidRequest (400)     a request to us that cannot be served (bad `since`, bad batch, …)
    │   ├── PayloadTooLarge (413)
    │   └── UnsupportedMediaType (415)  a push that is not sent as JSON
    ├── Unauthorized (401)       missing or wrong SERVICE_TOKEN
    ├── UnknownEntityType (404)  /entities/<type> or /receiver/<type> with a type we do not serve
    ├── SequenceConflict (409)   a JSON Push full-sync request out of sequence
    ├── ServiceBusy (503)        every pull slot is streaming; `Retry-After` says when to come back
    └── UpstreamError            the shop answered badly; carries status, the shop's error code, path (no query)
        ├── UpstreamUnavailable (503)  retrying later can help: 429, 5xx, timeouts, dropped connections
        ├── UpstreamAuthError (502)    the shop refused our credentials: fix the configuration
        └── UpstreamRejected (422)     the shop refused what we sent: retrying the same data cannot help

Messages never contain credentials: upstream errors name the path, never the query string.
"""
from __future__ import annotations

from typing import Any


class SyncError(Exception):
    status = 500

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def as_json(self) -> dict[str, Any]:
        return {"error": type(self).__name__, "message": self.message, **self.details}


class ConfigError(SyncError):
    status = 500


class InvalidRequest(SyncError):
    status = 400


class PayloadTooLarge(InvalidRequest):
    status = 413


class UnsupportedMediaType(InvalidRequest):
    status = 415


class Unauthorized(SyncError):
    status = 401


class UnknownEntityType(SyncError):
    status = 404


class SequenceConflict(SyncError):
    status = 409


class ServiceBusy(SyncError):
    status = 503

    def __init__(self, message: str, *, retry_after: int, **details: Any) -> None:
        super().__init__(message, **details)
        self.retry_after = retry_after


class UpstreamError(SyncError):
    status = 502

    def __init__(self, message: str, *, upstream_status: int | None = None, code: str | None = None,
                 path: str | None = None, **details: Any) -> None:
        super().__init__(message, upstream_status=upstream_status, upstream_code=code, path=path, **details)
        self.upstream_status = upstream_status
        self.code = code
        self.path = path


class UpstreamUnavailable(UpstreamError):
    status = 503


class UpstreamAuthError(UpstreamError):
    status = 502


class UpstreamRejected(UpstreamError):
    status = 422
