"""The audit's parts that need no world: comparing values as the model says, and reading a JSON array as it streams."""
from __future__ import annotations

import json

import pytest

from dataflow.audit_compare import differences
from dataflow.audit_read import AuditError, json_array_entities
from dataflow.model import Comparison


def unlinked(ni: str) -> str:
    return ni


@pytest.mark.parametrize("woo, shop, compare, same", [
    ("80", "80.00", Comparison.DECIMAL, True),
    ("~f80.0", "80.00", Comparison.DECIMAL, True),
    ("80", "80.00", Comparison.EXACT, False),
    ("80.01", "80.00", Comparison.DECIMAL, False),
    ("Lights", "lights", Comparison.CASELESS, True),
    ("Lights", "lights", Comparison.EXACT, False),
    ("", None, Comparison.EXACT, True),
    ([], None, Comparison.EXACT, True),
    ("", "x", Comparison.EXACT, False),
])
def test_values_compare_as_the_model_says(woo, shop, compare, same):
    assert (differences(woo, shop, compare, {}, unlinked) == []) is same


def test_objects_and_lists_name_the_place_where_the_sides_part():
    keys = {"unit_price": Comparison.DECIMAL}
    woo = [{"sku": "A", "unit_price": "10"}, {"sku": "B", "unit_price": "5", "quantity": 2}]
    shop = [{"sku": "A", "unit_price": "10.00"}, {"sku": "B", "unit_price": "5.00", "quantity": 3}]
    assert differences(woo, shop, Comparison.EXACT, keys, unlinked) == [("[1].quantity", 2, 3)]
    assert differences({"city": "Oslo", "state": ""}, {"city": "Bergen"}, Comparison.EXACT, {}, unlinked) == \
        [("city", "Oslo", "Bergen")]
    assert differences(["a"], ["a", "b"], Comparison.EXACT, {}, unlinked) == [("", ["a"], ["a", "b"])]


def test_references_compare_by_the_record_they_point_at():
    linked = {"~:woocommerce-customer:5": "pair 1", "~:customwebshop-customer:3": "pair 1"}.get
    assert differences("~:woocommerce-customer:5", "~:customwebshop-customer:3", Comparison.EXACT, {},
                       lambda ni: linked(ni) or ni) == []
    assert differences("~:woocommerce-customer:5", "~:customwebshop-customer:4", Comparison.EXACT, {},
                       lambda ni: linked(ni) or ni) != []


ENTITIES = [{"_id": "1", "name": "Zoë Ødegård 東京"}, {"_id": "2", "lines": [{"q": 1}], "note": "a, b ] {"}]


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64])
def test_an_array_is_read_entity_by_entity_whatever_the_chunks(size: int):
    body = json.dumps(ENTITIES, ensure_ascii=False).encode()
    chunks = [body[i:i + size] for i in range(0, len(body), size)]  # splits inside characters and objects
    assert list(json_array_entities(chunks, "test")) == ENTITIES


def test_entities_arrive_before_the_array_ends():
    def chunks():
        yield b'[{"_id": "1"},'
        raise AssertionError("read too far")
    assert next(json_array_entities(chunks(), "test")) == {"_id": "1"}


@pytest.mark.parametrize("body, message", [
    (b'[{"_id": "1"},{"_id": "2"', "test broke off after 1 entities (the array was never closed)"),
    (b'[{"_id": "1"}', "test broke off after 1 entities"),
    (b'{"_id": "1"}', "test did not answer a JSON array"),
    (b'[{"id": 1}]', "test: entity 1 has no string _id"),
    (b'[1]', "test: entity 1 is not a JSON object"),
    (b'[{"_id": "1"}] []', "test: data after the end of the JSON array"),
    (b'', "test broke off after 0 entities"),
])
def test_anything_but_a_whole_array_of_entities_is_an_error(body: bytes, message: str):
    with pytest.raises(AuditError, match=message.replace("(", r"\(").replace(")", r"\)")):
        list(json_array_entities([body], "test"))
