"""Settings: read once from the environment (as Sesam passes `docker.environment`) into a frozen, typed object.

Every variable is declared once in `VARIABLES`; parsing, the start-up error report and the README's table are all
derived from that list. Every problem is reported at once, so an operator fixes a bad deployment in one round.
"""
from __future__ import annotations

import json
import re
import sys
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


def _woocommerce_url(raw: str) -> str:
    """A URL that already holds the REST prefix would be sent to `/wp-json/wc/v3/wp-json/wc/v3/…`, which a store
    answers with an opaque 404 or 422 on the first pull: say so at start instead."""
    url = _url(raw)
    segments = urlsplit(url).path.split("/")
    if "wp-json" in segments:
        base = url[:url.index("/wp-json")]
        raise ValueError(f"must be the store's base URL, without /wp-json/… (the service adds /wp-json/wc/v3): "
                         f"use {base!r}")
    return url


def _choice(*options: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if raw not in options:
            raise ValueError(f"must be one of {', '.join(options)}")
        return raw
    return parse


def _int_range(low: int, high: int, unit: str = "") -> Callable[[str], int]:
    expected = f"must be a whole number{unit and ' of ' + unit} from {low} to {high}"

    def parse(raw: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise ValueError(expected) from None
        if not low <= value <= high:
            raise ValueError(expected)
        return value
    return parse


def _float_range(low: float, high: float, unit: str = "") -> Callable[[str], float]:
    expected = f"must be a number{unit and ' of ' + unit} from {low:g} to {high:g}"

    def parse(raw: str) -> float:
        try:
            value = float(raw)
        except ValueError:
            raise ValueError(expected) from None
        if not low <= value <= high:  # also refuses nan
            raise ValueError(expected)
        return value
    return parse


# Sizes: a whole number of bytes, or with a unit. KB/MB/GB are powers of 1000 and KiB/MiB/GiB powers of 1024, as
# SI and IEC define them, so `64MB` and `64MiB` are both accepted and never confused; letter case does not matter.
_SIZE_UNITS = {"": 1, "b": 1, "kb": 1000, "mb": 1000 ** 2, "gb": 1000 ** 3,
               "kib": 1024, "mib": 1024 ** 2, "gib": 1024 ** 3}
_SIZE = re.compile(r"\s*([0-9]+)\s*([a-z]*)\s*", re.IGNORECASE)


def _byte_size(low: int, high: int) -> Callable[[str], int]:
    expected = (f"must be a size from {low} to {high} bytes: a whole number of bytes, or with a unit "
                f"(KB, MB, GB: powers of 1000; KiB, MiB, GiB: powers of 1024), such as 64MiB")

    def parse(raw: str) -> int:
        match = _SIZE.fullmatch(raw)
        if match is None or match.group(2).lower() not in _SIZE_UNITS:
            raise ValueError(expected)
        value = int(match.group(1)) * _SIZE_UNITS[match.group(2).lower()]
        if not low <= value <= high:
            raise ValueError(expected)
        return value
    return parse


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
    EnvVar("WOOCOMMERCE_URL", "woocommerce_url", _woocommerce_url, None,
           "The store's base URL (`https://shop.example`); the service adds `/wp-json/wc/v3` (a URL that "
           "already holds it is refused).",
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
           "When set, every endpoint but `/health` requires it: `Authorization: Bearer <token>`, or HTTP Basic "
           "with the token as the password (any user name).", secret=True),
    EnvVar("UPSTREAM_TIMEOUT", "upstream_timeout", _float_range(1, 3600, "seconds"), "60",
           "Seconds the shop has to answer a request completely: connecting, and the whole body (a body that "
           "trickles in is cut off)."),
    EnvVar("UPSTREAM_RETRIES", "upstream_retries", _int_range(0, 20), "5",
           "Retries of a failed idempotent request (429, 5xx, timeouts, dropped connections), with backoff."),
    EnvVar("UPSTREAM_CONCURRENCY", "upstream_concurrency", _int_range(1, 32), "8",
           "Requests in flight to the shop at once while streaming (fetch-ahead)."),
    EnvVar("SETTLE_SECONDS", "settle_seconds", _float_range(0, 3600, "seconds"), "2",
           "Changes younger than this are left for the next pull, so a write still being committed in the "
           "shop's current second is never skipped."),
    EnvVar("DELETE_MODE", "delete_mode", _choice("trash", "force"), "trash",
           "How receivers delete orders and products: move to the trash, or delete for good."),
    EnvVar("MAX_BODY_BYTES", "max_body_bytes", _byte_size(1024, 2 * 1024 ** 3), "8MiB",
           "Largest JSON Push body a receiver accepts (413 beyond): bytes, or with a unit: `8MiB` is "
           "8×1024² bytes, `8MB` 8×1000² (KB, MB, GB; KiB, MiB, GiB; any letter case). A push peaks at up to 11 "
           "times its size in memory; Sesam's batches of 100 entities stay far below the default."),
    EnvVar("MAX_CONCURRENT_PULLS", "max_concurrent_pulls", _int_range(1, 256), "4",
           "Pulls streaming at once; one more is answered 503 with `Retry-After`, so long pulls never hold every "
           "server thread and receivers stay responsive. Must be below `GUNICORN_THREADS`."),
    EnvVar("UNCERTAIN_CREATE_SECONDS", "uncertain_create_seconds", _float_range(0, 86400, "seconds"), "600",
           "After a create whose answer was lost (timeout, dropped connection), how long a replay of it waits for "
           "the record to show up (answering 503) before creating it again."),
    EnvVar("WEB_CONCURRENCY", "web_concurrency", _int_range(1, 64), "1",
           "gunicorn worker processes: must be 1. The JSON Push sequences and the journal of creates in flight "
           "live in the process (see \"Receivers\")."),
    EnvVar("GUNICORN_THREADS", "gunicorn_threads", _int_range(1, 256), "8",
           "Requests one worker serves at once (gunicorn gthread threads); each pull also keeps up to "
           "`UPSTREAM_CONCURRENCY` requests to the shop in flight."),
    EnvVar("GUNICORN_TIMEOUT", "gunicorn_timeout", _int_range(1, 86400, "seconds"), "120",
           "Seconds a worker may go silent before gunicorn kills and restarts it. Threaded workers report while "
           "they stream, so a long pull is never cut: this only catches a hung worker."),
    EnvVar("SANDBOX_PORT", "sandbox_port", _int_range(1, 65535), None,
           "Only for `make start` with no shop URL set: the port of the demo sandbox it starts (default 8081 for "
           "`woocommerce`, 8082 for `customwebshop`); refused when taken. The service itself ignores it."),
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
    gunicorn_threads: int = 8
    gunicorn_timeout: int = 120
    sandbox_port: int | None = None

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
        if values.get("web_concurrency", 1) != 1:
            problems.append("WEB_CONCURRENCY: must be 1: the JSON Push sequences and the journal of creates in "
                            "flight live in the process, and every request must meet them (README, \"Receivers\"); "
                            "scale with GUNICORN_THREADS instead")
        pulls, threads = values.get("max_concurrent_pulls", 4), values.get("gunicorn_threads", 8)
        if pulls >= threads:
            problems.append(f"MAX_CONCURRENT_PULLS: must be below GUNICORN_THREADS ({pulls} >= {threads}), or pulls "
                            "can hold every thread and receivers wait behind them")
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


def settings_or_exit(environ: Mapping[str, str]) -> Settings:
    """The settings, or exit 2 with every problem listed: how each start-up path (`python -m service`,
    gunicorn.conf.py) refuses a bad deployment before any worker runs."""
    try:
        return Settings.from_env(environ)
    except ConfigError as error:
        print(f"service not started: {error.message}", file=sys.stderr)
        raise SystemExit(2) from None
