"""gunicorn settings: `python -m service` runs `gunicorn -c gunicorn.conf.py 'service.app:create_app()'`.

Settings are validated here too, before any worker starts, so a bad deployment exits at once with code 2 and one
clear message instead of workers failing to boot in a loop. (`python -m service` checks them before gunicorn is
even imported: gunicorn parses `WEB_CONCURRENCY` itself at import, with a traceback on a malformed value.)

Workers are threaded (gthread): a sync worker is killed when one request outlives `timeout`, because it cannot
report that it is alive while busy (benoitc/gunicorn#1440), and a full pull of a large store streams for minutes.
A gthread worker keeps notifying the arbiter while its threads stream, so `timeout` only catches a hung worker.

One worker process, and `Settings` refuses more: the JSON Push full-sync sequences and the journal of creates in
flight live in the process, and every request must meet them. The work is waiting on shops, which threads do well.
"""
import os
import signal
import sys
from types import FrameType
from typing import Any

from service.settings import settings_or_exit

_settings = settings_or_exit(os.environ)

bind = f"0.0.0.0:{_settings.port}"
worker_class = "gthread"
workers = _settings.web_concurrency
threads = _settings.gunicorn_threads
timeout = _settings.gunicorn_timeout
graceful_timeout = 30
keepalive = 75
accesslog = "-"
logger_class = "service.logs.GunicornLogger"  # the access log goes through the same redaction as ours


def on_starting(server: Any) -> None:
    """`gunicorn -w N` (or `--workers`, `GUNICORN_CMD_ARGS`) overrides `workers` above: refuse it as `Settings`
    refuse `WEB_CONCURRENCY`, before any worker starts."""
    if server.cfg.workers != 1:
        print(f"gunicorn: {server.cfg.workers} workers: must be 1: the JSON Push sequences and the journal of "
              "creates in flight live in the process; scale with GUNICORN_THREADS", file=sys.stderr)
        sys.exit(2)


def post_worker_init(worker: Any) -> None:
    """Let a worker quit once, however many quit signals reach it.

    Ctrl-C reaches the worker twice: SIGINT from the terminal (the whole process group gets it) and SIGQUIT from
    the master, which relays it. gthread's `handle_quit` calls `ThreadPoolExecutor.shutdown()`, which holds the
    pool's non-reentrant `_shutdown_lock`; when the second signal lands inside that block, the nested `handle_quit`
    waits for the lock its own thread holds, and the worker hangs until the master's SIGKILL after
    `graceful_timeout` ("Worker was sent SIGKILL! Perhaps out of memory?"). Seen with faulthandler: handle_quit →
    shutdown → handle_quit → shutdown, main thread only (python/cpython#121649). One quit is all it takes.
    """
    quit_once = worker.handle_quit
    quitting = False

    def handle_quit(sig: int, frame: FrameType | None) -> None:
        nonlocal quitting
        if quitting:
            return
        quitting = True
        quit_once(sig, frame)

    signal.signal(signal.SIGINT, handle_quit)
    signal.signal(signal.SIGQUIT, handle_quit)
