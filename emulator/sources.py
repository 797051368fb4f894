"""Pipe sources: what a run reads, whether the read was full, and the offset to keep if the run succeeds.

Continuation follows `configuration-sources.rst`: a source with continuation gets the stored offset and returns only
later entities; the first run, a reset and a rescan read everything, and only such full reads let the dataset sink do
deletion tracking.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from emulator.config import Config
from emulator.dataset import Store
from emulator.errors import ConfigError, PipeRunError, Unsupported

KNOWN_SOURCE_PROPERTIES = {
    "dataset": {"dataset", "include_previous_versions", "include_replaced", "supports_signalling", "if_source_empty"},
    "embedded": {"entities", "system", "if_source_empty", "supports_signalling"},
    "conditional": {"condition", "alternatives"},
    "json": {"system", "url", "supports_since", "is_since_comparable", "is_chronological", "page_size", "headers",
             "if_source_empty", "supports_signalling", "initial_since_value"},
    "http_endpoint": {"validation_expression", "supports_signalling"},
    "merge": {"version", "datasets", "equality", "equality_sets", "identity", "strategy", "max_merged",
              "supports_signalling", "if_source_empty"},
}


@dataclass
class SourceRead:
    entities: list[dict[str, Any]]
    full: bool
    offset: Any


class Source(Protocol):
    type: str

    def read(self, offset: Any, full: bool) -> SourceRead: ...


def check_source_properties(pipe_id: str, spec: dict[str, Any]) -> None:
    kind = spec.get("type")
    if kind not in KNOWN_SOURCE_PROPERTIES:
        raise Unsupported(f"pipe {pipe_id}", f"source type {kind!r}")
    for key in spec:
        if key not in KNOWN_SOURCE_PROPERTIES[kind] and key not in ("type", "comment"):
            raise Unsupported(f"pipe {pipe_id}", f"{kind} source property {key!r}")


def choose_alternative(pipe_id: str, spec: dict[str, Any]) -> dict[str, Any]:
    """A conditional source is the alternative its (already substituted) `condition` names
    (configuration-sources-conditional.rst: "all possible enumerations of this value need to exist")."""
    alternatives = spec.get("alternatives") or {}
    condition = spec.get("condition")
    if condition not in alternatives:
        raise ConfigError(f"pipe {pipe_id}: conditional source has no alternative for {condition!r}")
    return alternatives[condition]


def check_if_source_empty(pipe_id: str, spec: dict[str, Any], config: Config, read: SourceRead) -> None:
    """`if_source_empty: "fail"`: "the pipe will automatically fail if the source returns no entities"
    (configuration-sources-json.rst, -dataset.rst, configuration-metadata.rst `global_defaults.if_source_empty`).
    The docs make no exception for an incremental run, so a run that finds nothing new fails too: a pipe that
    sets "fail" with `since` fails whenever its source is quiet."""
    policy = spec.get("if_source_empty", config.global_default("if_source_empty", "accept"))
    if not read.entities and policy == "fail":
        run = "full" if read.full else "incremental"
        raise PipeRunError(f"pipe {pipe_id}: source returned no entities ({run} run) and if_source_empty is 'fail'")


class DatasetSource:
    """`configuration-sources-dataset.rst`: reads the latest version of every entity changed after the offset."""

    type = "dataset"

    def __init__(self, spec: dict[str, Any], store: Store) -> None:
        self.spec = spec
        self.store = store

    def read(self, offset: Any, full: bool) -> SourceRead:
        dataset = self.store.dataset(self.spec["dataset"])
        since = -1 if full or offset is None else int(offset)
        entities = [
            version for version in dataset.changes_since(since, self.spec.get("include_previous_versions", False))
            if self.spec.get("include_replaced", True) or version.get("$replaced") is not True
        ]
        return SourceRead(entities, full=since == -1, offset=dataset.max_offset)


class EmbeddedSource:
    """`configuration-sources-embedded.rst`: the configured `entities`, read whole on every run."""

    type = "embedded"

    def __init__(self, spec: dict[str, Any]) -> None:
        self.entities = spec.get("entities", [])

    def read(self, offset: Any, full: bool) -> SourceRead:
        return SourceRead([dict(entity) for entity in self.entities], full=True, offset=None)


class HttpEndpointSource:
    """`configuration-sources-http.rst`: entities are pushed to the pipe's receiver (`/receivers/<pipe>/entities`);
    offline the only pushes are `sesam upload`'s, from `testdata/<pipe>.json` (emulator.verify). A run reads what
    arrived since the last successful run (the offset counts what was read); like pushed data it carries no
    deletion tracking ("data that used to be included in the push … is not marked as deleted",
    custom-data-source.rst)."""

    type = "http_endpoint"

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []

    def receive(self, entities: list[dict[str, Any]]) -> None:
        self.received.extend(dict(entity) for entity in entities)

    def read(self, offset: Any, full: bool) -> SourceRead:
        start = offset if isinstance(offset, int) else 0
        return SourceRead([dict(entity) for entity in self.received[start:]], full=False, offset=len(self.received))
