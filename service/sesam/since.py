"""Since-tokens: the `_updated` value of every entity we stream, and the `since` Sesam hands back.

A token is a position in a stream ordered by (modification second, id), written so that Sesam's plain string
comparison orders tokens exactly as we do:

    2026-11-28T03:17:04Z_000000000076    settled: record 76, last modified at 03:17:04 UTC
    2026-11-28T03:17:09Z~000000000077    unsettled: record 77, modified at or after 03:17:10 (the cutoff)

A record modified in the last `SETTLE_SECONDS` (or dated in the future, as a product scheduled with a future date
is) is "unsettled": a write still being committed in that same second could land at a smaller (time, id) than one we
already handed out, and a `since` past it would skip it for good. Such records are still sent (a full read must not
omit them, or Sesam would treat them as deleted), but with a token just below the cutoff: `~` sorts after every `_`
of that second, so the tokens stay strictly increasing, and a later pull whose `since` is that token includes every
record modified at or after the cutoff again, now with its settled token.

Rules every stream follows, whatever the system:
- an entity is in the response to `since=S` if and only if its token is greater than S (a string comparison);
- a bare time `2026-11-28T03:17:04Z` is also accepted as `since`: it sorts before every token of that second.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from service.errors import InvalidRequest

ID_DIGITS = 12
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_TOKEN = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z(?:[_~]\d{%d})?$" % ID_DIGITS)
SETTLED, UNSETTLED = "_", "~"
EPOCH = datetime(1970, 1, 1)


def format_time(moment: datetime) -> str:
    return moment.strftime(_TIME_FORMAT)


def parse_since(raw: str | None) -> str | None:
    """Validate a `since` parameter; the token itself is what streams compare against."""
    if raw is None:
        return None
    if not _TOKEN.match(raw):
        raise InvalidRequest(
            "since must be a token from a previous response's _updated, or a UTC time like 2026-11-28T03:17:04Z",
            since=raw[:64])
    try:
        datetime.strptime(raw[:20], _TIME_FORMAT)
    except ValueError as exc:
        raise InvalidRequest(f"since holds an impossible time: {exc}", since=raw[:64]) from exc
    return raw


def since_time(token: str) -> datetime:
    """The modification second a token stands at (naive UTC)."""
    return datetime.strptime(token[:20], _TIME_FORMAT)


def make_token(modified: datetime, record_id: int, cutoff: datetime) -> str:
    """The token of a record last modified at `modified` (naive UTC), for a stream read with `cutoff`.

    `cutoff` is a whole second: records modified at or after it are unsettled.
    """
    if not 0 <= record_id < 10**ID_DIGITS:
        raise ValueError(f"record id {record_id} does not fit a token")
    modified = modified.replace(microsecond=0)
    if modified >= cutoff:
        return f"{format_time(cutoff - timedelta(seconds=1))}{UNSETTLED}{record_id:0{ID_DIGITS}d}"
    return f"{format_time(modified)}{SETTLED}{record_id:0{ID_DIGITS}d}"


def cutoff_for(now: datetime, settle_seconds: float) -> datetime:
    """The first unsettled second for a read starting at `now` (naive UTC)."""
    return (now - timedelta(seconds=settle_seconds)).replace(microsecond=0)


def utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)
