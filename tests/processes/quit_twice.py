"""Run as a script by test_stops.py: a real gthread worker, with gunicorn's own signal handlers and then
gunicorn.conf.py's `post_worker_init`, gets Ctrl-C's two quit signals with the second one landing exactly where it
deadlocked: inside `ThreadPoolExecutor.shutdown()`, while the pool's `_shutdown_lock` is held. Exits 0 when the
worker quits; hangs (the test then fails on its deadline) when the second signal deadlocks it.

    python tests/processes/quit_twice.py gunicorn.conf.py [--without-hook]
"""
from __future__ import annotations

import os
import runpy
import signal
import sys
import time
from typing import Any

from gunicorn.config import Config
from gunicorn.glogging import Logger
from gunicorn.workers.gthread import ThreadWorker


class MasterRelaysQuit:
    """The pool's work queue, which sends the master's SIGQUIT when shutdown() puts its wake-up."""

    def __init__(self, queue: Any) -> None:
        self.queue = queue

    def put(self, item: Any) -> None:
        os.kill(os.getpid(), signal.SIGQUIT)  # Python runs the handler right here, inside the locked block
        self.queue.put(item)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.queue, name)


def main(config: str, with_hook: bool) -> None:
    hooks = runpy.run_path(config)
    cfg = Config()
    worker = ThreadWorker(1, os.getppid(), [], None, 30, cfg, Logger(cfg))
    worker.PIPE = os.pipe()
    for end in worker.PIPE:
        os.set_blocking(end, False)  # as Worker.init_process leaves it for signal.set_wakeup_fd
    worker.init_signals()
    if with_hook:
        hooks["post_worker_init"](worker)
    worker.tpool = worker.get_thread_pool()
    worker.tpool._work_queue = MasterRelaysQuit(worker.tpool._work_queue)
    os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C, as the terminal sends it to the whole process group
    time.sleep(60)
    sys.exit(3)  # the worker never quit


if __name__ == "__main__":
    main(sys.argv[1], "--without-hook" not in sys.argv[2:])
