"""Systems a pipe talks to over HTTP: `system:microservice` and `system:url`
(`hub/documentation/service-configuration/systems/configuration-systems-microservice.rst`, `…-url.rst`).

No Docker runs here: the command line maps each system id to the base URL where that service already listens
(`--system woocommerce=http://127.0.0.1:5001`). A `system:url` without such a mapping uses its `url_pattern`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

from emulator.errors import PipeRunError

DEFAULT_CONNECT_TIMEOUT = 60  # seconds, both system types
DEFAULT_READ_TIMEOUT = 1800


@dataclass(frozen=True)
class System:
    id: str
    spec: dict[str, Any]
    base_url: str | None

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

    def session(self) -> requests.Session:
        session = requests.Session()
        if self.spec.get("username") is not None:
            if self.spec.get("authentication", "basic") != "basic":
                raise PipeRunError(f"system {self.id}: authentication {self.spec['authentication']!r} is not supported")
            session.auth = (self.spec["username"], self.spec.get("password") or "")
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
                if key != "default" and _status_matches(key, status):
                    return overrides
        return strategy.get("default", {})


def _status_matches(key: str, status: int) -> bool:
    for part in key.split(","):
        low, _, high = part.strip().partition("-")
        if low.isdigit() and int(low) <= status <= int(high or low):
            return True
    return False
