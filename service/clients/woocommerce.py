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
import re
import threading
from dataclasses import dataclass
from typing import Any

import requests
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA256, SIGNATURE_TYPE_QUERY
from requests.auth import HTTPBasicAuth
from requests_oauthlib import OAuth1

from service.clients.transport import RetryPolicy, Transport, error_body, json_body, raise_for_status
from service.errors import UpstreamUnavailable
from service.settings import Secret

log = logging.getLogger(__name__)

API_PREFIX = "/wp-json/wc/v3"
MAX_PER_PAGE = 100          # FACTS §1: per_page=101 is a 400
ANONYMOUS_CODE = "woocommerce_rest_cannot_view"  # FACTS §12: no (usable) credentials reached the store
DEFAULT_PER_PAGE = 10       # reference/woocommerce.md §1.2

# The field each of WooCommerce's own refusals is about (FACTS §3–§5; the setters in class-wc-customer.php and
# class-wc-order.php), so the reason reaching Sesam names the field, not only a code.
FIELD_OF_CODE = {
    "customer_invalid_email": "email",
    "woocommerce_rest_customer_invalid_email": "email",
    "registration-error-email-exists": "email",
    "customer_invalid_billing_email": "billing.email",
    "order_invalid_billing_email": "billing.email",
    "product_invalid_sku": "sku",
    "woocommerce_rest_product_not_created": "sku",
    "woocommerce_rest_invalid_customer_id": "customer_id",
    "woocommerce_rest_required_product_reference": "line_items",
    "woocommerce_rest_invalid_item_id": "line_items",
    "woocommerce_rest_customer_invalid_argument": "username",
}


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
        """One page of a list, checked against what the store itself promised in `X-WP-Total` (FACTS §1).

        A page shorter than the total says (a proxy, a cache or a plugin filtering rows) would look like the end
        of the list, and a full read that ends early makes Sesam delete the rest: it is retried, then refused."""
        path = f"/{resource}"

        def attempt() -> Page:
            response = self._send_authenticated("GET", path, params, None)
            items = json_body(response, "WooCommerce", "GET", path)
            if not isinstance(items, list):
                raise UpstreamUnavailable(f"WooCommerce answered GET {path} with something other than a list",
                                          path=path)
            total, pages = _header_int(response, "X-WP-Total", path), _header_int(response, "X-WP-TotalPages", path)
            per_page = int(params.get("per_page", DEFAULT_PER_PAGE))
            start = int(params["offset"]) if "offset" in params else (int(params.get("page", 1)) - 1) * per_page
            promised = max(0, min(per_page, total - start))
            if len(items) < promised:
                raise UpstreamUnavailable(
                    f"WooCommerce answered GET {path} with {len(items)} records where its X-WP-Total of {total} "
                    f"promised {promised} from position {start}: something between the store and us (a proxy, a "
                    "cache, a plugin) cut the page, and a shortened list must not pass for the end", path=path)
            return Page(items, total, pages)
        return self.transport.run("GET", attempt, f"GET {path}")

    def call(self, method: str, path: str, *, params: dict[str, Any] | None = None, json: Any = None) -> Any:
        """One API request, answered with its parsed JSON body. Only idempotent methods are retried."""
        def attempt() -> Any:
            return json_body(self._send_authenticated(method, path, params or {}, json), "WooCommerce", method, path)
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
        raise_for_status(response, path, "WooCommerce", error_fields)
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


def _header_int(response: requests.Response, name: str, path: str) -> int:
    raw = response.headers.get(name, "")
    if not (raw.isascii() and raw.isdigit()):
        raise UpstreamUnavailable(f"WooCommerce answered GET {path} without a valid {name} header ({raw[:20]!r}): "
                                  "without it a shortened page cannot be told from the end of the list", path=path)
    return int(raw)


def error_fields(error: dict[str, Any]) -> dict[str, str]:
    """Field-level reasons in one of WooCommerce's error bodies (a whole answer or a batch item's `error`)."""
    data = error.get("data") if isinstance(error.get("data"), dict) else {}
    params = data.get("params")
    if isinstance(params, dict):  # rest_invalid_param: {"per_page": "per_page must be between …"}
        return {str(name): str(message) for name, message in params.items()}
    if isinstance(params, list):  # rest_missing_callback_param: ["email"]
        return {str(name): "is required" for name in params}
    field = FIELD_OF_CODE.get(str(error.get("code")))
    message = re.sub(r"<[^>]+>", "", str(error.get("message") or "")).strip()
    return {field: f"{message} ({error.get('code')})"} if field else {}
