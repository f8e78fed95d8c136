"""The module's own EVerest definitions: manifest.yaml, interfaces/*.yaml, types/*.yaml, errors/*.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from everest_ocpp.everest import metaschema
from everest_ocpp.everest.definition_check import CheckedDefinitions, check_definitions, unresolved_refs

ROOT = Path(__file__).resolve().parents[2]
INTERFACES = sorted((ROOT / "interfaces").glob("*.yaml"))
TYPE_FILES = sorted((ROOT / "types").glob("*.yaml"))
ERROR_FILES = sorted((ROOT / "errors").glob("*.yaml"))
REQUIRED_INTERFACES = {
    "evse_manager",
    "evse_security",
    "system",
    "auth",
    "reservation",
    "external_energy_limits",
    "charger_information",
    "ocpp_data_transfer",
    "display_message",
    "iso15118_extensions",
}
PROVIDED_INTERFACES = {
    "ocpp",
    "auth_token_validator",
    "auth_token_provider",
    "ocpp_data_transfer",
    "session_cost",
    "ocpp_1_6_charge_point",
}


@pytest.fixture(scope="module")
def defs() -> CheckedDefinitions:
    return check_definitions(ROOT)


def _ids(paths: list[Path]) -> list[str]:
    return [f"{p.parent.name}/{p.name}" if p.parent != ROOT else p.name for p in paths]


def test_shipped_files() -> None:
    assert {p.stem for p in INTERFACES} == REQUIRED_INTERFACES | PROVIDED_INTERFACES
    assert {
        "ocpp",
        "text_message",
        "evse_manager",
        "evse_security",
        "system",
        "authorization",
        "reservation",
        "energy",
        "session_cost",
        "money",
        "display_message",
        "charger_information",
        "iso15118",
    } <= {p.stem for p in TYPE_FILES}
    assert {p.stem for p in ERROR_FILES} == {"generic", "evse_manager", "system"}


def test_manifest_is_valid() -> None:
    metaschema.validate_manifest(metaschema.load_yaml(ROOT / "manifest.yaml"))


@pytest.mark.parametrize("path", INTERFACES, ids=_ids(INTERFACES))
def test_interface_is_valid(path: Path) -> None:
    metaschema.validate_interface(metaschema.load_yaml(path), path.name)


@pytest.mark.parametrize("path", TYPE_FILES, ids=_ids(TYPE_FILES))
def test_type_file_is_valid(path: Path) -> None:
    metaschema.validate_type_file(metaschema.load_yaml(path), path.name)


@pytest.mark.parametrize("path", ERROR_FILES, ids=_ids(ERROR_FILES))
def test_error_list_is_valid(path: Path) -> None:
    metaschema.validate_error_list(metaschema.load_yaml(path), path.name)


@pytest.mark.parametrize(
    "path",
    [ROOT / "manifest.yaml", *INTERFACES, *TYPE_FILES, *ERROR_FILES],
    ids=_ids([ROOT / "manifest.yaml", *INTERFACES, *TYPE_FILES, *ERROR_FILES]),
)
def test_pyyaml_and_everest_yaml_rules_read_the_same(path: Path) -> None:
    # Our files must not depend on which YAML flavour reads them (e.g. no bare ON, 1.6 or dates).
    assert yaml.safe_load(path.read_text()) == metaschema.load_yaml(path)


def test_every_ref_resolves(defs: CheckedDefinitions) -> None:
    docs = [(f"interfaces/{n}", d) for n, d in defs.interfaces.items()]
    docs += [(f"types/{n}", d) for n, d in defs.types.items()]
    refs = [r for _, d in docs for r in metaschema.iter_refs(d)]
    assert len(refs) > 200
    assert all(metaschema.TYPE_REF_PATTERN.match(r) for r in refs)
    assert unresolved_refs(docs, defs.registry) == []


def test_unresolved_ref_is_reported(defs: CheckedDefinitions) -> None:
    doc = {"vars": {"x": {"type": "object", "$ref": "/ocpp#/NoSuchType"}, "y": {"$ref": "/nofile#/A"}}}
    assert unresolved_refs([("iface", doc)], defs.registry) == [
        "iface: /ocpp#/NoSuchType",
        "iface: /nofile#/A",
    ]


def test_check_definitions_reports_missing_interface_file(tmp_path: Path) -> None:
    for name in ("interfaces", "types", "errors"):
        (tmp_path / name).symlink_to(ROOT / name)
    manifest = metaschema.load_yaml(ROOT / "manifest.yaml")
    manifest["requires"]["screen"] = {"interface": "large_display"}
    (tmp_path / "manifest.yaml").write_text(yaml.safe_dump(manifest))
    with pytest.raises(metaschema.DefinitionError, match="requires/screen: interface 'large_display'"):
        check_definitions(tmp_path)


# --------------------------------------------------------------------------- manifest contract (SPEC §2)


def test_manifest_provides_requires_match_spec() -> None:
    m = metaschema.load_yaml(ROOT / "manifest.yaml")
    assert {k: v["interface"] for k, v in m["provides"].items()} == {
        "ocpp_generic": "ocpp",
        "auth_validator": "auth_token_validator",
        "auth_provider": "auth_token_provider",
        "data_transfer": "ocpp_data_transfer",
        "session_cost": "session_cost",
        "main": "ocpp_1_6_charge_point",
    }
    assert {
        k: (v["interface"], v["min_connections"], v["max_connections"]) for k, v in m["requires"].items()
    } == {
        "evse_manager": ("evse_manager", 1, 128),
        "security": ("evse_security", 0, 1),
        "system": ("system", 0, 1),
        "auth": ("auth", 0, 1),
        "reservation": ("reservation", 0, 1),
        "evse_energy_sink": ("external_energy_limits", 0, 129),
        "charger_information": ("charger_information", 0, 1),
        "data_transfer": ("ocpp_data_transfer", 0, 1),
        "display_message": ("display_message", 0, 1),
        "extensions_15118": ("iso15118_extensions", 0, 128),
    }
    assert (m["enable_external_mqtt"], m["enable_global_errors"]) == (True, True)
    assert "enable_telemetry" not in m
    assert m["metadata"]["license"] == "https://opensource.org/licenses/Apache-2.0"
    assert m["metadata"]["authors"]


# config_module keys of EVerest's C++ OCPP (1.6) and OCPP201 modules (everest-core 23c9dac) and their types
CPP_CONFIG_KEYS = {
    "ChargePointConfigPath": "string",
    "UserConfigPath": "string",
    "DatabasePath": "string",
    "EnableExternalWebsocketControl": "boolean",
    "PublishChargingScheduleIntervalS": "integer",
    "PublishChargingScheduleDurationS": "integer",
    "MessageLogPath": "string",
    "MessageQueueResumeDelay": "integer",
    "RequestCompositeScheduleUnit": "string",
    "DelayOcppStart": "integer",
    "ResetStopDelay": "integer",
    "CoreDatabasePath": "string",
    "DeviceModelDatabasePath": "string",
    "EverestDeviceModelDatabasePath": "string",
    "DeviceModelDatabaseMigrationPath": "string",
    "DeviceModelConfigPath": "string",
    "CompositeScheduleIntervalS": "integer",
    "RequestCompositeScheduleDurationS": "integer",
}


def test_manifest_config_accepts_every_key_of_the_cpp_modules() -> None:
    config = metaschema.load_yaml(ROOT / "manifest.yaml")["config"]
    assert {k: config[k]["type"] for k in CPP_CONFIG_KEYS if k in config} == CPP_CONFIG_KEYS
    assert set(config) == {*CPP_CONFIG_KEYS, "OcppVersion", "DatabaseDir"}
    assert config["OcppVersion"] == {
        "description": config["OcppVersion"]["description"],
        "type": "string",
        # not an enum: the manager's validator does not find "" in an enum (seen with EVerest 2026.02)
        "pattern": r"^(1\.6|2\.0\.1)?$",
        "default": "",
    }
    # version-specific keys default to "not given", so the version can be inferred from them
    for key in (
        "ChargePointConfigPath",
        "UserConfigPath",
        "DatabasePath",
        "DeviceModelConfigPath",
        "DeviceModelDatabasePath",
        "CoreDatabasePath",
        "DatabaseDir",
    ):
        assert config[key]["default"] == "", key
    assert config["CompositeScheduleIntervalS"]["default"] == -1
    assert config["RequestCompositeScheduleDurationS"]["default"] == -1
    assert config["PublishChargingScheduleIntervalS"]["default"] == 30
    assert config["PublishChargingScheduleDurationS"]["default"] == 600
    assert config["RequestCompositeScheduleUnit"]["enum"] == ["A", "W"]
    assert all(len(v["description"]) > 40 for v in config.values())


def test_manifest_config_values_resolve_like_the_manager() -> None:
    config = metaschema.load_yaml(ROOT / "manifest.yaml")["config"]
    values, unknown = metaschema.resolve_config_values(config, {"OcppVersion": "2.0.1", "Foo": 1})
    assert unknown == ["Foo"]
    assert values["OcppVersion"] == "2.0.1"
    assert values["PublishChargingScheduleIntervalS"] == 30
    with pytest.raises(metaschema.DefinitionError, match="OcppVersion"):
        metaschema.resolve_config_values(config, {"OcppVersion": 1.6})  # unquoted 1.6 in YAML is a number
    with pytest.raises(metaschema.DefinitionError, match="PublishChargingScheduleDurationS"):
        metaschema.resolve_config_values(config, {"PublishChargingScheduleDurationS": 0})
    with pytest.raises(metaschema.DefinitionError, match="RequestCompositeScheduleUnit"):
        metaschema.resolve_config_values(config, {"RequestCompositeScheduleUnit": "kW"})


MINIMUM_API = {
    "ocpp": (
        {
            "stop",
            "restart",
            "security_event",
            "get_variables",
            "set_variables",
            "change_availability",
            "monitor_variables",
        },
        {
            "ocpp_transaction_event",
            "ocpp_transaction_event_response",
            "charging_schedules",
            "is_connected",
            "security_event",
            "event_data",
            "boot_notification_response",
            "ocpp_message",
        },
    ),
    "evse_manager": (
        {
            "get_evse",
            "enable_disable",
            "stop_transaction",
            "pause_charging",
            "resume_charging",
            "force_unlock",
            "external_ready_to_start_charging",
            "set_plug_and_charge_configuration",
        },
        {
            "ready",
            "waiting_for_external_ready",
            "session_event",
            "powermeter",
            "limits",
            "enforced_limits",
            "hw_capabilities",
        },
    ),
    "evse_security": (
        {
            "update_leaf_certificate",
            "install_ca_certificate",
            "delete_certificate",
            "verify_certificate",
            "get_installed_certificates",
            "generate_certificate_signing_request",
            "get_leaf_certificate_info",
            "is_ca_certificate_installed",
            "get_verify_file",
            "get_verify_location",
            "get_leaf_expiry_days_count",
            "get_all_valid_certificates_info",
        },
        set(),
    ),
    "system": (
        {
            "get_boot_reason",
            "is_reset_allowed",
            "reset",
            "set_system_time",
            "upload_logs",
            "update_firmware",
            "allow_firmware_installation",
        },
        {"log_status", "firmware_update_status"},
    ),
    "auth": ({"set_connection_timeout", "set_master_pass_group_id"}, set()),
    "reservation": ({"reserve_now", "cancel_reservation", "exists_reservation"}, {"reservation_update"}),
    "external_energy_limits": ({"set_external_limits"}, set()),
    "ocpp_data_transfer": ({"data_transfer"}, set()),
    "auth_token_validator": ({"validate_token"}, {"validate_result_update"}),
    "auth_token_provider": (set(), {"provided_token"}),
    "session_cost": (set(), {"default_price", "tariff_message", "session_cost"}),
    "ocpp_1_6_charge_point": (
        {
            "stop",
            "restart",
            "get_configuration_key",
            "set_configuration_key",
            "monitor_configuration_keys",
            "security_event",
        },
        {"is_connected", "configuration_key", "security_event"},
    ),
    "charger_information": ({"get_charger_information"}, set()),
    "display_message": ({"set_display_message", "get_display_messages", "clear_display_message"}, set()),
    "iso15118_extensions": (
        {"set_get_certificate_response"},
        {"iso15118_certificate_request", "charging_needs", "ev_info", "service_renegotiation_supported"},
    ),
}


@pytest.mark.parametrize("name", MINIMUM_API, ids=list(MINIMUM_API))
def test_interfaces_offer_what_the_module_uses(defs: CheckedDefinitions, name: str) -> None:
    cmds, variables = MINIMUM_API[name]
    assert cmds <= set(defs.interfaces[name].get("cmds") or {})
    assert variables <= set(defs.interfaces[name].get("vars") or {})
