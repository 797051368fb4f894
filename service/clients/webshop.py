"""Custom Webshop API client: bearer-token requests shaped by `WebshopApi`, retries for idempotent ones."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from service.clients.transport import RetryPolicy, Transport, raise_for_status
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
        """One listing request; `params` use our contract's names and are renamed for the shop."""
        query = {**self.api.extra_params, **{self.api.params[k]: v for k, v in params.items()}}
        body = self.call("GET", self.path(type_name), params=query)
        items = _at(body, self.api.items_path)
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise UpstreamUnavailable(f"the webshop's listing of {type_name} has no list of records at "
                                      f"{self.api.items_path or 'the top level'}", path=self.path(type_name))
        cursor = _at(body, self.api.next_cursor_path) if self.api.pagination == "cursor" else None
        return Listing(items, cursor if isinstance(cursor, str) and cursor else None)

    def call(self, method: str, path: str, *, params: dict[str, Any] | None = None, json: Any = None,
             headers: dict[str, str] | None = None) -> Any:
        """One request answered with its JSON body (None for 204). Only idempotent methods are retried."""
        scheme = self.api.auth_scheme
        auth = {self.api.auth_header: f"{scheme} {self._token.value}" if scheme else self._token.value}

        def attempt() -> Any:
            response = self.transport.send(method, self.base + path, path, params=params, json=json,
                                           headers={**auth, **(headers or {})})
            raise_for_status(response, path, SYSTEM)
            if response.status_code == 204 or not response.content:
                return None
            try:
                return response.json()
            except ValueError:
                raise UpstreamUnavailable(f"{SYSTEM} answered {method} {path} with a body that is not JSON",
                                          path=path) from None
        return self.transport.run(method, attempt, f"{method} {path}")


def _at(body: Any, dotted: str) -> Any:
    for part in filter(None, dotted.split(".")):
        body = body.get(part) if isinstance(body, dict) else None
    return body
