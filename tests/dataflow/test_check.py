"""`check_config` catches each kind of structural problem, one broken fixture at a time, and passes the repo's config."""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from config_fixture import fixture_pipes, fixture_systems, write_config

from dataflow.check import check_config
from emulator.retries import retry_setting
from emulator.systems import System

REPO = Path(__file__).resolve().parents[2]

Pipes = dict[str, dict[str, Any]]


def test_the_fixture_config_has_no_problems(config_folder: Path) -> None:
    assert check_config(config_folder) == []


def _rename(pipes: Pipes, old: str, new: str) -> None:
    pipes[new] = {**pipes.pop(old), "_id": new}


def _drop_test_alternative(pipes: Pipes) -> None:
    del pipes["woocommerce-product-collect"]["source"]["alternatives"]["test"]


def _unknown_sink_system(pipes: Pipes) -> None:
    pipes["customwebshop-product-share"]["sink"]["system"] = "webshop"


def _unknown_prod_system(pipes: Pipes) -> None:
    pipes["woocommerce-product-collect"]["source"]["alternatives"]["prod"]["system"] = "woo"


def _unknown_merge_dataset(pipes: Pipes) -> None:
    pipes["global-product"]["source"]["datasets"][1] = "customwebshop-product c"


def _unknown_hops_dataset(pipes: Pipes) -> None:
    rules = pipes["customwebshop-product-transform"]["transform"]["rules"]
    rules["default"][0][2][1][1]["datasets"] = ["customwebshop-product-enriched ce"]


def _unknown_source_dataset(pipes: Pipes) -> None:
    del pipes["customwebshop-product-transform"]  # the share pipe still reads its dataset


def _unimplemented_function(pipes: Pipes) -> None:
    pipes["woocommerce-product-enrich"]["transform"]["rules"]["default"].append(["add", "x", ["no-such-fn", 1]])


def _unimplemented_transform(pipes: Pipes) -> None:
    pipes["customwebshop-product-enrich"]["transform"]["rules"]["default"].append(["no-such-transform", "x"])


def _secret_in_a_pipe(pipes: Pipes) -> None:
    pipes["customwebshop-product-share"]["sink"]["headers"] = {"Authorization": "Bearer $SECRET(service-token)"}


def _untrackable_hops(pipes: Pipes) -> None:
    rules = pipes["customwebshop-product-transform"]["transform"]["rules"]
    spec = rules["default"][0][2][1][1]
    rules["default"][0][2] = ["first", ["map", ["first", ["hops", {**spec, "where": [["eq", "_.", "ce.sku-key"]]}]],
                                        "_S.sku-key"]]


def _python_transform(pipes: Pipes) -> None:
    pipes["customwebshop-product-enrich"]["transform"] = {"type": "http", "system": "customwebshop", "url": "/x"}


@pytest.mark.parametrize(("breakage", "expected"), [
    (lambda pipes: _rename(pipes, "global-product", "global-products"),
     "pipe global-products: name does not follow the convention"),
    (lambda pipes: _rename(pipes, "woocommerce-product-collect", "woo-product-collect"),
     "pipe woo-product-collect: name does not follow the convention"),
    (_drop_test_alternative, "pipe woocommerce-product-collect: conditional source has no 'test' alternative"),
    (_unknown_sink_system, "pipe customwebshop-product-share: refers to system 'webshop'"),
    (_unknown_prod_system, "pipe woocommerce-product-collect: refers to system 'woo'"),
    (_unknown_merge_dataset, "pipe global-product: refers to dataset 'customwebshop-product', which no pipe writes"),
    (_unknown_hops_dataset, "pipe customwebshop-product-transform: refers to dataset 'customwebshop-product-enriched'"),
    (_unknown_source_dataset,
     "pipe customwebshop-product-share: refers to dataset 'customwebshop-product-transform', which no pipe writes"),
    (_unimplemented_function, "DTL function 'no-such-fn' is not supported"),
    (_unimplemented_transform, "DTL transform function 'no-such-transform' is not supported"),
    (_python_transform, "transform type 'http' is not run by the offline runner"),
    (_untrackable_hops, "pipe customwebshop-product-transform: rule 'default': hops 'ce' "
                        "(customwebshop-product-enrich) cannot be tracked"),
    (_secret_in_a_pipe, "pipe customwebshop-product-share: uses $SECRET(..), which a node substitutes only in systems"),
])
def test_each_kind_of_problem_is_caught(tmp_path: Path, breakage: Callable[[Pipes], None], expected: str) -> None:
    pipes = fixture_pipes()
    breakage(pipes)
    problems = check_config(write_config(tmp_path, pipes, fixture_systems()))
    assert any(expected in problem for problem in problems), problems


def test_a_sink_naming_its_dataset_satisfies_readers(tmp_path: Path) -> None:
    pipes = fixture_pipes()
    pipes["global-product"]["sink"] = {"type": "dataset", "dataset": "global-product-merged"}
    problems = check_config(write_config(tmp_path, pipes, fixture_systems()))
    assert problems == ["pipe customwebshop-product-transform: refers to dataset 'global-product', "
                        "which no pipe writes"]
    pipes["customwebshop-product-transform"]["source"]["dataset"] = "global-product-merged"
    assert check_config(write_config(tmp_path, pipes, fixture_systems())) == []


@pytest.mark.parametrize(("text", "expected"), [
    ('{"_id": "woocommerce-product-collect", "type": "pipe",', "pipes/broken.conf.json: not valid JSON"),
    ('{"type": "pipe", "source": {"type": "embedded"}}', "pipes/broken.conf.json: an object without a string _id"),
    ('{"_id": "global-order", "source": {"type": "embedded"}}', "global-order has type None, expected 'pipe'"),
    ('{"_id": "global-order", "type": "system:microservice", "source": {}}', "has type 'system:microservice'"),
])
def test_broken_pipe_files_are_named(config_folder: Path, text: str, expected: str) -> None:
    (config_folder / "pipes" / "broken.conf.json").write_text(text, encoding="utf-8")
    assert any(expected in problem for problem in check_config(config_folder)), check_config(config_folder)


def test_a_system_file_needs_a_system_type(config_folder: Path) -> None:
    (config_folder / "systems" / "woocommerce.conf.json").write_text(
        json.dumps({"_id": "woocommerce", "type": "pipe"}), encoding="utf-8")
    assert check_config(config_folder) == ["systems/woocommerce.conf.json: woocommerce has type 'pipe', "
                                           "expected 'system:'…"]


@pytest.mark.parametrize("name", ["node-metadata.conf.json", "test-env.json"])
def test_required_files_are_missing(config_folder: Path, name: str) -> None:
    (config_folder / name).unlink()
    assert check_config(config_folder) == [f"{name} is missing"]


def test_every_problem_is_listed_not_only_the_first(tmp_path: Path) -> None:
    pipes = fixture_pipes()
    _unknown_sink_system(pipes)
    _drop_test_alternative(pipes)
    _unimplemented_function(pipes)
    assert len(check_config(write_config(tmp_path, pipes, fixture_systems()))) == 3


@pytest.mark.skipif(not (REPO / "sesam-config").is_dir(), reason="sesam-config/ is not generated in this branch yet")
def test_the_repository_config_has_no_problems() -> None:
    assert check_config(REPO / "sesam-config") == []


def test_the_service_token_travels_as_the_systems_basic_password() -> None:
    # security.rst: secrets only in systems; configuration-systems-microservice.rst: authentication basic|digest
    for path in (REPO / "sesam-config" / "pipes").glob("*.conf.json"):
        assert "$SECRET" not in path.read_text(encoding="utf-8"), path.name
    for name in ("woocommerce", "customwebshop"):
        system = json.loads((REPO / "sesam-config" / "systems" / f"{name}.conf.json").read_text(encoding="utf-8"))
        assert (system["authentication"], system["username"], system["password"]) == (
            "basic", "sesam", "$SECRET(service-token)")
        assert "headers" not in system


def test_share_pumps_retry_as_the_receivers_answer() -> None:
    # The pump's own retry property would win over the system's strategy (configuration-systems-url.rst): as a node
    # reads them, a 4xx is dead-lettered at once, 429 and 503 are retried with a delay.
    for system_id in ("woocommerce", "customwebshop"):
        spec = json.loads((REPO / "sesam-config" / "systems" / f"{system_id}.conf.json").read_text(encoding="utf-8"))
        system = System(system_id, spec, None)
        for type_name in ("order", "product", "customer"):
            path = REPO / "sesam-config" / "pipes" / f"{system_id}-{type_name}-share.conf.json"
            pump = json.loads(path.read_text(encoding="utf-8"))["pump"]
            effective = {status: (retry_setting("max_retries_per_entity", status, pump, system),
                                  retry_setting("write_retry_delay", status, pump, system))
                         for status in (400, 413, 422, 431, 429, 503, 500)}
            assert effective == {400: (0, 0), 413: (0, 0), 422: (0, 0), 431: (0, 0), 429: (30, 60), 503: (30, 60),
                                 500: (5, 60)}, path.name


def test_global_pipes_are_marked_global_and_collect_pipes_accept_an_empty_source() -> None:
    # data-management.rst: a global pipe carries "metadata": {"global": true}; configuration-sources-json.rst:
    # if_source_empty "fail" fails every run that reads nothing, incremental ones included
    for path in (REPO / "sesam-config" / "pipes").glob("*.conf.json"):
        pipe = json.loads(path.read_text(encoding="utf-8"))
        assert (pipe.get("metadata") == {"global": True}) == pipe["_id"].startswith("global-"), path.name
        if pipe["_id"].endswith("-collect"):
            assert pipe["source"]["alternatives"]["prod"]["if_source_empty"] == "accept", path.name
