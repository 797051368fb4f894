"""Settings are parsed once, every problem is reported together, and secrets are never shown."""
from __future__ import annotations

from pathlib import Path

import pytest

from service.errors import ConfigError
from service.settings import Secret, Settings, variables_table

WOO = {"SYSTEM": "woocommerce", "WOOCOMMERCE_URL": "https://shop.example/", "WOOCOMMERCE_CONSUMER_KEY": "ck_abc",
       "WOOCOMMERCE_CONSUMER_SECRET": "cs_topsecret"}


def test_valid_environment_gives_typed_settings():
    settings = Settings.from_env({**WOO, "PORT": "8080", "UPSTREAM_CONCURRENCY": "4", "LOG_LEVEL": "debug"})
    assert settings.port == 8080 and settings.upstream_concurrency == 4 and settings.log_level == "DEBUG"
    assert settings.woocommerce_url == "https://shop.example"
    assert settings.woocommerce_consumer_secret == Secret("cs_topsecret")


def test_every_problem_is_reported_at_once():
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"SYSTEM": "woocommerce", "PORT": "http", "WOOCOMMERCE_URL": "shop.example"})
    problems = caught.value.details["problems"]
    assert [p.split(":")[0] for p in problems] == [
        "PORT", "WOOCOMMERCE_URL", "WOOCOMMERCE_CONSUMER_KEY", "WOOCOMMERCE_CONSUMER_SECRET"]


def test_system_is_required_and_checked():
    with pytest.raises(ConfigError, match="SYSTEM: is required"):
        Settings.from_env({})
    with pytest.raises(ConfigError, match="SYSTEM: must be one of"):
        Settings.from_env({"SYSTEM": "shopify"})


def test_secrets_never_appear_in_errors_or_repr():
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({**WOO, "WEBSHOP_API": "not json", "SERVICE_TOKEN": "s3cr3t-token"})
    settings = Settings.from_env(WOO)
    assert "cs_topsecret" not in repr(settings) and "ck_abc" not in repr(settings)
    assert "s3cr3t" not in str(caught.value)


def test_readme_table_is_generated_from_the_settings():
    readme = (Path(__file__).parents[3] / "README.md").read_text()
    assert variables_table() in readme, "README's settings table is stale: paste service.settings.variables_table()"
