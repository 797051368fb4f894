"""Date and time (dtl-functions-date-and-time.rst); only the UTC timezone is supported."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from emulator.dtl.engine import function
from emulator.dtl.functions.arguments import IGNORED, converter, each, is_plain_string, is_typed
from emulator.errors import DTLError
from emulator.values import DATETIME_PREFIX


def encode_datetime(moment: datetime) -> str:
    moment = moment.astimezone(timezone.utc) if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}".rstrip("0")
    return f"{DATETIME_PREFIX}{text}Z"


def decode_datetime(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    text = value[2:] if value.startswith(DATETIME_PREFIX) else value
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    head, dot, rest = text.partition(".")
    if dot:  # Sesam keeps nanoseconds; Python keeps microseconds
        digits = "".join(c for c in rest if c.isdigit())
        text = f"{head}.{digits[:6].ljust(6, '0')}{rest[len(digits):]}"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def _parse_datetime(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):  # "nanoseconds since 1970-01-01T00:00:00Z"
        return encode_datetime(datetime.fromtimestamp(value / 1e9, tz=timezone.utc))
    moment = decode_datetime(value) if isinstance(value, str) and (
        is_plain_string(value) or is_typed(value, DATETIME_PREFIX)) else None
    return IGNORED if moment is None else encode_datetime(moment)


converter("datetime", _parse_datetime)


@function("now")
def now() -> str:
    return encode_datetime(datetime.now(timezone.utc))


def _timezone_and_format(args: tuple[Any, ...], name: str) -> tuple[str, Any]:
    if len(args) == 3:
        if args[0] != "UTC":
            raise DTLError(f"{name}: only the UTC timezone is supported by the emulator, got {args[0]!r}")
        return args[1], args[2]
    if len(args) != 2:
        raise DTLError(f"{name} takes TIMEZONE_NAME?, FORMATSTRING and VALUES")
    return args[0], args[1]


@function("datetime-parse")
def datetime_parse(*args: Any) -> Any:
    pattern, values = _timezone_and_format(args, "datetime-parse")

    def parse(value: Any) -> Any:
        try:
            return encode_datetime(datetime.strptime(value, pattern)) if is_plain_string(value) else IGNORED
        except ValueError:
            return IGNORED

    return each(values, parse)


@function("datetime-format")
def datetime_format(*args: Any) -> Any:
    pattern, values = _timezone_and_format(args, "datetime-format")
    return each(values, lambda v: (m := decode_datetime(v)) and m.strftime(pattern) if is_typed(v, DATETIME_PREFIX) else IGNORED)
