"""`python -m emulator test`: what `sesam test` does after uploading, done offline (sesam-py `verify()`/`update()`).

Pipes run with `node-env=test` (so conditional sources take their `test` alternative) and `testdata/<pipe>.json`
feeding `http_endpoint` sources. Output pipes (a sink that is not a dataset sink) push nothing: their sink-stage
entities are captured and compared with `expected/<pipe>.json` the way sesam-py does: every `_` property except `_id`
and `_deleted: true` is stripped, deleted entities are ignored unless `ignore_deletes` is false or the expected file
lists them, both sides are sorted by `_id`. A `<pipe>.test.json` spec may set `pipe`, `file`, `ignore`,
`ignore_deletes` and `blacklist` (dotted paths, `*` for any list item).
"""
from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emulator.pipes import capture_dataset
from emulator.runner import Emulator, Report


@dataclass
class Verification:
    pipe: str
    passed: bool
    diff: str = ""


def filter_entity(entity: dict[str, Any]) -> dict[str, Any]:
    kept = {key: value for key, value in entity.items() if not key.startswith("_")}
    kept["_id"] = entity["_id"]
    if entity.get("_deleted") is True:
        kept["_deleted"] = True
    return kept


def _drop_path(value: Any, steps: list[str]) -> None:
    if not steps:
        return
    head, rest = steps[0], steps[1:]
    if isinstance(value, list):
        for item in value:
            _drop_path(item, steps if head != "*" else rest)
    elif isinstance(value, dict):
        if not rest:
            value.pop(head, None)
        elif head in value:
            _drop_path(value[head], rest)


def _load_specs(folder: Path, output_pipes: list[str]) -> dict[str, dict[str, Any]]:
    specs: dict[str, dict[str, Any]] = {}
    for path in sorted((folder / "expected").glob("*.test.json")):
        spec = json.loads(path.read_text(encoding="utf-8"))
        name = path.name[: -len(".test.json")]
        specs[spec.get("pipe", name)] = {"file": f"{name}.json", **spec}
    for pipe_id in output_pipes:
        specs.setdefault(pipe_id, {"file": f"{pipe_id}.json"})
    return specs


def verify(emulator: Emulator, update: bool = False) -> list[Verification]:
    folder = emulator.config.folder
    outputs = [pipe.id for pipe in emulator.pipes if pipe.output_dataset is None]
    results = []
    for pipe_id, spec in _load_specs(folder, outputs).items():
        if spec.get("ignore") is True:
            continue
        current = [filter_entity(e) for e in emulator.dataset(capture_dataset(pipe_id))]
        for path in spec.get("blacklist", []):
            for entity in current:
                _drop_path(entity, path.split("."))
        expected_path = folder / "expected" / spec["file"]
        if update:
            expected_path.parent.mkdir(exist_ok=True)
            ordered = sorted(current, key=lambda e: e["_id"])
            expected_path.write_text(json.dumps(ordered, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            results.append(Verification(pipe_id, True))
            continue
        expected = json.loads(expected_path.read_text(encoding="utf-8")) if expected_path.exists() else []
        if spec.get("ignore_deletes", True):
            expected_deleted = {e["_id"] for e in expected if e.get("_deleted") is True}
            current = [e for e in current if not e.get("_deleted") or e["_id"] in expected_deleted]
        left = _canonical(expected)
        right = _canonical(current)
        lines = difflib.unified_diff(left.splitlines(), right.splitlines(), "expected", "current", lineterm="")
        diff = "\n".join(lines)
        results.append(Verification(pipe_id, left == right, diff))
    return results


def _canonical(entities: list[dict[str, Any]]) -> str:
    ordered = sorted(entities, key=lambda e: (e["_id"], json.dumps(e, sort_keys=True)))
    return json.dumps(ordered, indent=2, sort_keys=True, ensure_ascii=False)


def run_tests(config_dir: Path, env: dict[str, Any], secrets: dict[str, str], rounds: int | None,
              update: bool) -> tuple[Report, list[Verification]]:
    emulator = Emulator(config_dir, {}, {"node-env": "test", **env}, secrets, capture_output=True)
    report = emulator.run(rounds=rounds)
    return report, verify(emulator, update)
