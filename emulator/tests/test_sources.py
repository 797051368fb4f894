"""Sources and the dataset sink over real sockets: JSON Pull continuation (hub/json-pull.rst,
configuration-sources.rst, configuration-sources-json.rst), deletion tracking after full runs
(hub/features/deletion-tracking.rst), dataset source continuation (configuration-sources-dataset.rst) and namespaces
added by sources (hub/features/namespaces.rst)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from emulator import Emulator
from emulator.__main__ import main
from emulator.tests.conftest import Service, microservice, write_config


def json_pipe(**source: Any) -> dict[str, Any]:
    return {"_id": "shop-product-collect", "source": {"type": "json", "system": "shop", "url": "/entities", **source}}


def emulator_for(folder: Path, url: str, pipes: list[dict[str, Any]], **kwargs: Any) -> Emulator:
    write_config(folder, pipes, [microservice("shop")], **kwargs)
    return Emulator(folder, {"shop": url})


def product(number: int, updated: int, **fields: Any) -> dict[str, Any]:
    return {"_id": str(number), "_updated": updated, "sku": f"SKU{number}", **fields}


def test_first_run_is_full_then_since_continues_from_the_max_updated(tmp_path: Path, service: Service) -> None:
    fake, url = service
    fake.entities = [product(1, 10), product(2, 11)]
    emulator = emulator_for(tmp_path, url, [json_pipe(supports_since=True)])
    emulator.run(rounds=1)
    fake.entities.append(product(3, 12))
    emulator.run(rounds=1)
    # default is_since_comparable=true: the offset is the largest _updated seen, passed back verbatim
    assert fake.pull_requests == [{}, {"since": "11"}]
    assert sorted(e["_id"] for e in emulator.dataset("shop-product-collect")) == ["1", "2", "3"]


def test_without_supports_since_every_run_is_full(tmp_path: Path, service: Service) -> None:
    fake, url = service
    fake.entities = [product(1, 10)]
    emulator = emulator_for(tmp_path, url, [json_pipe()])
    emulator.run(rounds=2)
    assert fake.pull_requests == [{}, {}]


def test_chronological_paging_sends_limit_and_follows_the_last_updated(tmp_path: Path, service: Service) -> None:
    fake, url = service
    fake.entities = [product(n, 10 + n) for n in range(5)]
    emulator = emulator_for(tmp_path, url, [json_pipe(supports_since=True, is_chronological=True, page_size=2)])
    report = emulator.run(rounds=1)
    # paging goes on until a page comes back empty (the docs leave the stop rule open; an empty page ends it either way)
    assert fake.pull_requests == [{"limit": "2"}, {"since": "11", "limit": "2"}, {"since": "13", "limit": "2"},
                                  {"since": "14", "limit": "2"}]
    assert report.pipe("shop-product-collect").written == 5


def test_unchanged_entities_write_no_new_versions(tmp_path: Path, service: Service) -> None:
    fake, url = service
    fake.entities = [product(1, 10)]
    emulator = emulator_for(tmp_path, url, [json_pipe()])
    report = emulator.run(rounds=3)
    assert [r[0].written for r in report.rounds] == [1, 0]
    assert report.settled


def test_reserved_fields_from_the_source_are_not_stored(tmp_path: Path, service: Service) -> None:
    fake, url = service
    fake.entities = [product(1, 10, _links={"self": "x"})]
    emulator = emulator_for(tmp_path, url, [json_pipe()])
    emulator.run(rounds=1)
    fake.entities = [product(1, 99, _links={"self": "y"})]
    report = emulator.run(rounds=1)
    assert report.pipe("shop-product-collect").written == 0
    assert "_links" not in emulator.dataset("shop-product-collect")[0]


def test_full_run_deletes_entities_no_longer_returned(tmp_path: Path, service: Service) -> None:
    fake, url = service
    fake.entities = [product(1, 10), product(2, 11)]
    emulator = emulator_for(tmp_path, url, [json_pipe()])
    emulator.run(rounds=1)
    fake.entities = [product(1, 10)]
    report = emulator.run(rounds=1)
    assert report.pipe("shop-product-collect").deleted == 1
    latest = {e["_id"]: e for e in emulator.dataset("shop-product-collect")}
    assert latest["2"]["_deleted"] is True and latest["2"]["sku"] == "SKU2"
    assert latest["1"]["_deleted"] is False


def test_incremental_runs_do_not_delete_but_tombstones_do(tmp_path: Path, service: Service) -> None:
    # "When using continuation support, Sesam will not be able to do automatic deletion tracking."
    fake, url = service
    fake.entities = [product(1, 10), product(2, 11)]
    emulator = emulator_for(tmp_path, url, [json_pipe(supports_since=True)])
    emulator.run(rounds=1)
    fake.entities = [product(3, 12), {"_id": "1", "_updated": 13, "_deleted": True}]
    report = emulator.run(rounds=1)
    assert report.pipe("shop-product-collect").deleted == 0
    latest = {e["_id"]: e["_deleted"] for e in emulator.dataset("shop-product-collect")}
    assert latest == {"1": True, "2": False, "3": False}


def test_rescan_flag_makes_a_full_read_with_deletion_tracking(tmp_path: Path, service: Service) -> None:
    fake, url = service
    fake.entities = [product(1, 10), product(2, 11)]
    emulator = emulator_for(tmp_path, url, [json_pipe(supports_since=True)])
    emulator.run(rounds=1)
    fake.entities = [product(2, 11)]
    emulator.run(rounds=1, rescan=True)
    assert fake.pull_requests[-1] == {}
    assert {e["_id"]: e["_deleted"] for e in emulator.dataset("shop-product-collect")} == {"1": True, "2": False}


def test_rescan_run_count_rescans_every_nth_run(tmp_path: Path, service: Service) -> None:
    # configuration-pump.rst: "rescan_run_count": 2 => "incremental", "rescan", "incremental", "rescan"
    fake, url = service
    fake.entities = [product(1, 10)]
    emulator = emulator_for(tmp_path, url, [{**json_pipe(supports_since=True), "pump": {"rescan_run_count": 2}}])
    for _ in range(4):
        emulator.run(rounds=1)
    # the first run has no offset yet, so it is full whatever the count says
    assert fake.pull_requests == [{}, {}, {"since": "10"}, {}]


def test_failed_or_malformed_responses_fail_the_run_and_change_nothing(tmp_path: Path, service: Service) -> None:
    fake, url = service
    fake.entities = [product(1, 10)]
    emulator = emulator_for(tmp_path, url, [json_pipe(supports_since=True)])
    emulator.run(rounds=1)
    for status, body in ((500, None), (200, "[{\"_id\": \"2\"}"), (200, "{\"_id\": \"2\"}"), (200, "[{\"id\": 2}]")):
        fake.pull_status, fake.pull_body = status, body
        report = emulator.run(rounds=1)
        assert report.pipe("shop-product-collect").errors, (status, body)
        assert [e["_id"] for e in emulator.dataset("shop-product-collect")] == ["1"]
    fake.pull_status, fake.pull_body = 200, None
    emulator.run(rounds=1)
    assert fake.pull_requests[-1] == {"since": "10"}  # the offset survived the failed runs


def test_if_source_empty_fail_keeps_the_dataset(tmp_path: Path, service: Service) -> None:
    fake, url = service
    fake.entities = [product(1, 10)]
    emulator = emulator_for(tmp_path, url, [json_pipe(if_source_empty="fail")])
    emulator.run(rounds=1)
    fake.entities = []
    report = emulator.run(rounds=1)
    assert "if_source_empty is 'fail'" in report.pipe("shop-product-collect").errors[0]
    assert emulator.dataset("shop-product-collect")[0]["_deleted"] is False


def test_if_source_empty_fail_fails_an_incremental_run_that_finds_nothing(tmp_path: Path, service: Service) -> None:
    # configuration-sources-json.rst if_source_empty: "If set to "fail", the pipe will automatically fail if the source
    # returns no entities" — no exception for a run with since; the global default applies too
    # (configuration-metadata.rst, global_defaults.if_source_empty)
    fake, url = service
    fake.entities = [product(1, 10)]
    for name, pipe, metadata in (("source", json_pipe(supports_since=True, if_source_empty="fail"), None),
                                 ("global", json_pipe(supports_since=True), {"global_defaults": {
                                     "if_source_empty": "fail"}})):
        emulator = emulator_for(tmp_path / name, url, [pipe], metadata=metadata)
        assert not emulator.run(rounds=1).errors
        report = emulator.run(rounds=1)
        assert report.pipe("shop-product-collect").errors == [
            "pipe shop-product-collect: source returned no entities (incremental run) and if_source_empty is 'fail'"]
    accepting = emulator_for(tmp_path / "accept", url, [json_pipe(supports_since=True, if_source_empty="accept")],
                             metadata={"global_defaults": {"if_source_empty": "fail"}})
    assert not accepting.run(rounds=2).errors, "the source's own setting wins over the global default"


def test_empty_full_read_is_accepted_by_default_and_deletes(tmp_path: Path, service: Service) -> None:
    fake, url = service
    fake.entities = [product(1, 10)]
    emulator = emulator_for(tmp_path, url, [json_pipe()])
    emulator.run(rounds=1)
    fake.entities = []
    emulator.run(rounds=1)
    assert emulator.dataset("shop-product-collect")[0]["_deleted"] is True


def test_source_and_system_headers_are_sent(tmp_path: Path, service: Service) -> None:
    # configuration-sources-json.rst `headers`; configuration-systems-url.rst `headers` (secrets allowed there)
    fake, url = service
    system = {"_id": "shop", "type": "system:url", "url_pattern": f"{url}/%s", "headers": {"X-Token": "$SECRET(t)"}}
    folder = write_config(tmp_path, [json_pipe(headers={"X-Source": "1"})], [system])
    Emulator(folder, secrets={"t": "abc"}).run(rounds=1)
    assert [(headers.get("X-Token"), headers.get("X-Source")) for headers in fake.headers_seen] == [("abc", "1")]


def test_json_source_adds_namespaces_when_namespaced_identifiers_are_on(tmp_path: Path, service: Service) -> None:
    # namespaces.rst: json sources default add_namespaces to true; identity and property namespaces default to the
    # pipe id and can be set with "namespaces"
    fake, url = service
    fake.entities = [product(76, 10, dimensions={"width": 1})]
    pipe = {**json_pipe(), "namespaces": {"identity": "woocommerce-product", "property": "woocommerce-product"},
            "transform": {"type": "dtl", "rules": {"default": [["copy", "*"]]}}}
    emulator = emulator_for(tmp_path, url, [pipe], metadata={"namespaced_identifiers": True})
    emulator.run(rounds=1)
    [entity] = emulator.dataset("shop-product-collect")
    assert entity["_id"] == "woocommerce-product:76"
    assert entity["woocommerce-product:sku"] == "SKU76"
    assert entity["woocommerce-product:dimensions"] == {"woocommerce-product:width": 1}


def test_add_namespaces_can_be_switched_off_per_pipe(tmp_path: Path, service: Service) -> None:
    fake, url = service
    fake.entities = [product(76, 10)]
    pipe = {**json_pipe(), "add_namespaces": False}
    emulator = emulator_for(tmp_path, url, [pipe], metadata={"namespaced_identifiers": True})
    emulator.run(rounds=1)
    assert emulator.dataset("shop-product-collect")[0]["sku"] == "SKU76"


def test_dataset_source_reads_changes_incrementally(tmp_path: Path) -> None:
    entities = [{"_id": "1", "v": 1}, {"_id": "2", "v": 2}]
    pipes = [{"_id": "a", "source": {"type": "embedded", "entities": entities}},
             {"_id": "b", "source": {"type": "dataset", "dataset": "a"}}]
    write_config(tmp_path, pipes)
    emulator = Emulator(tmp_path)
    first = emulator.run(rounds=1)
    assert (first.pipe("b").full, first.pipe("b").read) == (True, 2)
    entities[0]["v"] = 10
    write_config(tmp_path, pipes)
    report = Emulator(tmp_path, state_dir=None).run(rounds=1)
    assert report.pipe("b").read == 2  # a fresh emulator without state starts over


def test_state_dir_continues_like_a_node(tmp_path: Path) -> None:
    entities = [{"_id": "1", "v": 1}, {"_id": "2", "v": 2}]
    pipes = [{"_id": "a", "source": {"type": "embedded", "entities": entities}},
             {"_id": "b", "source": {"type": "dataset", "dataset": "a"}}]
    write_config(tmp_path / "cfg", pipes)
    Emulator(tmp_path / "cfg", state_dir=tmp_path / "state").run(rounds=1)
    entities[0]["v"] = 10
    write_config(tmp_path / "cfg", pipes)
    emulator = Emulator(tmp_path / "cfg", state_dir=tmp_path / "state")
    report = emulator.run(rounds=1)
    assert (report.pipe("b").full, report.pipe("b").read, report.pipe("b").written) == (False, 1, 1)
    assert [e["v"] for e in emulator.dataset("b")] == [2, 10]


def test_initial_since_value_is_used_before_there_is_an_offset(tmp_path: Path, service: Service) -> None:
    # configuration-sources.rst: initial_since_value is "used as the since value if the pipe offset has not been set
    # yet"
    fake, url = service
    fake.entities = [product(1, 10), product(2, 11)]
    emulator = emulator_for(tmp_path, url, [json_pipe(supports_since=True, initial_since_value="10")])
    emulator.run(rounds=1)
    assert fake.pull_requests == [{"since": "10"}]
    assert [e["_id"] for e in emulator.dataset("shop-product-collect")] == ["2"]


def test_read_retries_follow_the_pump_and_the_retry_strategy(tmp_path: Path, service: Service) -> None:
    # configuration-pump.rst max_read_retries (default 0: fail at once); configuration-systems-url.rst retry_strategy
    fake, url = service
    fake.entities = [product(1, 10)]
    fake.pull_failures = 2
    report = emulator_for(tmp_path / "a", url, [json_pipe()]).run(rounds=1)
    assert report.pipe("shop-product-collect").errors == ["pipe shop-product-collect: GET /entities answered 503"]
    fake.pull_failures = 2
    pipe = {**json_pipe(), "pump": {"max_read_retries": 2}}
    assert not emulator_for(tmp_path / "b", url, [pipe]).run(rounds=1).pipe("shop-product-collect").errors
    fake.pull_failures = 2
    write_config(tmp_path / "c", [json_pipe()], [{**microservice("shop"), "retry_strategy": {
        "503": {"max_read_retries": 2, "read_retry_delay": 0}}}])
    assert not Emulator(tmp_path / "c", {"shop": url}).run(rounds=1).pipe("shop-product-collect").errors
    # "If a retry property is set directly on the pump, that value will take priority over the retry_strategy"
    fake.pull_failures = 2
    write_config(tmp_path / "d", [{**json_pipe(), "pump": {"max_read_retries": 0}}], [{
        **microservice("shop"), "retry_strategy": {"503": {"max_read_retries": 2, "read_retry_delay": 0}}}])
    assert Emulator(tmp_path / "d", {"shop": url}).run(rounds=1).pipe("shop-product-collect").errors == [
        "pipe shop-product-collect: GET /entities answered 503"]


def test_chronological_keeps_the_last_updated_and_comparable_the_largest(tmp_path: Path, service: Service) -> None:
    # configuration-sources.rst: chronological "store `_updated` values in the order we see them"; max strategy
    # "store the maximum `_updated` value seen in the run"
    fake, url = service
    fake.entities = [product(2, 12), product(1, 11)]
    emulator_for(tmp_path / "c", url, [json_pipe(supports_since=True, is_chronological=True)]).run(rounds=2)
    emulator_for(tmp_path / "m", url, [json_pipe(supports_since=True)]).run(rounds=2)
    assert fake.pull_requests == [{}, {"since": "11"}, {}, {"since": "12"}]


def test_partial_rescan_shifts_the_since_value_back(tmp_path: Path, service: Service) -> None:
    # configuration-pump.rst: "partial_rescan_run_count": 2 => "incremental", "partial rescan", …; an integer since
    # value has partial_rescan_delta subtracted
    fake, url = service
    fake.entities = [product(1, 10), product(2, 11)]
    pump = {"partial_rescan_run_count": 2, "partial_rescan_delta": 1}
    emulator = emulator_for(tmp_path, url, [{**json_pipe(supports_since=True), "pump": pump}])
    for _ in range(4):
        emulator.run(rounds=1)
    assert fake.pull_requests == [{}, {"since": "10"}, {"since": "11"}, {"since": "10"}]


def test_partial_rescan_of_a_datetime_since_subtracts_seconds() -> None:
    from emulator.pipes import shift_offset
    assert shift_offset("p", "~t2018-04-27T15:46:40Z", 3600) == "~t2018-04-27T14:46:40Z"
    assert shift_offset("p", 12637, 100) == 12537


def test_reset_makes_the_next_run_full(tmp_path: Path, service: Service) -> None:
    fake, url = service
    fake.entities = [product(1, 10), product(2, 11)]
    write_config(tmp_path / "cfg", [json_pipe(supports_since=True)], [microservice("shop")])
    Emulator(tmp_path / "cfg", {"shop": url}, state_dir=tmp_path / "state").run(rounds=1)
    fake.entities = [product(2, 11)]
    assert main(["run", str(tmp_path / "cfg"), "--system", f"shop={url}", "--state", str(tmp_path / "state"),
                 "--reset", "shop-product-collect", "--rounds", "1"]) == 0
    assert fake.pull_requests == [{}, {}]
    emulator = Emulator(tmp_path / "cfg", {"shop": url}, state_dir=tmp_path / "state")
    assert {e["_id"]: e["_deleted"] for e in emulator.dataset("shop-product-collect")} == {"1": True, "2": False}


def test_added_namespaces_leave_reserved_and_dollar_properties_as_they_are(tmp_path: Path) -> None:
    # namespaces.rst add_namespaces (embedded sources default to true); apply-ns, which "reflects the behaviour of the
    # add_namespaces=true pipe property": {"_id": "123", "foo": 1, "$bar": {"baz": 2}} gives
    # {"_id": "myns:123", "myns:foo": 1, "$bar": {"baz": 2}} (dtl-functions-dictionaries.rst)
    entity = {"_id": "123", "foo": 1, "$bar": {"baz": 2}, "nested": {"x": {"y": 1}}, "$ids": ["~:a:1"]}
    pipe = {"_id": "myns", "source": {"type": "embedded", "entities": [entity]}}
    folder = write_config(tmp_path, [pipe], metadata={"namespaced_identifiers": True})
    emulator = Emulator(folder)
    emulator.run(rounds=1)
    [stored] = emulator.dataset("myns")
    assert {k: v for k, v in stored.items() if not k.startswith("_") or k == "_id"} == {
        "_id": "myns:123", "myns:foo": 1, "$bar": {"baz": 2}, "myns:nested": {"myns:x": {"myns:y": 1}},
        "$ids": ["~:a:1"]}
