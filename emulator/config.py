"""Loading a sesam-config folder (the `sesam` CLI layout) into checked pipe and system definitions.

Layout (sesam-py): `node-metadata.conf.json`, `pipes/*.conf.json`, `systems/*.conf.json`, `test-env.json`.
`$ENV(name)` and `$SECRET(name)` are substituted as `hub/documentation/service-configuration/environment-variables/
environment-variables.rst` and `hub/documentation/building-blocks/secrets.rst` describe (several may be concatenated
in one string; a string that is exactly one `$ENV(..)` takes the variable's value whatever its type), then
`$conditional_properties` picks the alternative named by its `condition`. "Secrets applies only to System
configuration entities" (`hub/documentation/operations/security.rst`): a node sends a `$SECRET(..)` in a pipe or in
the node metadata as literal text, so the emulator refuses one there. A secret a system uses but the emulator was
not given stays unresolved until the system is used (`emulator.systems`). Every reference a pipe makes (systems,
datasets in sources, merges and hops) must resolve, or loading fails naming the pipe.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emulator.errors import ConfigError
from emulator.systems import check_system

_VARIABLE = re.compile(r"\$(ENV|SECRET)\(([^()]+)\)")
SECRETS_DOC = "hub/documentation/operations/security.rst"


@dataclass(frozen=True)
class Config:
    folder: Path
    metadata: dict[str, Any]
    pipes: dict[str, dict[str, Any]]
    systems: dict[str, dict[str, Any]]
    env: dict[str, Any]
    secret_values: frozenset[str] = field(default_factory=frozenset)

    @property
    def namespaced_identifiers(self) -> bool:
        return self.metadata.get("namespaced_identifiers", False) is True

    def global_default(self, name: str, fallback: Any) -> Any:
        return self.metadata.get("global_defaults", {}).get(name, fallback)


def sink_dataset(pipe: dict[str, Any]) -> str | None:
    """The dataset a pipe writes; without a sink it is a dataset sink named after the pipe (configuration-pipes.rst)."""
    sink = pipe.get("sink") or {"type": "dataset"}
    if sink.get("type", "dataset") != "dataset":
        return None
    return sink.get("dataset", pipe["_id"])


def parse_dataset_alias(spec: str, where: str) -> tuple[str, str]:
    """`"global-person gp"` → `("global-person", "gp")`, the syntax of hops and merge `datasets`."""
    parts = spec.split()
    if len(parts) != 2:
        raise ConfigError(f"{where}: dataset spec {spec!r} must be '<dataset id> <alias>'")
    return parts[0], parts[1]


def load_config(
    folder: Path, env: Mapping[str, Any] | None = None, secrets: Mapping[str, str] | None = None
) -> Config:
    folder = Path(folder)
    if not folder.is_dir():
        raise ConfigError(f"{folder} is not a sesam-config folder")
    merged_env: dict[str, Any] = {}
    profile = folder / "test-env.json"
    if profile.exists():
        merged_env.update(_read_json(profile))
    merged_env.update(env or {})
    secrets = dict(secrets or {})
    substitute = _Substituter(merged_env, secrets, secrets_allowed=False)

    metadata_file = folder / "node-metadata.conf.json"
    metadata = substitute(_read_json(metadata_file), "node-metadata") if metadata_file.exists() else {}
    pipes = _load_objects(folder / "pipes", "pipe", substitute)
    systems = _load_objects(folder / "systems", None, _Substituter(merged_env, secrets, secrets_allowed=True))
    config = Config(folder, metadata, pipes, systems, merged_env, frozenset(v for v in secrets.values() if v))
    validate(config)
    return config


class _Substituter:
    def __init__(self, env: Mapping[str, Any], secrets: Mapping[str, str], secrets_allowed: bool) -> None:
        self.env = env
        self.secrets = secrets
        self.secrets_allowed = secrets_allowed

    def __call__(self, value: Any, where: str) -> Any:
        if isinstance(value, dict):
            resolved = {key: self(item, where) for key, item in value.items()}
            return _apply_conditional_properties(resolved, where)
        if isinstance(value, list):
            return [self(item, where) for item in value]
        if isinstance(value, str):
            return self._substitute_string(value, where)
        return value

    def _lookup(self, kind: str, name: str, where: str) -> Any:
        if kind == "ENV":
            if name not in self.env:
                raise ConfigError(f"{where}: $ENV({name}) is not defined (give it with --env {name}=...)")
            return self.env[name]
        if not self.secrets_allowed:
            raise ConfigError(f"{where}: $SECRET({name}) is only substituted in system entities, a node would send "
                              f"it as literal text (\"Secrets applies only to System configuration entities\", "
                              f"{SECRETS_DOC}); put the credential on the system (authentication, username, "
                              f"password)")
        # left as written until the system is used (emulator.systems.System.require_secrets)
        return self.secrets.get(name, f"$SECRET({name})")

    def _substitute_string(self, text: str, where: str) -> Any:
        whole = _VARIABLE.fullmatch(text)
        if whole:
            return self._lookup(whole.group(1), whole.group(2), where)
        return _VARIABLE.sub(lambda m: _as_text(self._lookup(m.group(1), m.group(2), where)), text)


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _apply_conditional_properties(obj: dict[str, Any], where: str) -> dict[str, Any]:
    conditional = obj.pop("$conditional_properties", None)
    if conditional is None:
        return obj
    condition = conditional.get("condition")
    alternatives = conditional.get("alternatives", {})
    if condition not in alternatives:
        raise ConfigError(f"{where}: $conditional_properties has no alternative for condition value {condition!r}")
    return {**obj, **alternatives[condition]}


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ConfigError(f"{path}: cannot read JSON ({error})") from None


def _load_objects(folder: Path, required_type: str | None, substitute: _Substituter) -> dict[str, dict[str, Any]]:
    objects: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.glob("*.conf.json")):
        loaded = _read_json(path)
        for raw in loaded if isinstance(loaded, list) else [loaded]:
            if not isinstance(raw, dict) or not isinstance(raw.get("_id"), str):
                raise ConfigError(f"{path}: every object needs a string _id")
            obj = substitute(raw, f"{folder.name}/{raw['_id']}")
            if required_type and obj.get("type") != required_type:
                raise ConfigError(f"{path}: {raw['_id']} has type {obj.get('type')!r}, expected {required_type!r}")
            if obj["_id"] in objects:
                raise ConfigError(f"{path}: duplicate _id {obj['_id']!r}")
            objects[obj["_id"]] = obj
    return objects


def hops_datasets(expression: Any) -> Iterator[str]:
    """Dataset ids named by `hops`/`apply-hops` (or a literal `lookup-entity`) anywhere inside a DTL rule set."""
    if isinstance(expression, list):
        if len(expression) > 1 and expression[0] == "lookup-entity" and isinstance(expression[1], str):
            yield expression[1]
        if expression and expression[0] in ("hops", "apply-hops"):
            for spec in expression[1:]:
                if isinstance(spec, dict):
                    for dataset in spec.get("datasets", []):
                        yield dataset.split()[0]
        for item in expression:
            yield from hops_datasets(item)
    elif isinstance(expression, dict):
        for item in expression.values():
            yield from hops_datasets(item)


def source_datasets(source: dict[str, Any]) -> Iterator[str]:
    kind = source.get("type")
    if kind == "dataset":
        yield source.get("dataset", "")
    elif kind == "merge":
        for spec in source.get("datasets", []):
            yield spec.split()[0]
    elif kind == "conditional":
        for alternative in source.get("alternatives", {}).values():
            yield from source_datasets(alternative)


def transforms_of(pipe: dict[str, Any]) -> list[dict[str, Any]]:
    transform = pipe.get("transform")
    if transform is None:
        return []
    return transform if isinstance(transform, list) else [transform]


def validate(config: Config) -> None:
    produced = {dataset for pipe in config.pipes.values() if (dataset := sink_dataset(pipe))}
    problems: list[str] = []
    for system_id, system in config.systems.items():
        check_system(system_id, system)
    for pipe_id, pipe in config.pipes.items():
        where = f"pipe {pipe_id}"
        if "/" in pipe_id:
            problems.append(f"{where}: _id must not contain '/'")
        if not isinstance(pipe.get("source"), dict):
            problems.append(f"{where}: has no source")
            continue
        for part in _parts_with_systems(pipe):
            if part.get("system") is not None and part["system"] not in config.systems:
                problems.append(f"{where}: refers to unknown system {part['system']!r}")
        referenced = list(source_datasets(pipe["source"]))
        for transform in transforms_of(pipe):
            referenced.extend(hops_datasets(transform.get("rules", {})))
        for dataset in referenced:
            if dataset not in produced:
                problems.append(f"{where}: refers to dataset {dataset!r} that no pipe writes")
    if problems:
        raise ConfigError("invalid sesam-config:\n  " + "\n  ".join(problems))


def _parts_with_systems(pipe: dict[str, Any]) -> Iterator[dict[str, Any]]:
    source = pipe["source"]
    yield source
    for alternative in source.get("alternatives", {}).values() if source.get("type") == "conditional" else []:
        yield alternative
    if isinstance(pipe.get("sink"), dict):
        yield pipe["sink"]
