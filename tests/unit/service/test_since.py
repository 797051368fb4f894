"""Since-tokens sort as Sesam compares them (plain strings) and exactly as records are ordered."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.errors import InvalidRequest
from service.sesam.since import MICROSECONDS, SECONDS, TokenFormat

moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1))
ids = st.integers(0, 10**12 - 1)
formats = st.sampled_from([SECONDS, MICROSECONDS])
CUTOFF = datetime(2095, 1, 1)


@given(fmt=formats, a=st.tuples(moments, ids), b=st.tuples(moments, ids))
def test_token_string_order_is_record_order(fmt: TokenFormat, a, b):
    (ma, ia), (mb, ib) = a, b
    ta, tb = fmt.make_token(ma, ia, CUTOFF), fmt.make_token(mb, ib, CUTOFF)
    assert (ta < tb) == ((fmt.truncate(ma), ia) < (fmt.truncate(mb), ib))


@given(fmt=formats, settled=st.tuples(moments, ids), late=st.tuples(st.datetimes(min_value=CUTOFF), ids))
def test_unsettled_tokens_sort_after_every_settled_one(fmt, settled, late):
    assert fmt.make_token(*settled, CUTOFF) < fmt.make_token(*late, CUTOFF)


def test_unsettled_token_stands_just_below_the_cutoff():
    cutoff = datetime(2026, 11, 28, 3, 17, 10)
    assert SECONDS.make_token(cutoff + timedelta(seconds=5), 77, cutoff) == "2026-11-28T03:17:09Z~000000000077"
    assert SECONDS.make_token(cutoff - timedelta(seconds=1), 76, cutoff) == "2026-11-28T03:17:09Z_000000000076"
    assert MICROSECONDS.make_token(cutoff, 5, cutoff) == "2026-11-28T03:17:09.999999Z~000000000005"


@given(fmt=formats, moment=moments, record=ids)
def test_bare_time_sorts_before_every_token_modified_at_or_after_it(fmt, moment, record):
    bare = fmt.parse_since(moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
    assert bare < fmt.make_token(moment, record, CUTOFF)
    assert bare > fmt.make_token(fmt.truncate(moment) - fmt.step, record, CUTOFF)


def test_cutoff_leaves_the_settle_window_unsettled():
    now = datetime(2026, 11, 28, 3, 17, 5, 700_000)
    assert SECONDS.cutoff(now, 2) == datetime(2026, 11, 28, 3, 17, 3)
    assert SECONDS.cutoff(now, 0) == datetime(2026, 11, 28, 3, 17, 5)
    assert MICROSECONDS.cutoff(now, 0.5) == datetime(2026, 11, 28, 3, 17, 5, 200_000)


def test_tokens_round_trip_through_since():
    token = SECONDS.make_token(datetime(2026, 1, 2, 3, 4, 5), 42, CUTOFF)
    assert SECONDS.parse_since(token) == token and SECONDS.time_of(token) == datetime(2026, 1, 2, 3, 4, 5)


@pytest.mark.parametrize("raw", ["", "yesterday", "2026-11-28", "2026-11-28T03:17:04", "2026-11-28T03:17:04Z_12",
                                 "2026-13-28T03:17:04Z", "1700000000", "2026-11-28T03:17:04.123456Z_000000000076",
                                 "2026-11-28T03:17:04Z_000000000076 "])
def test_malformed_since_is_refused(raw):
    with pytest.raises(InvalidRequest):
        SECONDS.parse_since(raw)
