"""`python -m emulator test` fails where `sesam test` would (sesam-py `upload`, `verify`, `update`;
hub/swagger_public.yaml for the receiver `sesam upload` posts test data to)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from emulator.__main__ import main
from emulator.tests.conftest import microservice, write_config

RECEIVED = [{"_id": "1", "name": "Ærø <i>&</i>", "price": 12.0, "meta": {"_seen": 3, "stamp": 1}},
            {"_id": "2", "name": "gone", "_deleted": True}]


def config(folder: Path, extra_pipes: list[dict[str, Any]] | None = None, env: bool = True) -> Path:
    """incoming (http_endpoint in test) → outgoing (json sink): one output pipe."""
    pipes = [{"_id": "incoming", "source": {"type": "conditional", "condition": "$ENV(node-env)", "alternatives": {
                 "prod": {"type": "json", "system": "shop", "url": "/entities"}, "test": {"type": "http_endpoint"}}}},
             {"_id": "outgoing", "source": {"type": "dataset", "dataset": "incoming"},
              "sink": {"type": "json", "system": "shop", "url": "/receiver"}},
             *(extra_pipes or [])]
    write_config(folder, pipes, [microservice("shop")], env={"node-env": "test"} if env else None)
    (folder / "testdata").mkdir(exist_ok=True)
    (folder / "testdata" / "incoming.json").write_text(json.dumps(RECEIVED), encoding="utf-8")
    (folder / "expected").mkdir(exist_ok=True)
    return folder


def expect(folder: Path, name: str, entities: list[dict[str, Any]], spec: dict[str, Any] | None = None) -> None:
    (folder / "expected" / f"{name}.test.json").write_text(json.dumps(spec or {}), encoding="utf-8")
    (folder / "expected" / f"{name}.json").write_text(json.dumps(entities), encoding="utf-8")


def run(folder: Path, capsys: Any, *options: str) -> tuple[int, str]:
    code = main(["test", str(folder), *options])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_entities_are_compared_as_sesam_verify_filters_them(tmp_path: Path, capsys: Any) -> None:
    # sesam-py filter_entity: "_" properties go at every depth but _id and _deleted: true; _fix_decimal_to_ints;
    # ignore_deletes (default true) leaves out deletes the expected file does not list
    folder = config(tmp_path)
    expect(folder, "outgoing", [{"_id": "1", "name": "Ærø <i>&</i>", "price": 12, "meta": {"stamp": 1}}])
    code, out = run(folder, capsys)
    assert code == 0 and "PASS outgoing (expected/outgoing.test.json)" in out, out
    expect(folder, "outgoing", [{"_id": "1", "name": "Ærø <i>&</i>", "price": 12, "meta": {"stamp": 1}},
                                {"_id": "2", "name": "gone", "_deleted": True}])
    assert run(folder, capsys)[0] == 0, "a delete the expected file lists is compared"
    expect(folder, "outgoing", [{"_id": "1", "name": "Ærø <i>&</i>", "price": 12, "meta": {}}],
           {"blacklist": ["meta.stamp"]})
    assert run(folder, capsys)[0] == 0
    expect(folder, "outgoing", [])
    code, out = run(folder, capsys)
    assert code == 1 and "length mismatch: expected 0 got 1" in out


def test_testdata_only_feeds_pipes_with_an_http_endpoint_source(tmp_path: Path, capsys: Any) -> None:
    # swagger_public.yaml /receivers/{pipe_id}/entities: "only supported for pipes that have an 'http_endpoint'
    # source" — the upload, and so the test, fails for any other pipe
    folder = config(tmp_path, [{"_id": "embedded-one", "source": {"type": "embedded", "entities": []}}])
    expect(folder, "outgoing", [{"_id": "1", "name": "Ærø <i>&</i>", "price": 12, "meta": {"stamp": 1}}])
    (folder / "testdata" / "embedded-one.json").write_text("[]", encoding="utf-8")
    (folder / "testdata" / "no-such-pipe.json").write_text("[]", encoding="utf-8")
    code, out = run(folder, capsys)
    assert code == 1
    assert ("FAIL testdata/embedded-one.json: sesam upload posts it to /receivers/embedded-one/entities, which only a "
            "pipe with an http_endpoint source accepts (hub/swagger_public.yaml") in out
    assert "its source is 'embedded'" in out and "testdata/no-such-pipe.json" in out and "there is no such pipe" in out


def test_specs_that_name_no_output_pipe_or_miss_their_file_fail(tmp_path: Path, capsys: Any) -> None:
    second = {"_id": "second-out", "source": {"type": "dataset", "dataset": "incoming"},
              "sink": {"type": "json", "system": "shop", "url": "/receiver"}}
    folder = config(tmp_path, [second])
    expect(folder, "outgoing", [{"_id": "1", "name": "Ærø <i>&</i>", "price": 12, "meta": {"stamp": 1}}])
    code, out = run(folder, capsys)
    assert code == 1 and "no test (expected/*.test.json) names the output pipe 'second-out'" in out
    (folder / "expected" / "second-out.test.json").write_text("{}", encoding="utf-8")
    (folder / "expected" / "incoming.test.json").write_text("{}", encoding="utf-8")
    code, out = run(folder, capsys)
    assert code == 1
    assert "expected/second-out.test.json: its expected file expected/second-out.json is missing" in out
    assert "expected/incoming.test.json names 'incoming', which is not an output pipe" in out


def test_no_specs_at_all_passes_with_a_warning_as_sesam_verify_does(tmp_path: Path, capsys: Any) -> None:
    # sesam-py verify: "IS-8560: no test files should result in a warning, not an error"
    code, out = run(config(tmp_path), capsys)
    assert code == 0 and "warning: found no tests (expected/*.test.json) to run" in out


def test_a_missing_profile_stops_the_test(tmp_path: Path, capsys: Any) -> None:
    # sesam-py upload: "Cannot locate profile file" for <profile>-env.json
    code, out = run(config(tmp_path, env=False), capsys)
    assert code == 2 and "test-env.json is missing" in out


def test_update_writes_what_sesam_update_writes(tmp_path: Path, capsys: Any) -> None:
    folder = config(tmp_path)
    (folder / "expected" / "vanished.test.json").write_text("{}", encoding="utf-8")
    assert run(folder, capsys, "--update")[0] == 0
    assert not (folder / "expected" / "vanished.test.json").exists()
    assert (folder / "expected" / "outgoing.test.json").read_text(encoding="utf-8") == "{\n}"
    assert (folder / "expected" / "outgoing.json").read_text(encoding="utf-8") == (
        '[\n  {\n    "_id": "1",\n    "meta": {\n      "stamp": 1\n    },\n'
        '    "name": "Ærø \\u003ci\\u003e\\u0026\\u003c/i\\u003e",\n    "price": 12\n  }\n]\n')
    assert run(folder, capsys)[0] == 0
