"""Loading a sesam-config folder: `$ENV`/`$SECRET` (environment-variables.rst, secrets.rst; secrets only in systems,
hub/documentation/operations/security.rst), `$conditional_properties`, conditional sources
(configuration-sources-conditional.rst), system properties (configuration-systems-microservice.rst, -url.rst) and
reference checks."""
from __future__ import annotations

from pathlib import Path

import pytest

from emulator import Emulator
from emulator.config import load_config
from emulator.errors import ConfigError, Unsupported
from emulator.tests.conftest import microservice, write_config

EMBEDDED = {"type": "embedded", "entities": [{"_id": "1"}]}


def test_env_and_secret_substitution(tmp_path: Path) -> None:
    system = {"_id": "shop", "type": "system:url", "url_pattern": "http://shop/%s",
              "headers": {"Authorization": "Bearer $SECRET(token)", "X-Env": "$ENV(stage)"},
              "read_timeout": "$ENV(timeout)"}
    write_config(tmp_path, [{"_id": "p", "source": EMBEDDED}], [system], env={"stage": "qa"})
    config = load_config(tmp_path, {"timeout": 5}, {"token": "s3cr3t"})
    assert config.systems["shop"]["headers"] == {"Authorization": "Bearer s3cr3t", "X-Env": "qa"}
    # a string that is exactly one $ENV(..) takes the variable's value whatever its type
    assert config.systems["shop"]["read_timeout"] == 5
    assert config.secret_values == frozenset({"s3cr3t"})


def test_command_line_env_overrides_test_env_json(tmp_path: Path) -> None:
    write_config(tmp_path, [{"_id": "p", "source": EMBEDDED, "description": "$ENV(node-env)"}],
                 env={"node-env": "test"})
    assert load_config(tmp_path, {"node-env": "prod"}).pipes["p"]["description"] == "prod"


def test_missing_variable_names_option_but_not_values(tmp_path: Path) -> None:
    write_config(tmp_path, [{"_id": "p", "source": EMBEDDED, "description": "$ENV(stage)"}])
    with pytest.raises(ConfigError, match=r"pipes/p: \$ENV\(stage\) is not defined \(give it with --env stage="):
        load_config(tmp_path)


def test_a_secret_outside_a_system_is_refused_naming_the_doc(tmp_path: Path) -> None:
    # security.rst: "Secrets applies only to System configuration entities"; a node would send the text as it is
    sink = {"type": "json", "system": "shop", "url": "/receiver", "headers": {"Authorization": "Bearer $SECRET(t)"}}
    write_config(tmp_path / "pipe", [{"_id": "p", "source": EMBEDDED, "sink": sink}], [microservice("shop")])
    with pytest.raises(ConfigError, match=r"pipes/p: \$SECRET\(t\) is only substituted in system entities.*"
                                          r"hub/documentation/operations/security.rst"):
        load_config(tmp_path / "pipe", secrets={"t": "given"})
    write_config(tmp_path / "meta", [{"_id": "p", "source": EMBEDDED}], metadata={"x": "$SECRET(t)"})
    with pytest.raises(ConfigError, match=r"node-metadata: \$SECRET\(t\) is only substituted in system entities"):
        load_config(tmp_path / "meta", secrets={"t": "given"})


def test_an_undefined_secret_fails_only_where_its_system_is_used(tmp_path: Path) -> None:
    # sesam test never calls a service (sesam-py upload turns eager_load_microservices off): pipes that do not use
    # the system run; a system we are told to reach must have its secrets
    system = {**microservice("shop"), "authentication": "basic", "username": "sesam", "password": "$SECRET(token)",
              "docker": {"image": "x", "port": 5000, "environment": {"KEY": "$SECRET(container-only)"}}}
    pipes = [{"_id": "p", "source": EMBEDDED},
             {"_id": "out", "source": {"type": "dataset", "dataset": "p"},
              "sink": {"type": "json", "system": "shop", "url": "/receiver"}}]
    write_config(tmp_path, pipes, [system])
    report = Emulator(tmp_path).run(rounds=1)
    assert report.pipe("p").written == 1
    assert report.pipe("out").errors == [
        "system shop: $SECRET(token) is not defined (give it with --secret token=...)"]
    with pytest.raises(ConfigError, match=r"system shop: \$SECRET\(token\) is not defined"):
        Emulator(tmp_path, {"shop": "http://127.0.0.1:9"})
    # a secret only the container would see is never needed offline
    Emulator(tmp_path, {"shop": "http://127.0.0.1:9"}, secrets={"token": "t"})


def test_system_properties_are_checked(tmp_path: Path) -> None:
    cases = [
        ({"headers": {"Authorization": "x"}}, Unsupported, "system shop: system:microservice property 'headers'"),
        ({"authentication": "ntlm", "username": "u", "password": "p"}, Unsupported, "authentication 'ntlm'"),
        ({"authentication": "basic", "username": "sesam"}, ConfigError, "password is mandatory when username"),
        ({"retry_strategy": {"4xx": {}}}, ConfigError, "retry_strategy key '4xx' is not a status code"),
        ({"retry_strategy": {"503": {"dead_letter_dataset": "d"}}}, ConfigError,
         "sets 'dead_letter_dataset', which a retry strategy cannot set"),
    ]
    for index, (extra, kind, message) in enumerate(cases):
        folder = write_config(tmp_path / str(index), [{"_id": "p", "source": EMBEDDED}],
                              [{**microservice("shop"), **extra}])
        with pytest.raises(kind, match=message):
            load_config(folder)


def test_conditional_properties_pick_the_alternative(tmp_path: Path) -> None:
    system = {**microservice("shop"), "$conditional_properties": {
        "condition": "$ENV(node-env)", "alternatives": {"prod": {"read_timeout": 60}, "test": {"read_timeout": 1}}}}
    write_config(tmp_path, [{"_id": "p", "source": EMBEDDED}], [system])
    assert load_config(tmp_path, {"node-env": "test"}).systems["shop"]["read_timeout"] == 1


def test_conditional_source_uses_the_alternative_for_node_env(tmp_path: Path) -> None:
    source = {"type": "conditional", "condition": "$ENV(node-env)",
              "alternatives": {"prod": {"type": "json", "system": "shop", "url": "/entities"},
                               "test": {"type": "embedded", "entities": [{"_id": "t1"}]}}}
    write_config(tmp_path, [{"_id": "collect", "source": source}], [microservice("shop")], env={"node-env": "test"})
    emulator = Emulator(tmp_path)
    report = emulator.run(rounds=1)
    assert report.pipe("collect").written == 1
    assert [e["_id"] for e in emulator.dataset("collect")] == ["t1"]


def test_conditional_source_without_matching_alternative_is_refused(tmp_path: Path) -> None:
    source = {"type": "conditional", "condition": "$ENV(node-env)", "alternatives": {"prod": EMBEDDED}}
    write_config(tmp_path, [{"_id": "p", "source": source}], env={"node-env": "test"})
    with pytest.raises(ConfigError, match="pipe p: conditional source has no alternative for 'test'"):
        Emulator(tmp_path)


def test_dangling_references_are_all_reported(tmp_path: Path) -> None:
    pipes = [{"_id": "a", "source": {"type": "dataset", "dataset": "nowhere"}},
             {"_id": "b", "source": {"type": "json", "system": "ghost", "url": "/x"},
              "transform": {"type": "dtl", "rules": {"default": [
                  ["add", "x", ["hops", {"datasets": ["missing m"], "where": ["eq", "_S.x", "m.x"]}]]]}}}]
    write_config(tmp_path, pipes)
    with pytest.raises(ConfigError) as error:
        load_config(tmp_path)
    message = str(error.value)
    assert "pipe a: refers to dataset 'nowhere'" in message
    assert "pipe b: refers to unknown system 'ghost'" in message
    assert "pipe b: refers to dataset 'missing'" in message


def test_unsupported_constructs_are_refused_naming_pipe_and_construct(tmp_path: Path) -> None:
    cases = [
        ({"_id": "p", "source": {"type": "sql", "system": "s"}}, "pipe p: source type 'sql'"),
        ({"_id": "p", "source": {**EMBEDDED, "frobnicate": 1}}, "pipe p: embedded source property 'frobnicate'"),
        ({"_id": "p", "source": EMBEDDED, "transform": {"type": "rest"}}, "pipe p: transform type 'rest'"),
        ({"_id": "p", "source": EMBEDDED, "sink": {"type": "sql"}}, "pipe p: sink type 'sql'"),
        ({"_id": "p", "source": EMBEDDED, "pump": {"max_seconds_per_entity": 2}},
         "pump property 'max_seconds_per_entity'"),
        ({"_id": "p", "source": {"type": "merge", "datasets": []}}, "merge source version 1"),
        ({"_id": "p", "source": EMBEDDED, "dependency_tracking": {}}, "pipe property 'dependency_tracking'"),
    ]
    for index, (pipe, message) in enumerate(cases):
        folder = write_config(tmp_path / str(index), [pipe], [microservice("s")])
        with pytest.raises(Unsupported, match=message.replace("(", r"\(").replace(")", r"\)")):
            Emulator(folder)


def test_unknown_system_on_command_line_is_refused(tmp_path: Path) -> None:
    write_config(tmp_path, [{"_id": "p", "source": EMBEDDED}], [microservice("shop")])
    with pytest.raises(ConfigError, match="--system names systems the config does not have: shopp"):
        Emulator(tmp_path, {"shopp": "http://127.0.0.1:1"})
