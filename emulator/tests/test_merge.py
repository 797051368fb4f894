"""The merge source, version 2 (configuration-sources-merge.rst)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from emulator import Emulator
from emulator.tests.conftest import write_config


def embedded(pipe_id: str, entities: list[dict[str, Any]]) -> dict[str, Any]:
    return {"_id": pipe_id, "source": {"type": "embedded", "entities": entities}}


def visible(entity: dict[str, Any]) -> dict[str, Any]:
    kept = {k: v for k, v in entity.items() if not k.startswith("_") or k == "_id"}
    if entity.get("_deleted"):
        kept["_deleted"] = True
    return kept


def merged(folder: Path, datasets: dict[str, list[dict[str, Any]]], source: dict[str, Any], **config: Any) -> Emulator:
    pipes = [embedded(name, entities) for name, entities in datasets.items()]
    pipes.append({"_id": "result", "source": {"type": "merge", "version": 2, **source}})
    write_config(folder, pipes, **config)
    emulator = Emulator(folder)
    emulator.run()
    return emulator


DOC_DATASETS = {
    "A": [{"_id": "a1", "f1": 1}, {"_id": "a2", "f1": 2}],
    "B": [{"_id": "b1", "f1": 1, "f2": "x"}, {"_id": "b2", "f1": 3}],
    "C": [{"_id": "c1", "f3": "X"}, {"_id": "c2", "_deleted": True, "f3": "Y"},
          {"_id": "c3", "_deleted": True, "f3": "X"}],
}


def test_documented_example(tmp_path: Path) -> None:
    emulator = merged(tmp_path, DOC_DATASETS, {"datasets": ["A a", "B b", "C c"],
                                                "equality": [["eq", "a.f1", "b.f1"],
                                                             ["eq", "b.f2", ["lower", "c.f3"]]]})
    assert sorted((visible(e) for e in emulator.dataset("result")), key=lambda e: e["_id"]) == [
        {"$ids": ["a1", "b1", "c1"], "_id": "0|a1|1|b1|2|c1", "f1": [1, 1], "f2": "x", "f3": "X"},
        {"$ids": ["a2"], "_id": "0|a2", "f1": 2},
        {"$ids": ["b2"], "_id": "1|b2", "f1": 3},
        {"$ids": ["c2"], "_deleted": True, "_id": "2|c2", "f3": "Y"},
        {"$ids": ["c3"], "_deleted": True, "_id": "2|c3", "f3": "X"},
    ]


def test_equality_sets_are_the_same_rules(tmp_path: Path) -> None:
    emulator = merged(tmp_path, {"A": DOC_DATASETS["A"], "B": DOC_DATASETS["B"]},
                      {"datasets": ["A a", "B b"], "equality_sets": [["a.f1", "b.f1"]], "identity": "first"})
    assert sorted(e["_id"] for e in emulator.dataset("result")) == ["a1", "a2", "b2"]


def test_null_and_empty_values_never_merge(tmp_path: Path) -> None:
    # "Equality expressions that return null or empty lists will not cause merging."
    datasets = {"A": [{"_id": "a1", "sku": None}, {"_id": "a2", "sku": []}],
                "B": [{"_id": "b1"}, {"_id": "b2", "sku": []}]}
    emulator = merged(tmp_path, datasets, {"datasets": ["A a", "B b"], "equality": [["eq", "a.sku", "b.sku"]]})
    assert len(emulator.dataset("result")) == 4


def test_merging_is_transitive_and_case_insensitive_with_lower(tmp_path: Path) -> None:
    datasets = {"A": [{"_id": "a1", "email": "Bob@Example.com"}],
                "B": [{"_id": "b1", "email": "bob@example.com", "sku": "S"}],
                "C": [{"_id": "c1", "sku": "S"}]}
    source = {"datasets": ["A a", "B b", "C c"],
              "equality": [["eq", ["lower", "a.email"], ["lower", "b.email"]], ["eq", "b.sku", "c.sku"]]}
    emulator = merged(tmp_path, datasets, source)
    assert [e["_id"] for e in emulator.dataset("result")] == ["0|a1|1|b1|2|c1"]


def test_ids_that_no_longer_apply_are_deleted_and_replaced(tmp_path: Path) -> None:
    # "Deletes will be output for entity ids that are no longer applicable … Those entities will also have the
    # $replaced property set to true."
    datasets = {"A": [{"_id": "a1", "f": 1}], "B": [{"_id": "b1", "f": 1}]}
    source = {"datasets": ["A a", "B b"], "equality": [["eq", "a.f", "b.f"]]}
    pipes = [embedded("A", datasets["A"]), embedded("B", datasets["B"]),
             {"_id": "result", "source": {"type": "merge", "version": 2, **source}}]
    write_config(tmp_path / "cfg", pipes)
    Emulator(tmp_path / "cfg", state_dir=tmp_path / "state").run()
    datasets["B"][0]["f"] = 2
    write_config(tmp_path / "cfg", [embedded("A", datasets["A"]), embedded("B", datasets["B"]), pipes[2]])
    emulator = Emulator(tmp_path / "cfg", state_dir=tmp_path / "state")
    emulator.run()
    result = {e["_id"]: visible(e) for e in emulator.dataset("result")}
    assert result["0|a1|1|b1"] == {"_id": "0|a1|1|b1", "_deleted": True, "$replaced": True}
    assert result["0|a1"] == {"_id": "0|a1", "$ids": ["a1"], "f": 1}
    assert result["1|b1"] == {"_id": "1|b1", "$ids": ["b1"], "f": 2}


def test_entity_deleted_in_its_source_is_output_standalone(tmp_path: Path) -> None:
    datasets = {"A": [{"_id": "a1", "f": 1}], "B": [{"_id": "b1", "f": 1}]}
    pipes = [embedded("A", datasets["A"]), embedded("B", datasets["B"]),
             {"_id": "result", "source": {"type": "merge", "version": 2, "datasets": ["A a", "B b"],
                                          "equality": [["eq", "a.f", "b.f"]], "identity": "first"}}]
    write_config(tmp_path / "cfg", pipes)
    Emulator(tmp_path / "cfg", state_dir=tmp_path / "state").run()
    write_config(tmp_path / "cfg", [embedded("A", []), *pipes[1:]])
    emulator = Emulator(tmp_path / "cfg", state_dir=tmp_path / "state")
    emulator.run()
    result = {e["_id"]: visible(e) for e in emulator.dataset("result")}
    # a1 keeps its id (identity "first"), now deleted and unmerged; b1 stands alone
    assert result == {"a1": {"_id": "a1", "$ids": ["a1"], "f": 1, "_deleted": True},
                      "b1": {"_id": "b1", "$ids": ["b1"], "f": 1}}


def test_strategies(tmp_path: Path) -> None:
    # strategy examples merge {"x": 1}, {"y": [2, 1]}, {"y": 2, "z": [3, 3]}
    datasets = {"A": [{"_id": "a", "k": 1, "x": 1}], "B": [{"_id": "b", "k": 1, "y": [2, 1]}],
                "C": [{"_id": "c", "k": 1, "y": 2, "z": [3, 3]}]}
    base = {"datasets": ["A a", "B b", "C c"], "equality_sets": [["a.k", "b.k", "c.k"]]}
    default = visible(merged(tmp_path / "d", datasets, base).dataset("result")[0])
    assert {k: default[k] for k in ("x", "y", "z")} == {"x": 1, "y": [2, 1, 2], "z": [3, 3]}
    compact = visible(merged(tmp_path / "c", datasets, {**base, "strategy": "compact"}).dataset("result")[0])
    assert {k: compact[k] for k in ("x", "y", "z")} == {"x": 1, "y": [2, 1], "z": 3}
    listed = visible(merged(tmp_path / "l", datasets, {**base, "strategy": "list"}).dataset("result")[0])
    assert [{k: v for k, v in m.items() if k in "xyz"} for m in listed["$merged"]] == [
        {"x": 1}, {"y": [2, 1]}, {"y": 2, "z": [3, 3]}]


def test_namespaced_ids_become_nis_and_merged_ids_are_not_repeated(tmp_path: Path) -> None:
    # global-datasets.rst: "$ids": ["~:crm-person:100", ...]; merge doc: an id is not added if the entity has $ids
    datasets = {"woocommerce-product": [{"_id": "76", "sku": "A"}],
                "webshop-product": [{"_id": "9", "sku": "A", "$ids": ["~:webshop-product:9", "~:old:1"]}]}
    source = {"datasets": ["woocommerce-product w", "webshop-product s"],
              "equality": [["eq", "w.woocommerce-product:sku", "s.webshop-product:sku"]], "identity": "first"}
    emulator = merged(tmp_path, datasets, source, metadata={"namespaced_identifiers": True})
    [entity] = emulator.dataset("result")
    assert entity["_id"] == "woocommerce-product:76"
    assert entity["$ids"] == ["~:woocommerce-product:76", "~:webshop-product:9", "~:old:1"]


def test_changed_equality_rules_need_a_reset(tmp_path: Path) -> None:
    # configuration-sources-merge.rst: "Equality rules added after the merge source has processed entities from the
    # involved datasets will not cause merging of those entities … the pipe must be reset/rescanned"
    datasets = {"A": [{"_id": "a1", "email": "x@example.test", "sku": "S"}], "B": [{"_id": "b1", "sku": "S"}]}

    def config(equality: list[Any]) -> Emulator:
        pipes = [embedded(name, entities) for name, entities in datasets.items()]
        pipes.append({"_id": "result", "source": {"type": "merge", "version": 2, "datasets": ["A a", "B b"],
                                                  "equality": equality, "identity": "first"}})
        write_config(tmp_path / "cfg", pipes)
        return Emulator(tmp_path / "cfg", state_dir=tmp_path / "state")

    config([["eq", "a.email", "b.email"]]).run()
    emulator = config([["eq", "a.email", "b.email"], ["eq", "a.sku", "b.sku"]])
    report = emulator.run(rounds=1)
    assert "the merge's equality rules or datasets changed since it last ran" in report.pipe("result").errors[0]
    assert "configuration-sources-merge.rst" in report.pipe("result").errors[0]
    assert len([e for e in emulator.dataset("result") if not e["_deleted"]]) == 2, "nothing merged meanwhile"
    emulator.reset("result")
    assert not emulator.run().errors
    assert [e["$ids"] for e in emulator.dataset("result") if not e["_deleted"]] == [["a1", "b1"]]
