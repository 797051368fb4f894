"""Since-tokens sort as Sesam compares them (plain strings) and exactly as records are ordered."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.errors import InvalidRequest
from service.sesam.since import cutoff_for, make_token, parse_since

moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1))
ids = st.integers(0, 10**12 - 1)
CUTOFF = datetime(2095, 1, 1)


@given(a=st.tuples(moments, ids), b=st.tuples(moments, ids))
def test_token_string_order_is_record_order(a, b):
    (ma, ia), (mb, ib) = a, b
    ta, tb = make_token(ma, ia, CUTOFF), make_token(mb, ib, CUTOFF)
    assert (ta < tb) == ((ma.replace(microsecond=0), ia) < (mb.replace(microsecond=0), ib))


@given(settled=st.tuples(moments, ids), late=st.tuples(st.datetimes(min_value=CUTOFF), ids))
def test_unsettled_tokens_sort_after_every_settled_one(settled, late):
    assert make_token(*settled, CUTOFF) < make_token(*late, CUTOFF)


def test_unsettled_token_stands_just_below_the_cutoff():
    cutoff = datetime(2026, 11, 28, 3, 17, 10)
    assert make_token(cutoff + timedelta(seconds=5), 77, cutoff) == "2026-11-28T03:17:09Z~000000000077"
    assert make_token(cutoff - timedelta(seconds=1), 76, cutoff) == "2026-11-28T03:17:09Z_000000000076"


def test_bare_time_sorts_before_every_token_of_its_second():
    bare = parse_since("2026-11-28T03:17:04Z")
    assert bare < make_token(datetime(2026, 11, 28, 3, 17, 4), 0, CUTOFF)
    assert bare > make_token(datetime(2026, 11, 28, 3, 17, 3), 10**12 - 1, CUTOFF)


def test_cutoff_leaves_the_settle_window_unsettled():
    now = datetime(2026, 11, 28, 3, 17, 5, 700_000)
    assert cutoff_for(now, 2) == datetime(2026, 11, 28, 3, 17, 3)
    assert cutoff_for(now, 0) == datetime(2026, 11, 28, 3, 17, 5)


@pytest.mark.parametrize("raw", ["", "yesterday", "2026-11-28", "2026-11-28T03:17:04", "2026-11-28T03:17:04Z_12",
                                 "2026-13-28T03:17:04Z", "2026-11-28T03:17:04Z_000000000076x", "1700000000"])
def test_malformed_since_is_refused(raw):
    with pytest.raises(InvalidRequest):
        parse_since(raw)
