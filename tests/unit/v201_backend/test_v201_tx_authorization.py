"""What the 2.0.1 transaction block offers authorization and remote control: whether an EVSE's
transaction is authorized, the transaction of a remote start, the end of an unauthorized transaction
(UnlockConnector) and the idTokenInfo of TransactionEvent answers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ocpp.v201 import call_result

from everest_ocpp.v201.device_model import DeviceModel

from .test_v201_transactions import QUIET, FakeEvse, Rig, authorize, ev, meter, plug, run


class EvseWithTransactions(FakeEvse):
    running: set[int] = set()

    def transaction_running(self, evse_id: int) -> bool:
        return evse_id in self.running


def make(open_dm: Callable[..., DeviceModel], tmp_path: Path, **values: Any) -> Rig:
    rig = Rig(open_dm(**QUIET, **values), tmp_path)
    rig.evse = EvseWithTransactions()
    rig.evse.running = set()
    rig.tx._evse = rig.evse  # type: ignore[assignment]
    return rig


def test_authorized_means_an_idtoken_was_sent_or_the_evse_manager_runs_a_transaction(
    open_dm: Callable[..., DeviceModel], tmp_path: Path
) -> None:
    async def body() -> None:
        rig = make(open_dm, tmp_path, **{"TxCtrlr.TxStartPoint": "EVConnected"})
        rig.tx.on_session_event(2, plug())
        assert (rig.tx.is_authorized(2), rig.tx.evse_of("tx-1"), rig.tx.evse_of("other")) == (False, 2, None)
        rig.tx.on_session_event(2, authorize())
        assert rig.tx.is_authorized(2)
        assert not rig.tx.end_unauthorized(2, "UnlockCommand")
        rig.evse.running.add(1)  # type: ignore[attr-defined]
        assert rig.tx.is_authorized(1)
        rig.close()

    run(body)


def test_an_unauthorized_transaction_ends_with_the_given_trigger(
    open_dm: Callable[..., DeviceModel], tmp_path: Path
) -> None:
    async def body() -> None:
        rig = make(open_dm, tmp_path, **{"TxCtrlr.TxStartPoint": "EVConnected"})
        rig.tx.on_session_event(1, plug())
        rig.tx.on_powermeter(1, meter(7, "2026-01-01T10:05:00.000Z"))
        assert rig.tx.end_unauthorized(1, "UnlockCommand")
        _started, ended = rig.queued()
        assert (ended["event_type"], ended["trigger_reason"], ended["seq_no"]) == (
            "Ended",
            "UnlockCommand",
            1,
        )
        assert ended["transaction_info"] == {
            "transaction_id": "tx-1",
            "charging_state": "EVConnected",
            "stopped_reason": "Other",
        }
        assert "id_token" not in ended
        assert ended["meter_value"][-1]["sampled_value"][0]["context"] == "Transaction.End"
        assert not rig.tx.end_unauthorized(1, "UnlockCommand")
        rig.tx.on_session_event(1, ev("SessionFinished", session_finished={"meter_value": meter(7)}))
        assert len(rig.queued()) == 2  # the rest of the session sends nothing
        rig.close()

    run(body)


def test_remote_start_listeners_hear_the_transaction_of_the_token(
    open_dm: Callable[..., DeviceModel], tmp_path: Path
) -> None:
    async def body() -> None:
        rig = make(open_dm, tmp_path)
        heard: list[tuple[int, str, int]] = []
        rig.tx.remote_start_listeners.append(lambda *args: heard.append(args))
        rig.tx.set_remote_start_id(1, "TAG", 42)
        rig.tx.on_session_event(1, plug())
        rig.tx.on_session_event(1, authorize(authorization_type="OCPP", request_id=42))
        (started,) = rig.queued()
        assert (started["trigger_reason"], started["transaction_info"]["remote_start_id"]) == (
            "RemoteStart",
            42,
        )
        assert heard == [(1, "tx-1", 42)]
        rig.close()

    run(body)


def test_idtokeninfo_of_answers_reaches_the_listeners_with_the_evse(
    open_dm: Callable[..., DeviceModel], tmp_path: Path
) -> None:
    async def body() -> None:
        rig = make(open_dm, tmp_path, **{"TxCtrlr.TxStartPoint": "EVConnected"})
        heard: list[tuple[Any, ...]] = []
        rig.tx.answers.id_token_listeners.append(lambda *args: heard.append(args))
        rig.tx.on_session_event(2, plug())
        rig.tx.on_session_event(2, authorize())
        started, updated = rig.sender.queue.items()
        info = {"status": "Accepted"}
        rig.tx.answers.on_response(
            started, call_result.TransactionEvent(id_token_info=info)
        )  # no idToken: error
        rig.tx.answers.on_response(updated, call_result.TransactionEvent(id_token_info=info))
        rig.tx.answers.on_response(updated, call_result.TransactionEvent())
        assert heard == [(2, {"id_token": "TAG", "type": "ISO14443"}, info)]
        rig.close()

    run(body)
