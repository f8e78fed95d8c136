"""EVerest Powermeter readings as version-neutral OCPP samples."""

from __future__ import annotations

from everest_ocpp.csms.metering import Sample, energy_wh, measurand_list, samples, select

SIGNED = {"signed_meter_data": "OCMF|{}", "signing_method": "", "encoding_method": "OCMF"}

READING = {
    "timestamp": "2026-01-01T00:00:00.000Z",
    "energy_Wh_import": {"total": 1234.5, "L1": 400, "L2": 400.5, "L3": 434},
    "energy_Wh_export": {"total": 10},
    "power_W": {"total": 11000, "L1": 3600},
    "current_A": {"L1": 16, "L2": 15.5, "N": 0.1, "DC": 0},
    "voltage_V": {"L1": 230, "L3": 231},
    "frequency_Hz": {"L1": 50.0},
    "temperatures": [{"temperature": 41.5, "location": "Body"}, {"temperature": 30}],
    "power_W_signed": {"total": SIGNED},
}


def test_every_measurand_the_powermeter_delivers() -> None:
    got = samples(READING, soc_percent=55, current_offered_a=32, power_offered_w=22000)
    assert got == [
        Sample("Energy.Active.Import.Register", 1234.5, "Wh"),
        Sample("Energy.Active.Import.Register", 400.0, "Wh", "L1"),
        Sample("Energy.Active.Import.Register", 400.5, "Wh", "L2"),
        Sample("Energy.Active.Import.Register", 434.0, "Wh", "L3"),
        Sample("Energy.Active.Export.Register", 10.0, "Wh"),
        Sample("Power.Active.Import", 11000.0, "W", signed=SIGNED),
        Sample("Power.Active.Import", 3600.0, "W", "L1"),
        Sample("Current.Import", 16.0, "A", "L1"),
        Sample("Current.Import", 15.5, "A", "L2"),
        Sample("Current.Import", 0.1, "A", "N"),
        Sample("Current.Import", 0.0, "A", None),
        Sample("Voltage", 230.0, "V", "L1-N"),
        Sample("Voltage", 231.0, "V", "L3-N"),
        Sample("Frequency", 50.0, "Hz", "L1"),
        Sample("Temperature", 41.5, "Celsius", None, "Body"),
        Sample("Temperature", 30.0, "Celsius", None, None),
        Sample("SoC", 55.0, "Percent", None, "EV"),
        Sample("Current.Offered", 32.0, "A"),
        Sample("Power.Offered", 22000.0, "W"),
    ]


def test_transaction_signature_signs_the_energy_total_only_when_the_meter_did_not() -> None:
    got = samples({"energy_Wh_import": {"total": 5}}, signed_energy=SIGNED)
    assert got == [Sample("Energy.Active.Import.Register", 5.0, "Wh", signed=SIGNED)]
    own = {"signed_meter_data": "own", "signing_method": "x", "encoding_method": "y"}
    reading = {"energy_Wh_import": {"total": 5}, "energy_Wh_import_signed": {"total": own}}
    assert samples(reading, signed_energy=SIGNED)[0].signed == own


def test_selection_follows_the_configured_order_and_skips_what_is_missing() -> None:
    available = samples(READING)
    wanted = measurand_list(" Voltage, Energy.Active.Import.Register,SoC ,,Power.Offered")
    assert wanted == ["Voltage", "Energy.Active.Import.Register", "SoC", "Power.Offered"]
    assert [(s.measurand, s.phase) for s in select(available, wanted)] == [
        ("Voltage", "L1-N"),
        ("Voltage", "L3-N"),
        ("Energy.Active.Import.Register", None),
        ("Energy.Active.Import.Register", "L1"),
        ("Energy.Active.Import.Register", "L2"),
        ("Energy.Active.Import.Register", "L3"),
    ]
    assert [(s.measurand, s.phase) for s in select(available, ["Energy.Active.Import.Register"], False)] == [
        ("Energy.Active.Import.Register", None)
    ]


def test_energy_register() -> None:
    assert energy_wh(READING) == 1234.5
    assert energy_wh(None) is None and energy_wh({"power_W": {"total": 1}}) is None
