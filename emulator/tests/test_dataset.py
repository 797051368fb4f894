"""Datasets: change tracking by `_hash` (hub/features/change-tracking.rst), stored reserved fields and `_previous`
(hub/documentation/data-management/entity-data-model.rst), persistence between runs."""
from __future__ import annotations

from pathlib import Path

import pytest

from emulator.dataset import Dataset, Store
from emulator.errors import ConfigError


def test_same_content_writes_no_new_version() -> None:
    # change-tracking.rst: "If the two versions are identical, the sink will drop the new entity"
    dataset = Dataset("d")
    assert dataset.write({"_id": "1", "name": "a"}) is not None
    assert dataset.write({"_id": "1", "name": "a"}) is None
    assert dataset.max_offset == 0


def test_reserved_fields_other_than_id_and_deleted_do_not_count() -> None:
    # entity-data-model.rst: "Of the reserved fields, only `_id` and `_deleted` contribute to the hash value."
    dataset = Dataset("d")
    dataset.write({"_id": "1", "name": "a", "_updated": "2024-01-01"})
    assert dataset.write({"_id": "1", "name": "a", "_updated": "2024-02-02", "_foo": 1}) is None
    assert "_foo" not in dataset.get("1")


def test_changed_content_gets_a_new_version_pointing_at_the_previous() -> None:
    dataset = Dataset("d")
    first = dataset.write({"_id": "1", "name": "a"})
    second = dataset.write({"_id": "1", "name": "b"})
    assert (first["_updated"], second["_updated"], second["_previous"]) == (0, 1, 0)
    assert dataset.get("1")["name"] == "b"
    assert isinstance(second["_ts"], int) and second["_hash"] != first["_hash"]


def test_deleting_is_a_change_but_deleting_twice_is_not() -> None:
    dataset = Dataset("d")
    dataset.write({"_id": "1", "name": "a"})
    assert dataset.write({"_id": "1", "name": "a", "_deleted": True}) is not None
    assert dataset.write({"_id": "1", "name": "a", "_deleted": True}) is None


def test_changes_since_yields_only_latest_versions() -> None:
    # configuration-sources-dataset.rst: include_previous_versions defaults to false
    dataset = Dataset("d")
    for name in ("a", "b"):
        dataset.write({"_id": "1", "name": name})
    dataset.write({"_id": "2", "name": "x"})
    assert [v["_updated"] for v in dataset.changes_since(-1)] == [1, 2]
    assert [v["_updated"] for v in dataset.changes_since(-1, include_previous_versions=True)] == [0, 1, 2]
    assert [v["_id"] for v in dataset.changes_since(1)] == ["2"]


def test_store_persists_datasets_and_pipe_state(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.dataset("global-person:x").write({"_id": "1", "n": 1})
    store.pipe_state("p")["offset"] = 0
    store.save()
    again = Store(tmp_path)
    assert again.dataset("global-person:x").get("1")["n"] == 1
    assert again.pipe_state("p") == {"offset": 0}


def test_unreadable_state_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "pipes.json").write_text("{not json")
    with pytest.raises(ConfigError, match="is unreadable"):
        Store(tmp_path)
