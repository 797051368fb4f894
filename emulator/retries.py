"""Which retry setting a pump uses for a failed request (`configuration-pump.rst`, `configuration-systems-url.rst`).

"If a retry property is set directly on the pump, that value will take priority over the `retry_strategy`"; the
system's strategy entry for the status (or its `default` entry) comes next, then the pump's documented default.
"""
from __future__ import annotations

from typing import Any

from emulator.systems import System

# configuration-pump.rst's prototype, plus `batch_retries` ("3") from its property table
PUMP_DEFAULTS: dict[str, Any] = {
    "max_read_retries": 0,
    "read_retry_delay": 0,
    "write_retry_delay": 0,
    "max_retries_per_entity": 5,
    "max_consecutive_write_errors": 1,
    "max_write_errors_in_retry_dataset": 0,
    "batch_retries": 3,
}


def retry_setting(name: str, status: int | None, pump: dict[str, Any], system: System) -> Any:
    if name in pump:
        return pump[name]
    return system.retry_overrides(status).get(name, PUMP_DEFAULTS[name])
