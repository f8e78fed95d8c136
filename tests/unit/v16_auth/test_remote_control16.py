"""RemoteStart/StopTransaction, UnlockConnector and reservations on 1.6 in process, with fakes around them.

The handlers are called as the ``ocpp`` package calls them (snake_case keyword arguments, ``call_unique_id``,
then the ``@after`` hook); their answers and the calls they made on the stand-ins are checked. OCPP
connectors: 1 = EVSE 1 connector 1, 2 and 3 = EVSE 2 connectors 1 and 2.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from everest_ocpp.bridge.evse import EvseInfo
from everest_ocpp.everest.errors import CmdError
from everest_ocpp.generic.authorization import AuthorizationEvents, IdToken, TokenRequest
from everest_ocpp.v16.connectors import ConnectorMap
from everest_ocpp.v16.remote_control import RemoteControl16
from everest_ocpp.v16.reservation import Reservation16
from everest_ocpp.v16.status_machine import Status

from .conftest import BROKEN, FakeReservation, config

CONNECTORS = ConnectorMap.from_evses([EvseInfo(0, 1, (1,)), EvseInfo(1, 2, (1, 2))])


class FakeStatus:
    def __init__(self) -> None:
        self.states: dict[int, Status] = {}

    def state(self, connector: int) -> Status:
        return self.states.get(connector, Status.AVAILABLE)


class FakeTransactions:
    def __init__(self) -> None:
        self.open: dict[int, int] = {}  # connector -> transaction id

    def running(self, connector: int) -> bool:
        return connector in self.open

    def connector_of(self, transaction_id: int) -> int | None:
        return next((c for c, t in self.open.items() if t == transaction_id), None)


class FakeSmartCharging:
    def __init__(self) -> None:
        self.installed: list[tuple[int, dict[str, Any]]] = []

    def add_remote_start_profile(self, connector: int, profile: dict[str, Any]) -> str | None:
        if profile.get("charging_profile_purpose") != "TxProfile":
            return "RemoteStartNeedsTxProfile"
        self.installed.append((connector, profile))
        return None


class FakeEvse:
    def __init__(self) -> None:
        self.calls: list[tuple[str, int, Any]] = []
        self.unlock: bool | Exception = True

    async def stop_transaction(self, evse_id: int, reason: str, id_tag: Any = None) -> bool:
        self.calls.append(("stop_transaction", evse_id, reason))
        return True

    async def force_unlock(self, evse_id: int, connector_id: int) -> bool:
        self.calls.append(("force_unlock", evse_id, connector_id))
        if isinstance(self.unlock, Exception):
            raise self.unlock
        return self.unlock


class Rig:
    def __init__(self, reservation_available: bool = True, **overrides: Any) -> None:
        self.config = config(**overrides)
        self.status = FakeStatus()
        self.tx = FakeTransactions()
        self.smart = FakeSmartCharging()
        self.evse = FakeEvse()
        self.reservation = FakeReservation(reservation_available)
        self.events = AuthorizationEvents()
        self.provided: list[TokenRequest] = []
        self.events.provided_token_listeners.append(self.provided.append)
        self.block = RemoteControl16(
            self.config,  # type: ignore[arg-type]
            CONNECTORS,
            self.evse,  # type: ignore[arg-type]
            self.status,  # type: ignore[arg-type]
            self.tx,  # type: ignore[arg-type]
            self.smart,  # type: ignore[arg-type]
            self.reservation,  # type: ignore[arg-type]
            self.events,
        )
        self.reserve = Reservation16(self.config, CONNECTORS, self.status, self.reservation)  # type: ignore[arg-type]

    def start(self, id_tag: str, **payload: Any) -> str:
        async def run() -> str:
            answer = await self.block.on_remote_start_transaction(
                call_unique_id="c", id_tag=id_tag, **payload
            )
            self.block.after_remote_start_transaction(call_unique_id="c")
            return str(answer.status)

        return asyncio.run(run())

    def stop(self, transaction_id: int) -> str:
        async def run() -> str:
            answer = self.block.on_remote_stop_transaction(call_unique_id="s", transaction_id=transaction_id)
            await self.block.after_remote_stop_transaction(call_unique_id="s")
            return str(answer.status)

        return asyncio.run(run())

    def unlock(self, connector_id: int) -> str:
        async def run() -> str:
            answer = await self.block.on_unlock_connector(call_unique_id="u", connector_id=connector_id)
            await self.block.after_unlock_connector(call_unique_id="u")
            return str(answer.status)

        return asyncio.run(run())


def token(tag: str, evses: tuple[int, ...], prevalidated: bool) -> TokenRequest:
    return TokenRequest(IdToken(tag, "Central"), "OCPP", connectors=evses, prevalidated=prevalidated)


# ---- RemoteStartTransaction --------------------------------------------------------------------------
def test_remote_start_provides_the_token_as_the_cpp_module() -> None:
    r = Rig()
    assert r.start("T1", connector_id=3) == "Accepted"
    assert r.start("T2") == "Accepted"
    r.config.authorize_remote_tx_requests = False
    assert r.start("T3", connector_id=1) == "Accepted"
    assert r.provided == [token("T1", (2,), False), token("T2", (1, 2), False), token("T3", (1,), True)]
    assert r.reservation.calls == [
        ("exists_reservation", {"evse_id": 2, "id_token": "T1"}),
        ("exists_reservation", {"evse_id": 1, "id_token": "T2"}),  # connector 1 can start: enough
        ("exists_reservation", {"evse_id": 1, "id_token": "T3"}),
    ]


@pytest.mark.parametrize("state", [Status.UNAVAILABLE, Status.FAULTED, Status.FINISHING])
def test_remote_start_rejected_for_a_connector_that_cannot_start(state: Status) -> None:
    r = Rig()
    r.status.states[1] = state
    assert r.start("T", connector_id=1) == "Rejected"
    assert (r.provided, r.reservation.calls) == ([], [])


def test_remote_start_rejected_for_an_unknown_connector_or_a_running_transaction() -> None:
    r = Rig()
    assert r.start("T", connector_id=4) == "Rejected"
    assert r.start("T", connector_id=0) == "Rejected"
    r.tx.open[2] = 7
    assert r.start("T", connector_id=2) == "Rejected"
    assert r.provided == []


def test_remote_start_without_connector_needs_one_that_can_start() -> None:
    r = Rig()
    r.status.states.update({1: Status.UNAVAILABLE, 2: Status.FAULTED})
    r.tx.open[3] = 7
    assert r.start("T") == "Rejected"
    del r.tx.open[3]
    assert r.start("T") == "Accepted"
    assert r.provided == [token("T", (1, 2), False)]


def test_remote_start_and_reservations() -> None:
    r = Rig()
    r.reservation.answers["exists_reservation"] = "ReservedForOtherToken"
    assert r.start("T", connector_id=1) == "Accepted"  # not Reserved: the answer does not matter
    r.status.states[1] = Status.RESERVED
    assert r.start("T", connector_id=1) == "Rejected"
    r.reservation.answers["exists_reservation"] = "ReservedForToken"
    assert r.start("T", connector_id=1) == "Accepted"
    r.reservation.answers["exists_reservation"] = BROKEN  # a failing module: no reservation assumed
    assert r.start("T", connector_id=1) == "Accepted"
    unconnected = Rig(reservation_available=False)
    unconnected.status.states[1] = Status.RESERVED
    assert unconnected.start("T", connector_id=1) == "Accepted"
    assert unconnected.reservation.calls == []


def test_remote_start_charging_profile() -> None:
    r = Rig()
    profile = {"charging_profile_id": 1, "charging_profile_purpose": "TxProfile"}
    assert r.start("T", charging_profile=profile) == "Rejected"  # needs a connectorId
    assert r.start("T", connector_id=1, charging_profile={**profile, "charging_profile_purpose": "X"}) == (
        "Rejected"
    )
    assert (r.smart.installed, r.provided) == ([], [])
    assert r.start("T", connector_id=1, charging_profile=profile) == "Accepted"
    assert r.smart.installed == [(1, profile)]
    assert len(r.provided) == 1


# ---- RemoteStopTransaction ---------------------------------------------------------------------------
def test_remote_stop() -> None:
    r = Rig()
    r.tx.open[3] = 42
    assert r.stop(41) == "Rejected"
    assert r.evse.calls == []
    assert r.stop(42) == "Accepted"
    assert r.evse.calls == [("stop_transaction", 2, "Remote")]


# ---- UnlockConnector ---------------------------------------------------------------------------------
def test_unlock_results() -> None:
    r = Rig()
    assert [r.unlock(c) for c in (0, 4)] == ["NotSupported", "NotSupported"]
    assert r.evse.calls == []
    assert r.unlock(3) == "Unlocked"
    r.evse.unlock = False
    assert r.unlock(1) == "NotSupported"
    r.evse.unlock = CmdError("CmdTimeout", "no answer")
    assert r.unlock(1) == "UnlockFailed"
    assert r.evse.calls == [("force_unlock", 2, 2), ("force_unlock", 1, 1), ("force_unlock", 1, 1)]


@pytest.mark.parametrize(
    ("stop_if_not_supported", "unlocks", "stopped"),
    [
        (True, False, [("stop_transaction", 1, "UnlockCommand")]),
        (False, False, []),
        (True, True, []),  # unlocked: the evse_manager ended the transaction itself
    ],
)
def test_unlock_with_a_transaction(stop_if_not_supported: bool, unlocks: bool, stopped: list[Any]) -> None:
    r = Rig(stop_transaction_if_unlock_not_supported=stop_if_not_supported)
    r.tx.open[1] = 5
    r.evse.unlock = unlocks
    assert r.unlock(1) == ("Unlocked" if unlocks else "NotSupported")
    assert r.evse.calls == [("force_unlock", 1, 1), *stopped]


# ---- ReserveNow / CancelReservation ------------------------------------------------------------------
def reserve(r: Rig, connector: int, **more: Any) -> str:
    answer = asyncio.run(
        r.reserve.on_reserve_now(
            connector_id=connector,
            expiry_date="2030-01-01T10:00:00+02:00",
            id_tag="TAG",
            reservation_id=9,
            **more,
        )
    )
    return str(answer.status)


def test_reserve_now_is_forwarded() -> None:
    r = Rig()
    assert reserve(r, 3, parent_id_tag="P") == "Accepted"
    assert reserve(r, 0) == "Accepted"
    assert r.reservation.calls == [
        (
            "reserve_now",
            {
                "reservation_id": 9,
                "id_token": "TAG",
                "expiry_time": "2030-01-01T08:00:00.000Z",
                "parent_id_token": "P",
                "evse_id": 2,
            },
        ),
        ("reserve_now", {"reservation_id": 9, "id_token": "TAG", "expiry_time": "2030-01-01T08:00:00.000Z"}),
    ]
    for result in ("Occupied", "Unavailable", "Faulted", "Rejected"):
        r.reservation.answers["reserve_now"] = result
        assert reserve(r, 1) == result
    r.reservation.answers["reserve_now"] = "Strange"
    assert reserve(r, 1) == "Rejected"
    r.reservation.answers["reserve_now"] = BROKEN
    assert reserve(r, 1) == "Rejected"


@pytest.mark.parametrize(
    ("setup", "connector", "expected"),
    [
        ({}, 4, "Rejected"),
        ({"state": Status.FAULTED}, 1, "Faulted"),
        ({"state": Status.PREPARING}, 1, "Occupied"),
        ({"config": {"reservation_supported": False}}, 1, "Rejected"),
        ({"config": {"reserve_connector_zero_supported": False}}, 0, "Rejected"),
        ({"unconnected": True}, 1, "Rejected"),
    ],
)
def test_reserve_now_answered_without_the_module(
    setup: dict[str, Any], connector: int, expected: str
) -> None:
    r = Rig(reservation_available=not setup.get("unconnected"), **setup.get("config", {}))
    if "state" in setup:
        r.status.states[connector] = setup["state"]
    assert reserve(r, connector) == expected
    assert r.reservation.calls == []


def test_cancel_reservation() -> None:
    r = Rig()

    def cancel(rig: Rig) -> str:
        return str(asyncio.run(rig.reserve.on_cancel_reservation(reservation_id=4)).status)

    assert cancel(r) == "Accepted"
    r.reservation.answers["cancel_reservation"] = False
    assert cancel(r) == "Rejected"
    r.reservation.answers["cancel_reservation"] = BROKEN
    assert cancel(r) == "Rejected"
    assert r.reservation.calls == [("cancel_reservation", 4)] * 3
    assert cancel(Rig(reservation_available=False)) == "Rejected"
