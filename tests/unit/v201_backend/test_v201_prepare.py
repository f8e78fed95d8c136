"""Preparing the 2.0.1 backend fails fast, naming the file and the variable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from everest_ocpp.backends import BackendConfigError, Prepared201, prepare_backend
from everest_ocpp.settings import ModuleSettings, SettingsError

from .conftest import set_file_value


def settings(tmp_path: Path, config_dir: Path | None) -> ModuleSettings:
    values = {
        "OcppVersion": "2.0.1",
        "DeviceModelConfigPath": str(config_dir) if config_dir else "",
        "DeviceModelDatabasePath": str(tmp_path / "db" / "dm.db"),
        "DatabaseDir": str(tmp_path / "state"),
        "PublishChargingScheduleIntervalS": 30,
        "PublishChargingScheduleDurationS": 600,
        "RequestCompositeScheduleUnit": "A",
    }
    return ModuleSettings.from_config(values, tmp_path, "ocpp")


def test_shipped_set_prepares_and_creates_the_directories(tmp_path: Path) -> None:
    prepared = prepare_backend(settings(tmp_path, None))
    assert isinstance(prepared, Prepared201)
    assert (tmp_path / "db").is_dir() and (tmp_path / "state").is_dir()
    assert not (tmp_path / "db" / "dm.db").exists()  # the real database is opened at build time


def test_unusable_network_profiles_name_file_and_variable(tmp_path: Path, config_dir: Path) -> None:
    path = set_file_value(config_dir, "InternalCtrlr", "NetworkConnectionProfiles", "[{]")
    with pytest.raises(BackendConfigError) as err:
        Prepared201(settings(tmp_path, config_dir))
    message = str(err.value)
    assert message.startswith(f"{path}: variable InternalCtrlr.NetworkConnectionProfiles: not valid JSON")


def test_priority_without_profile_names_the_ocppcommctrlr_file(tmp_path: Path, config_dir: Path) -> None:
    path = set_file_value(config_dir, "OCPPCommCtrlr", "NetworkConfigurationPriority", "1,2")
    with pytest.raises(BackendConfigError, match="NetworkConfigurationPriority") as err:
        Prepared201(settings(tmp_path, config_dir))
    assert str(err.value).startswith(str(path))


def test_a_value_failing_its_characteristics_names_file_and_variable(
    tmp_path: Path, config_dir: Path
) -> None:
    path = set_file_value(config_dir, "OCPPCommCtrlr", "OfflineThreshold", "soon")
    with pytest.raises(BackendConfigError) as err:
        Prepared201(settings(tmp_path, config_dir))
    assert str(path) in str(err.value) and "OfflineThreshold" in str(err.value)


def test_a_missing_required_variable_is_reported(tmp_path: Path, config_dir: Path) -> None:
    path = next(config_dir.rglob("SecurityCtrlr.json"))
    data = json.loads(path.read_text())
    del data["properties"]["Identity"]
    data["required"] = [r for r in data.get("required", []) if r != "Identity"]
    path.write_text(json.dumps(data))
    with pytest.raises(BackendConfigError, match=r"SecurityCtrlr\.Identity"):
        Prepared201(settings(tmp_path, config_dir))


def test_a_missing_folder_is_reported(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"DeviceModelConfigPath: .*nowhere does not exist"):
        settings(tmp_path, tmp_path / "nowhere")
