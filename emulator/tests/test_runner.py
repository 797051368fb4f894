"""The runner: dependency order, rounds until nothing changes, reports, the command line and `test`/verify
(sesam-py verify: expected/<pipe>.json, `_` properties stripped except `_id` and `_deleted: true`)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from emulator import Emulator
from emulator.__main__ import main
from emulator.tests.conftest import Service, microservice, write_config

REPO = Path(__file__).resolve().parents[2]


def flow(namespaced: bool = True) -> list[dict[str, Any]]:
    """collect (JSON Pull) → global (merge v2) → share (JSON Push): the shape of the product's pipes."""
    return [
        {"_id": "shop-product-share", "source": {"type": "dataset", "dataset": "global-product"},
         "transform": {"type": "dtl", "rules": {"default": [
             ["add", "_id", ["first", ["ni-id", "_S.$ids"]]], ["add", "sku", ["first", "_S.shop-product:sku"]]]}},
         "sink": {"type": "json", "system": "shop", "url": "/receiver"}},
        {"_id": "global-product", "source": {"type": "merge", "version": 2, "datasets": ["shop-product p"],
                                             "equality": [], "identity": "first"}},
        {"_id": "shop-product", "source": {"type": "json", "system": "shop", "url": "/entities"}},
    ]


def test_pipes_run_in_dependency_order_until_settled(tmp_path: Path, service: Service) -> None:
    fake, url = service
    fake.entities = [{"_id": "76", "_updated": 1, "sku": "A"}]
    write_config(tmp_path, flow(), [microservice("shop")], metadata={"namespaced_identifiers": True})
    emulator = Emulator(tmp_path, {"shop": url})
    assert [p.id for p in emulator.order] == ["shop-product", "global-product", "shop-product-share"]
    report = emulator.run()
    assert report.settled and len(report.rounds) == 2
    first = {p.pipe: (p.read, p.written, p.pushed) for p in report.rounds[0]}
    assert first == {"shop-product": (1, 1, 0), "global-product": (1, 1, 0), "shop-product-share": (1, 0, 1)}
    assert [e for e in fake.pushed_batches[0]][0]["_id"] == "76"
    assert fake.pushed_batches[0][0]["sku"] == "A"


def test_round_limit_is_respected(tmp_path: Path, service: Service) -> None:
    fake, url = service
    fake.entities = [{"_id": "76", "_updated": 1, "sku": "A"}]
    write_config(tmp_path, flow(), [microservice("shop")], metadata={"namespaced_identifiers": True})
    report = Emulator(tmp_path, {"shop": url}).run(rounds=1)
    assert len(report.rounds) == 1 and not report.settled


def test_pipes_in_mode_off_do_not_run(tmp_path: Path) -> None:
    write_config(tmp_path, [{"_id": "a", "source": {"type": "embedded", "entities": [{"_id": "1"}]},
                             "pump": {"mode": "off"}}])
    report = Emulator(tmp_path).run()
    assert report.rounds == [[]]


def test_secrets_never_reach_errors(tmp_path: Path, service: Service) -> None:
    fake, url = service
    fake.entities = [{"_id": "hunter2", "_updated": 1}]  # a service echoing a secret into what the run reports
    pipes = [{"_id": "p", "source": {"type": "json", "system": "shop", "url": "/entities"},
              "transform": {"type": "dtl", "rules": {"default": [["add", "x", ["apply", "nowhere", "_S."]]]}}}]
    write_config(tmp_path, pipes, [microservice("shop")])
    report = Emulator(tmp_path, {"shop": url}, secrets={"token": "hunter2"}).run(rounds=1)
    assert report.errors and not any("hunter2" in error for error in report.errors)
    assert "'***'" in report.errors[0]


def test_command_line_run(tmp_path: Path, service: Service) -> None:
    fake, url = service
    fake.entities = [{"_id": "76", "_updated": 1, "sku": "A"}]
    write_config(tmp_path / "sesam-config", flow(), [microservice("shop")], metadata={"namespaced_identifiers": True})
    result = subprocess.run(
        [sys.executable, "-m", "emulator", "run", str(tmp_path / "sesam-config"), "--system", f"shop={url}",
         "--env", "node-env=prod", "--secret", "unused=x", "--rounds", "3", "--state", str(tmp_path / "state"),
         "--json"],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["settled"] is True
    assert [p["pipe"] for p in report["rounds"][0]] == ["shop-product", "global-product", "shop-product-share"]
    assert (tmp_path / "state" / "pipes.json").exists()
    assert fake.pushed_batches[0][0]["_id"] == "76"


def test_command_line_refusal_exits_2(tmp_path: Path, capsys: Any) -> None:
    write_config(tmp_path, [{"_id": "p", "source": {"type": "sql"}}])
    assert main(["run", str(tmp_path)]) == 2
    assert "pipe p: source type 'sql' is not supported" in capsys.readouterr().err


def test_command_line_rejects_malformed_pairs(tmp_path: Path) -> None:
    write_config(tmp_path, [{"_id": "p", "source": {"type": "embedded", "entities": []}}])
    try:
        main(["run", str(tmp_path), "--system", "shop"])
    except SystemExit as stop:
        assert "--system expects NAME=VALUE" in str(stop)
    else:
        raise AssertionError("a --system without '=' must be refused")


def verify_config(folder: Path, expected: list[dict[str, Any]] | None) -> Path:
    source = {"type": "conditional", "condition": "$ENV(node-env)",
              "alternatives": {"prod": {"type": "json", "system": "shop", "url": "/entities"},
                               "test": {"type": "embedded", "entities": [{"_id": "1", "sku": "A", "_updated": 5}]}}}
    pipes = [{"_id": "shop-product", "source": source},
             {"_id": "shop-product-share", "source": {"type": "dataset", "dataset": "shop-product"},
              "transform": {"type": "dtl", "rules": {"default": [["copy", "*"], ["add", "seen", True]]}},
              "sink": {"type": "json", "system": "shop", "url": "/receiver"}}]
    write_config(folder, pipes, [microservice("shop")], env={"node-env": "test"})
    if expected is not None:
        (folder / "expected").mkdir()
        (folder / "expected" / "shop-product-share.test.json").write_text("{}")
        (folder / "expected" / "shop-product-share.json").write_text(json.dumps(expected))
    return folder


def test_test_command_compares_output_pipes_with_expected(tmp_path: Path, capsys: Any) -> None:
    folder = verify_config(tmp_path, [{"_id": "1", "sku": "A", "seen": True}])
    assert main(["test", str(folder)]) == 0
    assert "PASS shop-product-share" in capsys.readouterr().out


def test_test_command_reports_a_diff(tmp_path: Path, capsys: Any) -> None:
    folder = verify_config(tmp_path, [{"_id": "1", "sku": "B", "seen": True}])
    assert main(["test", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "FAIL shop-product-share" in out and '-    "sku": "B"' in out and '+    "sku": "A"' in out


def test_test_command_update_writes_expected(tmp_path: Path) -> None:
    folder = verify_config(tmp_path, None)
    assert main(["test", str(folder), "--update"]) == 0
    assert json.loads((folder / "expected" / "shop-product-share.json").read_text()) == [
        {"_id": "1", "seen": True, "sku": "A"}]
    assert main(["test", str(folder)]) == 0


def test_test_command_reads_testdata_and_applies_the_spec(tmp_path: Path, capsys: Any) -> None:
    # sesam-py: testdata/<pipe>.json is posted to the pipe's http_endpoint; the spec's blacklist drops paths and
    # deleted entities are ignored unless the expected file lists them
    pipes = [{"_id": "incoming", "source": {"type": "http_endpoint"}},
             {"_id": "outgoing", "source": {"type": "dataset", "dataset": "incoming"},
              "sink": {"type": "json", "system": "shop", "url": "/receiver"}}]
    write_config(tmp_path, pipes, [microservice("shop")], env={"node-env": "test"})
    (tmp_path / "testdata").mkdir()
    (tmp_path / "testdata" / "incoming.json").write_text(json.dumps([
        {"_id": "1", "name": "a", "meta": {"stamp": 1}}, {"_id": "2", "_deleted": True, "name": "gone"}]))
    (tmp_path / "expected").mkdir()
    (tmp_path / "expected" / "out.test.json").write_text(json.dumps({"pipe": "outgoing", "blacklist": ["meta.stamp"]}))
    (tmp_path / "expected" / "out.json").write_text(json.dumps([{"_id": "1", "name": "a", "meta": {}}]))
    assert main(["test", str(tmp_path)]) == 0, capsys.readouterr().out


def test_command_line_fails_when_the_pipes_never_settle(tmp_path: Path, capsys: Any) -> None:
    # an embedded source whose entity changes on every run (now) keeps changing the dataset: it never settles
    write_config(tmp_path, [{"_id": "p", "source": {"type": "embedded", "entities": [{"_id": "1"}]},
                             "transform": {"type": "dtl", "rules": {"default": [["copy", "*"], ["add", "t", ["now"]]]}}}])
    assert main(["run", str(tmp_path)]) == 1
    assert "stopped at the round limit" in capsys.readouterr().out
    assert main(["run", str(tmp_path), "--rounds", "2"]) == 0
