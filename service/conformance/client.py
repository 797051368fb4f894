"""HTTP access to the shop under test, with the expectations every check shares.

Failures name the method and path (never the token) and quote the start of the shop's answer, so an integrator
can see what their shop said.

Every request has a wall-clock deadline that covers the whole answer, body included. `requests`' own timeout
bounds each socket read, so a shop that sends one byte every few seconds would hold a read-timeout client for ever:
here the body is streamed and each read may wait only for what is left of the deadline. The wait for the status line
and headers is bounded per read by the same remainder. The run's own bound (`run_ends_at`) caps every deadline.
"""
from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import requests
import urllib3

from service.conformance.report import CheckFailed

MAX_PAGES = 200
REQUEST_SECONDS = 30.0
CONNECT_SECONDS = 10.0
PROGRESS_EVERY_PAGES = 50
MIN_SECRET_LENGTH = 8  # shorter tokens are test fixtures, too short to search answers for
_CHUNK = 64 * 1024
Progress = Callable[[str], None]


class RequestFailed(CheckFailed):
    """The request got no complete answer: refused connection, broken body, or a deadline passed."""

    def __init__(self, reason: str, unreachable: bool = False) -> None:
        super().__init__(reason)
        self.unreachable = unreachable


class _Late(Exception):
    """The deadline passed while the answer was still arriving."""


@dataclass(frozen=True)
class Answer:
    """A complete answer: what the checks look at, read in full within the deadline."""

    status_code: int
    headers: Mapping[str, str]
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.content)


class ShopClient:
    def __init__(self, base_url: str, token: str, request_seconds: float = REQUEST_SECONDS,
                 progress: Progress | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.request_seconds = request_seconds
        self.run_ends_at = math.inf  # time.monotonic() value; the runner sets it
        self.progress = progress
        self.last_request = ""

    def fork(self) -> "ShopClient":
        """A client of its own for another thread (a requests.Session is not meant to be shared)."""
        twin = ShopClient(self.base_url, self.token, self.request_seconds, self.progress)
        twin.run_ends_at = self.run_ends_at
        return twin

    def request(self, method: str, path: str, *, authorization: str | None = None, **kwargs: Any) -> Answer:
        """`authorization` replaces the token ("" sends no Authorization header at all)."""
        what = f"{method} {path}"
        self.last_request = what
        headers = dict(kwargs.pop("headers", None) or {})
        if authorization is not None:
            headers["Authorization"] = authorization or None
        started = time.monotonic()
        ends_at = min(started + self.request_seconds, self.run_ends_at)
        late = (f"{what} did not complete within {self.request_seconds:g} s (the deadline covers the whole answer)"
                if ends_at < self.run_ends_at else f"{what} did not complete before the run's time bound")
        if ends_at <= started:
            raise RequestFailed(f"{what} was not sent: the run reached its time bound")
        try:
            left = ends_at - started
            response = self.session.request(method, self.base_url + path, headers=headers, stream=True,
                                            timeout=(min(CONNECT_SECONDS, left), left), **kwargs)
        except requests.ConnectionError as exc:  # connect timeouts included: nothing reached the shop
            raise RequestFailed(f"{what} failed: {type(exc).__name__} (is the shop reachable?)", True) from None
        except requests.Timeout:
            raise RequestFailed(late) from None
        except requests.RequestException as exc:
            raise RequestFailed(f"{what} failed: {type(exc).__name__}") from None
        try:
            content = _read_body(response.raw, ends_at)
        except _Late:
            response.close()
            raise RequestFailed(late) from None
        except urllib3.exceptions.HTTPError as exc:
            response.close()
            raise RequestFailed(f"{what} answered {response.status_code} but the body broke off: "
                                f"{type(exc).__name__}") from None
        response.raw.release_conn()  # read to the end, so the connection can serve the next request
        return Answer(response.status_code, response.headers, content)

    def call(self, method: str, path: str, expected: int, **kwargs: Any) -> Any:
        """The decoded JSON answer (None for an empty one), after checking the status is `expected`."""
        response = self.request(method, path, **kwargs)
        expect_status(response, expected, f"{method} {path}")
        return decode(response, f"{method} {path}") if response.content else None

    def create(self, resource: str, body: dict[str, Any]) -> dict[str, Any]:
        return self.call("POST", f"/{resource}", 201, json=body)

    def get(self, resource: str, id_: int) -> dict[str, Any]:
        return self.call("GET", f"/{resource}/{id_}", 200)

    def page(self, resource: str, params: dict[str, Any]) -> tuple[list[dict[str, Any]], str | None]:
        body = self.call("GET", f"/{resource}", 200, params=params)
        if not isinstance(body, dict) or not isinstance(body.get("items"), list) or "next_cursor" not in body:
            raise CheckFailed(f"GET /{resource} must answer {{\"items\": [...], \"next_cursor\": ...}}, "
                              f"got {_excerpt(body)}")
        cursor = body["next_cursor"]
        if cursor is not None and not isinstance(cursor, str):
            raise CheckFailed(f"GET /{resource}: next_cursor must be a string or null, got {cursor!r}")
        return body["items"], cursor

    def scan(self, resource: str, params: dict[str, Any],
             between_pages: Callable[[int, list[dict[str, Any]]], None] | None = None,
             max_items: int | None = None) -> list[dict[str, Any]]:
        """The items of a listing, following next_cursor to the end (or until `max_items`);
        `between_pages(n, page)` runs after page n."""
        items: list[dict[str, Any]] = []
        cursors: set[str] = set()
        cursor: str | None = None
        limit = int(params.get("limit", 100))
        for number in range(1, MAX_PAGES + 1):
            page, cursor = self.page(resource, {**params, **({"cursor": cursor} if cursor else {})})
            if len(page) > limit:
                raise CheckFailed(f"GET /{resource} returned {len(page)} items for limit={params.get('limit')}")
            items += page
            if cursor is None or max_items is not None and len(items) >= max_items:
                return items[:max_items]
            if cursor in cursors:
                raise CheckFailed(f"GET /{resource} returned the same next_cursor twice: the scan never ends")
            cursors.add(cursor)
            if between_pages is not None:
                between_pages(number, page)
            if self.progress is not None and number % PROGRESS_EVERY_PAGES == 0:
                self.progress(f"  GET /{resource}: {number} pages, {len(items)} items so far")
        raise CheckFailed(f"GET /{resource} still had a next_cursor after {MAX_PAGES} pages")


def _read_body(raw: urllib3.BaseHTTPResponse, ends_at: float) -> bytes:
    """The whole body, each socket read waiting at most until `ends_at` (read1: one system call per read)."""
    body = bytearray()
    while True:
        left = ends_at - time.monotonic()
        if left <= 0:
            raise _Late()
        sock = getattr(raw.connection, "sock", None)
        if sock is not None:
            sock.settimeout(left)
        try:
            chunk = raw.read1(_CHUNK, decode_content=True)
        except urllib3.exceptions.ReadTimeoutError:
            raise _Late() from None
        if not chunk:
            return bytes(body)
        body += chunk


def expect_status(response: Answer, expected: int, what: str) -> None:
    if response.status_code != expected:
        raise CheckFailed(f"{what} answered {response.status_code}, expected {expected}: {_excerpt(response.text)}")


def decode(response: Answer, what: str) -> Any:
    try:
        return response.json()
    except ValueError:
        raise CheckFailed(f"{what} answered {response.status_code} with a body that is not JSON: "
                          f"{_excerpt(response.text)}") from None


def error_body(response: Answer, expected: int, code: str, what: str) -> dict[str, Any]:
    """The JSON error body of an answer that must have status `expected` and `"error": code`."""
    expect_status(response, expected, what)
    body = decode(response, what)
    if not isinstance(body, dict) or body.get("error") != code:
        raise CheckFailed(f"{what} answered {expected} but the body must be JSON with \"error\": \"{code}\", "
                          f"got {_excerpt(body)}")
    return body


def _excerpt(value: Any, size: int = 200) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= size else text[:size] + "…"
