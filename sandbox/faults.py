"""Fault injection shared by every sandbox: what hosts, proxies, caches and dying PHP workers do to answers.

Wraps a WSGI app. Faults are set at start (command-line switches) or at run time through the control endpoint
`/_sandbox/faults` (GET shows them, PUT replaces them, DELETE clears them), which is itself never faulted:

    {"latency_ms": 80,
     "fail":    [{"status": 503, "count": 2, "retry_after": 1, "path": "/wp-json/wc/v3/orders", "method": "GET"}],
     "drop":    [{"count": 1, "after_bytes": 200, "path": "/wp-json/wc/v3/orders"}],
     "cut":     [{"count": 1, "after_bytes": 200}],
     "short":   [{"count": 1, "keep": 5, "strip": ["next_cursor"]}],
     "trickle": [{"count": 1, "chunk_bytes": 16, "interval_ms": 50}],
     "hold":    [{"count": 1, "method": "POST", "release_after_ms": 5000}]}

- `fail` answers the next `count` matching requests with `status` (a host's HTML error page, as proxies and rate
  limiters send, with `Retry-After` when given) without reaching the app.
- `drop` lets the app answer, sends the status line, the headers (with the full Content-Length) and the first
  `after_bytes` bytes of the body, then closes the connection: the client sees a truncated body.
- `cut` is a proxy cutting a page: a complete HTTP answer (its Content-Length matches) whose body stops after
  `after_bytes`, so the JSON is broken but the transfer looks whole.
- `short` is a cache or plugin filtering rows: a JSON answer keeps only the first `keep` items of its array (the
  top-level array, or an object's `items`), with status and headers (`X-WP-Total`, …) unchanged; `strip` also
  removes those keys of a top-level object (a proxy rewriting `next_cursor` away).
- `trickle` sends the app's answer `chunk_bytes` at a time, `interval_ms` apart: data keeps arriving, slowly.
- `hold` keeps a request from the app until `POST /_sandbox/faults/release` (or, when given, `release_after_ms`):
  a slow write that lands after the client gave up. The app still answers, to whoever is listening.

Rules are consumed in order; `path` is a prefix, `method` optional. A spec that breaks these rules is refused as a
whole, naming every problem (`fail[0].status: must be an integer from 100 to 599`), and changes nothing.
`/_sandbox/requests` counts the requests the wrapped app answered, by method (GET), and resets them (DELETE).
"""
from __future__ import annotations

import argparse
import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field, fields
from typing import Any

CONTROL_PATH = "/_sandbox/faults"
RELEASE_PATH = "/_sandbox/faults/release"
REQUESTS_PATH = "/_sandbox/requests"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

StartResponse = Callable[..., Any]


class FaultSpecError(ValueError):
    """A fault specification that cannot be applied; `problems` lists every reason."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("invalid faults: " + "; ".join(problems))
        self.problems = problems


@dataclass
class Rule:
    count: int = 1
    path: str = ""
    method: str | None = None

    def matches(self, method: str, path: str) -> bool:
        return self.count > 0 and path.startswith(self.path) and (self.method is None or self.method == method)


@dataclass
class FailRule(Rule):
    status: int = 503
    retry_after: int | None = None


@dataclass
class DropRule(Rule):
    after_bytes: int = 0


@dataclass
class CutRule(Rule):
    after_bytes: int = 0


@dataclass
class ShortRule(Rule):
    keep: int = 0
    strip: list[str] = field(default_factory=list)


@dataclass
class TrickleRule(Rule):
    chunk_bytes: int = 1
    interval_ms: float = 100.0


@dataclass
class HoldRule(Rule):
    release_after_ms: float | None = None


def _integer(low: int, high: int | None = None) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
            return f"must be an integer from {low}" + (f" to {high}" if high is not None else " up")
        return None
    return check


def _number(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 10**7:
        return "must be a number of milliseconds, 0 or more"
    return None


def _text(value: Any) -> str | None:
    return None if isinstance(value, str) else "must be a string"


def _method(value: Any) -> str | None:
    return None if value is None or value in METHODS else f"must be one of {', '.join(METHODS)}"


def _texts(value: Any) -> str | None:
    return None if isinstance(value, list) and all(isinstance(v, str) for v in value) else "must be a list of strings"


def _optional(check: Callable[[Any], str | None]) -> Callable[[Any], str | None]:
    return lambda value: None if value is None else check(value)


_COMMON = {"count": _integer(1), "path": _text, "method": _method}
RULE_KINDS: dict[str, tuple[type[Rule], dict[str, Callable[[Any], str | None]], tuple[str, ...]]] = {
    "fail": (FailRule, {**_COMMON, "status": _integer(100, 599), "retry_after": _optional(_integer(0))}, ("status",)),
    "drop": (DropRule, {**_COMMON, "after_bytes": _integer(0)}, ()),
    "cut": (CutRule, {**_COMMON, "after_bytes": _integer(0)}, ()),
    "short": (ShortRule, {**_COMMON, "keep": _integer(0), "strip": _texts}, ("keep",)),
    "trickle": (TrickleRule, {**_COMMON, "chunk_bytes": _integer(1), "interval_ms": _number}, ()),
    "hold": (HoldRule, {**_COMMON, "release_after_ms": _optional(_number)}, ()),
}


@dataclass
class Faults:
    latency_ms: float = 0.0
    fail: list[FailRule] = field(default_factory=list)
    drop: list[DropRule] = field(default_factory=list)
    cut: list[CutRule] = field(default_factory=list)
    short: list[ShortRule] = field(default_factory=list)
    trickle: list[TrickleRule] = field(default_factory=list)
    hold: list[HoldRule] = field(default_factory=list)

    @classmethod
    def parse(cls, spec: Any) -> "Faults":
        """Faults from their JSON form, or FaultSpecError naming every problem."""
        if not isinstance(spec, dict):
            raise FaultSpecError(["faults must be a JSON object"])
        problems = [f"{key}: not a fault kind (known: latency_ms, {', '.join(RULE_KINDS)})"
                    for key in spec if key != "latency_ms" and key not in RULE_KINDS]
        latency = spec.get("latency_ms", 0)
        if _number(latency):
            problems.append(f"latency_ms: {_number(latency)}")
        kinds: dict[str, list[Rule]] = {}
        for kind, (rule_class, checks, required) in RULE_KINDS.items():
            rules = spec.get(kind, [])
            if not isinstance(rules, list):
                problems.append(f"{kind}: must be a list of rules")
                continue
            kinds[kind] = []
            for index, rule in enumerate(rules):
                where = f"{kind}[{index}]"
                if not isinstance(rule, dict):
                    problems.append(f"{where}: must be an object")
                    continue
                problems += [f"{where}.{key}: not a setting of a {kind} rule" for key in rule if key not in checks]
                problems += [f"{where}.{key}: is required" for key in required if key not in rule]
                problems += [f"{where}.{key}: {message}" for key, check in checks.items()
                             if key in rule and (message := check(rule[key]))]
                known = {f.name for f in fields(rule_class)}
                kinds[kind].append(rule_class(**{k: v for k, v in rule.items() if k in known}))
        if problems:
            raise FaultSpecError(problems)
        return cls(float(latency), **kinds)  # type: ignore[arg-type]

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


_SHAPING = ("drop", "cut", "short", "trickle")  # at most one of these shapes an answer, in this order
_REASONS = {429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
            504: "Gateway Timeout"}


class FaultInjector:
    """WSGI middleware applying `Faults` to every request except the sandbox control endpoints."""

    def __init__(self, app: Callable[..., Iterable[bytes]], faults: Faults | None = None) -> None:
        self.app = app
        self.faults = faults or Faults()
        self.requests: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._release = threading.Event()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == CONTROL_PATH:
            return self._control(environ, start_response, method)
        if path == RELEASE_PATH:
            return self._release_held(start_response, method)
        if path == REQUESTS_PATH:
            return self._request_counts(start_response, method)
        if path.startswith("/_sandbox/"):
            return self.app(environ, start_response)
        with self._lock:
            self.requests[method] += 1
            latency = self.faults.latency_ms
            fail = self._take(self.faults.fail, method, path)
            hold = None if fail else self._take(self.faults.hold, method, path)
            shaping = None if fail else self._take_shaping(method, path)
        if latency:
            time.sleep(latency / 1000)
        if fail is not None:
            return self._fail(fail, start_response)
        if hold is not None:
            self._hold(hold)
        if shaping is not None:
            kind, rule = shaping
            return getattr(self, f"_{kind}")(rule, environ, start_response)
        return self.app(environ, start_response)

    @staticmethod
    def _take(rules: list[Any], method: str, path: str) -> Any:
        for rule in rules:
            if rule.matches(method, path):
                rule.count -= 1
                return rule
        return None

    def _take_shaping(self, method: str, path: str) -> tuple[str, Rule] | None:
        for kind in _SHAPING:
            rule = self._take(getattr(self.faults, kind), method, path)
            if rule is not None:
                return kind, rule
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

    def _hold(self, rule: HoldRule) -> None:
        timeout = None if rule.release_after_ms is None else rule.release_after_ms / 1000
        self._release.wait(timeout)

    def _answer(self, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
        """The app's whole answer: status, headers without Content-Length, body."""
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        body = b"".join(self.app(environ, capture))
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        return captured["status"], headers, body

    def _drop(self, rule: DropRule, environ: dict[str, Any], start_response: StartResponse) -> Iterator[bytes]:
        status, headers, body = self._answer(environ)
        start_response(status, headers + [("Content-Length", str(len(body)))])
        sock: socket.socket | None = environ.get("werkzeug.socket")
        yield body[: rule.after_bytes]
        if sock is not None:
            # Closing the socket under the server mimics a proxy or PHP worker dying mid-response.
            sock.shutdown(socket.SHUT_RDWR)

    def _cut(self, rule: CutRule, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        status, headers, body = self._answer(environ)
        start_response(status, headers + [("Content-Length", str(min(len(body), rule.after_bytes)))])
        return [body[: rule.after_bytes]]

    def _short(self, rule: ShortRule, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        status, headers, body = self._answer(environ)
        try:
            answer = json.loads(body)
        except ValueError:
            answer = None
        if isinstance(answer, list):
            answer = answer[: rule.keep]
        elif isinstance(answer, dict):
            if isinstance(answer.get("items"), list):
                answer["items"] = answer["items"][: rule.keep]
            for key in rule.strip:
                answer.pop(key, None)
        if answer is not None:
            body = json.dumps(answer).encode()
        start_response(status, headers + [("Content-Length", str(len(body)))])
        return [body]

    def _trickle(self, rule: TrickleRule, environ: dict[str, Any], start_response: StartResponse) -> Iterator[bytes]:
        status, headers, body = self._answer(environ)
        start_response(status, headers + [("Content-Length", str(len(body)))])
        for start in range(0, len(body), rule.chunk_bytes):
            if start:
                time.sleep(rule.interval_ms / 1000)
            yield body[start:start + rule.chunk_bytes]

    def _control(self, environ: dict[str, Any], start_response: StartResponse, method: str) -> Iterable[bytes]:
        if method == "PUT":
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
                spec = json.loads(environ["wsgi.input"].read(length) or b"{}")
            except ValueError:
                return _json(start_response, "400 Bad Request", {"error": "the body is not JSON",
                                                                 "problems": ["the body is not JSON"]})
            try:
                faults = Faults.parse(spec)
            except FaultSpecError as exc:
                return _json(start_response, "400 Bad Request", {"error": str(exc), "problems": exc.problems})
            with self._lock:
                self.faults = faults
                self._release = threading.Event()
        elif method == "DELETE":
            with self._lock:
                self.faults = Faults()
                self._release.set()  # nothing stays held once the faults are gone
                self._release = threading.Event()
        elif method != "GET":
            return _json(start_response, "405 Method Not Allowed", {"error": "use GET, PUT or DELETE"})
        return _json(start_response, "200 OK", self.faults.as_json())

    def _release_held(self, start_response: StartResponse, method: str) -> Iterable[bytes]:
        if method != "POST":
            return _json(start_response, "405 Method Not Allowed", {"error": "use POST"})
        with self._lock:
            self._release.set()
            self._release = threading.Event()
        return _json(start_response, "200 OK", {"released": True})

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


def _fault_spec(raw: str) -> dict[str, Any]:
    """`--faults`: JSON in the format of PUT /_sandbox/faults, checked before anything starts."""
    try:
        spec = json.loads(raw)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not JSON: {exc}") from None
    try:
        Faults.parse(spec)
    except FaultSpecError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return spec


def _latency(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if _number(value):
        raise argparse.ArgumentTypeError(f"{raw!r}: {_number(value)}")
    return value


def add_fault_arguments(parser: Any) -> None:
    """The fault switches every sandbox command line offers."""
    parser.add_argument("--latency-ms", type=_latency, default=0.0, help="delay every API request by this much")
    parser.add_argument("--faults", type=_fault_spec, default=None,
                        help="initial faults as JSON, in the format of PUT /_sandbox/faults")


def faults_from_arguments(args: Any) -> Faults:
    spec = dict(args.faults or {})
    if args.latency_ms:
        spec["latency_ms"] = args.latency_ms
    return Faults.parse(spec)
