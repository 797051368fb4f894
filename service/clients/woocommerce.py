"""WooCommerce REST API (`/wp-json/wc/v3`) client.

Authentication is what real stores accept (reference/woocommerce.md §1.1): Basic auth is only honoured over
HTTPS, and hosts that strip the Authorization header make the store answer as if anonymous
(`woocommerce_rest_cannot_view`); then the keys go in the query string instead, from that request on. Over plain
HTTP only OAuth 1.0a one-legged counts, signed per request by requests-oauthlib (query-string signature, so hosts
that strip headers do not matter). Keys, signatures and query strings never appear in logs or errors: errors name
the path only.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

import requests
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA256, SIGNATURE_TYPE_QUERY
from requests.auth import HTTPBasicAuth
from requests_oauthlib import OAuth1

from service.clients.transport import RetryPolicy, Transport, error_body, raise_for_status
from service.errors import UpstreamUnavailable
from service.settings import Secret

log = logging.getLogger(__name__)

API_PREFIX = "/wp-json/wc/v3"
MAX_PER_PAGE = 100          # FACTS §1: per_page=101 is a 400
ANONYMOUS_CODE = "woocommerce_rest_cannot_view"  # FACTS §12: no (usable) credentials reached the store


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    total: int
    total_pages: int


class WooCommerceClient:
    def __init__(self, store_url: str, key: Secret, secret: Secret, *, auth: str = "auto",
                 timeout: float = 60.0, policy: RetryPolicy = RetryPolicy(), pool_size: int = 6) -> None:
        self.base = store_url.rstrip("/") + API_PREFIX
        self._key = key
        self._secret = secret
        self.transport = Transport("WooCommerce", pool_size=pool_size, timeout=timeout, policy=policy)
        https = store_url.startswith("https://")
        self._auth_mode = ("basic" if https else "oauth1") if auth == "auto" else auth
        self._may_fall_back = auth == "auto" and https
        self._lock = threading.Lock()

    def list(self, resource: str, params: dict[str, Any]) -> Page:
        path = f"/{resource}"

        def attempt() -> Page:
            response = self._send_authenticated("GET", path, params, None)
            items = self._json(response, path)
            if not isinstance(items, list):
                raise UpstreamUnavailable(f"WooCommerce answered GET {path} with something other than a list",
                                          path=path)
            return Page(items, int(response.headers.get("X-WP-Total", len(items))),
                        int(response.headers.get("X-WP-TotalPages", 1)))
        return self.transport.run("GET", attempt, f"GET {path}")

    def call(self, method: str, path: str, *, params: dict[str, Any] | None = None, json: Any = None) -> Any:
        """One API request, answered with its parsed JSON body. Only idempotent methods are retried."""
        def attempt() -> Any:
            return self._json(self._send_authenticated(method, path, params or {}, json), path)
        return self.transport.run(method, attempt, f"{method} {path}")

    def _send_authenticated(self, method: str, path: str, params: dict[str, Any], body: Any) -> requests.Response:
        mode = self._auth_mode
        response = self._send(method, path, params, body, mode)
        if response.status_code == 401 and mode == "basic" and self._may_fall_back \
                and error_body(response).get("code") == ANONYMOUS_CODE:
            with self._lock:
                if self._auth_mode == "basic":
                    log.warning("WooCommerce ignored the Authorization header (the host probably strips it); "
                                "sending the keys as query parameters from now on")
                    self._auth_mode = "query"
            response = self._send(method, path, params, body, "query")
        raise_for_status(response, path, "WooCommerce")
        return response

    def _send(self, method: str, path: str, params: dict[str, Any], body: Any, mode: str) -> requests.Response:
        auth: Any = None
        if mode == "basic":
            auth = HTTPBasicAuth(self._key.value, self._secret.value)
        elif mode == "oauth1":
            auth = OAuth1(self._key.value, client_secret=self._secret.value,
                          signature_method=SIGNATURE_HMAC_SHA256, signature_type=SIGNATURE_TYPE_QUERY)
        elif mode == "query":
            params = {**params, "consumer_key": self._key.value, "consumer_secret": self._secret.value}
        return self.transport.send(method, self.base + path, path, params=params, json=body, auth=auth)

    @staticmethod
    def _json(response: requests.Response, path: str) -> Any:
        try:
            return response.json()
        except ValueError:
            raise UpstreamUnavailable(f"WooCommerce answered {path} with a body that is not JSON "
                                      f"({response.headers.get('Content-Type', 'no content type')})",
                                      path=path) from None


