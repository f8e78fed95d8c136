"""The 2.0.1 transaction block in process: a real device model, queue and transaction store, a fake link.

Session events go in; what the block queued for the CSMS (the ``ocpp`` package's snake_case payloads), the
vars it published and the evse_manager calls it made come out.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from ocpp.v201 import call as v201_call

from everest_ocpp.bridge.evse import EvseInfo
from everest_ocpp.csms.message_queue import PersistentQueue, QueueSender
from everest_ocpp.v201.connector_status import ConnectorStates
from everest_ocpp.v201.device_model import DeviceModel
from everest_ocpp.v201.meter_values import Readings
from everest_ocpp.v201.transactions import Transactions201
from everest_ocpp.v201.tx_store import TransactionStore
from everest_ocpp.variables import VariableRef

QUIET = {
    "SampledDataCtrlr.TxUpdatedInterval": 0,
    "SampledDataCtrlr.TxEndedInterval": 0,
    "AlignedDataCtrlr.Interval": 0,
}


class FakeOutbox:
    def __init__(self) -> None:
        self.session: Any = object()

    @property
    def online(self) -> bool:
        return self.session is not None


class FakeEvse:
    evses = [EvseInfo(0, 1, (1,)), EvseInfo(1, 2, (1, 2))]

    def __init__(self) -> None:
        self.calls: list[tuple[str, int, str | None]] = []

    async def stop_transaction(self, evse_id: int, reason: str, id_tag: Any = None) -> bool:
        self.calls.append(("stop_transaction", evse_id, reason))
        return True

    async def pause_charging(self, evse_id: int) -> bool:
        self.calls.append(("pause_charging", evse_id, None))
        return True


class FakeSessions:
    def __init__(self) -> None:
        self.values: dict[tuple[int, str], Any] = {}

    def latest(self, evse_id: int, var: str) -> Any:
        return self.values.get((evse_id, var))


class Events:
    def __init__(self) -> None:
        self.vars: list[tuple[str, dict[str, Any]]] = []

    def transaction_event(self, event: dict[str, Any]) -> None:
        self.vars.append(("ocpp_transaction_event", event))

    def transaction_event_response(self, response: dict[str, Any]) -> None:
        self.vars.append(("ocpp_transaction_event_response", response))


class Rig:
    def __init__(self, dm: DeviceModel, folder: Path, link_up: bool = True) -> None:
        self.dm = dm
        self.outbox = FakeOutbox()
        self.sender = QueueSender(PersistentQueue(folder / "queue.db"), self.outbox, v201_call)  # type: ignore[arg-type]
        self.evse = FakeEvse()
        self.sessions = FakeSessions()
        self.events = Events()
        self.link_up = link_up
        self.connectors = ConnectorStates([(1, 1), (2, 1), (2, 2)])
        self.tx = Transactions201(
            dm,
            self.sender,
            self.outbox,  # type: ignore[arg-type]
            self.evse,  # type: ignore[arg-type]
            Readings(self.sessions, dm),  # type: ignore[arg-type]
            self.connectors,
            self.events,
            TransactionStore(folder / "tx.db"),
            lambda: self.link_up,
            asyncio.ensure_future,
        )

    def queued(self) -> list[dict[str, Any]]:
        return [m.payload for m in self.sender.queue.items() if m.action == "TransactionEvent"]

    def close(self) -> None:
        self.tx.stop()
        self.tx.store.shutdown()
        self.sender.queue.close()


def run(body: Callable[[], Coroutine[Any, Any, None]]) -> None:
    asyncio.run(body())


def meter(wh: float, stamp: str = "2026-01-01T10:00:00.000Z", **extra: Any) -> dict[str, Any]:
    return {"timestamp": stamp, "energy_Wh_import": {"total": wh}, **extra}


def ev(kind: str, stamp: str = "2026-01-01T10:00:00.000Z", **parts: Any) -> dict[str, Any]:
    return {"uuid": "tx-1", "event": kind, "timestamp": stamp, **parts}


def plug(wh: float = 1) -> dict[str, Any]:
    return ev("SessionStarted", session_started={"reason": "EVConnected", "meter_value": meter(wh)})


def authorize(wh: float = 2, stamp: str = "2026-01-01T10:00:01.000Z", **id_tag: Any) -> dict[str, Any]:
    tag = {"id_token": {"value": "TAG", "type": "ISO14443"}, "authorization_type": "RFID", **id_tag}
    return ev(
        "TransactionStarted", stamp, transaction_started={"id_tag": tag, "meter_value": meter(wh, stamp)}
    )


def finish(reason: str, wh: float = 9, stamp: str = "2026-01-01T11:00:00.000Z") -> dict[str, Any]:
    return ev(
        "TransactionFinished", stamp, transaction_finished={"reason": reason, "meter_value": meter(wh, stamp)}
    )


def begin(wh: float, stamp: str = "2026-01-01T10:00:01.000Z") -> dict[str, Any]:
    return {"timestamp": stamp, "sampled_value": [energy(wh, "Transaction.Begin")]}


def energy(wh: float, context: str, **extra: Any) -> dict[str, Any]:
    return {
        "value": wh,
        "context": context,
        "measurand": "Energy.Active.Import.Register",
        "location": "Outlet",
        "unit_of_measure": {"unit": "Wh"},
        **extra,
    }


def test_a_session_queues_started_updated_ended_and_publishes_the_vars(
    open_dm: Callable[..., DeviceModel], tmp_path: Path
) -> None:
    async def body() -> None:
        rig = Rig(open_dm(**QUIET), tmp_path)
        rig.tx.on_session_event(1, plug())
        rig.tx.on_session_event(1, authorize())
        rig.tx.on_session_event(
            1, ev("ChargingStarted", charging_state_changed_event={"meter_value": meter(2)})
        )
        rig.tx.on_session_event(1, finish("EVDisconnected"))
        started, updated, ended = rig.queued()
        assert started == {
            "event_type": "Started",
            "timestamp": "2026-01-01T10:00:01.000Z",
            "trigger_reason": "Authorized",
            "seq_no": 0,
            "transaction_info": {"transaction_id": "tx-1", "charging_state": "EVConnected"},
            "offline": False,
            "meter_value": [begin(2)],
            "evse": {"id": 1, "connector_id": 1},
            "id_token": {"id_token": "TAG", "type": "ISO14443"},
        }
        assert (
            updated["seq_no"],
            updated["trigger_reason"],
            updated["transaction_info"]["charging_state"],
        ) == (
            1,
            "ChargingStateChanged",
            "Charging",
        )
        assert ended == {
            "event_type": "Ended",
            "timestamp": "2026-01-01T11:00:00.000Z",
            "trigger_reason": "EVCommunicationLost",
            "seq_no": 2,
            "transaction_info": {
                "transaction_id": "tx-1",
                "charging_state": "Idle",
                "stopped_reason": "EVDisconnected",
            },
            "offline": False,
            "meter_value": [
                begin(2),
                {"timestamp": "2026-01-01T11:00:00.000Z", "sampled_value": [energy(9, "Transaction.End")]},
            ],
        }
        assert rig.events.vars == [
            (
                "ocpp_transaction_event",
                {
                    "transaction_event": "Started",
                    "session_id": "tx-1",
                    "transaction_id": "tx-1",
                    "evse": {"id": 1, "connector_id": 1},
                },
            ),
            (
                "ocpp_transaction_event",
                {"transaction_event": "Updated", "session_id": "tx-1", "transaction_id": "tx-1"},
            ),
            (
                "ocpp_transaction_event",
                {"transaction_event": "Ended", "session_id": "tx-1", "transaction_id": "tx-1"},
            ),
        ]
        assert rig.tx.store.all() == [] and rig.tx.store.meter_values("tx-1") == []
        rig.close()

    run(body)


def test_offline_flag_is_the_link_state_when_the_event_happens(
    open_dm: Callable[..., DeviceModel], tmp_path: Path
) -> None:
    async def body() -> None:
        rig = Rig(open_dm(**QUIET), tmp_path)
        rig.outbox.session = None
        rig.tx.on_session_event(1, plug())
        rig.tx.on_session_event(1, authorize())
        rig.outbox.session = object()
        rig.tx.on_session_event(
            1, ev("ChargingStarted", charging_state_changed_event={"meter_value": meter(2)})
        )
        assert [p["offline"] for p in rig.queued()] == [True, False]
        rig.close()

    run(body)


def test_stopped_ocpp_drops_the_messages_but_not_the_vars(
    open_dm: Callable[..., DeviceModel], tmp_path: Path
) -> None:
    async def body() -> None:
        rig = Rig(open_dm(**QUIET), tmp_path, link_up=False)
        rig.tx.on_session_event(1, plug())
        rig.tx.on_session_event(1, authorize())
        assert rig.queued() == []
        assert [v[1]["transaction_event"] for v in rig.events.vars] == ["Started"]
        rig.link_up = True
        rig.tx.on_session_event(
            1, ev("ChargingStarted", charging_state_changed_event={"meter_value": meter(2)})
        )
        assert [p["seq_no"] for p in rig.queued()] == [1]
        rig.close()

    run(body)


def test_a_resumed_transaction_keeps_its_seqno_and_meter_values(
    open_dm: Callable[..., DeviceModel], tmp_path: Path
) -> None:
    async def body() -> None:
        dm = open_dm(**QUIET, **{"InternalCtrlr.ResumeTransactionsOnBoot": True})
        first = Rig(dm, tmp_path)
        first.tx.on_session_event(2, plug())
        first.tx.on_session_event(2, {**authorize(), "connector_id": 2})
        first.tx.on_session_event(
            2, ev("ChargingStarted", charging_state_changed_event={"meter_value": meter(2)})
        )
        first.close()
        second = Rig(dm, tmp_path)
        second.tx.restore()
        assert second.tx.active(2) and second.tx.transaction_id(2) == "tx-1"
        second.tx.on_session_event(
            2, ev("ChargingPausedEV", charging_state_changed_event={"meter_value": meter(3)})
        )
        second.tx.on_session_event(2, ev("SessionFinished", session_finished={"meter_value": meter(4)}))
        payloads = second.queued()
        assert [(p["event_type"], p["seq_no"]) for p in payloads] == [
            ("Started", 0),
            ("Updated", 1),
            ("Updated", 2),
            ("Ended", 3),
        ]
        assert payloads[-1]["transaction_info"] == {
            "transaction_id": "tx-1",
            "charging_state": "Idle",
            "stopped_reason": "EVDisconnected",
        }
        assert payloads[-1]["meter_value"][0] == begin(2)
        second.close()

    run(body)


def test_without_resume_an_open_transaction_is_ended_at_start(
    open_dm: Callable[..., DeviceModel], tmp_path: Path
) -> None:
    async def body() -> None:
        dm = open_dm(**QUIET)
        first = Rig(dm, tmp_path)
        first.tx.on_session_event(1, plug())
        first.tx.on_session_event(1, authorize())
        first.close()
        second = Rig(dm, tmp_path)
        second.outbox.session = None
        second.tx.restore()
        ended = second.queued()[-1]
        assert {
            k: ended[k] for k in ("event_type", "trigger_reason", "seq_no", "offline", "transaction_info")
        } == {
            "event_type": "Ended",
            "trigger_reason": "AbnormalCondition",
            "seq_no": 1,
            "offline": True,
            "transaction_info": {
                "transaction_id": "tx-1",
                "charging_state": "EVConnected",
                "stopped_reason": "PowerLoss",
            },
        }
        assert not second.tx.active(1) and second.tx.store.all() == []
        second.close()

    run(body)


SIGNED = {
    "signed_meter_data": "DATA",
    "signing_method": "ECDSA",
    "encoding_method": "OCMF",
    "public_key": "KEY",
}


def test_ended_meter_values_follow_the_tx_ended_settings(
    open_dm: Callable[..., DeviceModel], tmp_path: Path
) -> None:
    async def body() -> None:
        dm = open_dm(
            **QUIET,
            **{
                "SampledDataCtrlr.TxEndedMeasurands": "Energy.Active.Import.Register",
                "AlignedDataCtrlr.TxEndedMeasurands": "Power.Active.Import",
                "OCPPCommCtrlr.PublicKeyWithSignedMeterValue": "EveryMeterValue",
            },
        )
        rig = Rig(dm, tmp_path)
        rig.tx.on_session_event(1, plug())
        rig.tx.on_session_event(1, authorize())
        reading = meter(5, "2026-01-01T10:10:00.000Z", power_W={"total": 7000}, signed_meter_value=SIGNED)
        rig.tx.on_powermeter(1, reading)
        rig.tx.sampling.store_periodic(1)  # a SampledDataCtrlr.TxEndedInterval tick
        clock = rig.tx.readings.aligned(1, 1767261600.0)  # an AlignedDataCtrlr.TxEndedInterval tick
        assert clock is not None
        rig.tx.store_clock_value(1, clock)
        rig.tx.on_session_event(1, finish("Local"))
        values = rig.queued()[-1]["meter_value"]
        assert [v["sampled_value"][0]["context"] for v in values] == [
            "Transaction.Begin",
            "Sample.Periodic",
            "Sample.Clock",
            "Transaction.End",
        ]
        assert values[1]["sampled_value"] == [
            energy(5, "Sample.Periodic")
        ]  # SignReadings false: no signature
        assert values[2] == {
            "timestamp": "2026-01-01T10:00:00.000Z",
            "sampled_value": [
                {
                    "value": 7000,
                    "context": "Sample.Clock",
                    "measurand": "Power.Active.Import",
                    "location": "Outlet",
                    "unit_of_measure": {"unit": "W"},
                }
            ],
        }
        rig.close()

        dm.set(VariableRef("SampledDataCtrlr", "SignReadings"), "true", source="test")
        rig = Rig(dm, tmp_path / "again")
        rig.tx.on_session_event(1, plug())
        rig.tx.on_session_event(1, authorize())
        rig.tx.on_powermeter(1, reading)
        rig.tx.sampling.store_periodic(1)
        rig.tx.on_session_event(1, finish("Local"))
        assert rig.queued()[-1]["meter_value"][1]["sampled_value"] == [
            energy(5, "Sample.Periodic", signed_meter_value=SIGNED)
        ]
        rig.close()

    run(body)


def test_an_invalid_id_token_stops_or_pauses_as_configured(
    open_dm: Callable[..., DeviceModel], tmp_path: Path
) -> None:
    async def body() -> None:
        dm = open_dm(**QUIET)
        rig = Rig(dm, tmp_path)
        rig.tx.on_session_event(1, plug())
        rig.tx.on_session_event(1, authorize())
        started = rig.sender.queue.items()[0]
        response = SimpleNamespace(
            total_cost=1.5,
            charging_priority=None,
            updated_personal_message={"format": "UTF8", "content": "hi"},
            id_token_info={"status": "Invalid"},
        )
        rig.tx.answers.on_response(started, response)
        await asyncio.sleep(0)
        assert rig.evse.calls == [("stop_transaction", 1, "DeAuthorized")]
        assert rig.events.vars[-1] == (
            "ocpp_transaction_event_response",
            {
                "original_transaction_event": {
                    "transaction_event": "Started",
                    "session_id": "tx-1",
                    "transaction_id": "tx-1",
                    "evse": {"id": 1, "connector_id": 1},
                },
                "total_cost": 1.5,
                "personal_message": {"format": "UTF8", "content": "hi"},
            },
        )
        dm.set(VariableRef("TxCtrlr", "StopTxOnInvalidId"), "false", source="test")
        dm.set(VariableRef("TxCtrlr", "MaxEnergyOnInvalidId"), "10", source="test")
        rig.tx.answers.on_response(started, response)
        rig.tx.on_powermeter(1, meter(11))  # started at 2 Wh: 9 Wh so far
        await asyncio.sleep(0)
        assert rig.evse.calls[1:] == []
        rig.tx.on_powermeter(1, meter(12))
        await asyncio.sleep(0)
        assert rig.evse.calls[1:] == [("pause_charging", 1, None)]
        accepted = SimpleNamespace(id_token_info={"status": "Accepted"})
        rig.tx.answers.on_response(started, accepted)
        await asyncio.sleep(0)
        assert len(rig.evse.calls) == 2
        rig.close()

    run(body)


def test_get_transaction_status_looks_at_open_transactions_and_the_queue(
    open_dm: Callable[..., DeviceModel], tmp_path: Path
) -> None:
    async def body() -> None:
        rig = Rig(open_dm(**QUIET), tmp_path)
        status = rig.tx.on_get_transaction_status
        assert status().messages_in_queue is False
        rig.tx.on_session_event(1, plug())
        rig.tx.on_session_event(1, authorize())
        assert (status("tx-1").messages_in_queue, status("tx-1").ongoing_indicator) == (True, True)
        assert (status("other").messages_in_queue, status("other").ongoing_indicator) == (False, False)
        assert status().messages_in_queue is True
        for item in rig.sender.queue.items():
            rig.sender.queue.remove(item.id)
        assert (status("tx-1").messages_in_queue, status("tx-1").ongoing_indicator) == (False, True)
        rig.close()

    run(body)


def test_remote_start_marks_the_first_event_of_the_token(
    open_dm: Callable[..., DeviceModel], tmp_path: Path
) -> None:
    async def body() -> None:
        rig = Rig(open_dm(**QUIET), tmp_path)
        rig.tx.set_remote_start_id(0, "TAG", 99)
        rig.tx.on_session_event(1, plug())
        rig.tx.on_session_event(1, authorize(authorization_type="OCPP", request_id=99))
        rig.tx.on_session_event(
            1, ev("ChargingStarted", charging_state_changed_event={"meter_value": meter(2)})
        )
        started, updated = rig.queued()
        assert (started["trigger_reason"], started["transaction_info"]["remote_start_id"]) == (
            "RemoteStart",
            99,
        )
        assert updated["transaction_info"]["remote_start_id"] == 99
        rig.close()

    run(body)


def test_trigger_and_smart_charging_view(open_dm: Callable[..., DeviceModel], tmp_path: Path) -> None:
    async def body() -> None:
        rig = Rig(open_dm(**QUIET), tmp_path)
        assert not rig.tx.can_trigger(None)
        rig.tx.on_session_event(2, plug())
        rig.tx.on_session_event(2, authorize())
        assert rig.tx.can_trigger(None) and rig.tx.can_trigger(2) and not rig.tx.can_trigger(1)
        rig.tx.on_powermeter(2, meter(3, power_W={"total": 11}))
        rig.tx.trigger(None)
        triggered = rig.queued()[-1]
        assert (triggered["trigger_reason"], triggered["seq_no"]) == ("Trigger", 1)
        assert [(s["measurand"], s["context"]) for s in triggered["meter_value"][0]["sampled_value"]] == [
            ("Energy.Active.Import.Register", "Trigger"),
            ("Power.Active.Import", "Trigger"),
        ]
        view = rig.tx.smart_charging_view()
        assert list(view) == [2] and view[2].transaction_id == "tx-1"
        assert view[2].started_at.isoformat() == "2026-01-01T10:00:01+00:00"
        ended: list[tuple[int, str]] = []
        rig.tx.ended_listeners.append(lambda e, t: ended.append((e, t)))
        rig.tx.on_session_event(2, finish("Remote"))
        assert ended == [(2, "tx-1")]
        rig.close()

    run(body)


def test_a_new_transaction_ends_one_left_open_by_a_lost_event(
    open_dm: Callable[..., DeviceModel], tmp_path: Path
) -> None:
    async def body() -> None:
        rig = Rig(open_dm(**QUIET), tmp_path)
        rig.tx.on_session_event(1, plug())
        rig.tx.on_session_event(1, authorize())
        # the end of tx-1 was never reported; still authorized, the plug-in starts tx-2 at once
        rig.tx.on_session_event(1, {**plug(), "uuid": "tx-2", "timestamp": "2026-01-01T12:00:00.000Z"})
        payloads = rig.queued()
        assert [
            (p["event_type"], p["transaction_info"]["transaction_id"], p["seq_no"]) for p in payloads
        ] == [
            ("Started", "tx-1", 0),
            ("Ended", "tx-1", 1),
            ("Started", "tx-2", 0),
        ]
        assert payloads[2]["trigger_reason"] == "CablePluggedIn"
        assert (payloads[1]["trigger_reason"], payloads[1]["transaction_info"]["stopped_reason"]) == (
            "AbnormalCondition",
            "Other",
        )
        assert payloads[1]["timestamp"] == "2026-01-01T12:00:00.000Z"
        assert [t.transaction_id for t in rig.tx.store.all()] == ["tx-2"]
        rig.close()

    run(body)
