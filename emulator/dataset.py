"""Datasets: the append-only, versioned entity logs that pipes write to and read from.

Follows `hub/features/change-tracking.rst` and `hub/documentation/data-management/entity-data-model.rst`:
a write adds a version only when the entity's `_hash` differs from its latest version's; each version gets the
dataset offset as `_updated`, the offset of the version it replaces as `_previous`, and `_ts` (microseconds since
the epoch). Reserved `_` fields other than `_id` and `_deleted` are not stored.
"""
from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from emulator.errors import ConfigError
from emulator.values import entity_hash

STORED_RESERVED = ("_id", "_deleted")


class Dataset:
    def __init__(self, dataset_id: str, versions: list[dict[str, Any]] | None = None) -> None:
        self.id = dataset_id
        self.versions: list[dict[str, Any]] = []
        self._latest: dict[str, int] = {}
        for version in versions or []:
            self._append(version)

    def _append(self, version: dict[str, Any]) -> None:
        self.versions.append(version)
        self._latest[version["_id"]] = version["_updated"]

    @property
    def max_offset(self) -> int:
        """The `_updated` of the newest version, -1 when empty (so "since -1" reads everything)."""
        return len(self.versions) - 1

    def get(self, entity_id: str) -> dict[str, Any] | None:
        offset = self._latest.get(entity_id)
        return None if offset is None else self.versions[offset]

    def previous_of(self, version: dict[str, Any]) -> dict[str, Any] | None:
        previous = version.get("_previous")
        return None if previous is None else self.versions[previous]

    def write(self, entity: dict[str, Any]) -> dict[str, Any] | None:
        """Store `entity` if its content changed; return the new version, or None when change tracking dropped it."""
        current = self.get(entity["_id"])
        content_hash = entity_hash(entity)
        if current is not None and current["_hash"] == content_hash:
            return None
        version = {key: value for key, value in entity.items() if not key.startswith("_") or key in STORED_RESERVED}
        version["_deleted"] = entity.get("_deleted") is True
        version.update(
            _updated=len(self.versions),
            _previous=None if current is None else current["_updated"],
            _ts=time.time_ns() // 1000,
            _hash=content_hash,
        )
        self._append(version)
        return version

    def latest(self, include_deleted: bool = True) -> Iterator[dict[str, Any]]:
        """The latest version of each entity, in offset order."""
        for offset in sorted(self._latest.values()):
            version = self.versions[offset]
            if include_deleted or not version["_deleted"]:
                yield version

    def changes_since(self, offset: int, include_previous_versions: bool = False) -> Iterator[dict[str, Any]]:
        """Versions after `offset`; by default only those still latest, as the dataset source reads them
        (`include_previous_versions` defaults to false, configuration-sources-dataset.rst)."""
        for version in self.versions[offset + 1:]:
            if include_previous_versions or self._latest[version["_id"]] == version["_updated"]:
                yield version


class Store:
    """Every dataset and every pipe's bookkeeping, optionally persisted to a state directory as JSON lines, so
    successive runs of the emulator continue like a node does."""

    def __init__(self, state_dir: Path | None = None) -> None:
        self.state_dir = state_dir
        self.datasets: dict[str, Dataset] = {}
        self.pipe_states: dict[str, dict[str, Any]] = {}
        if state_dir is not None and (state_dir / "pipes.json").exists():
            try:
                self._load(state_dir)
            except (OSError, ValueError, KeyError) as error:
                problem = f"{type(error).__name__}: {error}"
                raise ConfigError(f"state directory {state_dir} is unreadable ({problem})") from None

    def dataset(self, dataset_id: str) -> Dataset:
        if dataset_id not in self.datasets:
            self.datasets[dataset_id] = Dataset(dataset_id)
        return self.datasets[dataset_id]

    def pipe_state(self, pipe_id: str) -> dict[str, Any]:
        return self.pipe_states.setdefault(pipe_id, {})

    def _load(self, state_dir: Path) -> None:
        self.pipe_states = json.loads((state_dir / "pipes.json").read_text(encoding="utf-8"))
        for path in sorted((state_dir / "datasets").glob("*.jsonl")):
            with path.open(encoding="utf-8") as lines:
                versions = [json.loads(line) for line in lines if line.strip()]
            dataset_id = json.loads((state_dir / "datasets" / f"{path.stem}.id").read_text(encoding="utf-8"))
            self.datasets[dataset_id] = Dataset(dataset_id, versions)

    def save(self) -> None:
        if self.state_dir is None:
            return
        folder = self.state_dir / "datasets"
        folder.mkdir(parents=True, exist_ok=True)
        for stale in [*folder.glob("*.jsonl"), *folder.glob("*.id")]:
            stale.unlink()
        for index, dataset in enumerate(sorted(self.datasets.values(), key=lambda d: d.id)):
            # Dataset ids may hold characters a file name cannot, so files are numbered and name their dataset.
            (folder / f"{index:05d}.id").write_text(json.dumps(dataset.id), encoding="utf-8")
            with (folder / f"{index:05d}.jsonl").open("w", encoding="utf-8") as out:
                for version in dataset.versions:
                    out.write(json.dumps(version, separators=(",", ":")) + "\n")
        (self.state_dir / "pipes.json").write_text(json.dumps(self.pipe_states, indent=1), encoding="utf-8")
