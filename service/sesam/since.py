"""Since-tokens: the `_updated` value of every entity we stream, and the `since` Sesam hands back.

A token is a position in a stream ordered by (modification time, id), written so that Sesam's plain string
comparison orders tokens exactly as we do. Each system has one fixed-width time format: WooCommerce stamps whole
seconds, the Custom Webshop contract microseconds.

    2026-11-28T03:17:04Z_000000000076          settled: record 76, last modified at 03:17:04 UTC
    2026-11-28T03:17:09Z~000000000077          unsettled: record 77, modified at or after 03:17:10 (the cutoff)
    2026-11-28T03:17:04.123456Z_000000000012   the same, at microsecond resolution

A record modified in the last `SETTLE_SECONDS` (or dated in the future, as a product scheduled with a future date
is) is "unsettled": a write still being committed at that same moment could land at a smaller (time, id) than one
we already handed out, and a `since` past it would skip it for good. Such records are still sent (a full read must
not omit them, or Sesam would treat them as deleted), but with a token just below the cutoff: `~` sorts after every
`_` of that moment, so tokens stay strictly increasing, and a later pull whose `since` is that token sends every
record modified at or after the cutoff again, with its settled token once it has settled.

Rules every stream follows:
- an entity is in the response to `since=S` if and only if its token is greater than S (a string comparison);
- a bare UTC time (`2026-11-28T03:17:04Z`, or with microseconds) is also accepted as `since`: it means "everything
  modified at or after that time".
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from service.errors import InvalidRequest

ID_DIGITS = 12
SETTLED, UNSETTLED = "_", "~"
EPOCH = datetime(1970, 1, 1)
# ASCII only: `\d` alone also matches "２" and "٣", which strptime and int() would then accept.
_SINCE = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d{6})?Z(?:([_~])([0-9A-Za-z._:-]+))?$", re.ASCII)


@dataclass(frozen=True)
class TokenFormat:
    """One system's token layout: `seconds` or `microseconds` resolution; ids padded when they are integers.
    With `integer_ids` every token's id part is the zero-padded integer (WooCommerce); otherwise it may be a key."""

    microseconds: bool
    integer_ids: bool = False

    @property
    def step(self) -> timedelta:
        return timedelta(microseconds=1) if self.microseconds else timedelta(seconds=1)

    def format_time(self, moment: datetime) -> str:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ" if self.microseconds else "%Y-%m-%dT%H:%M:%SZ")

    def truncate(self, moment: datetime) -> datetime:
        return moment if self.microseconds else moment.replace(microsecond=0)

    def make_token(self, modified: datetime, record_id: int | str, cutoff: datetime) -> str:
        """The token of a record last modified at `modified` (naive UTC), in a read whose cutoff is `cutoff`."""
        modified = self.truncate(modified)
        if modified >= cutoff:
            return f"{self.format_time(cutoff - self.step)}{UNSETTLED}{_id_text(record_id)}"
        return f"{self.format_time(modified)}{SETTLED}{_id_text(record_id)}"

    def cutoff(self, now: datetime, settle_seconds: float) -> datetime:
        """The first unsettled moment for a read starting at `now` (naive UTC)."""
        return self.truncate(now - timedelta(seconds=settle_seconds))

    def parse_since(self, raw: str | None) -> str | None:
        """Validate `since` and write it in this format, so that string comparison with our tokens holds."""
        if raw is None:
            return None
        match = _SINCE.match(raw)
        if not match:
            raise InvalidRequest("since must be a token from a previous response's _updated, or a UTC time like "
                                 "2026-11-28T03:17:04Z", since=raw[:64])
        seconds, fraction, kind, record_id = match.groups()
        try:
            moment = datetime.strptime(seconds + (fraction or ".000000"), "%Y-%m-%dT%H:%M:%S.%f")
        except ValueError as exc:
            raise InvalidRequest(f"since holds an impossible time: {exc}", since=raw[:64]) from None
        if moment < EPOCH:  # no shop record is older, and our tokens count seconds from it
            raise InvalidRequest("since must be at or after 1970-01-01T00:00:00Z", since=raw[:64])
        if kind is None:  # a finer bare time than we stamp includes its whole second: at least once, never a gap
            return self.format_time(self.truncate(moment))
        digits = record_id.isdigit()
        if bool(fraction) != self.microseconds or (digits and len(record_id) != ID_DIGITS) \
                or (self.integer_ids and not digits):
            raise InvalidRequest("since is not a token of this stream", since=raw[:64])
        return raw

    def time_of(self, token: str) -> datetime:
        """The moment a token (or a bare time from `parse_since`) stands at."""
        match = _SINCE.match(token)
        assert match, token
        return datetime.strptime(match.group(1) + (match.group(2) or ".000000"), "%Y-%m-%dT%H:%M:%S.%f")


SECONDS = TokenFormat(microseconds=False, integer_ids=True)
MICROSECONDS = TokenFormat(microseconds=True)


def _id_text(record_id: int | str) -> str:
    if isinstance(record_id, int):
        if not 0 <= record_id < 10**ID_DIGITS:
            raise ValueError(f"record id {record_id} does not fit a token")
        return f"{record_id:0{ID_DIGITS}d}"
    return record_id


def utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)
