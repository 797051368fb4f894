"""The dataset sink (`configuration-sinks-dataset.rst`, `hub/features/deletion-tracking.rst`).

Writes go through change tracking (`Dataset.write`). An entity marked `_filtered` by DTL `filter` deletes the existing
entity instead of being stored ("Entities with the `_filtered` property set to true will thus be deleted from the
dataset if the entity already exists and it is not already deleted", dtl-functions-transforms.rst). After a full run,
"any entities that existed in the dataset before the run but that weren't seen during the run will be deleted"
unless `deletion_tracking` is false.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from emulator.dataset import Dataset
from emulator.errors import Unsupported

KNOWN_SINK_PROPERTIES = {
    # set_initial_offset only decides when a node first lets downstream pipes run; the emulator runs every pipe in
    # every round, so it has nothing to change.
    "dataset": {"dataset", "deletion_tracking", "set_initial_offset"},
    "json": {"system", "url", "batch_size", "headers"},
}


@dataclass
class SinkResult:
    written: int = 0
    deleted: int = 0
    pushed: int = 0
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    dead: int = 0


def check_sink_properties(pipe_id: str, spec: dict[str, Any]) -> None:
    kind = spec.get("type", "dataset")
    if kind not in KNOWN_SINK_PROPERTIES:
        raise Unsupported(f"pipe {pipe_id}", f"sink type {kind!r}")
    for key in spec:
        if key not in KNOWN_SINK_PROPERTIES[kind] and key not in ("type", "comment"):
            raise Unsupported(f"pipe {pipe_id}", f"{kind} sink property {key!r}")


class DatasetSink:
    def __init__(self, spec: dict[str, Any], dataset: Dataset) -> None:
        self.dataset = dataset
        self.deletion_tracking = spec.get("deletion_tracking", True) is not False

    def write(self, entities: list[dict[str, Any]], full: bool, result: SinkResult) -> None:
        seen: set[str] = set()
        for entity in entities:
            seen.add(entity["_id"])
            if entity.get("_filtered") is True:
                current = self.dataset.get(entity["_id"])
                if current is None or current["_deleted"]:
                    continue
                entity = {**entity, "_deleted": True}
            if self.dataset.write(entity) is not None:
                result.written += 1
        if full and self.deletion_tracking:
            for version in list(self.dataset.latest(include_deleted=False)):
                if version["_id"] not in seen:
                    self.dataset.write({**version, "_deleted": True})
                    result.deleted += 1
