"""The module's own EVerest definitions: manifest.yaml, interfaces/*.yaml, types/*.yaml, errors/*.yaml."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator

from everest_ocpp.everest import metaschema
from everest_ocpp.everest.definition_check import CheckedDefinitions, check_definitions, unresolved_refs
from everest_ocpp.everest.definitions import Definitions

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


def test_error_references_resolve_like_the_manager(defs: CheckedDefinitions) -> None:
    declared = {
        name: metaschema.resolve_error_refs(doc.get("errors") or [], defs.error_lists)
        for name, doc in defs.interfaces.items()
    }
    assert all(problems == [] for _, problems in declared.values())
    assert {name: sorted(found) for name, (found, _) in declared.items() if found} == {
        "evse_manager": ["evse_manager"],
        "system": ["system"],
        "auth": ["generic"],
        "auth_token_validator": ["generic"],
        "auth_token_provider": ["generic"],
    }
    generic = declared["auth"][0]["generic"]
    assert sorted(generic) == ["CommunicationFault", "VendorError", "VendorWarning"]
    assert generic["VendorError"]["namespace"] == "generic"
    assert len(declared["evse_manager"][0]["evse_manager"]) == 9


def test_error_reference_problems(defs: CheckedDefinitions) -> None:
    one, problems = metaschema.resolve_error_refs(
        [{"reference": "/errors/generic#/VendorWarning"}], defs.error_lists
    )
    assert (list(one["generic"]), problems) == (["VendorWarning"], [])
    _, problems = metaschema.resolve_error_refs(
        [
            {"reference": "/errors/nolist"},
            {"reference": "/errors/generic#/NoSuchError"},
            {"reference": "errors/generic"},
        ],
        defs.error_lists,
    )
    assert problems == [
        "/errors/nolist: no such error list",
        "/errors/generic#/NoSuchError: error list generic has no error NoSuchError",
        "errors/generic: no such error list",
    ]


def test_loader_resolves_error_types() -> None:
    definitions = Definitions(ROOT)
    assert definitions.error_types("system") == ["system/CommunicationFault"]
    assert definitions.error_types("auth_token_validator") == [
        "generic/CommunicationFault",
        "generic/VendorError",
        "generic/VendorWarning",
    ]
    assert "evse_manager/MREC4OverCurrentFailure" in definitions.error_types("evse_manager")
    assert definitions.error_types("ocpp") == []


def test_check_definitions_reports_unresolved_error_reference(tmp_path: Path) -> None:
    for name in ("types", "errors"):
        (tmp_path / name).symlink_to(ROOT / name)
    (tmp_path / "interfaces").mkdir()
    for path in INTERFACES:
        (tmp_path / "interfaces" / path.name).symlink_to(path)
    (tmp_path / "manifest.yaml").symlink_to(ROOT / "manifest.yaml")
    (tmp_path / "interfaces" / "system.yaml").unlink()
    doc = metaschema.load_yaml(ROOT / "interfaces" / "system.yaml")
    doc["errors"] = [{"reference": "/errors/system#/PowerFault"}]
    (tmp_path / "interfaces" / "system.yaml").write_text(yaml.safe_dump(doc))
    with pytest.raises(metaschema.DefinitionError) as info:
        check_definitions(tmp_path)
    assert info.value.problems == [
        "interfaces/system.yaml: /errors/system#/PowerFault: error list system has no error PowerFault"
    ]


def test_check_definitions_reports_missing_interface_file(tmp_path: Path) -> None:
    for name in ("interfaces", "types", "errors"):
        (tmp_path / name).symlink_to(ROOT / name)
    manifest = metaschema.load_yaml(ROOT / "manifest.yaml")
    manifest["requires"]["screen"] = {"interface": "large_display"}
    (tmp_path / "manifest.yaml").write_text(yaml.safe_dump(manifest))
    with pytest.raises(metaschema.DefinitionError, match="requires/screen: interface 'large_display'"):
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


def _result(defs: CheckedDefinitions, iface: str, cmd: str) -> Draft7Validator:
    return metaschema.value_validator(defs.interfaces[iface]["cmds"][cmd]["result"], defs.registry)


def test_validation_result_requires_tariff_messages(defs: CheckedDefinitions) -> None:
    v = _result(defs, "auth_token_validator", "validate_token")
    assert _errors(v, {"authorization_status": "Unknown", "tariff_messages": []}) == []
    assert _errors(v, {"authorization_status": "Unknown"}) == ["'tariff_messages' is a required property"]
    assert _errors(v, {"authorization_status": "Maybe", "tariff_messages": []}) == [
        "'Maybe' is not one of ['Accepted', 'Blocked', 'ConcurrentTx', 'Expired', 'Invalid', 'NoCredit', "
        "'NotAllowedTypeEVSE', 'NotAtThisLocation', 'NotAtThisTime', 'Unknown', 'PinRequired', 'Timeout']"
    ]


def test_get_configuration_key_result_through_ref(defs: CheckedDefinitions) -> None:
    v = _result(defs, "ocpp_1_6_charge_point", "get_configuration_key")
    key = {"key": "HeartbeatInterval", "read_only": False, "value": "300"}
    assert _errors(v, {"configuration_keys": [key], "unknown_keys": ["Foo"]}) == []
    assert _errors(v, {"configuration_keys": [{"key": "X"}], "unknown_keys": []}) == [
        "'read_only' is a required property"
    ]
    assert _errors(v, {"configuration_keys": []}) == ["'unknown_keys' is a required property"]


def test_data_transfer_offline_is_a_valid_answer(defs: CheckedDefinitions) -> None:
    v = _result(defs, "ocpp_data_transfer", "data_transfer")
    assert _errors(v, {"status": "Offline"}) == []
    assert _errors(v, {"status": "Offline", "extra": 1}) == [
        "Additional properties are not allowed ('extra' was unexpected)"
    ]


def test_session_cost_reaches_money_and_text_message(defs: CheckedDefinitions) -> None:
    v = _var(defs, "session_cost", "session_cost")
    cost = {
        "session_id": "s1",
        "currency": {"code": "EUR", "decimals": 2},
        "status": "Running",
        "cost_chunks": [
            {"cost": {"value": 123}, "category": "Energy", "timestamp_from": "2024-05-01T12:00:00Z"}
        ],
        "message": [{"content": "1.23 EUR", "language": "en"}],
    }
    assert _errors(v, cost) == []
    codes = metaschema.load_yaml(ROOT / "types" / "money.yaml")["types"]["CurrencyCode"]["enum"]
    assert _errors(v, cost | {"currency": {"code": "XXX"}}) == [f"'XXX' is not one of {codes}"]
    assert _errors(v, cost | {"currency": {"code": "EUR", "decimals": -1}}) == [
        "-1 is less than the minimum of 0"
    ]
    assert _errors(v, cost | {"status": "Done"}) == ["'Done' is not one of ['Running', 'Idle', 'Finished']"]


def test_charging_needs_reach_v2x_types(defs: CheckedDefinitions) -> None:
    v = _var(defs, "iso15118_extensions", "charging_needs")
    needs = {
        "requested_energy_transfer": "AC_BPT_DER",
        "der_charging_parameters": {"ev_supported_dercontrol": ["VoltVar"], "nominal_voltage": 230},
        "ev_energy_offer": {
            "ev_power_schedule": {
                "time_anchor": "2024-05-01T12:00:00Z",
                "ev_power_schedule_entries": [{"duration": 60, "power": -3000}],
            }
        },
    }
    assert _errors(v, needs) == []
    broken = copy.deepcopy(needs)
    broken["der_charging_parameters"]["ev_supported_dercontrol"] = []
    assert _errors(v, broken) == ["[] should be non-empty"]


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


def test_manifest_config_matches_spec() -> None:
    config = metaschema.load_yaml(ROOT / "manifest.yaml")["config"]
    shape = {k: {x: y for x, y in v.items() if x != "description"} for k, v in config.items()}
    assert shape == {
        "OcppVersion": {"type": "string", "enum": ["1.6", "2.0.1"], "default": "1.6"},
        "ChargePointConfigPath": {"type": "string", "default": ""},
        "UserConfigPath": {"type": "string", "default": ""},
        "DeviceModelConfigPath": {"type": "string", "default": ""},
        "DeviceModelDatabasePath": {"type": "string", "default": ""},
        "PublishChargingScheduleIntervalS": {"type": "integer", "minimum": 0, "default": 30},
        "PublishChargingScheduleDurationS": {"type": "integer", "minimum": 1, "default": 600},
        "RequestCompositeScheduleUnit": {"type": "string", "enum": ["A", "W"], "default": "A"},
        "DatabaseDir": {"type": "string", "default": ""},
    }
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
