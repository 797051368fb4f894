"""HTTP access to the shop under test, with the expectations every check shares.

Failures name the method and path (never the token) and quote the start of the shop's answer, so an integrator
can see what their shop said.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests

from service.conformance.report import CheckFailed

MAX_PAGES = 200


class ShopClient:
    def __init__(self, base_url: str, token: str, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.timeout = timeout

    def fork(self) -> "ShopClient":
        """A client of its own for another thread (a requests.Session is not meant to be shared)."""
        twin = ShopClient(self.base_url, "", self.timeout)
        twin.session.headers.update(self.session.headers)
        return twin

    def request(self, method: str, path: str, *, authorization: str | None = None, **kwargs: Any) -> requests.Response:
        """`authorization` replaces the token ("" sends no Authorization header at all)."""
        headers = dict(kwargs.pop("headers", None) or {})
        if authorization is not None:
            headers["Authorization"] = authorization or None
        return self.session.request(method, self.base_url + path, headers=headers, timeout=self.timeout, **kwargs)

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
        for number in range(1, MAX_PAGES + 1):
            page, cursor = self.page(resource, {**params, **({"cursor": cursor} if cursor else {})})
            if len(page) > int(params.get("limit", 500)):
                raise CheckFailed(f"GET /{resource} returned {len(page)} items for limit={params.get('limit')}")
            items += page
            if cursor is None or max_items is not None and len(items) >= max_items:
                return items[:max_items]
            if cursor in cursors:
                raise CheckFailed(f"GET /{resource} returned the same next_cursor twice: the scan never ends")
            cursors.add(cursor)
            if between_pages is not None:
                between_pages(number, page)
        raise CheckFailed(f"GET /{resource} still had a next_cursor after {MAX_PAGES} pages")


def expect_status(response: requests.Response, expected: int, what: str) -> None:
    if response.status_code != expected:
        raise CheckFailed(f"{what} answered {response.status_code}, expected {expected}: {_excerpt(response.text)}")


def decode(response: requests.Response, what: str) -> Any:
    try:
        return response.json()
    except ValueError:
        raise CheckFailed(f"{what} answered {response.status_code} with a body that is not JSON: "
                          f"{_excerpt(response.text)}") from None


def error_body(response: requests.Response, expected: int, code: str, what: str) -> dict[str, Any]:
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
