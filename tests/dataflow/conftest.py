"""The fixture sesam-config folder (see `config_fixture`), written fresh for each test."""
from __future__ import annotations

from pathlib import Path

import pytest
from config_fixture import fixture_pipes, fixture_systems, write_config


@pytest.fixture
def config_folder(tmp_path: Path) -> Path:
    return write_config(tmp_path / "sesam-config", fixture_pipes(), fixture_systems())
