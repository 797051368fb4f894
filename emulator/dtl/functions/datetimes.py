"""Date and time (dtl-functions-date-and-time.rst). Datetimes are transit strings `"~t…Z"` in UTC; Python keeps
microseconds where Sesam keeps nanoseconds. Timezone names are IANA names from the `zoneinfo` database."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.relativedelta import relativedelta

from emulator.dtl.engine import function
from emulator.dtl.functions.arguments import IGNORED, converter, each, is_plain_string, is_typed
from emulator.errors import DTLError
from emulator.values import DATETIME_PREFIX

NANOSECONDS = 10**9
# microseconds per DATEPART of datetime-plus/datetime-diff; year and month are calendar units instead
_FIXED_PARTS = {"week": 604_800_000_000, "day": 86_400_000_000, "hour": 3_600_000_000, "minute": 60_000_000,
                "second": 1_000_000, "millisecond": 1_000, "microsecond": 1}


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
    if dot:
        digits = "".join(c for c in rest if c.isdigit())
        text = f"{head}.{digits[:6].ljust(6, '0')}{rest[len(digits):]}"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def _datetime_value(value: Any) -> datetime | None:
    return decode_datetime(value) if is_typed(value, DATETIME_PREFIX) else None


def _parse_datetime(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):  # "nanoseconds since 1970-01-01T00:00:00Z"
        seconds, nanoseconds = divmod(value, NANOSECONDS)
        moment = datetime.fromtimestamp(seconds, tz=timezone.utc) + timedelta(microseconds=nanoseconds // 1000)
        return encode_datetime(moment)
    moment = decode_datetime(value) if is_plain_string(value) or is_typed(value, DATETIME_PREFIX) else None
    return IGNORED if moment is None else encode_datetime(moment)


converter("datetime", _parse_datetime)


@function("now")
def now() -> str:
    return encode_datetime(datetime.now(timezone.utc))


def _zone(name: Any) -> tzinfo:
    if name == "UTC":
        return timezone.utc
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise DTLError(f"unknown timezone {name!r}") from None


def _zone_and_format(args: tuple[Any, ...], name: str) -> tuple[tzinfo, str, Any]:
    """TIMEZONE_NAME (default "UTC"), FORMATSTRING, VALUES."""
    if len(args) not in (2, 3):
        raise DTLError(f"{name} takes TIMEZONE_NAME?, FORMATSTRING and VALUES")
    zone = _zone(args[0]) if len(args) == 3 else timezone.utc
    return zone, args[-2], args[-1]


@function("datetime-parse")
def datetime_parse(*args: Any) -> Any:
    """"The datetime string will be interpreted as being in this timezone" unless it carries an offset (`%z`)."""
    zone, pattern, values = _zone_and_format(args, "datetime-parse")

    def parse(value: Any) -> Any:
        try:
            moment = datetime.strptime(value, pattern) if is_plain_string(value) else None
        except ValueError:
            return IGNORED
        if moment is None:
            return IGNORED
        return encode_datetime(moment if moment.tzinfo else moment.replace(tzinfo=zone))

    return each(values, parse)


@function("datetime-format")
def datetime_format(*args: Any) -> Any:
    """"The datetime value will be translated to this timezone before it is formatted"."""
    zone, pattern, values = _zone_and_format(args, "datetime-format")
    return each(values, lambda v: m.astimezone(zone).strftime(pattern) if (m := _datetime_value(v)) else IGNORED)


@function("datetime-shift")
def datetime_shift(from_zone: Any, to_zone: Any, values: Any) -> Any:
    """Reads each datetime's wall-clock time as a time in FROM_TIMEZONE and gives the same instant's wall-clock time
    in TO_TIMEZONE, stored as UTC (the docs' example: 09:46 Europe/Oslo → UTC gives 07:46Z)."""
    source, target = _zone(from_zone), _zone(to_zone)

    def shift(value: Any) -> Any:
        moment = _datetime_value(value)
        if moment is None:
            return IGNORED
        wall = moment.replace(tzinfo=None).replace(tzinfo=source).astimezone(target)
        return encode_datetime(wall.replace(tzinfo=timezone.utc))

    return each(values, shift)


def _step(part: str, amount: int) -> relativedelta | timedelta:
    if part in ("year", "month"):
        return relativedelta(**{f"{part}s": amount})
    if part == "nanosecond":
        return timedelta(microseconds=amount // 1000)
    if part not in _FIXED_PARTS:
        raise DTLError(f"unknown DATEPART {part!r}")
    return timedelta(microseconds=amount * _FIXED_PARTS[part])


@function("datetime-plus")
def datetime_plus(part: str, amount: int, values: Any) -> Any:
    step = _step(part, amount)
    return each(values, lambda v: encode_datetime(m + step) if (m := _datetime_value(v)) else IGNORED)


@function("datetime-diff")
def datetime_diff(part: str, start: Any, end: Any) -> Any:
    """STARTDATE minus ENDDATE in whole DATEPARTs, "rounded downwards to the nearest (absolute) integer value"."""
    first, second = _datetime_value(start), _datetime_value(end)
    if first is None or second is None:
        return None
    if part in ("year", "month"):
        delta = relativedelta(first, second)
        return delta.years if part == "year" else delta.years * 12 + delta.months
    micro = (first - second) // timedelta(microseconds=1)
    if part == "nanosecond":
        return micro * 1000
    if part not in _FIXED_PARTS:
        raise DTLError(f"unknown DATEPART {part!r}")
    size = _FIXED_PARTS[part]
    return micro // size if micro >= 0 else -((-micro) // size)
