from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from everest_ocpp.v201.device_model import DeviceModel, default_config_path


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    """A writable copy of the shipped component config set."""
    target = tmp_path / "component_config"
    shutil.copytree(default_config_path(), target)
    return target


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "device_model.db"


@pytest.fixture
def dm(config_dir: Path, db_path: Path) -> Iterator[DeviceModel]:
    model = DeviceModel.open(config_dir, db_path, evses=[(1, [1]), (2, [1, 2])])
    yield model
    model.close()
