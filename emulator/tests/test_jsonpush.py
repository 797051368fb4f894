"""The json sink over a real socket: JSON Push parameters and batching (hub/json-push.rst, configuration-sinks-json.rst,
hub/custom-data-sink.rst), write-error handling (configuration-pump.rst), system retry_strategy
(configuration-systems-url.rst) and namespaces removed before sending (hub/features/namespaces.rst)."""
from __future__ import annotations

from base64 import b64encode
from pathlib import Path
from typing import Any

from emulator import Emulator
from emulator.tests.conftest import Service, microservice, write_config


def share_pipes(entities: list[dict[str, Any]], sink: dict[str, Any] | None = None, pump: dict[str, Any] | None = None,
                **pipe: Any) -> list[dict[str, Any]]:
    share = {"_id": "shop-product-share", "source": {"type": "dataset", "dataset": "products"},
             "sink": {"type": "json", "system": "shop", "url": "/receiver", **(sink or {})}, **pipe}
    if pump:
        share["pump"] = pump
    return [{"_id": "products", "source": {"type": "embedded", "entities": entities}}, share]


def make(folder: Path, url: str, pipes: list[dict[str, Any]], system: dict[str, Any] | None = None,
         secrets: dict[str, str] | None = None, **kwargs: Any) -> Emulator:
    write_config(folder, pipes, [{**microservice("shop"), **(system or {})}], **kwargs)
    return Emulator(folder, {"shop": url}, secrets=secrets)


def run_with_state(folder: Path, url: str, pipes: list[dict[str, Any]], rounds: int | None = None) -> Any:
    """One invocation that continues from the previous one's state, as `--state` does."""
    write_config(folder / "cfg", pipes, [microservice("shop")])
    return Emulator(folder / "cfg", {"shop": url}, state_dir=folder / "state").run(rounds=rounds)


def entities(count: int) -> list[dict[str, Any]]:
    return [{"_id": str(n), "name": f"n{n}"} for n in range(count)]


def test_full_sync_batches_with_sequence_params_and_a_final_empty_batch(tmp_path: Path, service: Service) -> None:
    # custom-data-sink.rst: 150 entities → batches of 100, 50 and a final batch of 0
    fake, url = service
    make(tmp_path, url, share_pipes(entities(150))).run(rounds=1)
    assert [len(batch) for batch in fake.pushed_batches] == [100, 50, 0]
    params = [p for p, _ in fake.pushes]
    assert len({p["sequence_id"] for p in params}) == 1
    assert [p["request_id"] for p in params] == ["1", "2", "3"]
    assert [p.get("previous_request_id") for p in params] == [None, "1", "2"]
    assert [p["is_full"] for p in params] == ["true"] * 3
    assert [p.get("is_first") for p in params] == ["true", None, None]
    assert [p.get("is_last") for p in params] == [None, None, "true"]


def test_incremental_run_sends_only_changes_then_nothing(tmp_path: Path, service: Service) -> None:
    fake, url = service
    items = entities(3)
    run_with_state(tmp_path, url, share_pipes(items), rounds=1)
    fake.pushes.clear()
    items[1]["name"] = "changed"
    report = run_with_state(tmp_path, url, share_pipes(items))
    # the dataset version goes out as it is, reserved fields included (custom-data-sink.rst)
    [pushed] = fake.pushed_batches[0]
    assert pushed == {**items[1], "_deleted": False, "_updated": 3, "_previous": 1, "_ts": pushed["_ts"],
                      "_hash": pushed["_hash"]}
    assert fake.pushed_batches[1:] == [[]]
    params = fake.pushes[0][0]
    assert params["is_full"] == "false" and "is_first" not in params and "is_last" not in params
    assert report.settled and report.rounds[-1][1].requests == 0  # a run with nothing to send sends nothing


def test_deletes_are_pushed_as_deleted_entities(tmp_path: Path, service: Service) -> None:
    fake, url = service
    items = entities(2)
    run_with_state(tmp_path, url, share_pipes(items), rounds=1)
    fake.pushes.clear()
    run_with_state(tmp_path, url, share_pipes(items[:1]), rounds=1)
    [deleted] = fake.pushed_batches[0]
    assert (deleted["_id"], deleted["_deleted"]) == ("1", True)


def test_failed_batch_falls_back_to_single_entities(tmp_path: Path, service: Service) -> None:
    # pump: fallback_to_single_entities_on_batch_fail (default true), after batch_retries
    fake, url = service
    fake.push_statuses = [500]
    report = make(tmp_path, url, share_pipes(entities(3), pump={"batch_retries": 0})).run(rounds=1)
    assert [len(b) for b in fake.pushed_batches] == [3, 1, 1, 1, 0]
    assert report.pipe("shop-product-share").pushed == 3
    assert [p["request_id"] for p, _ in fake.pushes] == ["1", "2", "3", "4", "5"]


def test_batch_is_retried_before_falling_back(tmp_path: Path, service: Service) -> None:
    fake, url = service
    fake.push_statuses = [503, 503]
    make(tmp_path, url, share_pipes(entities(2))).run(rounds=1)
    assert [len(b) for b in fake.pushed_batches] == [2, 2, 2, 0]
    # a retry re-sends the same request; the final batch follows the one that was applied
    assert [p["request_id"] for p, _ in fake.pushes] == ["1", "1", "1", "2"]
    assert fake.pushes[3][0]["previous_request_id"] == "1"


def test_a_write_error_stops_the_run_and_the_next_run_resends(tmp_path: Path, service: Service) -> None:
    # max_consecutive_write_errors defaults to 1: "it will terminate after the first write error"
    fake, url = service
    fake.fail_ids = {"1"}
    emulator = make(tmp_path, url, share_pipes(entities(3), pump={"batch_retries": 0}))
    report = emulator.run(rounds=1)
    share = report.pipe("shop-product-share")
    assert "1 consecutive write error" in share.errors[-1]
    assert [[e["_id"] for e in b] for b in fake.pushed_batches] == [["0", "1", "2"], ["0"], ["1"]]
    fake.pushes.clear()
    fake.fail_ids = set()
    emulator.run(rounds=1)
    assert [[e["_id"] for e in b] for b in fake.pushed_batches] == [["0", "1", "2"], []]


def test_retries_and_dead_letters(tmp_path: Path, service: Service) -> None:
    # configuration-pump.rst: failed entities are retried while max_write_errors_in_retry_dataset has room, and go to
    # dead_letter_dataset once max_retries_per_entity is exceeded
    fake, url = service
    fake.fail_ids = {"1"}
    pump = {"batch_retries": 0, "max_consecutive_write_errors": 10, "max_write_errors_in_retry_dataset": 10,
            "max_retries_per_entity": 1, "dead_letter_dataset": "shop-product-dead"}
    emulator = make(tmp_path, url, share_pipes(entities(2), pump=pump))
    first = emulator.run(rounds=1).pipe("shop-product-share")
    assert (first.pushed, first.dead, first.errors[-1]) == (1, 0, "POST /receiver answered 500")
    fake.pushes.clear()
    second = emulator.run(rounds=1).pipe("shop-product-share")
    assert [e["_id"] for e in fake.pushed_batches[0]] == ["1"]  # the retry goes out again on the next run
    assert second.dead == 1
    assert [e["_id"] for e in emulator.dataset("shop-product-dead")] == ["1"]
    fake.pushes.clear()
    emulator.run(rounds=1)
    assert fake.pushes == []  # dead: not retried any more


def test_retry_strategy_sets_what_the_pump_does_not_by_status(tmp_path: Path, service: Service) -> None:
    fake, url = service
    fake.fail_ids = {"0"}
    system = {"retry_strategy": {"500,502,504": {"max_consecutive_write_errors": 5, "batch_retries": 0},
                                 "default": {"batch_retries": 0}}}
    report = make(tmp_path, url, share_pipes(entities(2)), system=system).run(rounds=1)
    share = report.pipe("shop-product-share")
    assert share.pushed == 1
    assert not any("consecutive" in e for e in share.errors)


def test_a_retry_property_on_the_pump_wins_over_the_retry_strategy(tmp_path: Path, service: Service) -> None:
    # configuration-systems-url.rst, retry_strategy: "If a retry property is set directly on the pump, that value will
    # take priority over the retry_strategy"
    fake, url = service
    fake.fail_ids, fake.fail_status = {"1"}, 422
    system = {"retry_strategy": {"400-428": {"max_retries_per_entity": 0, "write_retry_delay": 0},
                                 "default": {"batch_retries": 0}}}
    pump = {"max_consecutive_write_errors": 10, "max_write_errors_in_retry_dataset": 10, "dead_letter_dataset": "d"}
    for name, extra, dead in (("strategy", {}, 1), ("pump", {"max_retries_per_entity": 5}, 0)):
        report = make(tmp_path / name, url, share_pipes(entities(2), pump={**pump, **extra}), system=system).run(
            rounds=1)
        assert report.pipe("shop-product-share").dead == dead, name


def test_headers_and_namespaces_removed_before_sending(tmp_path: Path, service: Service) -> None:
    fake, url = service
    pipes = [{"_id": "products",
              "source": {"type": "embedded", "entities": [{"_id": "76", "sku": "A", "ref": "~:shop:1"}]},
              "namespaces": {"identity": "woocommerce-product", "property": "woocommerce-product"}},
             {"_id": "shop-product-share", "source": {"type": "dataset", "dataset": "products"},
              "transform": {"type": "dtl", "rules": {"default": [["copy", "*"]]}},
              "sink": {"type": "json", "system": "shop", "url": "/receiver", "headers": {"X-Sink": "1"}}}]
    system = {"authentication": "basic", "username": "sesam", "password": "$SECRET(token)"}
    make(tmp_path, url, pipes, system=system, secrets={"token": "t0k"},
         metadata={"namespaced_identifiers": True}).run(rounds=1)
    [pushed] = fake.pushed_batches[0]
    assert (pushed["_id"], pushed["sku"], pushed["ref"]) == ("76", "A", "~:1")
    # configuration-systems-microservice.rst: the system authenticates every request with username and password
    assert {h.get("Authorization") for h in fake.headers_seen} == {"Basic " + b64encode(b"sesam:t0k").decode()}
    assert {h.get("X-Sink") for h in fake.headers_seen} == {"1"}


def test_username_and_password_without_authentication_are_ignored(tmp_path: Path, service: Service) -> None:
    # configuration-systems-microservice.rst: "authentication is opt-in only and the default is no authentication.
    # No authentication set means means any username or password set will be ignored."
    fake, url = service
    make(tmp_path, url, share_pipes(entities(1)), system={"username": "sesam", "password": "p"}).run(rounds=1)
    assert fake.pushes and {h.get("Authorization") for h in fake.headers_seen} == {None}


def test_filtered_entities_are_not_pushed(tmp_path: Path, service: Service) -> None:
    # entity-data-model.rst: _filtered is for the dataset sink only; other sinks discard the entity
    fake, url = service
    pipes = share_pipes([{"_id": "1", "ok": True}, {"_id": "2", "ok": False}],
                        transform={"type": "dtl", "rules": {"default": [["copy", "*"], ["filter", "_S.ok"]]}})
    make(tmp_path, url, pipes).run(rounds=1)
    assert [[e["_id"] for e in b] for b in fake.pushed_batches] == [["1"], []]


def test_unreachable_receiver_is_a_reported_error(tmp_path: Path) -> None:
    write_config(tmp_path, share_pipes(entities(1), pump={"batch_retries": 0}), [microservice("shop")])
    report = Emulator(tmp_path, {"shop": "http://127.0.0.1:9"}).run(rounds=1)
    assert "POST /receiver failed: ConnectionError" in report.pipe("shop-product-share").errors


def test_conflict_on_a_full_sync_stops_and_the_next_run_starts_over(tmp_path: Path, service: Service) -> None:
    # json-push.rst: on 409 the sink "must stop the active sync … start from the beginning with a new sequence"
    fake, url = service
    fake.push_statuses = [409]
    emulator = make(tmp_path, url, share_pipes(entities(3), sink={"batch_size": 2}))
    report = emulator.run(rounds=1)
    assert "409 Conflict" in report.pipe("shop-product-share").errors[-1]
    assert len(fake.pushes) == 1
    emulator.run(rounds=1)
    params = [p for p, _ in fake.pushes[1:]]
    assert params[0]["is_first"] == "true" and params[0]["sequence_id"] != fake.pushes[0][0]["sequence_id"]
    assert [len(b) for b in fake.pushed_batches[1:]] == [2, 1, 0]


def test_track_dead_letters_deletes_a_dead_letter_once_written(tmp_path: Path, service: Service) -> None:
    fake, url = service
    fake.fail_ids = {"0"}
    items = entities(1)
    pump = {"batch_retries": 0, "max_consecutive_write_errors": 5, "max_write_errors_in_retry_dataset": 5,
            "max_retries_per_entity": 0, "dead_letter_dataset": "dead", "track_dead_letters": True}
    run_with_state(tmp_path, url, share_pipes(items, pump=pump), rounds=1)
    fake.fail_ids = set()
    items[0]["name"] = "fixed"
    emulator_state = run_with_state(tmp_path, url, share_pipes(items, pump=pump), rounds=1)
    assert emulator_state.pipe("shop-product-share").pushed == 1
    write_config(tmp_path / "cfg", share_pipes(items, pump=pump), [microservice("shop")])
    dead = Emulator(tmp_path / "cfg", {"shop": url}, state_dir=tmp_path / "state").dataset("dead")
    assert [(e["_id"], e["_deleted"]) for e in dead] == [("0", True)]


def test_bookkeeping_follows_the_source_entity_not_the_pushed_id(tmp_path: Path, service: Service) -> None:
    # namespaces.rst: the json sink removes namespaces, so "a:4" and "b:4" both go out as "4"; pump-execution.rst:
    # a write error stays "until a new version comes along from the source"; configuration-pump.rst
    # track_dead_letters deletes a dead letter when "a later version of it" is written
    fake, url = service
    fake.refuse = lambda entity: entity["name"] == "bad"
    pump = {"batch_retries": 0, "max_consecutive_write_errors": 10, "max_write_errors_in_retry_dataset": 10,
            "max_retries_per_entity": 1, "dead_letter_dataset": "dead", "track_dead_letters": True}

    def run(names: dict[str, str]) -> Any:
        pipes = [{"_id": "products", "source": {"type": "embedded", "entities": [
                     {"_id": f"{ns}:4", "name": name} for ns, name in names.items()]}},
                 {"_id": "shop-product-share", "source": {"type": "dataset", "dataset": "products"},
                  "remove_namespaces": True, "transform": {"type": "dtl", "rules": {"default": [["copy", "*"]]}},
                  "sink": {"type": "json", "system": "shop", "url": "/receiver"}, "pump": pump}]
        return run_with_state(tmp_path, url, pipes, rounds=1).pipe("shop-product-share")

    def sent() -> list[tuple[str, str]]:
        return [(e["_id"], e["name"]) for e in fake.pushed_batches[0]]

    assert (run({"a": "bad"}).dead, sent()) == (0, [("4", "bad")])
    second = run({"a": "bad", "b": "good"})  # b:4 is new; a:4 is the retry, which must not be dropped for it
    assert (second.pushed, second.dead) == (1, 1)
    write_config(tmp_path / "cfg", [], [microservice("shop")])
    dead = Emulator(tmp_path / "cfg", {"shop": url}, state_dir=tmp_path / "state").dataset("dead")
    assert [(e["_id"], e["name"], e["_deleted"]) for e in dead] == [("4", "bad", False)]
    fake.pushes.clear()
    third = run({"a": "bad", "b": "better"})  # b written again: a's dead letter stays
    assert (third.pushed, sent()) == (1, [("4", "better")])
    dead = Emulator(tmp_path / "cfg", {"shop": url}, state_dir=tmp_path / "state").dataset("dead")
    assert [(e["_id"], e["_deleted"]) for e in dead] == [("4", False)]
    run({"a": "fixed", "b": "better"})  # a later version of a written: its dead letter goes
    dead = Emulator(tmp_path / "cfg", {"shop": url}, state_dir=tmp_path / "state").dataset("dead")
    assert [(e["_id"], e["_deleted"]) for e in dead] == [("4", True)]
