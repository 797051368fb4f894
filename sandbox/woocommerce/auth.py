"""API-key authentication as `WC_REST_Authentication` does it (`includes/class-wc-rest-authentication.php`).

Over HTTPS, Basic credentials are tried first: `consumer_key`/`consumer_secret` in the query string, then the
Authorization header. Whatever HTTPS found or not, OAuth 1.0a one-legged is tried next: parameters from the query
string, form fields and an `Authorization: OAuth` header; the base string is the method, the store URL (https when
the request is) and every parameter but `oauth_signature`, sorted by key with `strcmp` and RFC 3986-encoded twice;
HMAC-SHA1 or HMAC-SHA256 keyed with `secret&`; timestamps within 15 minutes; a nonce is used once. A JSON body is
not signed. Without usable credentials the request runs as anonymous, and the route's own permission check answers.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import threading
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote, unquote_plus

from .errors import ApiError

NONCE_WINDOW = 15 * 60
_HEADER_PARAM = re.compile(r'(oauth_[a-z_-]*)=(:?"([^"]*)"|([^,]*))')
_REQUIRED = ("oauth_consumer_key", "oauth_timestamp", "oauth_nonce", "oauth_signature", "oauth_signature_method")


@dataclass(frozen=True)
class ApiKey:
    consumer_key: str
    consumer_secret: str
    permissions: str = "read_write"

    def __repr__(self) -> str:
        return f"ApiKey({self.consumer_key[:6]}…, {self.permissions})"


def auth_error(message: str) -> ApiError:
    return ApiError(401, "woocommerce_rest_authentication_error", message)


def rfc3986(text: str) -> str:
    return quote(text, safe="~")


class Authenticator:
    def __init__(self, keys: list[ApiKey], https: bool) -> None:
        self.keys = {key.consumer_key: key for key in keys}
        self.https = https
        self._nonces: dict[str, dict[str, int]] = {}
        self._lock = threading.Lock()

    def authenticate(self, method: str, home_url: str, path: str, query: str, form: dict[str, str],
                     authorization: str, now: int) -> ApiKey | None:
        """The key the request authenticated with, None for anonymous; raises the 401 of a failed attempt."""
        error: ApiError | None = None
        if self.https:
            key, error = self._basic(query, authorization)
            if key is not None:
                return key
        params = self._oauth_parameters(query, form, authorization)
        if params is None:
            if error is not None:
                raise error
            return None
        key = self.keys.get(params["oauth_consumer_key"])
        if key is None:
            raise auth_error("Consumer key is invalid.")
        self._check_signature(key, method, home_url + path, params)
        self._check_timestamp_and_nonce(key, params["oauth_timestamp"], params["oauth_nonce"], now)
        return key

    def _basic(self, query: str, authorization: str) -> tuple[ApiKey | None, ApiError | None]:
        args = dict(parse_qsl(query, keep_blank_values=True))
        consumer_key, secret = "", ""
        if args.get("consumer_key") and args.get("consumer_secret"):
            consumer_key, secret = args["consumer_key"], args["consumer_secret"]
        elif authorization[:6].lower() == "basic ":
            try:
                consumer_key, _, secret = base64.b64decode(authorization[6:].strip()).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                consumer_key = ""
        if not consumer_key or not secret:
            return None, None
        key = self.keys.get(consumer_key)
        if key is None:
            return None, None
        if not hmac.compare_digest(key.consumer_secret.encode(), secret.encode()):
            return None, auth_error("Consumer secret is invalid.")
        return key, None

    @staticmethod
    def _oauth_parameters(query: str, form: dict[str, str], authorization: str) -> dict[str, str] | None:
        params = {**dict(parse_qsl(query, keep_blank_values=True)), **form}
        header = authorization.strip()
        if header.startswith("OAuth "):
            for match in _HEADER_PARAM.finditer(header):
                params[match.group(1)] = unquote_plus(match.group(3) or match.group(4))
        missing = [name for name in _REQUIRED if not params.get(name)]
        if len(missing) == len(_REQUIRED):
            return None  # not even trying OAuth
        if missing:
            plural = "parameters" if len(missing) > 1 else "parameter"
            raise ApiError(401, "woocommerce_rest_authentication_missing_parameter",
                           f"Missing OAuth {plural} {', '.join(missing)}")
        return params

    @staticmethod
    def _check_signature(key: ApiKey, method: str, url: str, params: dict[str, str]) -> None:
        given = unquote(params["oauth_signature"].replace(" ", "+"))
        signed = {k: v for k, v in params.items() if k != "oauth_signature"}
        pairs = [rfc3986(f"{rfc3986(k)}={rfc3986(v)}") for k, v in sorted(signed.items(), key=lambda kv: kv[0].encode())]
        base = f"{method.upper()}&{rfc3986(url)}&{'%26'.join(pairs)}"
        algorithm = {"HMAC-SHA1": hashlib.sha1, "HMAC-SHA256": hashlib.sha256}.get(params["oauth_signature_method"])
        if algorithm is None:
            raise auth_error("Invalid signature - signature method is invalid.")
        expected = base64.b64encode(hmac.new(f"{key.consumer_secret}&".encode(), base.encode(), algorithm).digest())
        if not hmac.compare_digest(expected.decode(), given):
            raise auth_error("Invalid signature - provided signature does not match.")

    def _check_timestamp_and_nonce(self, key: ApiKey, timestamp_text: str, nonce: str, now: int) -> None:
        try:
            timestamp = int(timestamp_text)
        except ValueError:
            timestamp = 0
        if not now - NONCE_WINDOW <= timestamp <= now + NONCE_WINDOW:
            raise auth_error("Invalid timestamp.")
        with self._lock:
            used = self._nonces.setdefault(key.consumer_key, {})
            if nonce in used:
                raise auth_error("Invalid nonce - nonce has already been used.")
            used[nonce] = timestamp
            for old, stamp in list(used.items()):
                if stamp < now - NONCE_WINDOW:
                    del used[old]


def check_permission(key: ApiKey, method: str) -> None:
    """`check_permissions`: a read key cannot write, a write key cannot read."""
    if method in ("GET", "HEAD") and key.permissions not in ("read", "read_write"):
        raise auth_error("The API key provided does not have read permissions.")
    if method in ("POST", "PUT", "PATCH", "DELETE") and key.permissions not in ("write", "read_write"):
        raise auth_error("The API key provided does not have write permissions.")


# What an anonymous caller is told, by kind of route and method (the controllers' permission callbacks).
ANONYMOUS_ERRORS: dict[tuple[str, str], tuple[str, str]] = {
    ("collection", "GET"): ("woocommerce_rest_cannot_view", "Sorry, you cannot list resources."),
    ("collection", "POST"): ("woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources."),
    ("item", "GET"): ("woocommerce_rest_cannot_view", "Sorry, you cannot view this resource."),
    ("item", "DELETE"): ("woocommerce_rest_cannot_delete", "Sorry, you are not allowed to delete this resource."),
    ("batch", "POST"): ("woocommerce_rest_cannot_batch", "Sorry, you are not allowed to batch manipulate this resource."),
}
EDIT_ERROR = ("woocommerce_rest_cannot_edit", "Sorry, you are not allowed to edit this resource.")


def anonymous_error(kind: str, method: str) -> ApiError:
    code, message = ANONYMOUS_ERRORS.get((kind, "POST" if kind == "batch" else method), EDIT_ERROR)
    return ApiError(401, code, message)

