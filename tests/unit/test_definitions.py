"""The module's own EVerest definitions: manifest.yaml, interfaces/*.yaml, types/*.yaml."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator

from everest_ocpp.everest import metaschema
from everest_ocpp.everest.definition_check import CheckedDefinitions, check_definitions, unresolved_refs

ROOT = Path(__file__).resolve().parents[2]
INTERFACES = sorted((ROOT / "interfaces").glob("*.yaml"))
TYPE_FILES = sorted((ROOT / "types").glob("*.yaml"))
REQUIRED_INTERFACES = {
    "evse_manager",
    "evse_security",
    "system",
    "auth",
    "reservation",
    "external_energy_limits",
}


@pytest.fixture(scope="module")
def defs() -> CheckedDefinitions:
    return check_definitions(ROOT)


def _ids(paths: list[Path]) -> list[str]:
    return [f"{p.parent.name}/{p.name}" if p.parent != ROOT else p.name for p in paths]


def test_shipped_files() -> None:
    assert {p.stem for p in INTERFACES} == REQUIRED_INTERFACES | {"ocpp", "ocpp_data_transfer"}
    assert {
        "ocpp",
        "text_message",
        "evse_manager",
        "evse_security",
        "system",
        "authorization",
        "reservation",
        "energy",
    } <= {p.stem for p in TYPE_FILES}


def test_manifest_is_valid() -> None:
    metaschema.validate_manifest(metaschema.load_yaml(ROOT / "manifest.yaml"))


@pytest.mark.parametrize("path", INTERFACES, ids=_ids(INTERFACES))
def test_interface_is_valid(path: Path) -> None:
    metaschema.validate_interface(metaschema.load_yaml(path), path.name)


@pytest.mark.parametrize("path", TYPE_FILES, ids=_ids(TYPE_FILES))
def test_type_file_is_valid(path: Path) -> None:
    metaschema.validate_type_file(metaschema.load_yaml(path), path.name)


@pytest.mark.parametrize(
    "path",
    [ROOT / "manifest.yaml", *INTERFACES, *TYPE_FILES],
    ids=_ids([ROOT / "manifest.yaml", *INTERFACES, *TYPE_FILES]),
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
    for name in ("interfaces", "types"):
        (tmp_path / name).symlink_to(ROOT / name)
    manifest = metaschema.load_yaml(ROOT / "manifest.yaml")
    manifest["requires"]["display"] = {"interface": "display_message"}
    (tmp_path / "manifest.yaml").write_text(yaml.safe_dump(manifest))
    with pytest.raises(metaschema.DefinitionError, match="requires/display: interface 'display_message'"):
        check_definitions(tmp_path)


# --------------------------------------------------------------------------- values through $ref


def _cmd_arg(defs: CheckedDefinitions, iface: str, cmd: str, arg: str) -> Draft7Validator:
    return metaschema.value_validator(defs.interfaces[iface]["cmds"][cmd]["arguments"][arg], defs.registry)


def _var(defs: CheckedDefinitions, iface: str, var: str) -> Draft7Validator:
    return metaschema.value_validator(defs.interfaces[iface]["vars"][var], defs.registry)


def _errors(v: Draft7Validator, value: Any) -> list[str]:
    return sorted(e.message for e in v.iter_errors(value))


def test_security_event_through_ref(defs: CheckedDefinitions) -> None:
    v = _cmd_arg(defs, "ocpp", "security_event", "event")
    assert (
        _errors(
            v,
            {
                "type": "StartupOfTheDevice",
                "info": "boot",
                "critical": True,
                "timestamp": "2024-05-01T12:00:00.000Z",
            },
        )
        == []
    )
    assert _errors(v, {"type": "AnyTextIsAllowed"}) == []
    assert _errors(v, {"info": "no type"}) == ["'type' is a required property"]
    assert _errors(v, {"type": "X", "critical": "yes"}) == ["'yes' is not of type 'boolean'"]
    assert _errors(v, {"type": "X", "timestamp": "yesterday"}) == ["'yesterday' is not a 'date-time'"]


def test_get_variables_request_through_ref(defs: CheckedDefinitions) -> None:
    v = _cmd_arg(defs, "ocpp", "get_variables", "requests")
    good = {
        "component_variable": {
            "component": {"name": "OCPPCommCtrlr", "evse": {"id": 1, "connector_id": 1}},
            "variable": {"name": "HeartbeatInterval"},
        },
        "attribute_type": "Actual",
    }
    assert _errors(v, [good, good]) == []
    assert _errors(v, []) == []
    bad_attr = copy.deepcopy(good) | {"attribute_type": "Current"}
    assert _errors(v, [bad_attr]) == ["'Current' is not one of ['Actual', 'Target', 'MinSet', 'MaxSet']"]
    assert _errors(v, [{"attribute_type": "Actual"}]) == ["'component_variable' is a required property"]
    long_name = copy.deepcopy(good)
    long_name["component_variable"]["variable"]["name"] = "x" * 51
    assert _errors(v, [long_name]) == [f"'{'x' * 51}' is too long"]
    evse0 = copy.deepcopy(good)
    evse0["component_variable"]["component"]["evse"]["id"] = 0
    assert _errors(v, [evse0]) == ["0 is less than the minimum of 1"]


def test_get_variables_result_through_ref(defs: CheckedDefinitions) -> None:
    v = metaschema.value_validator(defs.interfaces["ocpp"]["cmds"]["get_variables"]["result"], defs.registry)
    cv = {"component": {"name": ""}, "variable": {"name": "HeartbeatInterval"}}
    assert (
        _errors(
            v, [{"status": "Accepted", "value": "300", "attribute_type": "Actual", "component_variable": cv}]
        )
        == []
    )
    assert _errors(v, [{"status": "Unknown", "component_variable": cv}]) == [
        "'Unknown' is not one of ['Accepted', 'Rejected', 'UnknownComponent', 'UnknownVariable', "
        "'NotSupportedAttributeType']"
    ]


def test_charging_schedules_through_ref(defs: CheckedDefinitions) -> None:
    v = _var(defs, "ocpp", "charging_schedules")
    schedule = {
        "evse": 0,
        "charging_rate_unit": "A",
        "duration": 600,
        "start_schedule": "2024-05-01T12:00:00Z",
        "charging_schedule_period": [
            {"start_period": 0, "limit": 48.0, "number_phases": 3},
            {"start_period": 300, "limit": 16, "operation_mode": "ChargingOnly"},
        ],
    }
    assert _errors(v, {"schedules": [schedule, schedule | {"evse": 1}]}) == []
    assert _errors(v, {"schedules": [schedule | {"evse": -1}]}) == ["-1 is less than the minimum of 0"]
    no_unit = {k: x for k, x in schedule.items() if k != "charging_rate_unit"}
    assert _errors(v, {"schedules": [no_unit]}) == ["'charging_rate_unit' is a required property"]
    bad_period = schedule | {"charging_schedule_period": [{"start_period": 0}]}
    assert _errors(v, {"schedules": [bad_period]}) == ["'limit' is a required property"]
    assert _errors(v, {}) == ["'schedules' is a required property"]


def test_cross_file_ref_from_ocpp_to_text_message(defs: CheckedDefinitions) -> None:
    v = _var(defs, "ocpp", "ocpp_transaction_event_response")
    event = {"transaction_event": "Ended", "session_id": "s1", "transaction_id": "42", "evse": {"id": 1}}
    assert (
        _errors(
            v,
            {
                "original_transaction_event": event,
                "total_cost": 1.5,
                "personal_message": {"content": "Thanks", "format": "UTF8", "language": "en"},
            },
        )
        == []
    )
    assert _errors(
        v, {"original_transaction_event": event, "personal_message": {"content": "x", "format": "PDF"}}
    ) == ["'PDF' is not one of ['ASCII', 'HTML', 'URI', 'UTF8', 'QRCODE']"]


def test_session_event_reaches_powermeter_and_units(defs: CheckedDefinitions) -> None:
    v = _var(defs, "evse_manager", "session_event")
    meter = {"timestamp": "2024-05-01T12:00:00Z", "energy_Wh_import": {"total": 12.5}}
    started = {
        "uuid": "u1",
        "timestamp": "2024-05-01T12:00:00Z",
        "event": "TransactionStarted",
        "transaction_started": {
            "meter_value": meter,
            "id_tag": {"id_token": {"value": "TAG", "type": "ISO14443"}, "authorization_type": "RFID"},
        },
    }
    assert _errors(v, started) == []
    broken = copy.deepcopy(started)
    broken["transaction_started"]["meter_value"]["energy_Wh_import"] = {"L1": 1.0}
    assert _errors(v, broken) == ["'total' is a required property"]


def test_enable_disable_source_limits(defs: CheckedDefinitions) -> None:
    v = _cmd_arg(defs, "evse_manager", "enable_disable", "cmd_source")
    src = {"enable_source": "CSMS", "enable_state": "Disable", "enable_priority": 5000}
    assert _errors(v, src) == []
    assert _errors(v, src | {"enable_priority": 10001}) == ["10001 is greater than the maximum of 10000"]


# --------------------------------------------------------------------------- manifest contract (SPEC §2)


def test_manifest_provides_requires_match_spec() -> None:
    m = metaschema.load_yaml(ROOT / "manifest.yaml")
    assert {k: v["interface"] for k, v in m["provides"].items()} == {"ocpp_generic": "ocpp"}
    assert {
        k: (v["interface"], v["min_connections"], v["max_connections"]) for k, v in m["requires"].items()
    } == {
        "evse_manager": ("evse_manager", 1, 128),
        "security": ("evse_security", 0, 1),
        "system": ("system", 0, 1),
        "auth": ("auth", 0, 1),
        "reservation": ("reservation", 0, 1),
        "evse_energy_sink": ("external_energy_limits", 0, 129),
    }
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
        "enum": ["", "1.6", "2.0.1"],
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
}


@pytest.mark.parametrize("name", MINIMUM_API, ids=list(MINIMUM_API))
def test_interfaces_offer_what_the_module_uses(defs: CheckedDefinitions, name: str) -> None:
    cmds, variables = MINIMUM_API[name]
    assert cmds <= set(defs.interfaces[name].get("cmds") or {})
    assert variables <= set(defs.interfaces[name].get("vars") or {})
    assert "errors" not in defs.interfaces[name]  # deliberately left out, see docs/definitions.md
