"""What every upstream client shares: a pooled session, one place that classifies responses, and the retry policy.

Retriable (`UpstreamUnavailable`): 429, 5xx, timeouts, refused or dropped connections, a truncated or non-JSON
body. Retries wait for `Retry-After` when the shop sends it, else back off exponentially. Only idempotent requests
are retried here; a create that may have landed is never replayed blindly (the receivers look it up instead).
"""
from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import requests
import tenacity
from requests.adapters import HTTPAdapter

from service.errors import UpstreamAuthError, UpstreamRejected, UpstreamUnavailable

log = logging.getLogger(__name__)
T = TypeVar("T")

RETRIABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 300.0


@dataclass(frozen=True)
class RetryPolicy:
    retries: int = 5
    backoff: float = 0.5      # first wait in seconds; doubles each time, with jitter
    max_backoff: float = 30.0


IDEMPOTENT_METHODS = frozenset({"GET", "PUT", "DELETE"})


class Transport:
    """A pooled session to one upstream system that reads whole bodies.

    Connection-level failures become UpstreamUnavailable naming the path only: requests' own messages quote the
    full URL, query string (and so any key in it) included.
    """

    def __init__(self, system: str, *, pool_size: int, timeout: float, policy: RetryPolicy) -> None:
        self.system = system
        self.timeout = timeout
        self.policy = policy
        self.session = requests.Session()
        adapter = HTTPAdapter(pool_connections=pool_size, pool_maxsize=pool_size, max_retries=0)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)

    def send(self, method: str, url: str, path: str, **kwargs: Any) -> requests.Response:
        try:
            response = self.session.request(method, url, timeout=self.timeout, **kwargs)
            response.content  # read the whole body here, so a dropped connection is a transport failure
        except requests.RequestException as exc:
            raise UpstreamUnavailable(f"{self.system} did not answer {method} {path} completely "
                                      f"({type(exc).__name__})", path=path) from None
        return response

    def run(self, method: str, call: Callable[[], T], describe: str) -> T:
        """Run `call`, retrying it per the policy when `method` is idempotent."""
        if method in IDEMPOTENT_METHODS:
            return with_retries(call, self.policy, f"{self.system} {describe}")
        return call()


def retry_after_seconds(response: requests.Response) -> float | None:
    raw = response.headers.get("Retry-After")
    if raw is None:
        return None
    try:
        return min(max(float(raw), 0.0), MAX_RETRY_AFTER)
    except ValueError:
        return None  # an HTTP-date form; fall back to our own backoff


def error_body(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def raise_for_status(response: requests.Response, path: str, system: str) -> None:
    """Turn a non-2xx answer into the matching UpstreamError. `path` is the path only: queries may hold keys."""
    status = response.status_code
    if status < 400:
        return
    body = error_body(response)
    code = body.get("code") if isinstance(body.get("code"), str) else None
    detail = body.get("message") if isinstance(body.get("message"), str) else response.reason
    message = f"{system} answered {status} to {response.request.method} {path}: {detail}"
    if status in (401, 403):
        raise UpstreamAuthError(message + " (check the credentials in the configuration)",
                                upstream_status=status, code=code, path=path)
    if status in RETRIABLE_STATUSES:
        error = UpstreamUnavailable(message, upstream_status=status, code=code, path=path)
        error.retry_after = retry_after_seconds(response)
        raise error
    raise UpstreamRejected(message, upstream_status=status, code=code, path=path, upstream_error=body or None)


def _wait(policy: RetryPolicy) -> Callable[[tenacity.RetryCallState], float]:
    def wait(state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            return retry_after
        delay = min(policy.backoff * 2 ** (state.attempt_number - 1), policy.max_backoff)
        return delay * (0.5 + random.random() / 2)
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


