"""One pipe, built from its configuration (source → namespaces → transforms → namespaces → sink), and its runs.

Building refuses every construct the emulator does not implement (naming the pipe and the construct), so nothing in
a configuration is silently ignored, and derives the pipe's dependency tracking from its DTL. A run reads its source
completely and transforms everything before the sink writes, so a failed read or transform changes nothing; the
pipe's offset, write-error bookkeeping and the dataset offsets its dependency tracking has looked at are only
stored when the run succeeds.
"""
from __future__ import annotations

import json
from datetime import timedelta
from dataclasses import dataclass, field
from typing import Any

from emulator.config import Config, hops_datasets, sink_dataset, source_datasets, transforms_of
from emulator.dataset import Store
from emulator.dtl import DTLEnvironment, DTLTransform
from emulator.dtl.engine import Context
from emulator.dtl.functions.datetimes import decode_datetime, encode_datetime
from emulator.dtl.dependencies import SOURCE, Join, derive
from emulator.dtl.hops import join_values
from emulator.indexes import JoinIndex
from emulator.errors import ConfigError, EmulatorError, PipeRunError, SequenceConflict, Unsupported
from emulator.jsonpull import JsonSource
from emulator.jsonpush import Item, JsonSink
from emulator.merge import MergeSource
from emulator.namespaces import ADD_NAMESPACES_SOURCES, REMOVE_NAMESPACES_SINKS, add_namespaces, remove_namespaces
from emulator.sinks import DatasetSink, SinkResult, check_sink_properties
from emulator.sources import (
    DatasetSource, EmbeddedSource, HttpEndpointSource, Source, check_if_source_empty, check_source_properties,
    choose_alternative,
)
from emulator.systems import System
from emulator.values import DATETIME_PREFIX, sort_key

KNOWN_PIPE_PROPERTIES = {
    "_id", "type", "name", "description", "comment", "source", "transform", "sink", "pump", "metadata", "batch_size",
    "add_namespaces", "remove_namespaces", "namespaced_identifiers", "namespaces",
}
KNOWN_PUMP_PROPERTIES = {
    "comment", "schedule_interval", "cron_expression", "rescan_run_count", "rescan_cron_expression", "mode",
    "max_read_retries", "read_retry_delay", "write_retry_delay", "max_retries_per_entity",
    "max_consecutive_write_errors", "max_write_errors_in_retry_dataset", "fallback_to_single_entities_on_batch_fail",
    "dead_letter_dataset", "track_dead_letters", "batch_retries", "partial_rescan_run_count", "partial_rescan_delta",
    "log_events_noop_runs", "log_events_noop_runs_changes_only", "notification_granularity", "run_at_startup",
}


@dataclass
class PipeReport:
    pipe: str
    round: int
    full: bool = False
    read: int = 0
    requeued: int = 0
    written: int = 0
    deleted: int = 0
    pushed: int = 0
    requests: int = 0
    dead: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.written or self.deleted or self.pushed or self.dead)


class Pipe:
    def __init__(self, pipe: dict[str, Any], config: Config, store: Store, systems: dict[str, System],
                 capture_output: bool = False) -> None:
        self.id = pipe["_id"]
        self.config = config
        self.store = store
        self.pump = dict(pipe.get("pump") or {})
        self._refuse_unknown_properties(pipe)
        self.mode = self.pump.get("mode", "scheduled")

        namespaced = pipe.get("namespaced_identifiers", config.namespaced_identifiers) is True
        namespaces = pipe.get("namespaces") or {}
        self.identity_ns = namespaces.get("identity", self.id)
        self.property_ns = namespaces.get("property", self.id)
        self.env = DTLEnvironment(self.id, namespaced, self.identity_ns, self.property_ns, lookup=self)
        self._indexes: dict[str, JoinIndex] = {}

        source_spec = pipe["source"]
        check_source_properties(self.id, source_spec)
        if source_spec["type"] == "conditional":
            source_spec = choose_alternative(self.id, source_spec)
            check_source_properties(self.id, source_spec)
        self.source_spec = source_spec
        self.source = self._build_source(source_spec, config, systems, namespaced)
        self.add_namespaces = pipe.get("add_namespaces", namespaced and source_spec["type"] in ADD_NAMESPACES_SOURCES)
        if isinstance(self.source, DatasetSource):
            self.env.previous_version = self._previous_version
        self.transforms = [self._build_transform(spec) for spec in transforms_of(pipe)]
        self.dependencies = derive(self.id, transforms_of(pipe), isinstance(self.source, DatasetSource),
                                   self.add_namespaces)

        sink_spec = pipe.get("sink") or {"type": "dataset"}
        check_sink_properties(self.id, sink_spec)
        self.sink_type = sink_spec.get("type", "dataset")
        self.remove_namespaces = pipe.get("remove_namespaces", namespaced and self.sink_type in REMOVE_NAMESPACES_SINKS)
        self.output_dataset = sink_dataset(pipe)
        self.sink = self._build_sink(sink_spec, systems, capture_output)

    def _refuse_unknown_properties(self, pipe: dict[str, Any]) -> None:
        for key in pipe:
            if key not in KNOWN_PIPE_PROPERTIES:
                raise Unsupported(f"pipe {self.id}", f"pipe property {key!r}")
        for key in self.pump:
            if key not in KNOWN_PUMP_PROPERTIES:
                raise Unsupported(f"pipe {self.id}", f"pump property {key!r}")

    def _build_transform(self, spec: dict[str, Any]) -> DTLTransform:
        if spec.get("type") != "dtl":
            raise Unsupported(f"pipe {self.id}", f"transform type {spec.get('type')!r}")
        unknown = set(spec) - {"type", "rules", "id_required", "comment", "name"}
        if unknown:
            raise Unsupported(f"pipe {self.id}", f"DTL transform property {sorted(unknown)[0]!r}")
        return DTLTransform(spec, self.env)

    def _build_sink(self, spec: dict[str, Any], systems: dict[str, System],
                    capture_output: bool) -> DatasetSink | JsonSink:
        if self.sink_type == "json" and capture_output:
            # `sesam verify` reads an output pipe's entities at the sink stage instead of a live receiver.
            return DatasetSink({}, self.store.dataset(capture_dataset(self.id)))
        if self.sink_type == "json":
            dead_letter = self.pump.get("dead_letter_dataset")
            return JsonSink(self.id, spec, _system(f"pipe {self.id}", spec, systems), self.pump,
                            (lambda: self.store.dataset(dead_letter)) if dead_letter else None)
        return DatasetSink(spec, self.store.dataset(self.output_dataset or self.id))

    def _build_source(self, spec: dict[str, Any], config: Config, systems: dict[str, System],
                      namespaced: bool) -> Source:
        kind = spec["type"]
        if kind == "dataset":
            return DatasetSource(spec, self.store)
        if kind == "embedded":
            return EmbeddedSource(spec)
        if kind == "merge":
            return MergeSource(self.id, spec, self.store, namespaced)
        if kind == "http_endpoint":
            return HttpEndpointSource()
        return JsonSource(self.id, spec, _system(f"pipe {self.id}", spec, systems), self.pump)

    # --- hops lookups (emulator.dtl.hops.Lookup) ----------------------------------------------------------------

    def candidates(self, dataset_id: str, alias: str, expression: Any, values: set[str]) -> list[dict[str, Any]]:
        return self._index(dataset_id, alias, expression).entities(values)

    def _index(self, dataset_id: str, alias: str | None, expression: Any) -> JoinIndex:
        """The index of a dataset by a join expression; `alias` None means the expression reads the entity as
        `_S` (the pipe's source side of a join, evaluated on the stored source entity as a node's inverse traversal
        does). Indexes are kept for the pipe's life and catch up with their dataset on use."""
        key = json.dumps([dataset_id, alias, expression], sort_keys=True)
        if key not in self._indexes:
            def keys(entity: dict[str, Any]) -> set[str]:
                aliases = {alias: entity} if alias is not None else {}
                return join_values(Context(entity, {}, {}, self.env, aliases=aliases).evaluate(expression))
            self._indexes[key] = JoinIndex(self.store.dataset(dataset_id), keys)
        return self._indexes[key]

    def entity(self, dataset_id: str, entity_id: str) -> dict[str, Any] | None:
        version = self.store.dataset(dataset_id).get(entity_id)
        return None if version is None or version["_deleted"] else version

    def _previous_version(self, entity: dict[str, Any]) -> dict[str, Any] | None:
        previous = self.store.dataset(self.source_spec["dataset"]).previous_of(entity)
        if previous is not None and self.add_namespaces:
            previous = add_namespaces(previous, self.identity_ns, self.property_ns)
        return previous

    def receive(self, entities: list[dict[str, Any]]) -> None:
        """Entities pushed to the pipe's receiver, as `/receivers/<pipe>/entities` takes them."""
        if not isinstance(self.source, HttpEndpointSource):
            raise ConfigError(f"pipe {self.id}: only a pipe with an http_endpoint source receives entities")
        self.source.receive(entities)

    @property
    def input_datasets(self) -> list[str]:
        datasets = list(source_datasets(self.source_spec))
        for transform in self.transforms:
            datasets.extend(hops_datasets(transform.rules))
        return datasets

    # --- a run ----------------------------------------------------------------------------------------------------

    def run(self, round_number: int, force_full: bool) -> PipeReport:
        """One run; a failure is recorded in the report (the pipe keeps its offset), a refusal is raised."""
        report = PipeReport(self.id, round_number)
        try:
            self._run(report, force_full)
        except Unsupported:
            raise
        except SequenceConflict as error:
            self.store.pipe_state(self.id)["restart_full_sync"] = True
            report.errors.append(str(error))
        except EmulatorError as error:
            report.errors.append(str(error))
        return report

    def _run(self, report: PipeReport, force_full: bool) -> None:
        state = self.store.pipe_state(self.id)
        runs = state.get("runs", 0) + 1
        rescan_every = self.pump.get("rescan_run_count")
        # "rescan_run_count: 2 => incremental, rescan, incremental, rescan" (configuration-pump.rst)
        full = (force_full or "offset" not in state or state.get("restart_full_sync", False)
                or bool(rescan_every and runs % rescan_every == 0))
        hopped_offsets = {d: self.store.dataset(d).max_offset for d in self.dependencies.by_dataset()}

        if isinstance(self.source, MergeSource) and not full and state.get("merge_signature", self.source.signature) \
                != self.source.signature:
            raise PipeRunError(
                f"pipe {self.id}: the merge's equality rules or datasets changed since it last ran; a node applies "
                "them only to entities it processes from now on (\"the pipe must be reset/rescanned in order to "
                f"produce the desired result\", configuration-sources-merge.rst): reset it (--reset {self.id}) or "
                "rescan (--rescan)")
        offset = state.get("offset")
        partial_every = self.pump.get("partial_rescan_run_count")
        partial = not full and bool(partial_every) and runs % partial_every == 0
        since = shift_offset(self.id, offset, self.pump.get("partial_rescan_delta")) if partial else offset
        read = self.source.read(since, full)
        if partial and offset is not None and (read.offset is None or sort_key(read.offset) < sort_key(offset)):
            read.offset = offset  # re-reading older entities must not move the since value back
        check_if_source_empty(self.id, self.source_spec, self.config, read)
        report.full, report.read = read.full, len(read.entities)
        entities = read.entities
        if not read.full and isinstance(self.source, DatasetSource):
            requeued = self._requeued(state, {e["_id"] for e in entities})
            report.requeued = len(requeued)
            entities = entities + requeued

        outputs = self._transform_all(entities)

        book = json.loads(json.dumps(state.get("sink_book", {})))  # what the pump remembers about failed writes
        result = SinkResult()
        try:
            if isinstance(self.sink, JsonSink):
                self.sink.write(outputs, read.full, book, result)
            else:
                self.sink.write([entity for _, entity in outputs], read.full, result)
        finally:
            _merge_result(report, result)

        state.update(offset=read.offset, runs=runs, sink_book=book, restart_full_sync=False)
        if isinstance(self.source, MergeSource):
            state["merge_signature"] = self.source.signature
        state["dep_offsets"] = {**state.get("dep_offsets", {}), **hopped_offsets}

    def _transform_all(self, entities: list[dict[str, Any]]) -> list[Item]:
        """Each output with the `_id` of the source entity it came from (the pump's retry bookkeeping follows it)."""
        outputs: list[Item] = []
        for entity in entities:
            source_id = entity["_id"]  # as the source dataset knows it, before namespaces are added
            if self.add_namespaces:
                entity = add_namespaces(entity, self.identity_ns, self.property_ns)
            batch = [entity]
            for transform in self.transforms:
                batch = [out for item in batch for out in transform.apply(item)]
            outputs.extend((source_id, remove_namespaces(out) if self.remove_namespaces else out) for out in batch)
        if self.sink_type != "dataset":
            # `_filtered` is for the dataset sink only; "If the sink does not support it then the entity will be
            # discarded" (entity-data-model.rst).
            outputs = [(source_id, out) for source_id, out in outputs if out.get("_filtered") is not True]
        return outputs

    def _requeued(self, state: dict[str, Any], already: set[str]) -> list[dict[str, Any]]:
        """Source entities a change in a hopped-to dataset since the last run may give another result: the changed
        entities' old and new versions are followed back through the pipe's joins to the source entities
        (hub/dtl/caveats.rst: "inversing the traversal")."""
        source = self.store.dataset(self.source_spec["dataset"])
        wanted: set[str] = set()
        for dataset_id, joins in self.dependencies.by_dataset().items():
            dataset = self.store.dataset(dataset_id)
            since = state.get("dep_offsets", {}).get(dataset_id, -1)
            for version in dataset.changes_since(since, include_previous_versions=True):
                for candidate in (version, dataset.previous_of(version)):
                    if candidate is not None:
                        for join in joins:
                            wanted |= self._trace_back(join, candidate)
        return [entity for entity_id in sorted(wanted - already) if (entity := source.get(entity_id)) is not None]

    def _trace_back(self, join: Join, entity: dict[str, Any]) -> set[str]:
        """The source entity ids that reach `entity` through `join`, by the inverse hops."""
        values = join_values(Context(entity, {}, {}, self.env, aliases={join.alias: entity}).evaluate(join.expression))
        parent = join.parent
        if parent is SOURCE:
            return self._index(self.source_spec["dataset"], None, join.parent_expression).ids(values)
        found: set[str] = set()
        assert parent.dataset is not None and parent.alias is not None
        for entity_above in self._index(parent.dataset, parent.alias, join.parent_expression).entities(values):
            for join_above in parent.joins:
                found |= self._trace_back(join_above, entity_above)
        return found


def shift_offset(pipe_id: str, offset: Any, delta: Any) -> Any:
    """A partial rescan moves the since value back (configuration-pump.rst, `partial_rescan_delta`): an integer by the
    delta, a datetime `"~t…"` by the delta in seconds."""
    if not isinstance(delta, int) or isinstance(delta, bool) or delta < 1:
        raise PipeRunError(f"pipe {pipe_id}: partial_rescan_run_count needs an integer partial_rescan_delta >= 1")
    if offset is None:
        return None
    if isinstance(offset, int) and not isinstance(offset, bool):
        return offset - delta
    moment = decode_datetime(offset) if isinstance(offset, str) and offset.startswith(DATETIME_PREFIX) else None
    if moment is None:
        raise PipeRunError(f"pipe {pipe_id}: a partial rescan cannot shift the since value {offset!r}")
    return encode_datetime(moment - timedelta(seconds=delta))


def capture_dataset(pipe_id: str) -> str:
    return f"system:sink:{pipe_id}"


def _merge_result(report: PipeReport, result: SinkResult) -> None:
    report.written, report.deleted, report.pushed = result.written, result.deleted, result.pushed
    report.requests, report.dead = result.requests, result.dead
    report.errors.extend(result.errors)


def _system(where: str, spec: dict[str, Any], systems: dict[str, System]) -> System:
    system_id = spec.get("system")
    if system_id not in systems:
        raise PipeRunError(f"{where}: unknown system {system_id!r}")
    return systems[system_id]
