"""Pairing records as the pipes pair them, by running the pipes themselves.

The audit loads `sesam-config/` into the emulator and, per entity type, follows the configuration from each collect
pipe (JSON Pull from `/entities/<type>` of a system) through the pipes that read its dataset to the merge that links
the systems. Each record pulled is namespaced as its collect pipe does, run through those pipes' DTL, and only what
they added (common values `g-*`, link keys, references) is kept for the merge; then the merge itself groups them.
Nothing here knows a mapping: change the model, regenerate, and the audit follows.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emulator import Emulator
from emulator.dataset import STORED_RESERVED
from emulator.jsonpull import JsonSource
from emulator.jsonpush import JsonSink
from emulator.merge import MergeSource
from emulator.namespaces import add_namespaces
from emulator.pipes import Pipe
from emulator.sources import DatasetSource

from dataflow.audit_read import AuditError

_SECRET = re.compile(r"\$SECRET\(([^()]+)\)")
_ENTITIES_URL = re.compile(r"^/?entities/([^/?]+)$")
_RECEIVER_URL = re.compile(r"^/?receiver/([^/?]+)$")
# What the enrich pipes add that the audit reads (dataflow/pipes.py, `enrich`): the record's id, its deleted flag,
# the references to itself and to the record it was created from, the stock level, and the common values
# `g-<property>`.
AUDITED_KEYS = frozenset({"id", "deleted", "self-ref", "origin-ref", "stock-level"})
COMMON_PREFIX = "g-"


def _placeholder_secrets(folder: Path) -> dict[str, str]:
    """The audit never uses the config's secrets (it reads with its own credentials), but loading needs each defined."""
    names = {name for path in folder.rglob("*.json") for name in _SECRET.findall(path.read_text(encoding="utf-8"))}
    return {name: "unused-by-the-audit" for name in names}


@dataclass
class Input:
    """How one system's records of one type become merge input."""
    system: str
    type_name: str
    collect: Pipe
    chain: list[Pipe]          # the pipes between the collect dataset and the merge, in order
    dataset: str               # the dataset the merge reads
    merge_keys: frozenset[str]  # the properties the merge's equality rules read

    @property
    def namespace(self) -> str:
        return self.collect.property_ns

    def prepare(self, record: dict[str, Any]) -> dict[str, Any] | None:
        """The record as the merge sees it, reduced to what the merge and the audit read (None when a pipe drops it).
        """
        entity = add_namespaces(record, self.collect.identity_ns, self.collect.property_ns) \
            if self.collect.add_namespaces else record
        batch = [_as_stored(entity)]
        for pipe in self.chain:
            for transform in pipe.transforms:
                batch = [out for item in batch for out in transform.apply(item)]
            batch = [_as_stored(out) for out in batch if out.get("_filtered") is not True]
        if not batch:
            return None
        [out] = batch
        prefix = f"{self.namespace}:"
        return {key: value for key, value in out.items()
                if key.startswith("_") or key in self.merge_keys
                or (key.startswith(prefix) and key[len(prefix):].startswith(COMMON_PREFIX))
                or (key.startswith(prefix) and key[len(prefix):] in AUDITED_KEYS)}


def _as_stored(entity: dict[str, Any]) -> dict[str, Any]:
    """A dataset keeps `_id` and `_deleted` of the reserved fields (emulator.dataset, entity-data-model.rst)."""
    stored = {key: value for key, value in entity.items() if not key.startswith("_") or key in STORED_RESERVED}
    stored["_deleted"] = entity.get("_deleted") is True
    return stored


@dataclass
class TypeFlow:
    type_name: str
    merge: Pipe
    inputs: dict[str, Input]   # by system

    def link(self, records: dict[str, Iterator[dict[str, Any]]]) -> list[dict[str, Any]]:
        """Merge the records read from each system; the merged entities, as `global-<type>` holds them."""
        source = self.merge.source
        assert isinstance(source, MergeSource)
        for system, stream in records.items():
            flow = self.inputs[system]
            dataset = source.store.dataset(flow.dataset)
            for record in stream:
                prepared = flow.prepare(record)
                if prepared is not None:
                    dataset.write(prepared)
        merged = [entity for entity in source.read(None, True).entities if entity.get("$replaced") is not True]
        for flow in self.inputs.values():
            source.store.datasets.pop(flow.dataset, None)  # the merged entities hold what is still needed
        return merged


@dataclass
class DeadLetterDataset:
    dataset: str
    pipe: str
    system: str                # the system the pipe pushes into
    type_name: str


class Dataflow:
    """sesam-config as the audit uses it: per type the flows into the merge, and the share pipes' dead letters."""

    def __init__(self, config: Path, urls: dict[str, str]) -> None:
        self.emulator = Emulator(config, systems=urls, env={"node-env": "prod"},
                                 secrets=_placeholder_secrets(config))
        pipes = {pipe.id: pipe for pipe in self.emulator.pipes}
        readers: dict[str, list[Pipe]] = {}
        for pipe in pipes.values():
            if isinstance(pipe.source, DatasetSource):
                readers.setdefault(pipe.source_spec["dataset"], []).append(pipe)
        merges = {dataset: pipe for pipe in pipes.values() if isinstance(pipe.source, MergeSource)
                  for dataset, _ in pipe.source.datasets}
        self.types: dict[str, TypeFlow] = {}
        for pipe in pipes.values():
            if isinstance(pipe.source, JsonSource) and (match := _ENTITIES_URL.match(pipe.source.spec["url"])):
                flow = _follow(pipe, pipe.source.system.id, match.group(1), readers, merges)
                merge = merges[flow.dataset]
                self.types.setdefault(flow.type_name, TypeFlow(flow.type_name, merge, {})).inputs[flow.system] = flow
        self.dead_letters = [
            DeadLetterDataset(pipe.pump["dead_letter_dataset"], pipe.id, pipe.sink.system.id, match.group(1))
            for pipe in pipes.values()
            if isinstance(pipe.sink, JsonSink) and pipe.pump.get("dead_letter_dataset")
            and (match := _RECEIVER_URL.match(pipe.sink.spec["url"]))]


def _follow(collect: Pipe, system: str, type_name: str, readers: dict[str, list[Pipe]],
            merges: dict[str, Pipe]) -> Input:
    dataset, chain = collect.output_dataset, []
    while dataset not in merges:
        following = readers.get(dataset or "", [])
        if len(following) != 1:
            raise AuditError(f"cannot follow {collect.id} to a merge: {len(following)} pipes read {dataset}")
        chain.append(following[0])
        dataset = following[0].output_dataset
    merge = merges[dataset]
    assert isinstance(merge.source, MergeSource)
    return Input(system, type_name, collect, chain, dataset, frozenset(_paths_read(merge.source.rules)))


def _paths_read(expression: Any) -> Iterator[str]:
    """The first property of every `alias.property…` path in DTL (the merge's equality rules)."""
    if isinstance(expression, str) and "." in expression and not expression.startswith("_"):
        yield expression.split(".", 2)[1]
    elif isinstance(expression, (list, tuple)):
        for item in expression:
            yield from _paths_read(item)
