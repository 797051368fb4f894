"""The push side's rules in isolation: one validation layer, identity and repeats, full-sync sequences, and the
journal of creates in flight."""
from __future__ import annotations

from datetime import datetime

import pytest

from service.connectors.create_journal import CreateJournal
from service.errors import InvalidRequest, SequenceConflict
from service.sesam.batch import PushedEntity, latest_versions, parse_batch
from service.sesam.push import PushParams, Sequences
from service.sesam.shapes import integer, list_of, record


def test_every_problem_of_a_batch_is_listed_with_its_path():
    shape = {"lines": list_of(record({"quantity": integer()}))}
    body = '[{"_id": "a", "lines": [{"quantity": "2"}], "name": "x \\udfff"}, {"_id": 3}, [], {"_id": "b"}]'
    with pytest.raises(InvalidRequest) as caught:
        parse_batch(body, shape)
    assert caught.value.details["problems"] == [
        "[0] 'a': name: holds a lone UTF-16 surrogate (\\udfff), which is not a character",
        "[0] 'a': lines[0].quantity: must be an integer, not a string",
        "[1]: _id: must be a non-empty string",
        "[2]: an entity must be a JSON object, not list"]


def test_a_delete_is_not_held_to_the_shape_of_what_it_deletes():
    [entity] = parse_batch('[{"_id": "a", "id": "12", "_deleted": true, "lines": 5}]',
                           {"lines": list_of(integer())})
    assert (entity.target_id, entity.deleted, entity.fields) == (12, True, {"lines": 5})


def entity(index: int, sesam_id: str, **raw) -> PushedEntity:
    return PushedEntity.of(index, {"_id": sesam_id, **raw})


def test_identity_is_the_target_id_or_the_origin_never_the_sesam_id():
    batch = [entity(0, "4", sesam_origin="customwebshop-customer:4", name="a"),
             entity(1, "4", sesam_origin="woocommerce-customer:4", name="b"),
             entity(2, "9", id=4, name="c"),
             entity(3, "x", sesam_origin="customwebshop-customer:4", name="a2"),
             entity(4, "y", name="no identity"), entity(5, "y", name="no identity either")]
    latest, superseded = latest_versions(batch)
    assert [e.fields["name"] for e in latest] == ["b", "c", "a2", "no identity", "no identity either"]
    assert [e.index for e in superseded] == [0]


def full(sequence: str, request: str, previous: str | None = None, first: bool = False, last: bool = False):
    return PushParams(sequence, True, request, previous, first, last)


def test_sequences_are_kept_per_receiver_and_sequence_id():
    sequences = Sequences()
    for params in (full("a", "1", first=True), full("b", "1", first=True), full("a", "2", "1"), full("b", "2", "1")):
        sequences.check("customer", params)
        sequences.advance("customer", params)
    with pytest.raises(SequenceConflict):
        sequences.check("customer", full("a", "4", "3"))
    sequences.check("order", full("a", "1", first=True))  # another receiver's sequence of that id is its own


def test_the_last_request_of_a_finished_sequence_may_come_again_and_nothing_after_it():
    sequences = Sequences()
    for params in (full("s", "1", first=True), full("s", "2", "1", last=True)):
        sequences.check("product", params)
        sequences.advance("product", params)
    sequences.check("product", full("s", "2", "1", last=True))
    for late in (full("s", "3", "2"), full("s", "1", first=True)):
        with pytest.raises(SequenceConflict):
            sequences.check("product", late)


def test_the_journal_remembers_what_a_create_made_and_how_long_a_lost_one_may_still_land():
    now = [0.0]
    journal = CreateJournal(uncertain_seconds=60, clock=lambda: now[0])
    journal.note_uncertain("orders", "o:1", datetime(2026, 11, 28, 3, 17))
    assert journal.may_still_land("orders", "o:1") and journal.made("orders", "o:1") is None
    now[0] = 61
    assert not journal.may_still_land("orders", "o:1"), "past the window the attempt is taken as lost"
    journal.note_made("orders", "o:1", 42)
    assert journal.made("orders", "o:1") == 42 and journal.attempted_at("orders", "o:1") is None
    assert journal.made("products", "o:1") is None, "per resource"
