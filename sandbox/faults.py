"""Fault injection shared by every sandbox: latency, error responses and connections dropped mid-body.

Wraps a WSGI app. Faults are set at start (command-line switches) or at run time through the control endpoint
`/_sandbox/faults` (GET shows them, PUT replaces them, DELETE clears them), which is itself never faulted:

    {"latency_ms": 80,
     "fail": [{"status": 503, "count": 2, "retry_after": 1, "path": "/wp-json/wc/v3/orders", "method": "GET"}],
     "drop": [{"count": 1, "after_bytes": 200, "path": "/wp-json/wc/v3/orders"}]}

`fail` rules answer the next `count` matching requests with `status` (a host's HTML error page, as proxies and
rate limiters send, with `Retry-After` when given) without reaching the app. `drop` rules let the app answer, send
the status line, the headers (with the full Content-Length) and the first `after_bytes` bytes of the body, then close
the connection: the client sees a truncated body. Rules are consumed in order; `path` is a prefix, `method` optional.
`/_sandbox/requests` counts the requests the wrapped app answered, by method (GET), and resets them (DELETE).
"""
from __future__ import annotations

import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, Callable

CONTROL_PATH = "/_sandbox/faults"
REQUESTS_PATH = "/_sandbox/requests"

StartResponse = Callable[..., Any]


class FaultSpecError(ValueError):
    """A fault specification that cannot be applied."""


@dataclass
class FailRule:
    status: int
    count: int = 1
    retry_after: int | None = None
    path: str = ""
    method: str | None = None

    def matches(self, method: str, path: str) -> bool:
        return self.count > 0 and path.startswith(self.path) and (self.method is None or self.method == method)


@dataclass
class DropRule:
    count: int = 1
    after_bytes: int = 0
    path: str = ""
    method: str | None = None

    def matches(self, method: str, path: str) -> bool:
        return self.count > 0 and path.startswith(self.path) and (self.method is None or self.method == method)


@dataclass
class Faults:
    latency_ms: float = 0.0
    fail: list[FailRule] = field(default_factory=list)
    drop: list[DropRule] = field(default_factory=list)

    @classmethod
    def parse(cls, spec: dict[str, Any]) -> "Faults":
        if not isinstance(spec, dict):
            raise FaultSpecError("faults must be a JSON object")
        unknown = set(spec) - {"latency_ms", "fail", "drop"}
        if unknown:
            raise FaultSpecError(f"unknown fault keys: {sorted(unknown)}")
        try:
            latency = float(spec.get("latency_ms", 0))
            fail = [FailRule(**rule) for rule in spec.get("fail", [])]
            drop = [DropRule(**rule) for rule in spec.get("drop", [])]
        except (TypeError, ValueError) as exc:
            raise FaultSpecError(f"invalid fault rule: {exc}") from exc
        if latency < 0 or any(not 100 <= r.status <= 599 for r in fail):
            raise FaultSpecError("latency_ms must be >= 0 and statuses between 100 and 599")
        return cls(latency, fail, drop)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


_REASONS = {429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
            504: "Gateway Timeout"}


class FaultInjector:
    """WSGI middleware applying `Faults` to every request except the sandbox control endpoints."""

    def __init__(self, app: Callable[..., Iterable[bytes]], faults: Faults | None = None) -> None:
        self.app = app
        self.faults = faults or Faults()
        self.requests: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == CONTROL_PATH:
            return self._control(environ, start_response, method)
        if path == REQUESTS_PATH:
            return self._request_counts(start_response, method)
        if path.startswith("/_sandbox/"):
            return self.app(environ, start_response)
        with self._lock:
            self.requests[method] += 1
            latency = self.faults.latency_ms
            fail = self._take(self.faults.fail, method, path)
            drop = None if fail else self._take(self.faults.drop, method, path)
        if latency:
            time.sleep(latency / 1000)
        if fail is not None:
            return self._fail(fail, start_response)
        if drop is not None:
            return self._drop(drop, environ, start_response)
        return self.app(environ, start_response)

    @staticmethod
    def _take(rules: list[Any], method: str, path: str) -> Any:
        for rule in rules:
            if rule.matches(method, path):
                rule.count -= 1
                return rule
        return None

    @staticmethod
    def _fail(rule: FailRule, start_response: StartResponse) -> Iterable[bytes]:
        reason = _REASONS.get(rule.status, "Error")
        body = f"<html><head><title>{rule.status} {reason}</title></head><body><h1>{reason}</h1></body></html>"
        headers = [("Content-Type", "text/html"), ("Content-Length", str(len(body)))]
        if rule.retry_after is not None:
            headers.append(("Retry-After", str(rule.retry_after)))
        start_response(f"{rule.status} {reason}", headers)
        return [body.encode()]

    def _drop(self, rule: DropRule, environ: dict[str, Any], start_response: StartResponse) -> Iterator[bytes]:
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        body = b"".join(self.app(environ, capture))
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(body))))
        start_response(captured["status"], headers)
        sock: socket.socket | None = environ.get("werkzeug.socket")
        yield body[: rule.after_bytes]
        if sock is not None:
            # Closing the socket under the server mimics a proxy or PHP worker dying mid-response.
            sock.shutdown(socket.SHUT_RDWR)

    def _control(self, environ: dict[str, Any], start_response: StartResponse, method: str) -> Iterable[bytes]:
        if method == "PUT":
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
                spec = json.loads(environ["wsgi.input"].read(length) or b"{}")
                faults = Faults.parse(spec)
            except (ValueError, FaultSpecError) as exc:
                return _json(start_response, "400 Bad Request", {"error": str(exc)})
            with self._lock:
                self.faults = faults
        elif method == "DELETE":
            with self._lock:
                self.faults = Faults()
        elif method != "GET":
            return _json(start_response, "405 Method Not Allowed", {"error": "use GET, PUT or DELETE"})
        return _json(start_response, "200 OK", self.faults.as_json())

    def _request_counts(self, start_response: StartResponse, method: str) -> Iterable[bytes]:
        with self._lock:
            counts = dict(self.requests)
            if method == "DELETE":
                self.requests.clear()
        return _json(start_response, "200 OK", counts)


def _json(start_response: StartResponse, status: str, payload: Any) -> list[bytes]:
    body = json.dumps(payload).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def add_fault_arguments(parser: Any) -> None:
    """The fault switches every sandbox command line offers."""
    parser.add_argument("--latency-ms", type=float, default=0.0, help="delay every API request by this much")
    parser.add_argument("--faults", type=json.loads, default=None,
                        help="initial faults as JSON, in the format of PUT /_sandbox/faults")


def faults_from_arguments(args: Any) -> Faults:
    spec = dict(args.faults or {})
    if args.latency_ms:
        spec["latency_ms"] = args.latency_ms
    return Faults.parse(spec)
