"""`python -m service [--check]`: check every setting, then serve under gunicorn (the image's command, and the
one `make start` runs).

gunicorn reads `WEB_CONCURRENCY` itself while it is being imported, and a malformed value fails there with a
traceback before any configuration file runs. So the settings are checked here first: a bad deployment exits with
code 2 and every problem listed, secrets never shown. `--check` stops after the check (`scripts/start.sh` runs it
before it starts a sandbox). Then this process becomes the gunicorn master, so signals reach gunicorn directly.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from service.settings import settings_or_exit

GUNICORN_CONFIG = Path(__file__).resolve().parents[1] / "gunicorn.conf.py"
USAGE = "usage: python -m service [--check]"


def main(argv: list[str]) -> int:
    if argv not in ([], ["--check"]):
        print(USAGE, file=sys.stderr)
        return 2
    settings_or_exit(os.environ)
    if argv:
        return 0
    os.execv(sys.executable, [sys.executable, "-m", "gunicorn", "--chdir", str(GUNICORN_CONFIG.parent),
                              "-c", str(GUNICORN_CONFIG), "service.app:create_app()"])
    return 1  # not reached: execv replaces the process or raises


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
