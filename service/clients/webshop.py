"""Custom Webshop API client: bearer-token requests shaped by `WebshopApi`, retries for idempotent ones."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from service.clients.transport import RetryPolicy, Transport, json_body, raise_for_status
from service.clients.webshop_api import WebshopApi
from service.errors import UpstreamUnavailable
from service.settings import Secret

SYSTEM = "The webshop"


@dataclass(frozen=True)
class Listing:
    items: list[dict[str, Any]]
    next_cursor: str | None


class WebshopClient:
    def __init__(self, base_url: str, token: Secret, api: WebshopApi, *, timeout: float = 60.0,
                 policy: RetryPolicy = RetryPolicy(), pool_size: int = 6) -> None:
        self.base = base_url.rstrip("/")
        self.api = api
        self._token = token
        self.transport = Transport(SYSTEM, pool_size=pool_size, timeout=timeout, policy=policy)

    def path(self, type_name: str, record_id: Any = None) -> str:
        base = self.api.paths[type_name]
        return base if record_id is None else f"{base.rstrip('/')}/{record_id}"

    def list(self, type_name: str, params: dict[str, Any]) -> Listing:
        """One listing request (retried as a whole); `params` use our contract's names and are renamed for the shop."""
        query = {**self.api.extra_params, **{self.api.params[k]: v for k, v in params.items()}}
        path = self.path(type_name)
        return self.transport.run("GET", lambda: self._listing(type_name, self._request("GET", path, query)),
                                  f"GET {path}")

    def _listing(self, type_name: str, body: Any) -> Listing:
        items = _at(body, self.api.items_path)
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise UpstreamUnavailable(f"the webshop's listing of {type_name} has no list of records at "
                                      f"{self.api.items_path or 'the top level'}", path=self.path(type_name))
        if self.api.pagination != "cursor":
            return Listing(items, None)
        # Only `next_cursor: null` ends a scan (docs/custom-webshop-api.md §5.2): a page without the key (a proxy
        # or cache rewriting the body) is not the end, and taking it for one would make Sesam delete the rest.
        found, cursor = _lookup(body, self.api.next_cursor_path)
        if not found or (cursor is not None and not (isinstance(cursor, str) and cursor)):
            raise UpstreamUnavailable(f"the webshop's listing of {type_name} has no {self.api.next_cursor_path} "
                                      "(a string, or null on the last page), so it cannot say whether more follows",
                                      path=self.path(type_name))
        return Listing(items, cursor)

    def call(self, method: str, path: str, *, params: dict[str, Any] | None = None, json: Any = None,
             headers: dict[str, str] | None = None) -> Any:
        """One request answered with its JSON body (None for 204). Only idempotent methods are retried."""
        return self.transport.run(method, lambda: self._request(method, path, params, json, headers),
                                  f"{method} {path}")

    def _request(self, method: str, path: str, params: dict[str, Any] | None = None, json: Any = None,
                 headers: dict[str, str] | None = None) -> Any:
        scheme = self.api.auth_scheme
        auth = {self.api.auth_header: f"{scheme} {self._token.value}" if scheme else self._token.value}
        response = self.transport.send(method, self.base + path, path, params=params, json=json,
                                       headers={**auth, **(headers or {})})
        raise_for_status(response, path, SYSTEM, error_fields)
        return None if response.status_code == 204 else json_body(response, SYSTEM, method, path)


def error_fields(body: dict[str, Any]) -> dict[str, str]:
    """A 422's `fields` (property path → message, docs/custom-webshop-api.md §7), or the 409's taken `field`."""
    fields = body.get("fields")
    if isinstance(fields, dict):
        return {str(name): str(message) for name, message in fields.items()}
    if body.get("error") == "duplicate" and isinstance(body.get("field"), str):
        return {body["field"]: str(body.get("message") or "is already taken")}
    return {}


def _lookup(body: Any, dotted: str) -> tuple[bool, Any]:
    """(whether the dotted path exists, its value)."""
    for part in filter(None, dotted.split(".")):
        if not isinstance(body, dict) or part not in body:
            return False, None
        body = body[part]
    return True, body


def _at(body: Any, dotted: str) -> Any:
    return _lookup(body, dotted)[1]
