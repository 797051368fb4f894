"""Systems a pipe talks to over HTTP: `system:microservice` and `system:url`
(`hub/documentation/service-configuration/systems/configuration-systems-microservice.rst`, `…-url.rst`).

No Docker runs here: the command line maps each system id to the base URL where that service already listens
(`--system woocommerce=http://127.0.0.1:5001`). A `system:url` without such a mapping uses its `url_pattern`.

Authentication is what the system says, as a node does it: "authentication is opt-in only and the default is no
authentication. No authentication set means any `username` or `password` set will be ignored" (microservice doc);
`basic` and `digest` are sent with the system's `username`/`password` on every request of every pipe using it.
A microservice system has no `headers` property (only URL systems and the pipes' json sources and sinks do), so
a credential can only reach a microservice through `authentication`.

A `$SECRET(..)` the emulator was not given stays unresolved until the system is used: `sesam test` never calls a
service (the collect pipes read their test alternative, output pipes are verified at the sink stage, and `sesam
upload` turns `eager_load_microservices` off), so an undefined secret only fails the pipe that would send it.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import requests
from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth

from emulator.errors import ConfigError, PipeRunError, Unsupported

DEFAULT_CONNECT_TIMEOUT = 60  # seconds, both system types
DEFAULT_READ_TIMEOUT = 1800
AUTHENTICATION = {"basic": HTTPBasicAuth, "digest": HTTPDigestAuth}
_COMMON = {"_id", "type", "name", "description", "comment", "metadata", "verify_ssl", "username", "password",
           "authentication", "connect_timeout", "read_timeout", "retry_strategy"}
KNOWN_SYSTEM_PROPERTIES = {
    "system:microservice": _COMMON | {"docker", "use_https", "eager_load"},
    "system:url": _COMMON | {"url_pattern", "headers"},
}
# "The following properties can be set as part of the retry strategy" (configuration-systems-url.rst)
RETRY_STRATEGY_PROPERTIES = {"max_read_retries", "read_retry_delay", "write_retry_delay", "max_retries_per_entity",
                             "max_consecutive_write_errors", "max_write_errors_in_retry_dataset", "batch_retries"}
_UNRESOLVED_SECRET = re.compile(r"\$SECRET\(([^()]+)\)")


def check_system(system_id: str, spec: dict[str, Any]) -> None:
    """Refuse what the emulator does not implement and what the system documents do not allow."""
    where = f"system {system_id}"
    kind = spec.get("type")
    if kind not in KNOWN_SYSTEM_PROPERTIES:
        raise Unsupported(where, f"system type {kind!r}")
    for key in spec:
        if key not in KNOWN_SYSTEM_PROPERTIES[kind]:
            raise Unsupported(where, f"{kind} property {key!r}")
    authentication = spec.get("authentication")
    if authentication is not None and authentication not in AUTHENTICATION:
        raise Unsupported(where, f"authentication {authentication!r}")
    if spec.get("username") is not None and spec.get("password") is None:
        raise ConfigError(f"{where}: password is mandatory when username is given")
    for key, overrides in (spec.get("retry_strategy") or {}).items():
        if key != "default" and not _status_key(key):
            raise ConfigError(f"{where}: retry_strategy key {key!r} is not a status code, range, list or 'default'")
        unknown = set(overrides) - RETRY_STRATEGY_PROPERTIES
        if unknown:
            raise ConfigError(f"{where}: retry_strategy[{key!r}] sets {sorted(unknown)[0]!r}, which a retry "
                              "strategy cannot set (configuration-systems-url.rst)")


@dataclass(frozen=True)
class System:
    id: str
    spec: dict[str, Any]
    base_url: str | None

    @property
    def missing_secrets(self) -> list[str]:
        """Secrets left unresolved anywhere a request would use them (a container's `docker.environment` is the
        service's business: no container runs here)."""
        return sorted(set(_unresolved({k: v for k, v in self.spec.items() if k != "docker"})))

    def require_secrets(self) -> None:
        missing = self.missing_secrets
        if missing:
            names = ", ".join(f"$SECRET({name})" for name in missing)
            options = " ".join(f"--secret {name}=..." for name in missing)
            raise PipeRunError(f"system {self.id}: {names} is not defined (give it with {options})")

    def url_for(self, relative: str) -> str:
        if self.base_url is not None:
            return f"{self.base_url.rstrip('/')}/{relative.lstrip('/')}"
        pattern = self.spec.get("url_pattern")
        if pattern is None:
            raise PipeRunError(f"system {self.id}: no URL given (use --system {self.id}=<base URL>)")
        # "`%s` marks where the pipe's relative url goes, else appended" (configuration-systems-url.rst).
        return pattern.replace("%s", relative.lstrip("/")) if "%s" in pattern else pattern + relative

    def headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        return {**self.spec.get("headers", {}), **(extra or {})}

    @property
    def auth(self) -> AuthBase | None:
        authentication = self.spec.get("authentication")
        if authentication is None:
            return None
        return AUTHENTICATION[authentication](self.spec.get("username") or "", self.spec.get("password") or "")

    def session(self) -> requests.Session:
        self.require_secrets()
        session = requests.Session()
        session.auth = self.auth
        session.verify = self.spec.get("verify_ssl", False)
        return session

    @property
    def timeout(self) -> tuple[float, float]:
        return (self.spec.get("connect_timeout", DEFAULT_CONNECT_TIMEOUT),
                self.spec.get("read_timeout", DEFAULT_READ_TIMEOUT))

    def retry_overrides(self, status: int | None) -> dict[str, Any]:
        """The `retry_strategy` entry for a status: keys are codes, ranges `"400-428"`, lists `"500,502,504"` or
        `"default"` (configuration-systems-url.rst)."""
        strategy = self.spec.get("retry_strategy") or {}
        if status is not None:
            for key, overrides in strategy.items():
                if key != "default" and status in _status_key(key):
                    return overrides
        return strategy.get("default", {})


def _status_key(key: str) -> set[int]:
    """The statuses a retry_strategy key names; empty when the key is not a code, a range or a list of them."""
    statuses: set[int] = set()
    for part in key.split(","):
        low, dash, high = part.strip().partition("-")
        if not low.isdigit() or (dash and not high.isdigit()):
            return set()
        statuses.update(range(int(low), int(high or low) + 1))
    return statuses


def _unresolved(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _unresolved(item)
    elif isinstance(value, list):
        for item in value:
            yield from _unresolved(item)
    elif isinstance(value, str):
        yield from _UNRESOLVED_SECRET.findall(value)
