"""What every upstream client shares: a pooled session, one place that classifies responses, and the retry policy.

Retriable (`UpstreamUnavailable`): 429, 5xx, timeouts, refused or dropped connections, a truncated or non-JSON
body. Retries wait for `Retry-After` (seconds or an HTTP-date) when the shop sends it, but never less than our own
exponential backoff: `Retry-After: 0` must not turn backoff off. Only idempotent requests are retried here; a create
that may have landed is never replayed blindly (the receivers look it up instead).

`UPSTREAM_TIMEOUT` bounds the whole answer, not only each wait for a byte: a body that trickles in forever would
otherwise hold a request (and the Sesam run behind it) without end.
"""
from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import requests
import tenacity
import urllib3
from requests.adapters import HTTPAdapter

from service.errors import UpstreamAuthError, UpstreamRejected, UpstreamUnavailable
from service.jsontext import loads_from_shop

log = logging.getLogger(__name__)
T = TypeVar("T")

RETRIABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 300.0
READ_CHUNK = 1 << 16


@dataclass(frozen=True)
class RetryPolicy:
    retries: int = 5
    backoff: float = 0.5      # first wait in seconds; doubles each time, with jitter
    max_backoff: float = 30.0


IDEMPOTENT_METHODS = frozenset({"GET", "PUT", "DELETE"})


class Transport:
    """A pooled session to one upstream system that reads whole bodies within the timeout.

    Connection-level failures become UpstreamUnavailable naming the path only: requests' own messages quote the
    full URL, query string (and so any key in it) included. The shop's clock is remembered from its `Date` header,
    so a receiver can ask the shop for what it created since a moment in the shop's own time.
    """

    def __init__(self, system: str, *, pool_size: int, timeout: float, policy: RetryPolicy) -> None:
        self.system = system
        self.timeout = timeout
        self.policy = policy
        self.session = requests.Session()
        adapter = HTTPAdapter(pool_connections=pool_size, pool_maxsize=pool_size, max_retries=0)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self._server_time: datetime | None = None
        self._clock_lock = threading.Lock()

    def send(self, method: str, url: str, path: str, **kwargs: Any) -> requests.Response:
        deadline = time.monotonic() + self.timeout
        try:
            response = self.session.request(method, url, timeout=self.timeout, stream=True, **kwargs)
            with response:
                body = bytearray()
                # read1: what has arrived, at most one socket read each, so the deadline is checked as data trickles
                while chunk := response.raw.read1(READ_CHUNK, decode_content=True):
                    body += chunk
                    if time.monotonic() > deadline:
                        raise requests.Timeout("the answer took longer than the timeout")
                # The body is read here, under our deadline; requests keeps it where `.content` looks.
                response._content = bytes(body)
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            why = f"not within {self.timeout:g}s" if isinstance(exc, requests.Timeout) else type(exc).__name__
            raise UpstreamUnavailable(f"{self.system} did not answer {method} {path} completely ({why})",
                                      path=path) from None
        self._note_server_time(response)
        return response

    def run(self, method: str, call: Callable[[], T], describe: str) -> T:
        """Run `call`, retrying it per the policy when `method` is idempotent."""
        if method in IDEMPOTENT_METHODS:
            return with_retries(call, self.policy, f"{self.system} {describe}")
        return call()

    def server_time(self) -> datetime | None:
        """The shop's time (naive UTC) in the last answer that carried a `Date`: at or before any later request."""
        with self._clock_lock:
            return self._server_time

    def _note_server_time(self, response: requests.Response) -> None:
        dates = response.raw.headers.getlist("Date") if response.raw is not None else []
        moment = _http_date(dates[-1]) if dates else None  # a proxy may add its own Date first; the shop's is last
        if moment is not None:
            with self._clock_lock:
                if self._server_time is None or moment > self._server_time:
                    self._server_time = moment


def _http_date(raw: str) -> datetime | None:
    try:
        moment = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment


def retry_after_seconds(response: requests.Response) -> float | None:
    """`Retry-After` as seconds from now: delta-seconds or an HTTP-date (RFC 9110 §10.2.3), capped."""
    raw = response.headers.get("Retry-After")
    if raw is None:
        return None
    raw = raw.strip()
    if raw.isascii() and raw.isdigit():
        seconds = float(raw)
    else:
        moment = _http_date(raw)
        if moment is None:
            return None
        seconds = (moment - datetime.now(timezone.utc).replace(tzinfo=None)).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def json_body(response: requests.Response, system: str, method: str, path: str) -> Any:
    """The answer's JSON (None when empty), with the text rules of service/jsontext.py applied."""
    if not response.content:
        return None
    try:
        value, replaced = loads_from_shop(response.content)
    except ValueError:
        raise UpstreamUnavailable(f"{system} answered {method} {path} with a body that is not JSON "
                                  f"({response.headers.get('Content-Type', 'no content type')})", path=path) from None
    if replaced:
        log.warning("%s answered %s %s with %d lone UTF-16 surrogate(s) or non-finite number(s); replaced by "
                    "U+FFFD and null so the stream stays valid JSON", system, method, path, replaced)
    return value


def error_body(response: requests.Response) -> dict[str, Any]:
    try:
        body, _ = loads_from_shop(response.content)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def describe_fields(fields: Mapping[str, str]) -> str:
    return "; ".join(f"{name}: {message}" for name, message in fields.items())


def raise_for_status(response: requests.Response, path: str, system: str,
                     fields_of: Callable[[dict[str, Any]], dict[str, str]] = lambda body: {}) -> None:
    """Turn a non-2xx answer into the matching UpstreamError. `path` is the path only: queries may hold keys.

    `fields_of` reads the shop's field-level reasons from its error body, so they reach Sesam and the log."""
    status = response.status_code
    if status < 400:
        return
    body = error_body(response)
    code = body.get("code") if isinstance(body.get("code"), str) else None
    detail = body.get("message") if isinstance(body.get("message"), str) else response.reason
    fields = fields_of(body)
    message = f"{system} answered {status} to {response.request.method} {path}: {detail}"
    if fields:
        message += f" ({describe_fields(fields)})"
    if status in (401, 403):
        raise UpstreamAuthError(message + " (check the credentials in the configuration)",
                                upstream_status=status, code=code, path=path)
    if status in RETRIABLE_STATUSES:
        error = UpstreamUnavailable(message, upstream_status=status, code=code, path=path)
        error.retry_after = retry_after_seconds(response)
        raise error
    raise UpstreamRejected(message, upstream_status=status, code=code, path=path, upstream_error=body or None,
                           **({"fields": fields} if fields else {}))


def _wait(policy: RetryPolicy) -> Callable[[tenacity.RetryCallState], float]:
    def wait(state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        delay = min(policy.backoff * 2 ** (state.attempt_number - 1), policy.max_backoff)
        backoff = delay * (0.5 + random.random() / 2)
        retry_after = getattr(exc, "retry_after", None)
        return backoff if retry_after is None else max(retry_after, backoff)
    return wait


def with_retries(call: Callable[[], T], policy: RetryPolicy, describe: str) -> T:
    """Run an idempotent `call`, retrying while it raises UpstreamUnavailable."""
    def note(state: tenacity.RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        log.warning("%s failed (%s); retry %d of %d in %.1fs", describe, exc, state.attempt_number,
                    policy.retries, state.upcoming_sleep)

    retrying = tenacity.Retrying(
        retry=tenacity.retry_if_exception_type(UpstreamUnavailable),
        stop=tenacity.stop_after_attempt(policy.retries + 1),
        wait=_wait(policy),
        before_sleep=note,
        reraise=True,
    )
    return retrying(call)


def is_uncertain(error: Exception) -> bool:
    """Whether a failed write may still have been applied: no answer at all, or a server or gateway error."""
    status = getattr(error, "upstream_status", None)
    return isinstance(error, UpstreamUnavailable) and (status is None or status >= 500)
