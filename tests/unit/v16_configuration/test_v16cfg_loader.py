"""Loading: merge-patch overlay, forced connector count, and a ConfigError naming file, key and problem."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest

from everest_ocpp.v16.configuration import ConfigError, ConfigurationStatus

from .conftest import Files


def load_error(files: Files, patch: dict | None = None, *, rewrite: bool = True, **kwargs) -> str:
    if rewrite:
        files.write(patch)
    with pytest.raises(ConfigError) as info:
        files.load(**kwargs)
    return str(info.value)


def test_missing_config_file(files: Files) -> None:
    with pytest.raises(ConfigError, match=re.escape(f"{files.config_path}: cannot read OCPP 1.6 config")):
        files.load()


def test_bad_json(files: Files) -> None:
    files.config_path.write_text('{"Internal": {')
    with pytest.raises(
        ConfigError, match=re.escape(f"{files.config_path}: OCPP 1.6 config is not valid JSON")
    ):
        files.load()


def test_top_level_must_be_an_object(files: Files) -> None:
    files.config_path.write_text("[]")
    with pytest.raises(ConfigError, match="must be a JSON object"):
        files.load()


@pytest.mark.parametrize(
    "patch, message",
    [
        ({"Bogus": {}}, "unknown section 'Bogus'"),
        ({"Security": None}, "required section 'Security' is missing"),
        ({"Core": {"HeartBeatIntervall": 5}}, "Core.HeartBeatIntervall: unknown key"),
        (
            {"Internal": {"HeartbeatInterval": 5}},
            "Internal.HeartbeatInterval: unknown key (it belongs to section 'Core')",
        ),
        (
            {"Core": {"HeartbeatInterval": "60"}},
            "Core.HeartbeatInterval: expected a JSON integer, got string",
        ),
        (
            {"Core": {"HeartbeatInterval": 60.0}},
            "Core.HeartbeatInterval: expected a JSON integer, got number",
        ),
        (
            {"Core": {"HeartbeatInterval": True}},
            "Core.HeartbeatInterval: expected a JSON integer, got boolean",
        ),
        (
            {"Core": {"LocalPreAuthorize": "false"}},
            "Core.LocalPreAuthorize: expected a JSON boolean, got string",
        ),
        ({"Core": {"HeartbeatInterval": -1}}, "Core.HeartbeatInterval: -1 is below the minimum 0"),
        ({"Core": {"LightIntensity": 101}}, "Core.LightIntensity: 101 is above the maximum 100"),
        (
            {"Internal": {"OcspRequestInterval": 3600}},
            "Internal.OcspRequestInterval: 3600 is below the minimum 86400",
        ),
        ({"Internal": {"CompositeScheduleDefaultNumberPhases": 4}}, "is above the maximum 3"),
        ({"Security": {"SecurityProfile": 4}}, "Security.SecurityProfile: 4 is above the maximum 3"),
        (
            {"Internal": {"ChargePointModel": "M" * 21}},
            "Internal.ChargePointModel: 'MMMMMMMMMMMMMMMMMMMMM' is longer",
        ),
        ({"Internal": {"ChargePointId": ""}}, "Internal.ChargePointId: '' is shorter than 1 characters"),
        (
            {"Internal": {"LogMessagesFormat": ["log", 1]}},
            "Internal.LogMessagesFormat: expected an array of strings",
        ),
        ({"Core": {"HeartbeatInterval": None}}, "Core.HeartbeatInterval: required key is missing"),
        ({"Internal": {"FirmwareVersion": None}}, "Internal.FirmwareVersion: required key is missing"),
        ({"Core": {"SupportedFeatureProfiles": "Core,Bogus"}}, "unknown feature profile(s) Bogus"),
        (
            {"Core": {"SupportedFeatureProfiles": "SmartCharging"}},
            "Core.SupportedFeatureProfiles: must list Core",
        ),
        (
            {"Core": {"SupportedFeatureProfiles": "Core,SmartCharging"}},
            "lists SmartCharging but the config has no",
        ),
        (
            {"Internal": {"SupportedMeasurands": "Voltage,Bogus"}},
            "Internal.SupportedMeasurands: unknown measurand(s) Bogus",
        ),
        (
            {
                "Core": {"MeterValuesSampledData": "Voltage,SoC", "NumberOfConnectors": 1},
                "Internal": {"SupportedMeasurands": "Voltage,Energy.Active.Import.Register"},
            },
            "Core.MeterValuesSampledData: measurand 'SoC' is not in SupportedMeasurands",
        ),
        (
            {"CostAndPrice": {"CustomDisplayCostAndPrice": True, "DefaultPrice": {"priceTextOffline": "x"}}},
            "CostAndPrice.DefaultPrice: 'priceText' is missing",
        ),
        ({"PnC": {"ISO15118PnCEnabled": True}}, "PnC.ContractValidationOffline: required key is missing"),
        ({"SmartCharging": {}}, "SmartCharging.ChargeProfileMaxStackLevel: required key is missing"),
        ({"Custom": {"HeartbeatInterval": 5}}, "Custom.HeartbeatInterval: clashes with the standard key"),
        ({"Custom": {"a": 1, "A": 2}}, "Custom.A: declared twice"),
        ({"Custom": {"K" * 51: 1}}, "key names must be 1..50 printable characters"),
    ],
)
def test_bad_config_names_file_key_and_problem(files: Files, patch: dict, message: str) -> None:
    error = load_error(files, patch)
    assert error.startswith(f"{files.config_path}: ")
    assert message in error


def test_custom_null_value(files: Files) -> None:
    config = json.loads(files.write().read_text())
    config["Custom"] = {"Nothing": None}
    files.config_path.write_text(json.dumps(config))
    with pytest.raises(
        ConfigError, match=re.escape(f"{files.config_path}: Custom.Nothing: null is not a usable")
    ):
        files.load()


def test_bad_authorization_key_is_not_echoed(files: Files) -> None:
    error = load_error(files, {"Security": {"AuthorizationKey": "short"}})
    assert error == f"{files.config_path}: Security.AuthorizationKey: the value is shorter than 8 characters"


def test_errors_from_the_user_config_name_the_user_config(files: Files) -> None:
    files.write_user({"Core": {"HeartbeatInterval": "soon"}})
    error = load_error(files)
    assert error == f"{files.user_path}: Core.HeartbeatInterval: expected a JSON integer, got string"
    files.write_user("{not json")
    assert load_error(files).startswith(f"{files.user_path}: user config is not valid JSON")
    files.write_user({"Nope": {}})
    assert load_error(files) == f"{files.user_path}: unknown section 'Nope'"


def test_missing_user_config_is_created_empty(files: Files) -> None:
    files.write()
    assert not files.user_path.exists()
    files.load()
    assert files.user() == {}


def test_user_config_in_a_missing_directory(files: Files) -> None:
    files.user_path = files.root / "missing" / "user.json"
    assert load_error(files).startswith(f"{files.user_path}: cannot create the user config")


def test_user_config_merge_patch(files: Files) -> None:
    files.write({"Core": {"LightIntensity": 50, "BlinkRepeat": 2}})
    files.write_user(
        {"Core": {"LightIntensity": None, "HeartbeatInterval": 60}, "Security": {"CpoName": "cpo"}}
    )
    store = files.load()
    values = {kv.key: kv.value for kv in store.get_configuration().known}
    assert "LightIntensity" not in values  # null in the overlay removes the key
    assert (values["BlinkRepeat"], values["HeartbeatInterval"], values["CpoName"]) == ("2", "60", "cpo")


def test_number_of_connectors_is_forced_over_both_files(files: Files) -> None:
    files.write({"Core": {"NumberOfConnectors": 1}})
    files.write_user({"Core": {"NumberOfConnectors": 7}})
    assert files.load(number_of_connectors=3).number_of_connectors == 3
    assert files.load().number_of_connectors == 7
    assert "cannot be forced to -1" in load_error(files, number_of_connectors=-1)


def test_unknown_keys_in_lenient_sections_are_ignored(files: Files, caplog) -> None:
    caplog.set_level(logging.WARNING)
    files.write({"Security": {"SomeVendorKey": 1}, "PnC": {"ISO15118PnCEnabled": True,
                 "ContractValidationOffline": True, "Extra": "x"}})  # fmt: skip
    store = files.load()
    assert store.canonical_name("SomeVendorKey") is None
    assert store.canonical_name("Extra") is None
    assert "Security.SomeVendorKey: unknown key ignored" in caplog.text


def test_number_keys_accept_decimals_from_the_file(make_store) -> None:
    store = make_store({"Internal": {"CompositeScheduleDefaultLimitAmps": 32.5, "SupplyVoltage": 400}})
    assert store.get_configuration(["CompositeScheduleDefaultLimitAmps"]).known[0].value == "32.5"
    assert (store.value("CompositeScheduleDefaultLimitAmps"), store.value("SupplyVoltage")) == (32.5, 400)


def write_schema(path: Path, properties: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"type": "object", "properties": properties}))
    return path


def test_custom_keys_without_schema_are_writable_and_typed_by_value(make_store) -> None:
    store = make_store(
        {"Custom": {"Text": "a", "Count": 3, "Ratio": 0.5, "Flag": True, "List": ["x"], "Obj": {}}}
    )
    names = {"Text", "Count", "Ratio", "Flag", "List", "Obj"}
    dump = {kv.key: (kv.readonly, kv.value) for kv in store.get_configuration().known if kv.key in names}
    assert dump == {
        "Text": (False, "a"),
        "Count": (False, "3"),
        "Ratio": (False, "0.5"),
        "Flag": (False, "true"),
        "List": (False, '["x"]'),
        "Obj": (False, "{}"),
    }
    accept, reject = ConfigurationStatus.ACCEPTED, ConfigurationStatus.REJECTED
    assert store.change_configuration("count", "1.5") is reject
    assert store.change_configuration("Ratio", "1.5") is accept
    assert store.change_configuration("Flag", "yes") is reject
    assert store.change_configuration("List", '["y", "z"]') is accept
    assert store.change_configuration("Obj", "[]") is reject
    assert store.value("List") == ["y", "z"]


def test_custom_schema_beside_the_config(files: Files) -> None:
    write_schema(
        files.root / "profile_schemas" / "Custom.json",
        {
            "ConnectorType": {
                "type": "string",
                "enum": ["cType2", "sType2"],
                "default": "sType2",
                "readOnly": False,
            },
            "Locked": {"type": "integer", "readOnly": True},
        },
    )
    files.write({"Custom": {"Locked": 1}})
    store = files.load()
    assert (
        store.get_configuration(["ConnectorType", "Locked"]).known[0].value == "sType2"
    )  # default filled in
    assert store.change_configuration("ConnectorType", "cType3") is ConfigurationStatus.REJECTED
    assert store.change_configuration("ConnectorType", "cType2") is ConfigurationStatus.ACCEPTED
    assert store.change_configuration("Locked", "2") is ConfigurationStatus.REJECTED
    assert store.get_configuration(["Locked"]).known[0].readonly is True


def test_custom_schema_errors(files: Files) -> None:
    schema = write_schema(
        files.root / "schemas" / "custom.json", {"Mode": {"type": "string", "enum": ["a", "b"]}}
    )
    error = load_error(files, {"Custom": {"Mode": "c"}}, custom_schema_path=schema)
    assert error.startswith(f"{files.config_path}: Custom.Mode: violates the Custom schema")
    error = load_error(files, {"Custom": {"Mode": 1}}, custom_schema_path=schema)
    assert "Custom.Mode: value is not of the declared type string" in error
    missing = files.root / "nowhere.json"
    assert load_error(files, {"Custom": {}}, custom_schema_path=missing).startswith(f"{missing}: cannot read")


def test_custom_key_errors_name_the_file_the_key_came_from(files: Files) -> None:
    files.write({"Custom": {"Good": 1}})
    files.write_user({"Custom": {"heartbeatinterval": 5}})
    error = load_error(files, rewrite=False)
    assert error.startswith(f"{files.user_path}: Custom.heartbeatinterval: clashes with the standard key")
    files.write_user({"Custom": {"Other": 2}})
    assert files.load().value("Other") == 2
