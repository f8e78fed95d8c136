"""Session events as transaction decisions (the C++ OCPP201 module's reading); start and stop points."""

from __future__ import annotations

from typing import Any

import pytest

from everest_ocpp.v201.session_events import SessionData, SessionInterpreter
from everest_ocpp.v201.tx_points import (
    DEFAULT_START,
    DEFAULT_STOP,
    TxConditions,
    TxFact,
    TxPoint,
    parse_points,
)


class Recorder:
    """TransactionSink and ConnectorSink that writes down what it was told."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def start_transaction(self, evse_id: int, data: SessionData, meter: tuple[dict[str, Any], Any]) -> None:
        self.calls.append(
            ("start", evse_id, data.session_id, data.trigger_reason, data.charging_state, meter[0])
        )

    def finish_transaction(self, evse_id: int, data: SessionData, meter: tuple[dict[str, Any], Any]) -> None:
        token = None if data.id_token is None else data.id_token["id_token"]
        self.calls.append(
            ("finish", evse_id, data.trigger_reason, data.stop_reason, data.charging_state, token, meter[1])
        )

    def charging_state_changed(self, evse_id: int, state: str, trigger: str) -> None:
        self.calls.append(("state", evse_id, state, trigger))

    def authorized(self, evse_id: int, id_token: dict[str, Any]) -> None:
        self.calls.append(("authorized", evse_id, id_token["id_token"]))

    def session_finished(self, evse_id: int) -> None:
        self.calls.append(("session_finished", evse_id))

    def plugged(self, evse_id: int, connector_id: int, plugged: bool) -> None:
        self.calls.append(("plugged", evse_id, connector_id, plugged))

    def reserved(self, evse_id: int, connector_id: int, reserved: bool) -> None:
        self.calls.append(("reserved", evse_id, connector_id, reserved))

    def enabled(self, evse_id: int, connector_id: int, enabled: bool) -> None:
        self.calls.append(("enabled", evse_id, connector_id, enabled))


def meter(wh: float) -> dict[str, Any]:
    return {"timestamp": "2026-01-01T00:00:00Z", "energy_Wh_import": {"total": wh}}


def token(value: str, kind: str = "RFID", request_id: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"id_token": {"value": value, "type": "ISO14443"}, "authorization_type": kind}
    if request_id is not None:
        out["request_id"] = request_id
    return out


def ev(kind: str, **parts: Any) -> dict[str, Any]:
    return {"uuid": "s1", "event": kind, "timestamp": "2026-01-01T00:00:00Z", **parts}


PLUG = ev("SessionStarted", session_started={"reason": "EVConnected", "meter_value": meter(1)})
TX_STARTED = ev("TransactionStarted", transaction_started={"id_tag": token("A"), "meter_value": meter(2)})


def make(start: str | None = None, stop: str | None = None) -> tuple[SessionInterpreter, Recorder]:
    rec = Recorder()
    return SessionInterpreter([1, 2], rec, rec, lambda: start, lambda: stop), rec


def test_points_parse_with_upstream_defaults() -> None:
    assert parse_points(None, DEFAULT_START) == {TxPoint.POWER_PATH_CLOSED}
    assert parse_points("", DEFAULT_STOP) == {TxPoint.EV_CONNECTED, TxPoint.AUTHORIZED}
    assert parse_points("EVConnected, EnergyTransfer", DEFAULT_START) == {
        TxPoint.EV_CONNECTED,
        TxPoint.ENERGY_TRANSFER,
    }
    assert parse_points("Bogus", DEFAULT_START) == {TxPoint.POWER_PATH_CLOSED}


@pytest.mark.parametrize(
    ("facts", "start", "stop"),
    [
        (
            [TxFact.EV_CONNECTED],
            {TxPoint.EV_CONNECTED},
            {
                TxPoint.AUTHORIZED,
                TxPoint.POWER_PATH_CLOSED,
                TxPoint.PARKING_BAY_OCCUPANCY,
                TxPoint.ENERGY_TRANSFER,
            },
        ),
        (
            [TxFact.EV_CONNECTED, TxFact.AUTHORIZED, TxFact.PARKING_BAY_OCCUPIED],
            {
                TxPoint.EV_CONNECTED,
                TxPoint.AUTHORIZED,
                TxPoint.POWER_PATH_CLOSED,
                TxPoint.PARKING_BAY_OCCUPANCY,
            },
            {TxPoint.ENERGY_TRANSFER},
        ),
        (
            [TxFact.ENERGY_TRANSFER_STARTED, TxFact.EV_DISCONNECTED],
            set(),
            set(TxPoint) - {TxPoint.DATA_SIGNED},
        ),
        ([TxFact.IMMEDIATE_RESET], set(), set(TxPoint)),
    ],
)
def test_conditions_fulfil_points(facts: list[TxFact], start: set[TxPoint], stop: set[TxPoint]) -> None:
    conditions = TxConditions()
    for fact in facts:
        conditions.apply(fact)
    assert {p for p in TxPoint if conditions.start_fulfilled(p)} == start
    assert {p for p in TxPoint if conditions.stop_fulfilled(p)} == stop


def test_plug_then_authorize_starts_at_the_authorization_and_ends_at_unplug() -> None:
    interp, rec = make()
    interp.on_session_event(1, PLUG)
    assert rec.calls == [("plugged", 1, 1, True)]
    interp.on_session_event(1, TX_STARTED)
    assert rec.calls[1:] == [
        ("start", 1, "s1", "Authorized", "EVConnected", meter(2)),
        ("authorized", 1, "A"),
    ]
    rec.calls.clear()
    interp.on_session_event(1, ev("ChargingStarted", charging_state_changed_event={"meter_value": meter(3)}))
    interp.on_session_event(
        1, ev("ChargingPausedEVSE", charging_state_changed_event={"meter_value": meter(3)})
    )
    signed = {"signed_meter_data": "x", "signing_method": "m", "encoding_method": "e"}
    finished = {"reason": "EVDisconnected", "meter_value": meter(9), "signed_meter_value": signed}
    interp.on_session_event(1, ev("TransactionFinished", transaction_finished=finished))
    interp.on_session_event(1, ev("SessionFinished", session_finished={"meter_value": meter(9)}))
    assert rec.calls == [
        ("state", 1, "Charging", "ChargingStateChanged"),
        ("state", 1, "SuspendedEVSE", "ChargingStateChanged"),
        ("finish", 1, "EVCommunicationLost", "EVDisconnected", "Idle", None, signed),
        ("session_finished", 1),
        ("plugged", 1, 1, False),
    ]


def test_authorize_then_plug_remote_start() -> None:
    interp, rec = make()
    started = {"reason": "Authorized", "id_tag": token("R", "OCPP", 5), "meter_value": meter(1)}
    interp.on_session_event(2, ev("SessionStarted", session_started=started))
    assert rec.calls == [("authorized", 2, "R")]  # no transaction yet: the sink ignores it
    tx = {"id_tag": token("R", "OCPP", 5), "meter_value": meter(2)}
    interp.on_session_event(2, {**ev("TransactionStarted", transaction_started=tx), "connector_id": 1})
    assert rec.calls[1:] == [
        ("plugged", 2, 1, True),
        ("start", 2, "s1", "RemoteStart", "EVConnected", meter(2)),
        ("authorized", 2, "R"),
    ]
    assert interp.sessions[2] is not None and interp.sessions[2].remote_start_id == 5


@pytest.mark.parametrize(
    ("reason", "trigger", "stopped", "follow_up"),
    [
        ("Local", "StopAuthorized", "Local", ("state", 1, "EVConnected", "StopAuthorized")),
        ("Remote", "RemoteStop", "Remote", ("state", 1, "EVConnected", "RemoteStop")),
        ("DeAuthorized", "Deauthorized", "DeAuthorized", ("state", 1, "EVConnected", "StopAuthorized")),
        ("StoppedByEV", "StopAuthorized", "StoppedByEV", ("state", 1, "EVConnected", "StopAuthorized")),
    ],
)
def test_deauthorizing_stops(reason: str, trigger: str, stopped: str, follow_up: tuple[Any, ...]) -> None:
    interp, rec = make()
    interp.on_session_event(1, PLUG)
    interp.on_session_event(1, TX_STARTED)
    rec.calls.clear()
    finished = {"reason": reason, "id_tag": token("A"), "meter_value": meter(5)}
    interp.on_session_event(1, ev("TransactionFinished", transaction_finished=finished))
    assert rec.calls == [("finish", 1, trigger, stopped, "EVConnected", "A", None), follow_up]


def test_reasons_that_do_not_fulfil_a_stop_point_end_with_the_authorization() -> None:
    interp, rec = make()
    interp.on_session_event(1, PLUG)
    interp.on_session_event(1, TX_STARTED)
    rec.calls.clear()
    finished = {"reason": "EmergencyStop", "meter_value": meter(5)}
    interp.on_session_event(1, ev("TransactionFinished", transaction_finished=finished))
    # NONE fulfils nothing; the authorization withdrawn afterwards does (TxStopPoint Authorized)
    assert rec.calls == [("finish", 1, "AbnormalCondition", "EmergencyStop", "EVConnected", None, None)]


def test_ev_connected_start_point_reports_the_token_later() -> None:
    interp, rec = make(start="EVConnected")
    interp.on_session_event(1, PLUG)
    assert rec.calls == [
        ("start", 1, "s1", "CablePluggedIn", "EVConnected", meter(1)),
        ("plugged", 1, 1, True),
    ]
    interp.on_session_event(1, TX_STARTED)
    assert rec.calls[2:] == [("authorized", 1, "A")]


def test_energy_transfer_points() -> None:
    interp, rec = make(start="EnergyTransfer", stop="EnergyTransfer")
    interp.on_session_event(1, PLUG)
    interp.on_session_event(1, TX_STARTED)
    interp.on_session_event(1, ev("ChargingStarted", charging_state_changed_event={"meter_value": meter(4)}))
    interp.on_session_event(1, ev("ChargingPausedEV", charging_state_changed_event={"meter_value": meter(6)}))
    assert [c[0] for c in rec.calls] == ["plugged", "authorized", "start", "state", "finish", "state"]
    assert rec.calls[2] == ("start", 1, "s1", "ChargingStateChanged", "Charging", meter(4))
    assert rec.calls[4] == ("finish", 1, "ChargingStateChanged", "StoppedByEV", "SuspendedEV", "A", None)


def test_connector_facts_and_ignored_events() -> None:
    interp, rec = make()
    for kind in ("ReservationStart", "ReservationEnd", "Disabled", "Enabled"):
        interp.on_session_event(2, {**ev(kind), "connector_id": 1})
    for kind in ("AuthRequired", "PrepareCharging", "StoppingCharging", "ChargingFinished", "PluginTimeout"):
        interp.on_session_event(2, ev(kind))
    assert rec.calls == [
        ("reserved", 2, 1, True),
        ("reserved", 2, 1, False),
        ("enabled", 2, 1, False),
        ("enabled", 2, 1, True),
    ]


def test_session_resumed_lets_a_power_loss_finish_the_transaction() -> None:
    interp, rec = make()
    interp.on_session_event(1, ev("SessionResumed"))
    finished = {"reason": "PowerLoss", "meter_value": meter(5)}
    interp.on_session_event(1, ev("TransactionFinished", transaction_finished=finished))
    assert rec.calls == [("finish", 1, "AbnormalCondition", "PowerLoss", "Idle", None, None)]


def test_resumed_transaction_continues_with_later_events() -> None:
    interp, rec = make()
    data = SessionData(1, "old", "2026-01-01T00:00:00Z", "AbnormalCondition", "Charging")
    interp.resume(1, data, ev_connected=True, authorized=True)
    interp.on_session_event(1, ev("ChargingPausedEV", charging_state_changed_event={"meter_value": meter(4)}))
    assert rec.calls == [("state", 1, "SuspendedEV", "ChargingStateChanged")]
    interp.on_session_event(1, ev("SessionFinished", session_finished={"meter_value": meter(4)}))
    assert rec.calls[1:3] == [
        ("session_finished", 1),
        ("finish", 1, "EVCommunicationLost", "EVDisconnected", "Idle", None, None),
    ]
