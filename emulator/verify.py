"""`python -m emulator test`: what `sesam test` does (sesam-py `upload`, `run`, `verify`, `update`), done offline.

Upload: the profile `test-env.json` becomes the environment (sesam-py fails without it), and each
`testdata/<pipe>.json` is posted to `/receivers/<pipe>/entities`, which "is only supported for pipes that have an
'http_endpoint' source" (hub/swagger_public.yaml): a file for a pipe that has none, or that does not exist, fails
the test as the upload would. Run: every pipe round after round until nothing changes; output pipes push nothing,
their entities are captured at the sink stage. Verify, as sesam-py does it:

- an output pipe is one whose effective sink has no `dataset` (and whose source is not `embedded`);
- specs are `expected/*.test.json`; each names its `pipe` (default: the file name) and `file` (default
  `<name>.json`) and may set `ignore`, `ignore_deletes` (default true), `blacklist` and `fields_to_sort_by`;
- a spec for a pipe that is not an output pipe fails, so does a spec whose expected file is missing, and so does an
  output pipe no spec names — unless there are no specs at all, which sesam-py only warns about ("Found no tests");
- entities lose every `_` property but `_id` and `_deleted: true`, at any depth, and blacklisted paths; floats that
  are whole numbers become integers; deletes are left out unless the expected file lists them; both sides are sorted
  and must match in length, then as sorted-key JSON.

`--update` writes what `sesam update` writes: expected files as sorted-key JSON indented by two spaces, `<`, `>`
and `&` escaped, deletes left out; an empty spec for an output pipe that has none; specs of vanished pipes removed.
"""
from __future__ import annotations

import difflib
import json
from copy import deepcopy
from dataclasses import dataclass, field
from decimal import Decimal
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

from emulator.errors import ConfigError, Unsupported
from emulator.pipes import Pipe, capture_dataset
from emulator.runner import Emulator, Report

PROFILE = "test-env.json"
UPLOAD_DOC = "hub/swagger_public.yaml, /receivers/{pipe_id}/entities"
JS_SAFE_INTEGER_DIGITS = len("9007199254740991")


@dataclass
class Verification:
    spec: str
    pipe: str
    passed: bool
    diff: str = ""


@dataclass
class TestRun:
    report: Report
    results: list[Verification] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # what fails the test besides a comparison
    warnings: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures and all(result.passed for result in self.results)


@dataclass
class Spec:
    """One `expected/<name>.test.json` (sesam-py `TestSpec`)."""
    path: Path
    values: dict[str, Any]

    @property
    def name(self) -> str:
        return self.path.name[: -len(".test.json")]

    @property
    def pipe(self) -> str:
        return str(self.values.get("pipe", self.name))

    @property
    def file(self) -> Path:
        return self.path.parent / str(self.values.get("file", f"{self.name}.json"))

    @property
    def ignore(self) -> bool:
        return self.values.get("ignore", False) is True

    @property
    def ignore_deletes(self) -> bool:
        return self.values.get("ignore_deletes", True) is True

    def blacklisted(self, path: list[str]) -> bool:
        dotted = ".".join(path).replace(r"\.", ".")
        return any(fnmatch(dotted, pattern.replace("[].", ".*.")) for pattern in self.values.get("blacklist") or [])

    def sort_key(self, entity: dict[str, Any]) -> list[Any]:
        key: list[Any] = []
        for name in self.values.get("fields_to_sort_by", ["_id"]):
            value = entity.get(name)
            key.append(json.dumps(value, ensure_ascii=False, sort_keys=True) if isinstance(value, dict) else value)
        return [*key, json.dumps(entity, ensure_ascii=False, sort_keys=True)]

    def filter(self, value: Any, path: list[str] | None = None) -> Any:
        """sesam-py `filter_entity`: reserved properties go at every depth, but `_id` and `_deleted: true`."""
        path = path or []
        if isinstance(value, list):
            return [self.filter(item, path) for item in value]
        if not isinstance(value, dict):
            return value
        kept = {}
        for key, item in value.items():
            if self.blacklisted([*path, key]):
                continue
            if key.startswith("_"):
                if key == "_id" or (key == "_deleted" and item is True):
                    kept[key] = item
                continue
            kept[key] = self.filter(item, [*path, key])
        return kept


def run_tests(config_dir: Path, env: dict[str, Any], secrets: dict[str, str], rounds: int | None,
              update: bool) -> TestRun:
    config_dir = Path(config_dir)
    if not (config_dir / PROFILE).is_file():
        raise ConfigError(f"{config_dir / PROFILE} is missing: sesam upload installs the profile's variables from it "
                          "and stops without it")
    emulator = Emulator(config_dir, {}, env, secrets, capture_output=True)
    failures = upload_testdata(emulator)
    report = emulator.run(rounds=rounds)
    run = TestRun(report, failures=failures, warnings=list(report.warnings))
    if update:
        update_expected(emulator, run)
    else:
        verify(emulator, run)
    return run


def upload_testdata(emulator: Emulator) -> list[str]:
    """Post each `testdata/<pipe>.json` to its pipe, as `sesam upload` does; what the node would refuse fails."""
    folder = emulator.config.folder / "testdata"
    pipes = {pipe.id: pipe for pipe in emulator.pipes}
    failures = []
    for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
        if not path.is_file() or not path.name.lower().endswith(".json"):
            continue
        pipe_id = path.name[: -len(".json")]
        where = f"testdata/{path.relative_to(folder)}"
        try:
            entities = json.loads(path.read_text(encoding="utf-8-sig"))
        except ValueError as error:
            failures.append(f"{where}: not valid JSON ({error})")
            continue
        pipe = pipes.get(pipe_id)
        if pipe is None or pipe.source_spec.get("type") != "http_endpoint":
            what = "there is no such pipe" if pipe is None else f"its source is {pipe.source_spec.get('type')!r}"
            failures.append(f"{where}: sesam upload posts it to /receivers/{pipe_id}/entities, which only a pipe with "
                            f"an http_endpoint source accepts ({UPLOAD_DOC}); {what}")
            continue
        if entities is None:
            continue  # sesam-py skips a file holding null
        if not isinstance(entities, (list, dict)) or any(not isinstance(e, dict) for e in _listed(entities)):
            failures.append(f"{where}: the receiver takes an entity or a list of entities")
            continue
        pipe.receive(_listed(entities))
    return failures


def output_pipes(emulator: Emulator) -> list[Pipe]:
    """sesam-py `get_pipe_type` on the effective configuration: an embedded source makes an input pipe; a sink
    without `dataset` makes an output pipe."""
    return [pipe for pipe in emulator.pipes
            if pipe.source_spec.get("type") != "embedded" and pipe.output_dataset is None]


def load_specs(emulator: Emulator, run: TestRun, update: bool) -> dict[str, list[Spec]]:
    folder = emulator.config.folder / "expected"
    outputs = {pipe.id for pipe in output_pipes(emulator)}
    specs: dict[str, list[Spec]] = {}
    for path in sorted(folder.glob("*.test.json")):
        try:
            values = json.loads(path.read_text(encoding="utf-8-sig"))
        except ValueError as error:
            raise ConfigError(f"{path}: not valid JSON ({error})") from None
        if not isinstance(values, dict):
            raise ConfigError(f"{path}: a test spec must be a JSON object")
        spec = Spec(path, values)
        _check_supported(spec)
        if spec.pipe not in outputs:
            if update and not spec.ignore:
                path.unlink()
                continue
            run.failures.append(f"expected/{path.name} names {spec.pipe!r}, which is not an output pipe")
            continue
        if not spec.ignore and not spec.file.is_file():
            if update:
                spec.file.write_text("[]\n", encoding="utf-8")
            else:
                run.failures.append(f"expected/{path.name}: its expected file expected/{spec.file.name} is missing")
                continue
        if spec.ignore and spec.file.is_file() and not update:
            run.warnings.append(f"{spec.pipe} is ignored, but expected/{spec.file.name} still exists")
        specs.setdefault(spec.pipe, []).append(spec)
    if update:
        for pipe_id in sorted(outputs - set(specs)):
            path = folder / f"{pipe_id}.test.json"
            folder.mkdir(exist_ok=True)
            path.write_text("{\n}", encoding="utf-8")
            specs[pipe_id] = [Spec(path, {})]
    return specs


def _check_supported(spec: Spec) -> None:
    if spec.values.get("endpoint", "json") != "json":
        raise Unsupported(f"expected/{spec.path.name}", f"endpoint {spec.values['endpoint']!r}")
    if spec.values.get("stage") not in (None, "sink"):
        raise Unsupported(f"expected/{spec.path.name}", f"stage {spec.values['stage']!r}")


def current_output(emulator: Emulator, spec: Spec) -> list[dict[str, Any]]:
    return [spec.filter(entity) for entity in emulator.dataset(capture_dataset(spec.pipe))]


def verify(emulator: Emulator, run: TestRun) -> None:
    specs = load_specs(emulator, run, update=False)
    if not specs and not run.failures:
        run.warnings.append("found no tests (expected/*.test.json) to run: sesam verify passes without comparing")
        return
    for pipe in output_pipes(emulator):
        if pipe.id not in specs:
            run.failures.append(f"no test (expected/*.test.json) names the output pipe {pipe.id!r}")
            continue
        for spec in specs[pipe.id]:
            if not spec.ignore:
                run.results.append(_compare(emulator, spec))


def _compare(emulator: Emulator, spec: Spec) -> Verification:
    expected = json.loads(spec.file.read_text(encoding="utf-8-sig"))
    current = current_output(emulator, spec)
    if spec.ignore_deletes:
        expected_deletes = {e["_id"] for e in expected if e.get("_deleted", False) is True}
        current = [e for e in current if e.get("_deleted", False) is not True or e["_id"] in expected_deletes]
    expected_sorted = sorted(expected, key=spec.sort_key)
    current_sorted = sorted(fix_decimals_to_ints(deepcopy(current)), key=spec.sort_key)
    left, right = _canonical(expected_sorted), _canonical(current_sorted)
    diff = "\n".join(difflib.unified_diff(left.splitlines(), right.splitlines(), f"expected/{spec.file.name}",
                                          "current-output.json", lineterm=""))
    if len(expected_sorted) != len(current_sorted):
        diff = f"length mismatch: expected {len(expected_sorted)} got {len(current_sorted)}\n{diff}"
    return Verification(spec.name, spec.pipe, left == right and len(expected_sorted) == len(current_sorted), diff)


def update_expected(emulator: Emulator, run: TestRun) -> None:
    specs = load_specs(emulator, run, update=True)
    if not specs:
        raise ConfigError("found no tests (expected/*.test.json) to update, and no output pipe to create one for")
    for pipe_specs in specs.values():
        for spec in pipe_specs:
            if spec.ignore:
                continue
            current = fix_decimals_to_ints(current_output(emulator, spec))
            if spec.ignore_deletes:
                current = [e for e in current if e.get("_deleted", False) is False]
            spec.file.write_text(expected_text(sorted(current, key=spec.sort_key)), encoding="utf-8")
            run.results.append(Verification(spec.name, spec.pipe, True))


def expected_text(entities: list[dict[str, Any]]) -> str:
    """An expected file as `sesam update` writes it (UTF-8, html characters escaped as Go's encoder does)."""
    text = json.dumps(entities, indent="  ", sort_keys=True, ensure_ascii=False) + "\n"
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def fix_decimals_to_ints(value: Any) -> Any:
    """sesam-py `_fix_decimal_to_ints`: a float that is a whole number becomes an integer, and integers longer
    than JavaScript's safe range go through a float, as the node's client delivers them."""
    if isinstance(value, dict):
        return {key: fix_decimals_to_ints(item) for key, item in value.items()}
    if isinstance(value, list):
        return [fix_decimals_to_ints(item) for item in value]
    if isinstance(value, (float, Decimal)) and not isinstance(value, bool) and str(value).endswith(".0"):
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and len(str(value)) > JS_SAFE_INTEGER_DIGITS:
        return int(Decimal(str(float(value))))
    return value


def _canonical(entities: list[dict[str, Any]]) -> str:
    return json.dumps(entities, indent=2, sort_keys=True, ensure_ascii=False)


def _listed(entities: Any) -> list[Any]:
    return entities if isinstance(entities, list) else [entities]

