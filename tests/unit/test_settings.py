"""The module's config keys: version inference, path lookup as the C++ modules do it, key aliases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from everest_ocpp.settings import DATA, ModuleSettings, SettingsError, choose_version


def values(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "OcppVersion": "",
        "ChargePointConfigPath": "",
        "UserConfigPath": "",
        "DatabasePath": "",
        "DeviceModelConfigPath": "",
        "DeviceModelDatabasePath": "",
        "CoreDatabasePath": "",
        "EverestDeviceModelDatabasePath": "",
        "DeviceModelDatabaseMigrationPath": "",
        "MessageLogPath": "/tmp/everest_ocpp_logs",
        "EnableExternalWebsocketControl": False,
        "MessageQueueResumeDelay": 0,
        "DelayOcppStart": 0,
        "ResetStopDelay": 0,
        "PublishChargingScheduleIntervalS": 30,
        "PublishChargingScheduleDurationS": 600,
        "CompositeScheduleIntervalS": -1,
        "RequestCompositeScheduleDurationS": -1,
        "RequestCompositeScheduleUnit": "A",
        "DatabaseDir": "",
    }
    base.update(overrides)
    return base


# in the reasons below, "~" stands for "-only key "
@pytest.mark.parametrize(
    ("given", "module_name", "version", "reason"),
    [
        ({"OcppVersion": "2.0.1"}, "OCPP", "2.0.1", "OcppVersion"),
        ({"OcppVersion": "1.6", "DeviceModelConfigPath": "x"}, "", "1.6", "OcppVersion"),
        ({"DeviceModelConfigPath": "component_config"}, "", "2.0.1", "2.0.1~DeviceModelConfigPath is set"),
        ({"CompositeScheduleIntervalS": 0}, "", "2.0.1", "2.0.1~CompositeScheduleIntervalS is set"),
        ({"CoreDatabasePath": "/tmp/ocpp201"}, "", "2.0.1", "2.0.1~CoreDatabasePath is set"),
        ({"ChargePointConfigPath": "config.json"}, "OCPP201", "1.6", "1.6~ChargePointConfigPath is set"),
        ({"DatabasePath": "/tmp/x"}, "", "1.6", "1.6~DatabasePath is set"),
        ({}, "OCPP201", "2.0.1", "module name OCPP201 ends in 201"),
        ({}, "EverestOcpp201", "2.0.1", "module name EverestOcpp201 ends in 201"),
        ({}, "OCPP", "1.6", "no OcppVersion and no version-specific key (default)"),
    ],
)
def test_version_choice(given: dict[str, Any], module_name: str, version: str, reason: str) -> None:
    assert choose_version(values(**given), module_name) == (version, reason.replace("~", "-only key "))


def test_keys_of_both_versions_without_ocpp_version_are_refused() -> None:
    with pytest.raises(SettingsError, match=r"2.0.1 keys \(DeviceModelConfigPath\) and OCPP 1.6 keys"):
        choose_version(values(DeviceModelConfigPath="a", UserConfigPath="b"), "")


def test_relative_config_is_found_next_to_the_config_then_in_the_share_dir_then_shipped(
    tmp_path: Path,
) -> None:
    config_dir, prefix = tmp_path / "cfg", tmp_path / "prefix"
    share = prefix / "share" / "everest" / "modules" / "OCPP"
    share.mkdir(parents=True)
    config_dir.mkdir()
    (share / "libocpp-config-test.json").write_text("{}")
    env = {"EV_PREFIX": str(prefix)}

    def resolve(name: str) -> Path | None:
        s = ModuleSettings.from_config(values(ChargePointConfigPath=name), config_dir, "ocpp", env=env)
        return s.charge_point_config

    assert resolve("libocpp-config-test.json") == share / "libocpp-config-test.json"
    (config_dir / "libocpp-config-test.json").write_text("{}")
    assert resolve("libocpp-config-test.json") == config_dir / "libocpp-config-test.json"
    assert resolve("config-full.json") == DATA / "v16" / "config-full.json"
    with pytest.raises(SettingsError) as err:
        resolve("missing.json")
    message = str(err.value)
    assert message.startswith("ChargePointConfigPath: 'missing.json' not found (looked in ")
    assert str(share / "missing.json") in message and str(config_dir / "missing.json") in message


def test_201_component_config_is_found_in_the_ocpp201_share_dir(tmp_path: Path) -> None:
    share = tmp_path / "share" / "everest" / "modules" / "OCPP201" / "component_config"
    share.mkdir(parents=True)
    s = ModuleSettings.from_config(
        values(DeviceModelConfigPath="component_config"),
        tmp_path / "elsewhere",
        "ocpp",
        env={"EV_PREFIX": str(tmp_path)},
    )
    assert (s.ocpp_version, s.device_model_config) == ("2.0.1", share)
    shipped = ModuleSettings.from_config(
        values(DeviceModelConfigPath="component_config"), tmp_path, "o", env={}
    )
    assert shipped.device_model_config == DATA / "v201" / "component_config"


def test_state_paths_and_cpp_aliases(tmp_path: Path) -> None:
    s16 = ModuleSettings.from_config(
        values(DatabasePath="db16", UserConfigPath="user.json", DelayOcppStart=250, ResetStopDelay=3),
        tmp_path,
        "ocpp",
        env={},
    )
    assert s16.database_dir == tmp_path / "db16"
    assert s16.user_config == tmp_path / "db16" / "user.json"  # not found anywhere: in the state folder
    assert (s16.delay_ocpp_start_s, s16.reset_stop_delay_s) == (0.25, 3.0)
    s201 = ModuleSettings.from_config(
        values(
            CoreDatabasePath="/var/lib/ocpp201",
            DeviceModelDatabasePath="device_model_storage.db",
            CompositeScheduleIntervalS=0,
            RequestCompositeScheduleDurationS=1200,
            EverestDeviceModelDatabasePath="x.db",
        ),
        tmp_path,
        "ocpp",
        env={},
    )
    assert s201.database_dir == Path("/var/lib/ocpp201")
    # never libocpp's own file: a relative device model database lives in our state folder
    assert s201.device_model_database == Path("/var/lib/ocpp201/device_model_storage.db")
    assert (s201.publish_schedule_interval_s, s201.publish_schedule_duration_s) == (0, 1200)
    assert s201.no_effect_keys == ("EverestDeviceModelDatabasePath",)
    ours = ModuleSettings.from_config(
        values(DatabaseDir="state", CoreDatabasePath="/x"), tmp_path, "o", env={}
    )
    assert ours.database_dir == tmp_path / "state"  # DatabaseDir wins over the C++ key


def test_empty_keys_use_the_cpp_defaults_of_an_everest_installation(tmp_path: Path) -> None:
    share16 = tmp_path / "share" / "everest" / "modules" / "OCPP"
    share201 = tmp_path / "share" / "everest" / "modules" / "OCPP201"
    (share201 / "component_config").mkdir(parents=True)
    share16.mkdir(parents=True)
    env = {"EV_PREFIX": str(tmp_path)}
    # nothing installed under the C++ default name: an error, as the C++ module stops there too (a
    # misspelt key is dropped by the manager; the shipped sample must not stand in for it)
    with pytest.raises(SettingsError) as error:
        ModuleSettings.from_config(values(), tmp_path / "cfg", "ocpp", module_name="OCPP", env=env)
    assert str(error.value) == (
        f"ChargePointConfigPath is not set and the default 'ocpp-config.json' is not in {share16} "
        "(a misspelt ChargePointConfigPath is dropped by the manager): set ChargePointConfigPath to "
        "your configuration"
    )
    # no EVerest installation (or none with the C++ module's files): the shipped sample
    s16 = ModuleSettings.from_config(values(), tmp_path / "cfg", "ocpp", module_name="OCPP", env={})
    assert s16.charge_point_config is None
    (share16 / "ocpp-config.json").write_text("{}")
    s16 = ModuleSettings.from_config(
        values(UserConfigPath="user_config.json"), tmp_path / "cfg", "ocpp", module_name="OCPP", env=env
    )
    assert s16.charge_point_config == share16 / "ocpp-config.json"
    assert s16.user_config == share16 / "user_config.json"  # created where the C++ module keeps it
    s201 = ModuleSettings.from_config(values(), tmp_path / "cfg", "ocpp", module_name="OCPP201", env=env)
    assert s201.device_model_config == share201 / "component_config"
