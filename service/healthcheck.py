"""`python -m service.healthcheck`: the image's HEALTHCHECK. Exit 0 when this container's service answers
`GET /health` with 200, 1 otherwise (Docker reads 1 as unhealthy and reserves 2). Reads `PORT` as the service does.
"""
from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request
from collections.abc import Mapping

from service.errors import ConfigError
from service.settings import Settings

TIMEOUT_SECONDS = 4  # under the HEALTHCHECK's --timeout, so a hung service is reported, not left to Docker's kill


def check(environ: Mapping[str, str]) -> int:
    try:
        port = Settings.from_env(environ).port
    except ConfigError as error:
        print(f"unhealthy: {error.message}", file=sys.stderr)
        return 1
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=TIMEOUT_SECONDS) as response:
            return 0 if response.status == 200 else 1
    except (urllib.error.URLError, OSError) as error:
        print(f"unhealthy: GET /health on port {port}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(check(os.environ))
