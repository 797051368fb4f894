"""DTL transform functions against the examples of `hub/dtl/dtl-functions-transforms.rst`, and the rule machinery
of `configuration-transforms-dtl.rst` (rules, `apply`, `_P`/`_R`, `id_required`)."""
from __future__ import annotations

from typing import Any

import pytest

from emulator.dtl import DTLEnvironment, DTLTransform
from emulator.errors import DTLError, Unsupported


def run(rules: list[Any] | dict[str, Any], source: dict[str, Any], namespaced: bool = False,
        id_required: bool = False) -> list[dict[str, Any]]:
    rule_set = rules if isinstance(rules, dict) else {"default": rules}
    env = DTLEnvironment("p", namespaced, "foo", "bar")
    return DTLTransform({"type": "dtl", "rules": rule_set, "id_required": id_required}, env).apply(source)


def target(rules: list[Any], source: dict[str, Any] | None = None, namespaced: bool = False) -> dict[str, Any]:
    [result] = run([["add", "_id", "x"], *rules], {"_id": "x", **(source or {})}, namespaced)
    return {k: v for k, v in result.items() if k != "_id"}


def test_add_examples() -> None:
    assert target([["add", "age", 26]]) == {"age": 26}
    assert target([["add", "upper_name", ["upper", "_S.name"]]], {"name": "bob"}) == {"upper_name": "BOB"}
    assert target([["add", ["concat", "x-", "_S.key"], "_S.value"]], {"key": "k", "value": 1}) == {"x-k": 1}


def test_add_with_namespaced_identifiers() -> None:
    # "With namespaced identifiers enabled" (identity "foo", property "bar")
    assert target([["add", "age", 26]], namespaced=True) == {"bar:age": 26}
    assert target([["add", "person:age", 26]], namespaced=True) == {"person:age": 26}
    assert target([["add", "::age", 26]], namespaced=True) == {"age": 26}
    assert target([["add", ":age", 26]], namespaced=True) == {"bar:age": 26}
    [entity] = run([["add", "_id", "_S.id"]], {"id": "7"}, namespaced=True)
    assert entity["_id"] == "foo:7"


def test_add_if_examples() -> None:
    assert target([["add-if", "foo", None]]) == {}
    assert target([["add-if", "foo", ["list"]]]) == {"foo": []}
    assert target([["add-if", "foo", ["gte", "_.", 18], 12]]) == {}
    assert target([["add-if", "foo", ["gte", "_.", 18], 123]]) == {"foo": 123}


def test_default_only_adds_missing_properties() -> None:
    assert target([["add", "age", 1], ["default", "age", 26], ["default", "name", "n"]]) == {"age": 1, "name": "n"}


def test_case_and_case_eq_transforms() -> None:
    rules = [["case", ["gte", "_S.age", 18], ["add", "group", "adult"], ["gte", "_S.age", 13],
              ["add", "group", "teenager"], ["add", "group", "unknown"]]]
    assert target(rules, {"age": 15}) == {"group": "teenager"}
    rules = [["case-eq", "_S.country", "NO", ["add", "country", "Norway"], "SE", ["add", "country", "Sweden"],
              ["add", "country", "Other"]]]
    assert target(rules, {"country": "DK"}) == {"country": "Other"}


def test_comment_does_not_evaluate() -> None:
    assert target([["comment", ["no-such-function"]]]) == {}


def test_copy_examples() -> None:
    source = {"age": 1, "abc": 2, "ba": 3, "bcd": 4, "c": 5}
    assert target([["copy", "age"]], source) == {"age": 1}
    assert target([["copy", "a*", "ab*"]], source) == {"age": 1}
    assert target([["copy", ["list", "a*", "b*"], ["list", "ab*", "ba*"]]], source) == {"age": 1, "bcd": 4}


def test_copy_with_namespaced_identifiers() -> None:
    source = {"age": 36, "x:age": 36, "xyz:age": 36}
    assert target([["copy", "age"]], source, namespaced=True) == source
    assert target([["copy", "x*:*e", "*y*:*e"]], source, namespaced=True) == {"x:age": 36}


def test_create_emits_entities_and_ignores_non_entities() -> None:
    out = run([["add", "_id", "_S._id"], ["create", "_S.orders"]],
              {"_id": "c", "orders": [{"_id": "o1"}, {"_id": "o2"}, 3]})
    assert [e["_id"] for e in out] == ["o1", "o2", "c"]


def test_create_with_apply() -> None:
    rules = {"default": [["create", ["apply", "order", "_S.orders"]], ["discard"]],
             "order": [["add", "_id", ["concat", "order-", "_S.id"]], ["add", "customer", "_P._S._id"]]}
    out = run(rules, {"_id": "c1", "orders": [{"id": "1"}, {"id": "2"}]})
    assert out == [{"_id": "order-1", "customer": "c1"}, {"_id": "order-2", "customer": "c1"}]


def test_discard_drops_the_target_but_keeps_created() -> None:
    assert run([["add", "_id", "a"], ["discard", ["gt", "_S.age", 42]]], {"age": 40}) == []
    assert run([["add", "_id", "a"], ["discard", ["gt", "_S.age", 42]]], {"age": 50}) == [{"_id": "a"}]
    assert run([["create", ["list", {"_id": "k"}]], ["discard"]], {}) == [{"_id": "k"}]


def test_filter_marks_the_target_for_the_dataset_sink() -> None:
    # "If used with a dataset sink then the filter function will set the _filtered property to true and emit the
    # entity."
    assert run([["copy", "*"], ["filter", ["eq", "_S.type", "person"]]], {"_id": "1", "type": "org"}) == [
        {"_id": "1", "type": "org", "_filtered": True}]
    assert run([["copy", "*"], ["filter", ["eq", "_S.type", "person"]]], {"_id": "1", "type": "person"}) == [
        {"_id": "1", "type": "person"}]


def test_if_examples() -> None:
    rules = [["if", ["gt", "_S.age", 18], [["add", "type", "adult"], ["add", "is_adult", True]],
              ["add", "type", "child"]]]
    assert target(rules, {"age": 20}) == {"type": "adult", "is_adult": True}
    assert target(rules, {"age": 2}) == {"type": "child"}
    assert target([["if", ["eq", "_S.type", "person"], [["add", "type", "person"]]]], {"type": "x"}) == {}


def test_make_ni_examples() -> None:
    assert target([["make-ni", "soccer", "referee", "ref"]], {"referee": "john.doe"}) == {"ref": "~:soccer:john.doe"}
    assert target([["make-ni", "hockey", "players"]],
                  {"players": ["a", "b"]}) == {"players-ni": ["~:hockey:a", "~:hockey:b"]}
    source = {"referee": "john.doe", "x:referee": "john.c.doe"}
    assert target([["make-ni", "soccer", "referee"]], source, namespaced=True) == {
        "referee-ni": "~:soccer:john.doe", "x:referee-ni": "~:soccer:john.c.doe"}
    assert target([["make-ni", "soccer", "x:referee", "y:ref"]], source,
                  namespaced=True) == {"y:ref": "~:soccer:john.c.doe"}


def test_merge_and_merge_union_examples() -> None:
    assert target([["merge", ["list", {"a": 1}, {"a": 2, "b": 3}]]]) == {"a": 2, "b": 3}
    assert target([["merge-union", ["list", {"a": 1}, {"a": 2, "b": 3}]]]) == {"a": [1, 2], "b": 3}


def test_remove_examples() -> None:
    assert target([["copy", "*"], ["remove", "temp_*"]], {"temp_a": 1, "keep": 2}) == {"keep": 2}
    source = {"age": 36, "x:age": 36, "y:age": 36}
    assert target([["copy", "*"], ["remove", "age"]], source, namespaced=True) == {}
    assert target([["copy", "*"], ["remove", "x*:age"]], source, namespaced=True) == {"age": 36, "y:age": 36}


def test_rename_examples() -> None:
    assert target([["rename", "age", "current_age"]], {"age": 3}) == {"current_age": 3}
    assert target([["rename", "a", "b"]], {"a": 1, "x:a": 2, "xyz:a": 3}, namespaced=True) == {
        "b": 1, "x:b": 2, "xyz:b": 3}


def test_parent_and_root_contexts_in_applied_rules() -> None:
    rules = {"default": [["add", "_id", "_S._id"], ["add", "kids", ["apply", "kid", "_S.kids"]]],
             "kid": [["add", "name", "_S.n"], ["add", "parent", "_P._S._id"], ["add", "root_t", "_R._T._id"]]}
    [out] = run(rules, {"_id": "p1", "kids": [{"n": "a"}]})
    assert out["kids"] == [{"name": "a", "parent": "p1", "root_t": "p1"}]


def test_deleted_source_gives_deleted_target() -> None:
    # insert-pattern.rst: "Per default Sesam will pass entities with "_deleted": true through all transforms"
    [out] = run([["add", "_id", "_S._id"]], {"_id": "1", "_deleted": True})
    assert out == {"_id": "1", "_deleted": True}


def test_id_required_fails_on_target_without_id() -> None:
    # configuration-transforms-dtl.rst: id_required (default true) fails when _id is missing or not a string
    with pytest.raises(DTLError, match="without a string _id"):
        run([["add", "x", 1]], {"_id": "1"}, id_required=True)
    assert run([["add", "x", 1]], {"_id": "1"}, id_required=False) == []


def test_unknown_functions_are_refused_before_anything_runs() -> None:
    with pytest.raises(Unsupported, match="pipe p: DTL transform function 'frobnicate' is not supported"):
        run([["frobnicate"]], {"_id": "1"})
    with pytest.raises(Unsupported, match="pipe p: DTL transform function 'upper' is not supported"):
        run([["upper", "x"]], {"_id": "1"})
    with pytest.raises(Unsupported, match="pipe p: DTL function 'encrypt' is not supported"):
        run([["if", ["encrypt", "_.name"], ["add", "x", 1]]], {"_id": "1"})
    with pytest.raises(Unsupported, match="pipe p: DTL function 'hex' is not supported"):
        run([["add", "x", ["first", ["hops", {"datasets": ["d x"], "where": [["eq", "_S.a", ["hex", "_S.a"]]]}]]]],
            {"_id": "1"})
    # comments and literals are not evaluated, so they are not checked either
    assert target([["comment", ["frobnicate"]], ["add", "v", ["literal", ["frobnicate"]]]]) == {"v": ["frobnicate"]}


def test_namespace_split_pattern_from_the_docs() -> None:
    # hub/documentation/data-synchronization/namespace-split-pattern.rst, with <system>-<datatype> = shop-product
    rules = {
        "default": [
            ["copy", "*"],
            ["if", ["in", "shop-product", ["map", ["ni-ns", "_."], "_S.$ids"]],
             [["create", ["apply", "emit", ["filter", ["eq", ["ni-ns", "_."], "shop-product"], "_S.$ids"]]]],
             [["create", ["apply", "emit-new", ["list", "_S.$ids"]]]]],
            ["discard"]],
        "emit": [
            ["merge-union", "_R._T"],
            ["add", "_id", ["string", "_S."]],
            ["add", "$ids", "_R._S.$ids"],
            ["add", "shop-product:id", ["ni-id", "_S."]],
            ["add", "_deleted", "_R._S._deleted"]],
        "emit-new": [
            ["merge-union", "_R._T"],
            ["add", "_id", "_R._S._id"],
            ["add", "_deleted", "_R._S._deleted"]]}
    linked = {"_id": "woo-product:1", "_deleted": False, "$ids": ["~:woo-product:1", "~:shop-product:9"],
              "woo-product:sku": "A"}
    assert run(rules, linked, namespaced=True) == [{
        "woo-product:sku": "A", "$ids": ["~:woo-product:1", "~:shop-product:9"], "_id": "shop-product:9",
        "shop-product:id": "9", "_deleted": False}]
    new = {"_id": "woo-product:2", "_deleted": False, "$ids": ["~:woo-product:2"], "woo-product:sku": "B"}
    assert run(rules, new, namespaced=True) == [
        {"woo-product:sku": "B", "$ids": ["~:woo-product:2"], "_id": "woo-product:2", "_deleted": False}]
