"""gunicorn settings: `gunicorn -c gunicorn.conf.py 'service.app:create_app()'`.

Settings are validated here, before any worker starts, so a bad deployment exits at once with code 2 and one clear
message instead of workers failing to boot in a loop.

Workers are threaded (gthread): a sync worker is killed when one request outlives `timeout`, because it cannot
report that it is alive while busy (benoitc/gunicorn#1440), and a full pull of a large store streams for minutes.
A gthread worker keeps notifying the arbiter while its threads stream, so `timeout` only catches a hung worker.
(gunicorn turns `sync` into `gthread` by itself whenever `threads` > 1.)

One worker process by default: the JSON Push full-sync sequence state lives in the process, and every request of a
sequence must meet it. The work is waiting on shops, which threads do well.
"""
import os
import sys

from service.errors import ConfigError
from service.settings import Settings

try:
    _settings = Settings.from_env(os.environ)
except ConfigError as error:
    print(f"service not started: {error.message}", file=sys.stderr)
    sys.exit(2)

bind = f"0.0.0.0:{_settings.port}"
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "1"))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 75
accesslog = "-"
logger_class = "service.logs.GunicornLogger"  # the access log goes through the same redaction as ours
