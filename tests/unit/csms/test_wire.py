"""One-pass payload conversion: always exactly what the ``ocpp`` package's own pipeline produces."""

from __future__ import annotations

import json
from collections import OrderedDict
from decimal import Decimal
from typing import Any

import pytest
from ocpp.charge_point import camel_to_snake_case, remove_nones, serialize_as_dict, snake_to_camel_case
from ocpp.v16 import call as call16
from ocpp.v16 import enums as enums16
from ocpp.v201 import call as call201
from ocpp.v201 import datatypes as types201
from ocpp.v201 import enums as enums201

from everest_ocpp.csms import wire

STAMP = "2026-01-01T00:00:00Z"
# keys the package converts with special rules (SoC, V2X, CSMS, URL, Socket, ocppCsmsUrl)
ODD_KEYS = {
    "ocpp_csms_url": "a",
    "state_of_charge": 1,
    "soc_limit_reached": True,
    "evse_v2x_mode": "b",
    "v2g_certificate": "c",
    "responder_url": "d",
    "csms_root_certificate": "e",
    "socket_type": "f",
    "already_camel": {"vendorId": "x", "someValue": [1, None, {"nested_key": 2.5}]},
    "empty": {},
    "gone": None,
}

PAYLOADS: list[Any] = [
    call16.Heartbeat(),
    call16.BootNotification(charge_point_vendor="V", charge_point_model="M", firmware_version=None),
    call16.StatusNotification(
        connector_id=1,
        error_code=enums16.ChargePointErrorCode.no_error,
        status=enums16.ChargePointStatus.charging,
    ),
    call16.MeterValues(
        connector_id=1,
        transaction_id=5,
        meter_value=[
            {
                "timestamp": STAMP,
                "sampled_value": [
                    {"value": "1.00", "measurand": "Voltage", "phase": None, "unit": "V"},
                    None,
                    {"value": "2.00", "context": "Sample.Periodic", "format": "Raw"},
                ],
            }
        ],
    ),
    call16.StartTransaction(
        connector_id=2, id_tag="TAG", meter_start=0, timestamp=STAMP, reservation_id=None
    ),
    call16.DataTransfer(vendor_id="v", message_id=None, data=json.dumps(ODD_KEYS)),
    call16.SecurityEventNotification(type="X", timestamp=STAMP, tech_info=None),
    call201.BootNotification(
        charging_station=types201.ChargingStationType(
            model="m", vendor_name="v", modem=types201.ModemType(iccid=None, imsi="i")
        ),
        reason=enums201.BootReasonEnumType.power_up,
    ),
    call201.TransactionEvent(
        event_type=enums201.TransactionEventEnumType.started,
        timestamp=STAMP,
        trigger_reason=enums201.TriggerReasonEnumType.authorized,
        seq_no=0,
        transaction_info=types201.TransactionType(
            transaction_id="t1", charging_state=enums201.ChargingStateEnumType.charging
        ),
        evse=types201.EVSEType(id=1, connector_id=1),
        meter_value=[
            types201.MeterValueType(
                timestamp=STAMP,
                sampled_value=[
                    types201.SampledValueType(
                        value=1.5,
                        measurand=enums201.MeasurandEnumType.energy_active_import_register,
                        unit_of_measure=types201.UnitOfMeasureType(unit="Wh", multiplier=0),
                    )
                ],
            )
        ],
        id_token={"id_token": "x", "type": "ISO14443", "additional_info": [{"additional_id_token": "a"}]},
        custom_data={"vendor_id": "v", **ODD_KEYS},
    ),
    call201.NotifyReport(request_id=1, generated_at=STAMP, seq_no=0, tbc=False, report_data=[ODD_KEYS, None]),
]


def package_wire(payload: Any) -> Any:
    return remove_nones(snake_to_camel_case(serialize_as_dict(payload)))


@pytest.mark.parametrize("payload", PAYLOADS, ids=lambda p: type(p).__name__)
def test_to_wire_is_the_package_conversion(payload: Any) -> None:
    ours = wire.to_wire(payload)
    assert ours == package_wire(payload)
    assert json.dumps(ours) == json.dumps(package_wire(payload))  # same key order, same values


@pytest.mark.parametrize(
    "unusual",
    [
        ("a", {"b_c": 1}),  # a tuple: asdict keeps it, its dicts stay unconverted
        Decimal("1.5"),
        OrderedDict(key_name=1),
    ],
    ids=["tuple", "decimal", "dict-subclass"],
)
def test_unusual_values_take_the_package_path(unusual: Any) -> None:
    payload = call16.DataTransfer(vendor_id="v", data=unusual)  # type: ignore[arg-type]
    assert wire.to_wire(payload) == package_wire(payload)


def test_a_key_the_package_cannot_convert_fails_as_in_the_package() -> None:
    payload = call16.DataTransfer(vendor_id="v", data={1: "x"})  # type: ignore[arg-type]
    with pytest.raises(AttributeError):
        package_wire(payload)
    with pytest.raises(AttributeError):
        wire.to_wire(payload)


def test_from_wire_is_the_package_conversion() -> None:
    answers = [
        {"status": "Accepted", "currentTime": STAMP, "interval": 300},
        {"idTagInfo": {"status": "Accepted", "parentIdTag": "P"}, "transactionId": 7},
        {"SOCLimitReached": True, "ocppCsmsUrl": "u", "V2XMode": 1, "list": [{"aB": 1}, 2, None]},
        {"evseV2G": {"responderURL": "x"}, "CSMSRootCertificate": "y"},
    ]
    for answer in answers:
        assert wire.from_wire(answer) == camel_to_snake_case(answer)


def test_remembered_keys_are_bounded() -> None:
    many = {f"key_number_{i}": i for i in range(wire._KEYS_KEPT + 100)}
    payload = call16.DataTransfer(vendor_id="v", data=many)  # type: ignore[arg-type]
    assert wire.to_wire(payload) == package_wire(payload)
    assert len(wire._camel) <= wire._KEYS_KEPT
    camel = {f"keyNumber{i}": i for i in range(wire._KEYS_KEPT + 100)}
    assert wire.from_wire(camel) == camel_to_snake_case(camel)
    assert len(wire._snake) <= wire._KEYS_KEPT
