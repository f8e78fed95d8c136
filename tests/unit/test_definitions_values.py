"""Values checked through the definitions' ``$ref`` chains (interfaces -> type files -> type files).

Each test validates real-looking values of one var, argument or result with the module's own type
files, the way the runtime does, so a missing or mistyped type shows up as a wrong verdict.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator

from everest_ocpp.everest import metaschema
from everest_ocpp.everest.definition_check import CheckedDefinitions, check_definitions

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def defs() -> CheckedDefinitions:
    return check_definitions(ROOT)


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
