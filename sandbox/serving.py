"""Serve any WSGI app on a real socket in a background thread.

Tests, benchmarks and the command lines of the sandboxes all use this one helper, so a sandbox behaves the same
whether it is started from pytest or from a shell. The server is bound when the object is built (so the port is known
at once, `port=0` picks a free one) and stopped by `stop()`, which waits for the serving thread to end.
"""
from __future__ import annotations

import logging
import socket
import ssl
import sys
import threading
import time
from types import TracebackType
from typing import Any

import requests
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server


def free_port() -> int:
    """A port nothing listens on now, for a process started next (a server in this process takes `port=0`)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_health(port: int, attempts: int = 200) -> None:
    """Until the service started on `port` answers `/health`, 0.1 s apart."""
    for _ in range(attempts):
        try:
            requests.get(f"http://127.0.0.1:{port}/health", timeout=1)
            return
        except (requests.ConnectionError, requests.Timeout):  # a listening master whose worker still boots
            time.sleep(0.1)
    raise RuntimeError(f"the service on port {port} did not answer /health")


class _QuietHandler(WSGIRequestHandler):
    """Access lines go to the `sandbox.access` logger at DEBUG instead of stderr."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        logging.getLogger("sandbox.access").debug('"%s" %s %s', self.requestline, code, size)


class ServedApp:
    """A WSGI app listening on `host:port` in a daemon thread; usable as a context manager."""

    def __init__(
        self,
        app: Any,
        host: str = "127.0.0.1",
        port: int = 0,
        ssl_context: ssl.SSLContext | None = None,
        quiet: bool = True,
    ) -> None:
        handler = _QuietHandler if quiet else WSGIRequestHandler
        # HTTP/1.1 keeps connections alive, as real stores do, so client-side pooling is exercised.
        handler.protocol_version = "HTTP/1.1"
        self._server: BaseWSGIServer = make_server(
            host, port, app, threaded=True, request_handler=handler, ssl_context=ssl_context
        )
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None
        scheme = "https" if ssl_context else "http"
        self.host = host
        self.port = self._server.server_port
        self.url = f"{scheme}://{host}:{self.port}"

    def start(self) -> "ServedApp":
        self._thread = threading.Thread(target=self._server.serve_forever, name=f"serve-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted."""
        try:
            self._server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            self._server.server_close()

    def __enter__(self) -> "ServedApp":
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def serve_until_interrupted(app: Any, name: str, host: str = "127.0.0.1", port: int = 0,
                            ssl_context: ssl.SSLContext | None = None) -> int:
    """The sandboxes' command lines: listen, print one line ending in the URL once listening (scripts/start.sh waits
    for it), serve until Ctrl-C. A port it cannot listen on is a message on stderr and exit 1, never a traceback
    (werkzeug reports a taken port itself, and exits 1)."""
    try:
        served = ServedApp(app, host=host, port=port, ssl_context=ssl_context)
    except OSError as error:
        print(f"{name} not started: cannot listen on {host}:{port}: {error.strerror or error}", file=sys.stderr)
        return 1
    print(f"{name} listening on {served.url}", flush=True)
    served.serve_forever()
    return 0
