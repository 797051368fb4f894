"""A structural check of a sesam-config folder, before QA imports it with the `sesam` CLI or the emulator runs it.

`check_config(folder)` lists every problem it finds rather than stopping at the first, so one run shows all that a
generator change broke: unreadable files, objects without `_id`/`type`, references to systems, datasets or pipes
that do not exist, pipe names outside the dataflow's convention, `conditional` sources without both `prod` and
`test`, a `$SECRET(..)` outside a system (a node sends it as literal text: "Secrets applies only to System
configuration entities", hub/documentation/operations/security.rst), a hops join a node's dependency tracking
cannot follow back (it accepts it and never re-runs what waits for it: hub/dtl/caveats.rst), and DTL that the
offline runner does not implement (Sesam would run it; our CI could not).
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import emulator.dtl  # noqa: F401  (registers the expression and transform functions the checks look up)
from emulator.config import hops_datasets, sink_dataset, source_datasets, transforms_of
from emulator.dtl.dependencies import derive
from emulator.dtl.engine import check_transforms
from emulator.errors import EmulatorError

from dataflow.model import SYSTEMS, TYPES

REQUIRED_FILES = ("node-metadata.conf.json", "test-env.json")
CONDITIONAL_ALTERNATIVES = ("prod", "test")
PIPE_NAMES = frozenset(
    [f"{system}-{type_name}-{step}" for system in SYSTEMS for type_name in TYPES
     for step in ("collect", "enrich", "transform", "share")]
    + [f"global-{type_name}" for type_name in TYPES]
)


def check_config(folder: Path) -> list[str]:
    folder = Path(folder)
    problems = [f"{name} is missing" for name in REQUIRED_FILES if not (folder / name).is_file()]
    pipes = _load(folder / "pipes", problems, expected_type="pipe")
    systems = _load(folder / "systems", problems, expected_type="system:")
    written = {dataset for pipe in pipes.values() if (dataset := sink_dataset(pipe))}
    for pipe_id, pipe in pipes.items():
        problems.extend(f"pipe {pipe_id}: {problem}" for problem in _pipe_problems(pipe, systems, written))
    return problems


def _load(folder: Path, problems: list[str], expected_type: str) -> dict[str, dict[str, Any]]:
    """Objects by `_id`; a `type` must equal `expected_type`, or start with it when that ends in ':'."""
    objects: dict[str, dict[str, Any]] = {}
    for path in sorted(p for p in folder.glob("*") if p.is_file()):
        where = f"{folder.name}/{path.name}"
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            problems.append(f"{where}: not valid JSON ({error})")
            continue
        for obj in loaded if isinstance(loaded, list) else [loaded]:
            if not isinstance(obj, dict) or not isinstance(obj.get("_id"), str):
                problems.append(f"{where}: an object without a string _id")
                continue
            kind = obj.get("type")
            if not isinstance(kind, str) or not (kind.startswith(expected_type) if expected_type.endswith(":")
                                                 else kind == expected_type):
                problems.append(f"{where}: {obj['_id']} has type {kind!r}, expected {expected_type!r}…")
            if obj["_id"] in objects:
                problems.append(f"{where}: duplicate _id {obj['_id']!r}")
            objects[obj["_id"]] = obj
    return objects


def _pipe_problems(pipe: dict[str, Any], systems: dict[str, Any], written: set[str]) -> Iterator[str]:
    if "$SECRET(" in json.dumps(pipe):
        yield "uses $SECRET(..), which a node substitutes only in systems (hub/documentation/operations/security.rst)"
    if pipe["_id"] not in PIPE_NAMES:
        yield ("name does not follow the convention <system>-<type>-collect|enrich|transform|share or global-<type> "
               f"(systems {', '.join(SYSTEMS)}; types {', '.join(TYPES)})")
    source = pipe.get("source")
    if not isinstance(source, dict):
        yield "has no source"
        source = {}
    yield from _conditional_problems(source)
    for system in _systems_referred(pipe, source):
        if system not in systems:
            yield f"refers to system {system!r}, which no file in systems/ defines"
    referenced = list(source_datasets(source))
    for transform in transforms_of(pipe):
        referenced.extend(hops_datasets(transform.get("rules", {})))
    for dataset in dict.fromkeys(referenced):
        if dataset not in written:
            yield f"refers to dataset {dataset!r}, which no pipe writes"
    for index, transform in enumerate(transforms_of(pipe)):
        yield from _transform_problems(transform, f"transform {index}")
    yield from _tracking_problems(pipe, source)


def _tracking_problems(pipe: dict[str, Any], source: dict[str, Any]) -> Iterator[str]:
    """Dependency tracking as a node derives it from the DTL: every join our pipes wait for must be followed back."""
    transforms = [t for t in transforms_of(pipe) if isinstance(t, dict) and isinstance(t.get("rules"), dict)]
    try:
        found = derive(pipe["_id"], transforms, source.get("type") == "dataset", pipe.get("add_namespaces") is True)
    except EmulatorError as error:
        yield str(error).removeprefix(f"pipe {pipe['_id']}").lstrip(",: ")
        return
    for warning in found.warnings:
        yield warning.removeprefix(f"pipe {pipe['_id']}").lstrip(",: ")


def _conditional_problems(source: dict[str, Any]) -> Iterator[str]:
    if source.get("type") != "conditional":
        return
    alternatives = source.get("alternatives")
    if not isinstance(alternatives, dict):
        yield "conditional source has no alternatives"
        return
    for name in CONDITIONAL_ALTERNATIVES:
        if name not in alternatives:
            yield f"conditional source has no {name!r} alternative"
    for alternative in alternatives.values():
        if isinstance(alternative, dict):
            yield from _conditional_problems(alternative)


def _systems_referred(pipe: dict[str, Any], source: dict[str, Any]) -> Iterator[str]:
    parts = [source, *(source.get("alternatives", {}).values() if source.get("type") == "conditional" else [])]
    if isinstance(pipe.get("sink"), dict):
        parts.append(pipe["sink"])
    for part in parts:
        if isinstance(part, dict) and part.get("system") is not None:
            yield part["system"]


def _transform_problems(transform: Any, where: str) -> Iterator[str]:
    if not isinstance(transform, dict) or transform.get("type") != "dtl":
        kind = transform.get("type") if isinstance(transform, dict) else transform
        yield f"{where}: transform type {kind!r} is not run by the offline runner (only 'dtl')"
        return
    rules = transform.get("rules")
    if not isinstance(rules, dict) or "default" not in rules:
        yield f"{where}: DTL rules need a 'default' rule"
        return
    for name, rule in rules.items():
        try:
            check_transforms(rule, f"{where}, rule {name!r}")
        except EmulatorError as error:
            yield str(error)
