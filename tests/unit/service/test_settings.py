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


def problems_of(environ: dict[str, str]) -> dict[str, str]:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(environ)
    return dict(problem.split(": ", 1) for problem in caught.value.details["problems"])


def test_gunicorn_settings_are_validated_like_the_others():
    settings = Settings.from_env({**WOO, "WEB_CONCURRENCY": "1", "GUNICORN_THREADS": "16", "GUNICORN_TIMEOUT": "300"})
    assert (settings.web_concurrency, settings.gunicorn_threads, settings.gunicorn_timeout) == (1, 16, 300)
    problems = problems_of({**WOO, "WEB_CONCURRENCY": "two", "GUNICORN_THREADS": "0", "GUNICORN_TIMEOUT": "30s",
                            "SANDBOX_PORT": "80800"})
    assert problems == {
        "WEB_CONCURRENCY": "must be a whole number from 1 to 64 (got 'two')",
        "GUNICORN_THREADS": "must be a whole number from 1 to 256 (got '0')",
        "GUNICORN_TIMEOUT": "must be a whole number of seconds from 1 to 86400 (got '30s')",
        "SANDBOX_PORT": "must be a whole number from 1 to 65535 (got '80800')",
    }


def test_numbers_are_explained_not_parsed_aloud():
    problems = problems_of({**WOO, "PORT": "eighty", "UPSTREAM_TIMEOUT": "60s", "SETTLE_SECONDS": "nan"})
    assert problems["PORT"] == "must be a whole number from 1 to 65535 (got 'eighty')"
    assert problems["UPSTREAM_TIMEOUT"] == "must be a number of seconds from 1 to 3600 (got '60s')"
    assert problems["SETTLE_SECONDS"].startswith("must be a number of seconds from 0 to 3600")
    assert not [p for p in problems.values() if "invalid literal" in p or "could not convert" in p]


@pytest.mark.parametrize("raw, size", [("1048576", 1 << 20), ("1MiB", 1 << 20), ("1MB", 1_000_000),
                                       ("64 mib", 64 << 20), ("512KiB", 512 << 10), ("2kb", 2000),
                                       ("1GiB", 1 << 30), ("4096B", 4096)])
def test_body_size_takes_si_and_iec_units(raw: str, size: int):
    assert Settings.from_env({**WOO, "MAX_BODY_BYTES": raw}).max_body_bytes == size


@pytest.mark.parametrize("raw", ["1.5MB", "1TB", "64 megabytes", "-1MB", "1000", "3GiB", "MB"])
def test_body_size_refuses_what_it_cannot_read_or_allow(raw: str):
    problem = problems_of({**WOO, "MAX_BODY_BYTES": raw})["MAX_BODY_BYTES"]
    assert problem.startswith("must be a size from 1024 to 2147483648 bytes") and "64MiB" in problem


def test_a_woocommerce_url_with_the_rest_prefix_is_explained_at_start():
    problems = problems_of({**WOO, "WOOCOMMERCE_URL": "https://shop.example/wp-json/wc/v3/"})
    assert problems["WOOCOMMERCE_URL"].startswith(
        "must be the store's base URL, without /wp-json/… (the service adds /wp-json/wc/v3): use 'https://shop.example'")
    in_a_folder = problems_of({**WOO, "WOOCOMMERCE_URL": "https://example.com/shop/wp-json"})["WOOCOMMERCE_URL"]
    assert "use 'https://example.com/shop'" in in_a_folder
    assert Settings.from_env({**WOO, "WOOCOMMERCE_URL": "https://example.com/wp-shop"}).woocommerce_url \
        == "https://example.com/wp-shop"


def test_declared_defaults_are_the_settings_defaults():
    """The table's defaults (VARIABLES) and the dataclass's (what tests and the harness build) are one fact."""
    from_env = Settings.from_env({"SYSTEM": "customwebshop", "WEBSHOP_URL": "https://shop.example",
                                  "WEBSHOP_TOKEN": "t"})
    assert from_env == Settings(system="customwebshop", webshop_url="https://shop.example", webshop_token=Secret("t"))


def test_one_worker_and_pulls_below_the_threads_are_required():
    """The receivers' protocol state lives in the process (README, "Receivers"), and pulls that may hold every
    thread leave receivers waiting behind them (issue 11, items 3 and 12)."""
    problems = problems_of({**WOO, "WEB_CONCURRENCY": "2", "MAX_CONCURRENT_PULLS": "8", "GUNICORN_THREADS": "8"})
    assert problems["WEB_CONCURRENCY"].startswith("must be 1: the JSON Push sequences and the journal of creates")
    assert problems["MAX_CONCURRENT_PULLS"].startswith("must be below GUNICORN_THREADS (8 >= 8)")
    settings = Settings.from_env({**WOO, "MAX_CONCURRENT_PULLS": "12", "GUNICORN_THREADS": "16"})
    assert (settings.max_concurrent_pulls, settings.gunicorn_threads) == (12, 16)
