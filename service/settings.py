"""Settings: read once from the environment (as Sesam passes `docker.environment`) into a frozen, typed object.

Every variable is declared once in `VARIABLES`; parsing, the start-up error report and the README's table are all
derived from that list. Every problem is reported at once, so an operator fixes a bad deployment in one round.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from service.clients.webshop_api import WebshopApi
from service.errors import ConfigError

SYSTEMS = ("woocommerce", "customwebshop")


class Secret:
    """A credential: usable through `.value`, never shown by `repr`/`str` (and so never logged by accident)."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    @property
    def value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def _url(raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an http:// or https:// URL")
    if parts.query or parts.fragment:
        raise ValueError("must not contain a query or fragment")
    return raw.rstrip("/")


def _choice(*options: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if raw not in options:
            raise ValueError(f"must be one of {', '.join(options)}")
        return raw
    return parse


def _int_range(low: int, high: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        value = int(raw)
        if not low <= value <= high:
            raise ValueError(f"must be an integer from {low} to {high}")
        return value
    return parse


def _float_range(low: float, high: float) -> Callable[[str], float]:
    def parse(raw: str) -> float:
        value = float(raw)
        if not low <= value <= high:
            raise ValueError(f"must be a number from {low} to {high}")
        return value
    return parse


def _one_worker(raw: str) -> int:
    if raw.strip() != "1":
        raise ValueError("must be 1: the JSON Push sequences and the journal of creates in flight live in the "
                         "process, and every request must meet them (README, \"Receivers\"); "
                         "scale with GUNICORN_THREADS instead")
    return 1


def _log_level(raw: str) -> str:
    level = raw.upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise ValueError("must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
    return level


def _webshop_api(raw: str) -> WebshopApi:
    value = json.loads(raw)
    if not isinstance(value, dict):
        raise ValueError("must be a JSON object")
    return WebshopApi.from_json(value)


@dataclass(frozen=True)
class EnvVar:
    name: str
    attr: str
    parse: Callable[[str], Any]
    default: str | None
    help: str
    required_for: str | None = None  # "always", or the SYSTEM value that needs it; None: optional
    secret: bool = False


VARIABLES: tuple[EnvVar, ...] = (
    EnvVar("SYSTEM", "system", _choice(*SYSTEMS), None,
           "Which system this process serves at `/entities/<type>` and `/receiver/<type>`: "
           "`woocommerce` or `customwebshop`.", required_for="always"),
    EnvVar("PORT", "port", _int_range(1, 65535), "5000", "Port the service listens on."),
    EnvVar("LOG_LEVEL", "log_level", _log_level, "INFO", "DEBUG, INFO, WARNING, ERROR or CRITICAL."),
    EnvVar("WOOCOMMERCE_URL", "woocommerce_url", _url, None,
           "The store's base URL (`https://shop.example`); the service adds `/wp-json/wc/v3`.",
           required_for="woocommerce"),
    EnvVar("WOOCOMMERCE_CONSUMER_KEY", "woocommerce_consumer_key", Secret, None,
           "REST API consumer key (`ck_…`).", required_for="woocommerce", secret=True),
    EnvVar("WOOCOMMERCE_CONSUMER_SECRET", "woocommerce_consumer_secret", Secret, None,
           "REST API consumer secret (`cs_…`).", required_for="woocommerce", secret=True),
    EnvVar("WOOCOMMERCE_AUTH", "woocommerce_auth", _choice("auto", "basic", "query", "oauth1"), "auto",
           "`auto`: Basic over https (query-string keys when the host strips the Authorization header), "
           "OAuth 1.0a over http. The other values force one method."),
    EnvVar("WEBSHOP_URL", "webshop_url", _url, None, "The Custom Webshop API's base URL.",
           required_for="customwebshop"),
    EnvVar("WEBSHOP_TOKEN", "webshop_token", Secret, None, "Bearer token for the Custom Webshop API.",
           required_for="customwebshop", secret=True),
    EnvVar("WEBSHOP_API", "webshop_api", _webshop_api, "{}",
           "JSON object adapting the transport to a shop that differs from our contract "
           "(see docs/custom-webshop-api.md); `{}` is the contract itself."),
    EnvVar("SERVICE_TOKEN", "service_token", Secret, None,
           "When set, every endpoint but `/health` requires `Authorization: Bearer <token>`.", secret=True),
    EnvVar("UPSTREAM_TIMEOUT", "upstream_timeout", _float_range(1, 3600), "60",
           "Seconds the shop has to answer a request completely: connecting, and the whole body (a body that "
           "trickles in is cut off)."),
    EnvVar("UPSTREAM_RETRIES", "upstream_retries", _int_range(0, 20), "5",
           "Retries of a failed idempotent request (429, 5xx, timeouts, dropped connections), with backoff."),
    EnvVar("UPSTREAM_CONCURRENCY", "upstream_concurrency", _int_range(1, 32), "8",
           "Requests in flight to the shop at once while streaming (fetch-ahead)."),
    EnvVar("SETTLE_SECONDS", "settle_seconds", _float_range(0, 3600), "2",
           "Changes younger than this are left for the next pull, so a write still being committed in the "
           "shop's current second is never skipped."),
    EnvVar("DELETE_MODE", "delete_mode", _choice("trash", "force"), "trash",
           "How receivers delete orders and products: move to the trash, or delete for good."),
    EnvVar("MAX_BODY_BYTES", "max_body_bytes", _int_range(1024, 1 << 31), str(8 << 20),
           "Largest JSON Push body a receiver accepts (413 beyond), in bytes. A push peaks at up to 11 times its size "
           "in memory; Sesam's batches of 100 entities stay far below the default."),
    EnvVar("MAX_CONCURRENT_PULLS", "max_concurrent_pulls", _int_range(1, 64), "4",
           "Pulls streaming at once; one more is answered 503 with `Retry-After`, so long pulls never hold every "
           "server thread and receivers stay responsive. Keep it below `GUNICORN_THREADS`."),
    EnvVar("UNCERTAIN_CREATE_SECONDS", "uncertain_create_seconds", _float_range(0, 86400), "600",
           "After a create whose answer was lost (timeout, dropped connection), how long a replay of it waits for "
           "the record to show up (answering 503) before creating it again."),
    EnvVar("WEB_CONCURRENCY", "web_concurrency", _one_worker, "1",
           "gunicorn worker processes: must be 1 (the receivers' protocol state lives in the process)."),
)


@dataclass(frozen=True)
class Settings:
    system: str
    port: int = 5000
    log_level: str = "INFO"
    woocommerce_url: str | None = None
    woocommerce_consumer_key: Secret | None = None
    woocommerce_consumer_secret: Secret | None = None
    woocommerce_auth: str = "auto"
    webshop_url: str | None = None
    webshop_token: Secret | None = None
    webshop_api: WebshopApi = field(default_factory=WebshopApi)
    service_token: Secret | None = None
    upstream_timeout: float = 60.0
    upstream_retries: int = 5
    upstream_concurrency: int = 8
    settle_seconds: float = 2.0
    delete_mode: str = "trash"
    max_body_bytes: int = 8 << 20
    max_concurrent_pulls: int = 4
    uncertain_create_seconds: float = 600.0
    web_concurrency: int = 1

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> "Settings":
        values: dict[str, Any] = {}
        problems: list[str] = []
        for var in VARIABLES:
            raw = environ.get(var.name)
            if raw is None or raw == "":
                if var.default is None:
                    continue
                raw = var.default
            try:
                values[var.attr] = var.parse(raw)
            except (ValueError, json.JSONDecodeError) as exc:
                shown = "" if var.secret else f" (got {raw!r})"
                problems.append(f"{var.name}: {exc}{shown}")
        system = values.get("system")
        for var in VARIABLES:
            needed = var.required_for == "always" or (var.required_for is not None and var.required_for == system)
            if needed and var.attr not in values and not any(p.startswith(var.name + ":") for p in problems):
                when = "" if var.required_for == "always" else f" when SYSTEM={system}"
                problems.append(f"{var.name}: is required{when}")
        if problems:
            raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems), problems=problems)
        return cls(**values)


def variables_table() -> str:
    """The README's table of environment variables, generated from `VARIABLES`."""
    rows = ["| Variable | Default | Required | Meaning |", "|---|---|---|---|"]
    for var in VARIABLES:
        required = {None: "no", "always": "yes"}.get(var.required_for, f"when `SYSTEM={var.required_for}`")
        default = f"`{var.default}`" if var.default is not None else ""
        rows.append(f"| `{var.name}` | {default} | {required} | {var.help} |")
    return "\n".join(rows)
