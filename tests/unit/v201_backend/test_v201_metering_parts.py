"""Small 2.0.1 metering and status parts: MeterValue shapes and filters, averages, ticks, connector status."""

from __future__ import annotations

from pathlib import Path

from everest_ocpp.bridge.errors import ActiveError
from everest_ocpp.csms.metering import Sample
from everest_ocpp.v201.connector_status import ConnectorStates
from everest_ocpp.v201.meter_format import (
    Averager,
    ended_values,
    filtered,
    meter_value,
    reading_samples,
    reading_time,
)
from everest_ocpp.v201.ticks import next_tick
from everest_ocpp.v201.tx_store import OpenTransaction, TransactionStore

SIGNED = {"signed_meter_data": "D", "signing_method": "M", "encoding_method": "OCMF", "public_key": "PK"}


def test_meter_value_shape_locations_and_public_keys() -> None:
    reading = reading_samples(
        {
            "timestamp": "2026-01-01T00:00:00Z",
            "energy_Wh_import": {"total": 5, "L2": 2},
            "current_A": {"DC": 3},
            "temperatures": [
                {"temperature": 40, "location": "Body"},
                {"temperature": 41, "location": "Heatsink"},
            ],
        },
        soc_percent=80,
        signed_energy=SIGNED,
    )
    value = meter_value(reading, "Sample.Periodic", "2026-01-01T00:00:00Z", public_key=False)
    assert value["sampled_value"] == [
        {
            "value": 5,
            "context": "Sample.Periodic",
            "measurand": "Energy.Active.Import.Register",
            "location": "Outlet",
            "unit_of_measure": {"unit": "Wh"},
            "signed_meter_value": {**SIGNED, "public_key": ""},
        },
        {
            "value": 2,
            "context": "Sample.Periodic",
            "measurand": "Energy.Active.Import.Register",
            "phase": "L2",
            "location": "Outlet",
            "unit_of_measure": {"unit": "Wh"},
        },
        {
            "value": 3,
            "context": "Sample.Periodic",
            "measurand": "Current.Import",
            "location": "Outlet",
            "unit_of_measure": {"unit": "A"},
        },
        {
            "value": 40,
            "context": "Sample.Periodic",
            "measurand": "Temperature",
            "location": "Body",
            "unit_of_measure": {"unit": "Celsius"},
        },
        {  # not an OCPP location: left out rather than rejected by the schema
            "value": 41,
            "context": "Sample.Periodic",
            "measurand": "Temperature",
            "unit_of_measure": {"unit": "Celsius"},
        },
        {
            "value": 80,
            "context": "Sample.Periodic",
            "measurand": "SoC",
            "location": "EV",
            "unit_of_measure": {"unit": "Percent"},
        },
    ]
    unsigned_key = {k: v for k, v in SIGNED.items() if k != "public_key"}
    keyed = meter_value(
        [Sample("Energy.Active.Import.Register", 1, "Wh", signed=unsigned_key)],
        "Trigger",
        public_key=True,
        key_fallback="FALLBACK",
    )
    assert keyed["sampled_value"][0]["signed_meter_value"]["public_key"] == "FALLBACK"
    too_long = {**SIGNED, "signing_method": "x" * 51}
    plain = meter_value([Sample("Energy.Active.Import.Register", 1, "Wh", signed=too_long)], "Trigger")
    assert "signed_meter_value" not in plain["sampled_value"][0]


def test_reading_time_is_normalized() -> None:
    assert reading_time({"timestamp": "2026-01-01T01:00:00+01:00"}) == "2026-01-01T00:00:00.000Z"
    assert reading_time({"timestamp": "2026-01-01T00:00:00Z"}) == "2026-01-01T00:00:00.000Z"
    assert reading_time(None).endswith("Z")


def test_filters_keep_reading_order_and_drop_what_is_not_asked_for() -> None:
    reading = reading_samples(
        {
            "timestamp": "t",
            "energy_Wh_import": {"total": 5, "L1": 1},
            "power_W": {"total": 9},
            "voltage_V": {"L1": 230},
        },
        signed_energy=SIGNED,
    )
    value = meter_value(reading, "Sample.Periodic", "t")
    kept = filtered(
        value, ["Voltage", "Energy.Active.Import.Register"], include_signed=False, context="Trigger"
    )
    assert kept is not None
    assert [(s["measurand"], s.get("phase"), s["context"]) for s in kept["sampled_value"]] == [
        ("Energy.Active.Import.Register", None, "Trigger"),
        ("Energy.Active.Import.Register", "L1", "Trigger"),
        ("Voltage", "L1-N", "Trigger"),
    ]
    assert all("signed_meter_value" not in s for s in kept["sampled_value"])
    no_phases = filtered(value, ["Energy.Active.Import.Register", "Voltage"], registers_without_phases=True)
    assert no_phases is not None and [s.get("phase") for s in no_phases["sampled_value"]] == [None, "L1-N"]
    assert filtered(value, ["SoC"]) is None
    assert value["sampled_value"][0]["context"] == "Sample.Periodic"  # the original is untouched


def test_ended_values_pick_measurands_per_context() -> None:
    periodic = meter_value(
        [
            Sample("Energy.Active.Import.Register", 1, "Wh", signed=SIGNED),
            Sample("Power.Active.Import", 2, "W"),
        ],
        "Sample.Periodic",
        "t1",
    )
    clock = meter_value(
        [Sample("Energy.Active.Import.Register", 3, "Wh"), Sample("Power.Active.Import", 4, "W")],
        "Sample.Clock",
        "t2",
    )
    trigger = meter_value([Sample("Energy.Active.Import.Register", 5, "Wh")], "Trigger", "t3")
    out = ended_values([periodic, clock, trigger], ["Energy.Active.Import.Register"], ["Power.Active.Import"])
    assert out is not None
    assert [[(s["measurand"], s["value"]) for s in v["sampled_value"]] for v in out] == [
        [("Energy.Active.Import.Register", 1)],
        [("Power.Active.Import", 4)],
    ]
    assert "signed_meter_value" not in out[0]["sampled_value"][0]
    signed = ended_values([periodic], ["Energy.Active.Import.Register"], [], sign_sampled=True)
    assert signed is not None and "signed_meter_value" in signed[0]["sampled_value"][0]
    assert ended_values([trigger], ["Energy.Active.Import.Register"], []) is None


def test_averager_averages_current_voltage_power_frequency_only() -> None:
    avg = Averager()
    assert avg.values() is None
    avg.add([Sample("Voltage", 220, "V", "L1-N"), Sample("Energy.Active.Import.Register", 10, "Wh")])
    avg.add([Sample("Voltage", 240, "V", "L1-N"), Sample("Energy.Active.Import.Register", 12, "Wh")])
    assert avg.values() == [
        Sample("Voltage", 230, "V", "L1-N"),
        Sample("Energy.Active.Import.Register", 12, "Wh"),
    ]
    avg.clear()
    assert avg.values() is None


def test_ticks_come_at_anchor_plus_multiples_of_the_interval() -> None:
    assert next_tick(100.0, 10.0, 100.0) == 110.0
    assert next_tick(100.0, 10.0, 125.5) == 130.0
    assert next_tick(100.0, 10.0, 50.0) == 100.0  # anchor in the future: the anchor itself


def test_connector_status_precedence_and_faults_by_uuid() -> None:
    states = ConnectorStates([(1, 1), (1, 2)])
    changes: list[tuple[int, int]] = []
    states.listeners.append(changes.append)
    assert states.status((1, 1), True, True) == "Available"
    states.plugged(1, 1, True)
    assert states.status((1, 1), True, True) == "Occupied"
    states.reserved(1, 1, True)
    assert states.status((1, 1), True, True) == "Reserved"
    states.enabled(1, 1, False)
    assert states.status((1, 1), True, True) == "Unavailable"

    def error(uuid: str, kind: str = "evse_manager/Inoperative", connector: int | None = 1) -> ActiveError:
        return ActiveError(uuid, kind, "", "", "High", 1, connector, "probe", "")

    states.on_error(True, error("a"))
    states.on_error(True, error("b"))
    states.on_error(True, error("c", kind="evse_board_support/DiodeFault"))
    assert states.status((1, 1), True, True) == "Faulted"
    assert states.status((1, 1), False, True) == "Unavailable"  # an inoperative EVSE comes first
    states.on_error(False, error("a"))
    assert states.status((1, 1), True, True) == "Faulted"
    states.on_error(False, error("b"))
    assert states.status((1, 1), True, True) == "Unavailable"
    states.plugged(1, 1, True)  # no change: no notification
    assert changes == [(1, 1)] * 5
    assert states.status((1, 2), True, False) == "Unavailable"


def test_transaction_store_round_trip(tmp_path: Path) -> None:
    store = TransactionStore(tmp_path / "t.db")
    tx = OpenTransaction(
        "id-1",
        2,
        1,
        "2026-01-01T00:00:00.000Z",
        seq_no=3,
        charging_state="Charging",
        id_token_sent=True,
        remote_start_id=4,
        start_energy_wh=10.5,
    )
    store.open(tx)
    store.add_meter_value("id-1", {"timestamp": "t", "sampled_value": []})
    tx.seq_no = 4
    store.update(tx)
    store.shutdown()
    again = TransactionStore(tmp_path / "t.db")
    assert again.all() == [tx]
    assert again.meter_values("id-1") == [{"timestamp": "t", "sampled_value": []}]
    again.open(OpenTransaction("id-2", 2, 1, "2026-01-01T01:00:00.000Z"))  # replaces the EVSE's old one
    assert [t.transaction_id for t in again.all()] == ["id-2"] and again.meter_values("id-1") == []
    again.close("id-2")
    assert again.all() == [] and again.meter_values("id-2") == []
    again.shutdown()
