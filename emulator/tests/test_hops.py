"""`hops`/`apply-hops` (hub/dtl/dtl-functions-hops.rst) and dependency tracking (hub/features/dependency-tracking.rst,
hub/dtl/caveats.rst): derived from the DTL before anything runs, a change in a hopped-to dataset is followed back
through the joins to the source entities, which are processed again; joins a node cannot follow back are warned
about and not tracked."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from emulator import Emulator
from emulator.errors import ConfigError, Unsupported
from emulator.tests.conftest import write_config


def pipes(orders: list[dict[str, Any]], customers: list[dict[str, Any]], rules: list[Any]) -> list[dict[str, Any]]:
    return [{"_id": "orders", "source": {"type": "embedded", "entities": orders}},
            {"_id": "customers", "source": {"type": "embedded", "entities": customers}},
            {"_id": "order-enriched", "source": {"type": "dataset", "dataset": "orders"},
             "transform": {"type": "dtl", "rules": {"default": rules}}}]


LOOKUP_NAME = [["copy", "*"], ["add", "customer_name", ["first", ["hops", {
    "datasets": ["customers c"], "where": [["eq", "_S.customer_id", "c.id"]], "return": "c.name"}]]]]


def run_twice(folder: Path, orders: list[Any], customers: list[Any], customers_after: list[Any],
              rules: list[Any]) -> tuple[Emulator, Any]:
    write_config(folder / "cfg", pipes(orders, customers, rules))
    Emulator(folder / "cfg", state_dir=folder / "state").run()
    write_config(folder / "cfg", pipes(orders, customers_after, rules))
    emulator = Emulator(folder / "cfg", state_dir=folder / "state")
    return emulator, emulator.run()


def enriched(emulator: Emulator) -> dict[str, Any]:
    return {e["_id"]: e.get("customer_name") for e in emulator.dataset("order-enriched")}


def test_hops_joins_and_returns(tmp_path: Path) -> None:
    write_config(tmp_path, pipes([{"_id": "o1", "customer_id": 1}, {"_id": "o2", "customer_id": 3}],
                                 [{"_id": "c1", "id": 1, "name": "Ann"},
                                  {"_id": "c2", "id": 2, "name": "Bo"}], LOOKUP_NAME))
    emulator = Emulator(tmp_path)
    emulator.run()
    assert enriched(emulator) == {"o1": "Ann", "o2": None}


def test_hops_without_return_gives_the_last_alias_and_skips_deleted(tmp_path: Path) -> None:
    rules = [["copy", "*"],
             ["add", "customers", ["hops", {"datasets": ["customers c"], "where": ["eq", "_S.customer_id", "c.id"]}]]]
    write_config(tmp_path, pipes([{"_id": "o1", "customer_id": 1}],
                                 [{"_id": "c1", "id": 1}, {"_id": "c9", "id": 1, "_deleted": True}], rules))
    emulator = Emulator(tmp_path)
    emulator.run()
    [order] = emulator.dataset("order-enriched")
    assert [c["_id"] for c in order["customers"]] == ["c1"]


def test_changed_lookup_reprocesses_the_dependent_entities(tmp_path: Path) -> None:
    orders = [{"_id": "o1", "customer_id": 1}, {"_id": "o2", "customer_id": 2}]
    before = [{"_id": "c1", "id": 1, "name": "Ann"}, {"_id": "c2", "id": 2, "name": "Bo"}]
    after = [{"_id": "c1", "id": 1, "name": "Anne"}, before[1]]
    emulator, report = run_twice(tmp_path, orders, before, after, LOOKUP_NAME)
    assert report.rounds[0][2].requeued == 1
    assert enriched(emulator) == {"o1": "Anne", "o2": "Bo"}


def test_a_new_match_for_an_earlier_lookup_is_picked_up(tmp_path: Path) -> None:
    orders = [{"_id": "o1", "customer_id": 7}]
    emulator, _ = run_twice(tmp_path, orders, [], [{"_id": "c7", "id": 7, "name": "Late"}], LOOKUP_NAME)
    assert enriched(emulator) == {"o1": "Late"}


def test_a_deleted_lookup_is_noticed(tmp_path: Path) -> None:
    orders = [{"_id": "o1", "customer_id": 1}]
    emulator, _ = run_twice(tmp_path, orders, [{"_id": "c1", "id": 1, "name": "Ann"}], [], LOOKUP_NAME)
    assert enriched(emulator) == {"o1": None}


def test_track_dependencies_false_does_not_reprocess(tmp_path: Path) -> None:
    rules = [["copy", "*"], ["add", "customer_name", ["first", ["hops", {
        "datasets": ["customers c"], "where": ["eq", "_S.customer_id", "c.id"], "return": "c.name",
        "track-dependencies": False}]]]]
    orders = [{"_id": "o1", "customer_id": 1}]
    emulator, report = run_twice(tmp_path, orders, [{"_id": "c1", "id": 1, "name": "Ann"}],
                                 [{"_id": "c1", "id": 1, "name": "Anne"}], rules)
    assert report.rounds[0][2].requeued == 0
    assert enriched(emulator) == {"o1": "Ann"}


def test_chained_joins_track_the_second_dataset_too(tmp_path: Path) -> None:
    rules = [["copy", "*"], ["add", "country", ["first", ["hops", {
        "datasets": ["customers c", "countries k"],
        "where": [["eq", "_S.customer_id", "c.id"], ["eq", "c.country", "k._id"]], "return": "k.name"}]]]]
    base = pipes([{"_id": "o1", "customer_id": 1}], [{"_id": "c1", "id": 1, "country": "NO"}], rules)

    def config(name: str) -> list[dict[str, Any]]:
        return [*base, {"_id": "countries", "source": {"type": "embedded", "entities": [{"_id": "NO", "name": name}]}}]

    write_config(tmp_path / "cfg", config("Norway"))
    Emulator(tmp_path / "cfg", state_dir=tmp_path / "state").run()
    write_config(tmp_path / "cfg", config("Noreg"))
    emulator = Emulator(tmp_path / "cfg", state_dir=tmp_path / "state")
    emulator.run()
    assert [e["country"] for e in emulator.dataset("order-enriched")] == ["Noreg"]


def test_apply_hops_applies_the_rule_to_what_hops_found(tmp_path: Path) -> None:
    # dtl-functions-dictionaries.rst, apply-hops example: retrieve orders and transform them with the "order" rule
    rule_set = {"default": [["copy", "_id"], ["add", "orders", ["apply-hops", "order", {
        "datasets": ["orders o"], "where": ["eq", "_S.id", "o.customer_id"]}]]],
                "order": [["add", "order_id", "_S._id"]]}
    folder = write_config(tmp_path, [
        {"_id": "orders", "source": {"type": "embedded", "entities": [{"_id": "o1", "customer_id": 1}]}},
        {"_id": "customers", "source": {"type": "embedded", "entities": [{"_id": "c1", "id": 1}]}},
        {"_id": "customer-orders", "source": {"type": "dataset", "dataset": "customers"},
         "transform": {"type": "dtl", "rules": rule_set}}])
    emulator = Emulator(folder)
    emulator.run()
    assert emulator.dataset("customer-orders")[0]["orders"] == [{"order_id": "o1"}]


def test_unjoined_alias_and_recursion_are_refused(tmp_path: Path) -> None:
    # dtl-functions-hops.rst: aliases not "navigable from the source entity": "an error will be raised at compile time"
    unjoined = [["add", "x", ["hops", {"datasets": ["customers c"], "where": ["eq", "c.id", 1]}]]]
    write_config(tmp_path / "a", pipes([{"_id": "o1"}], [{"_id": "c1", "id": 1}], [["copy", "*"], *unjoined]))
    with pytest.raises(ConfigError, match="pipe order-enriched, rule 'default': hops: dataset alias 'c' is not joined"):
        Emulator(tmp_path / "a")
    recursive = [["copy", "*"], ["add", "x", ["hops", {"datasets": ["customers c"], "where": ["eq", "_S.c", "c.id"],
                                                        "recurse": True}]]]
    write_config(tmp_path / "b", pipes([{"_id": "o1"}], [], recursive))
    with pytest.raises(Unsupported, match="pipe order-enriched: hops: the 'recurse' property"):
        Emulator(tmp_path / "b")


def test_join_kinds_from_how_joins_work(tmp_path: Path) -> None:
    # hub/dtl/joins.rst: "if any of the values overlap, then the join succeeds"; null values are not indexed;
    # composite keys with tuples
    a = {"_id": "A", "value": 1, "values": [1, 2, 4, 5], "x": 1, "y": 2}
    b = {"_id": "B", "value": 1, "values": [1, 3, 4, 6], "x": 1, "y": 2, "z": None}
    wheres = {
        "one-to-one": ["eq", "_S.value", "b.value"], "one-to-many": ["eq", "_S.value", "b.values"],
        "many-to-one": ["eq", "_S.values", "b.value"], "many-to-many": ["eq", "_S.values", "b.values"],
        "functional": ["eq", ["+", "_S.value", 2], "b.values"],
        "composite": ["eq", ["tuples", "_S.x", "_S.y"], ["tuples", "b.x", "b.y"]],
        "crossed-composite": ["eq", ["tuples", "_S.y", "_S.x"], ["tuples", "b.x", "b.y"]],
        "null": ["eq", "_S.missing", "b.z"],
    }
    rules = [["add", "_id", "_S._id"]] + [
        ["add", name, ["count", ["hops", {"datasets": ["B b"], "where": where}]]] for name, where in wheres.items()]
    folder = write_config(tmp_path, [{"_id": "A", "source": {"type": "embedded", "entities": [a]}},
                                     {"_id": "B", "source": {"type": "embedded", "entities": [b]}},
                                     {"_id": "joined", "source": {"type": "dataset", "dataset": "A"},
                                      "transform": {"type": "dtl", "rules": {"default": rules}}}])
    emulator = Emulator(folder)
    emulator.run()
    [joined] = emulator.dataset("joined")
    assert {name: joined[name] for name in wheres} == {
        "one-to-one": 1, "one-to-many": 1, "many-to-one": 1, "many-to-many": 1, "functional": 1,
        "composite": 1, "crossed-composite": 0, "null": 0}


def test_lookup_entity_and_is_changed(tmp_path: Path) -> None:
    # dtl-functions-hops.rst lookup-entity: the entity with that _id, or null; dtl-functions-misc.rst is-changed:
    # null without a previous version, then whether FUNCTION differs between the versions
    rules = [["add", "_id", "_S._id"],
             ["add", "customer", ["lookup-entity", "customers", ["concat", "c", ["string", "_S.customer_id"]]]],
             ["add", "missing", ["lookup-entity", "customers", "nope"]],
             ["add", "note_changed", ["is-changed", "_.note"]]]
    customers = [{"_id": "c1", "id": 1}]

    def run_with(note: str, other: str) -> dict[str, Any]:
        write_config(tmp_path / "cfg",
                     pipes([{"_id": "o1", "customer_id": 1, "note": note, "other": other}], customers, rules))
        emulator = Emulator(tmp_path / "cfg", state_dir=tmp_path / "state")
        emulator.run()
        return emulator.dataset("order-enriched")[0]

    first = run_with("a", "x")
    assert (first["customer"]["_id"], first["missing"], first["note_changed"]) == ("c1", None, None)
    assert run_with("a", "y")["note_changed"] is False
    assert run_with("b", "y")["note_changed"] is True


def test_added_namespaces_defeat_dependency_tracking_as_on_a_node(tmp_path: Path) -> None:
    # hub/dtl/caveats.rst: add_namespaces rewrites the source entities, "the join criteria won't work in dependency
    # tracking … the inverse traversal matches against the source dataset's entities"
    enriched_pipe = {**pipes([], [], [])[2], "add_namespaces": True, "namespaced_identifiers": True,
                     "transform": {"type": "dtl", "rules": {"default": [
                         ["copy", "*"], ["add", "::customer_name", ["first", ["hops", {
                             "datasets": ["customers c"], "where": [["eq", "_S.order-enriched:customer_id", "c.id"]],
                             "return": "c.name"}]]]]}}}

    def config(name: str) -> list[dict[str, Any]]:
        base = pipes([{"_id": "o1", "customer_id": 1}], [{"_id": "c1", "id": 1, "name": name}], [])
        return [base[0], base[1], enriched_pipe]

    write_config(tmp_path / "cfg", config("Ann"))
    Emulator(tmp_path / "cfg", state_dir=tmp_path / "state").run()
    write_config(tmp_path / "cfg", config("Anne"))
    emulator = Emulator(tmp_path / "cfg", state_dir=tmp_path / "state")
    assert any("add_namespaces rewrites the source entities" in warning for warning in emulator.warnings)
    report = emulator.run()
    [order] = emulator.dataset("order-enriched")
    assert (order["_id"], order["customer_name"], report.total("order-enriched", "requeued")) == (
        "order-enriched:o1", "Ann", 0)


def lines_pipes(rules: dict[str, Any], products: list[dict[str, Any]]) -> list[dict[str, Any]]:
    order = {"_id": "o1", "lines": [{"product": "p1", "quantity": 2}, {"product": "p2", "quantity": 1}]}
    return [{"_id": "orders", "source": {"type": "embedded", "entities": [order]}},
            {"_id": "products", "source": {"type": "embedded", "entities": products}},
            {"_id": "order-out", "source": {"type": "dataset", "dataset": "orders"},
             "transform": {"type": "dtl", "rules": rules}}]


# Each line's product looked up in a rule applied to the lines: `_S` there is a line, not the source entity.
APPLIED = {"default": [["add", "_id", "_S._id"], ["add", "lines", ["apply", "line", "_S.lines"]]],
           "line": [["add", "name", ["first", ["hops", {"datasets": ["products p"],
                                                        "where": ["eq", "_S.product", "p.id"], "return": "p.name"}]]]]}
# The same lookup joined on a path from the source entity, then picked per line through the parent context.
FROM_SOURCE = {"default": [["add", "_id", "_S._id"],
                           ["add", "found", ["hops", {"datasets": ["products p"], "where": ["eq", "_S.lines.product",
                                                                                             "p.id"],
                                                      "return": ["dict", "id", "p.id", "name", "p.name"]}]],
                           ["add", "lines", ["apply", "line", "_S.lines"]]],
               "line": [["add", "name", ["first", ["map", "_.name", ["filter", ["eq", "_.id", "_S.product"],
                                                                           "_P._T.found"]]]]]}


@pytest.mark.parametrize(("rules", "tracked"), [(APPLIED, False), (FROM_SOURCE, True)], ids=["applied", "from-source"])
def test_only_joins_on_the_source_entity_are_tracked(tmp_path: Path, rules: dict[str, Any], tracked: bool) -> None:
    # hub/features/dependency-tracking.rst: Sesam inspects the DTL; hub/dtl/caveats.rst: "inversing the traversal …
    # the inverse traversal matches against the source dataset's entities"
    write_config(tmp_path / "cfg", lines_pipes(rules, [{"_id": "a", "id": "p1", "name": "Mug"}]))
    emulator = Emulator(tmp_path / "cfg", state_dir=tmp_path / "state")
    warned = [w for w in emulator.warnings if "cannot be tracked" in w]
    assert bool(warned) is not tracked, emulator.warnings
    if warned:
        assert "rule 'line'" in warned[0] and "hub/features/dependency-tracking.rst" in warned[0]
    emulator.run()
    # the second product arrives later; nothing about the order changes
    write_config(tmp_path / "cfg", lines_pipes(rules, [{"_id": "a", "id": "p1", "name": "Mug"},
                                                       {"_id": "b", "id": "p2", "name": "Cup"}]))
    emulator = Emulator(tmp_path / "cfg", state_dir=tmp_path / "state")
    report = emulator.run()
    [order] = emulator.dataset("order-out")
    assert [line.get("name") for line in order["lines"]] == (["Mug", "Cup"] if tracked else ["Mug", None])
    assert report.total("order-out", "requeued") == (1 if tracked else 0)


def test_joins_from_the_target_or_a_mapped_value_are_warned_about(tmp_path: Path) -> None:
    # hub/dtl/caveats.rst: the inverse traversal only knows the source dataset's entities
    rules = {"default": [
        ["add", "_id", "_S._id"], ["add", "ids", "_S.lines.product"],
        ["add", "from-target", ["hops", {"datasets": ["products p"], "where": ["eq", "_P._S.lines.product", "p.id"]}]],
        ["add", "from-map", ["map", ["hops", {"datasets": ["products q"], "where": ["eq", "_.", "q.id"]}],
                             "_S.lines.product"]],
        ["add", "from-function", ["hops", {"datasets": ["products r"],
                                           "where": ["eq", ["map", ["lower", "_."], "_S.lines.product"], "r.id"]}]]]}
    write_config(tmp_path, lines_pipes(rules, []))
    warnings = Emulator(tmp_path).warnings
    assert [w.split(":")[1].strip() for w in warnings] == ["hops 'p' (products) cannot be tracked",
                                                          "hops 'q' (products) cannot be tracked"], warnings


def test_a_chained_join_and_apply_hops_are_followed_back(tmp_path: Path) -> None:
    # dtl-functions-hops.rst: the output of one HOPS_SPEC is the input of the next; apply-hops applies a rule to what
    # hops found, whose `_S` is that entity
    rules = {"default": [["add", "_id", "_S._id"],
                         ["add", "country", ["first", ["hops", {"datasets": ["customers c"],
                                                                "where": ["eq", "_S.customer_id", "c.id"]},
                                                         {"datasets": ["countries k"],
                                                          "where": ["eq", "_S.country", "k._id"],
                                                          "return": "k.name"}]]],
                         ["add", "customer", ["first", ["apply-hops", "customer", {
                             "datasets": ["customers d"], "where": ["eq", "_S.customer_id", "d.id"]}]]]],
             "customer": [["add", "land", ["first", ["hops", {"datasets": ["countries l"],
                                                               "where": ["eq", "_S.country", "l._id"],
                                                               "return": "l.name"}]]]]}

    def config(name: str) -> list[dict[str, Any]]:
        return [*pipes([{"_id": "o1", "customer_id": 1}], [{"_id": "c1", "id": 1, "country": "NO"}], []),
                {"_id": "countries", "source": {"type": "embedded", "entities": [{"_id": "NO", "name": name}]}}]

    first = config("Norway")
    first[2]["transform"]["rules"] = rules
    write_config(tmp_path / "cfg", first)
    assert Emulator(tmp_path / "cfg", state_dir=tmp_path / "state").run().settled
    second = config("Noreg")
    second[2]["transform"]["rules"] = rules
    write_config(tmp_path / "cfg", second)
    emulator = Emulator(tmp_path / "cfg", state_dir=tmp_path / "state")
    assert emulator.warnings == []
    emulator.run()
    [order] = emulator.dataset("order-enriched")
    assert (order["country"], order["customer"]) == ("Noreg", {"land": "Noreg"})


def test_a_pipe_without_a_dataset_source_tracks_nothing(tmp_path: Path) -> None:
    # hub/features/dependency-tracking.rst: "Only pipes that use the dataset source supports dependency tracking"
    merged = {"_id": "order-enriched", "source": {"type": "merge", "version": 2, "datasets": ["orders o"],
                                                  "equality": []},
              "transform": {"type": "dtl", "rules": {"default": LOOKUP_NAME}}}
    write_config(tmp_path, [*pipes([{"_id": "o1", "customer_id": 1}], [], [])[:2], merged])
    assert Emulator(tmp_path).warnings == [
        "pipe order-enriched: hops are never tracked here: only pipes with a dataset source support dependency "
        "tracking (hub/features/dependency-tracking.rst, hub/dtl/caveats.rst)"]


def test_a_where_eq_that_is_not_a_join_compares_exactly(tmp_path: Path) -> None:
    # hub/dtl/paths.rst: "For an eq to be a join expression it will have to refer to variables from two different
    # datasets"; any other eq is a filter, and eq as a comparison "is an exact match" (dtl-functions-comparisons.rst)
    rules = [["copy", "*"], ["add", "found", ["hops", {"datasets": ["customers c"], "return": "c._id", "where": [
        ["eq", "_S.customer_id", "c.id"], ["eq", "c.type", "SHIPPING"], ["eq", "_S.kind", "c.kind"]]}]]]
    customers = [{"_id": "exact", "id": 1, "type": "SHIPPING", "kind": ["a", "b"]},
                 {"_id": "overlap", "id": 1, "type": ["SHIPPING", "BILLING"], "kind": "b"},
                 {"_id": "other-kind", "id": 1, "type": "SHIPPING", "kind": "z"}]
    write_config(tmp_path, pipes([{"_id": "o1", "customer_id": 1, "kind": ["b", "c"]}], customers, rules))
    emulator = Emulator(tmp_path)
    emulator.run()
    assert emulator.dataset("order-enriched")[0]["found"] == ["exact"]
