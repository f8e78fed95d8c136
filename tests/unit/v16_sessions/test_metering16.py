"""1.6 MeterValue payloads: measurand selection, formatting, signed values, StopTransaction size."""

from __future__ import annotations

import json

from everest_ocpp.v16 import metering

READING = metering.Reading(
    {
        "timestamp": "2026-01-01T10:00:00+01:00",
        "energy_Wh_import": {"total": 1000.456, "L2": 300},
        "current_A": {"DC": 150.5},
        "voltage_V": {"DC": 400},
        "frequency_Hz": {"L1": 49.9},
    },
    soc_percent=80,
    current_offered_a=32,
    power_offered_w=22000,
)


def test_configured_measurands_are_taken_once_in_order_when_supported() -> None:
    assert metering.wanted(["SoC", "Voltage", "SoC", "RPM"], ["Voltage", "SoC"]) == ["SoC", "Voltage"]


def test_values_have_two_decimals_1_6_units_context_and_format() -> None:
    values = metering.sampled_values(
        READING, ["Energy.Active.Import.Register", "Current.Import", "Voltage", "Frequency"], "Trigger"
    )
    assert values == [
        {
            "value": "1000.46",
            "context": "Trigger",
            "format": "Raw",
            "measurand": "Energy.Active.Import.Register",
            "location": "Outlet",
            "unit": "Wh",
        },
        {
            "value": "300.00",
            "context": "Trigger",
            "format": "Raw",
            "measurand": "Energy.Active.Import.Register",
            "phase": "L2",
            "location": "Outlet",
            "unit": "Wh",
        },
        {
            "value": "150.50",
            "context": "Trigger",
            "format": "Raw",
            "measurand": "Current.Import",
            "location": "Outlet",
            "unit": "A",
        },
        {
            "value": "400.00",
            "context": "Trigger",
            "format": "Raw",
            "measurand": "Voltage",
            "location": "Outlet",
            "unit": "V",
        },
        {
            "value": "49.90",
            "context": "Trigger",
            "format": "Raw",
            "measurand": "Frequency",
            "phase": "L1",
            "location": "Outlet",
        },
    ]


def test_a_meter_value_carries_the_reading_time_and_is_none_without_values() -> None:
    value = metering.meter_value(READING, ["SoC", "Current.Offered", "Power.Offered"], "Sample.Periodic")
    assert value == {
        "timestamp": "2026-01-01T09:00:00.000Z",
        "sampled_value": [
            {
                "value": "80.00",
                "context": "Sample.Periodic",
                "format": "Raw",
                "measurand": "SoC",
                "location": "EV",
                "unit": "Percent",
            },
            {
                "value": "32.00",
                "context": "Sample.Periodic",
                "format": "Raw",
                "measurand": "Current.Offered",
                "location": "Outlet",
                "unit": "A",
            },
            {
                "value": "22000.00",
                "context": "Sample.Periodic",
                "format": "Raw",
                "measurand": "Power.Offered",
                "location": "Outlet",
                "unit": "W",
            },
        ],
    }
    assert metering.meter_value(READING, ["Energy.Active.Export.Register"], "Sample.Clock") is None


def test_signed_meter_values_and_energy_rounding() -> None:
    signed = {"signed_meter_data": "blob", "signing_method": "m", "encoding_method": "e"}
    assert metering.signed_meter_value(signed, "Transaction.End", "T") == {
        "timestamp": "T",
        "sampled_value": [{"value": "blob", "context": "Transaction.End", "format": "SignedData"}],
    }
    assert metering.signed_meter_value(None, "Transaction.End", "T") is None
    assert metering.signed_meter_value({"signed_meter_data": ""}, "Transaction.End", "T") is None
    assert metering.energy_wh({"energy_Wh_import": {"total": 2.5}}) == 2
    assert metering.energy_wh({"energy_Wh_import": {"total": 1e12}}) == 2**31 - 1
    assert metering.energy_wh(None) is None


def test_transaction_data_is_thinned_out_keeping_first_and_last_until_it_fits() -> None:
    entries = [{"timestamp": f"t{i}", "sampled_value": [{"value": "x" * 100}]} for i in range(400)]
    payload = {"meter_stop": 1, "transaction_data": list(entries)}
    assert metering.fit_transaction_data(payload, 32000)
    kept = payload["transaction_data"]
    assert len(json.dumps(payload)) <= 32000
    assert kept[0] is entries[0] and kept[-1] is entries[-1] and len(kept) > 2
    small = {"meter_stop": 1, "transaction_data": entries[:3]}
    assert not metering.fit_transaction_data(small, 32000)
    assert small["transaction_data"] == entries[:3]


def test_stop_transaction_samples_stay_bounded_and_keep_first_and_last() -> None:
    data: list[int] = []
    for value in range(10_000):
        metering.keep_for_stop(data, value, limit=64)
    assert len(data) < 64
    assert data[0] == 0 and data[-1] == 9_999
    assert data == sorted(data)  # order kept
