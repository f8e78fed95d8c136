"""RequestStart/StopTransaction, UnlockConnector and reservations in process, with fakes around them.

The handlers are called as the ``ocpp`` package calls them (snake_case keyword arguments, ``call_unique_id``),
their answers and the calls they made on the stand-ins are checked.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from everest_ocpp.bridge.evse import EvseInfo
from everest_ocpp.everest.errors import CmdError
from everest_ocpp.generic.authorization import AuthorizationEvents, IdToken, TokenRequest
from everest_ocpp.v201.device_model import DeviceModel
from everest_ocpp.v201.remote_control import RemoteControl201
from everest_ocpp.v201.reservation import Reservation201


class FakeEvse:
    evses = [EvseInfo(0, 1, (1,)), EvseInfo(1, 2, (1, 2))]

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.fail = False

    def by_id(self, evse_id: int) -> EvseInfo | None:
        return next((e for e in self.evses if e.id == evse_id), None)

    async def stop_transaction(self, evse_id: int, reason: str, id_tag: Any = None) -> bool:
        self.calls.append(("stop_transaction", (evse_id, reason)))
        if self.fail:
            raise CmdError("HandlerException", "broken")
        return True

    async def force_unlock(self, evse_id: int, connector_id: int) -> bool:
        self.calls.append(("force_unlock", (evse_id, connector_id)))
        if self.fail:
            raise CmdError("CmdTimeout", "no answer")
        return True


@dataclass
class FakeTransactions:
    remote_start_listeners: list[Callable[[int, str, int], None]] = field(default_factory=list)
    remote_start_void_listeners: list[Callable[[int, str, int], None]] = field(default_factory=list)
    authorized: set[int] = field(default_factory=set)
    open: dict[int, str] = field(default_factory=dict)
    remote_ids: list[tuple[int, str, int]] = field(default_factory=list)
    ended: list[tuple[int, str, str]] = field(default_factory=list)

    def is_authorized(self, evse_id: int) -> bool:
        return evse_id in self.authorized

    def set_remote_start_id(self, evse_id: int, token: str, remote_start_id: int) -> None:
        self.remote_ids.append((evse_id, token, remote_start_id))

    def transaction_id(self, evse_id: int) -> str | None:
        return self.open.get(evse_id)

    def evse_of(self, transaction_id: str) -> int | None:
        return next((e for e, t in self.open.items() if t == transaction_id), None)

    def end_unauthorized(self, evse_id: int, trigger: str, reason: str = "Other") -> bool:
        self.ended.append((evse_id, trigger, reason))
        return True


class FakeSmartCharging:
    def __init__(self) -> None:
        self.installed: list[int] = []
        self.dropped: list[int] = []
        self.bound: list[tuple[int, str]] = []

    def add_remote_start_profile(self, evse_id: int, profile: dict[str, Any]) -> dict[str, Any] | None:
        if profile.get("charging_profile_purpose") != "TxProfile":
            return {"reason_code": "InvalidProfile", "additional_info": "RequestStartTransactionNonTxProfile"}
        self.installed.append(int(profile["id"]))
        return None

    def drop_profiles(self, ids: list[int], why: str) -> None:
        self.dropped += ids

    def bind_remote_start_profile(self, profile_id: int, transaction_id: str) -> None:
        self.bound.append((profile_id, transaction_id))


class FakeReservation:
    def __init__(self, available: bool = True) -> None:
        self.available = available
        self.check: str | Exception = "NotReserved"
        self.reserve: str | Exception = "Accepted"
        self.calls: list[tuple[str, Any]] = []
        self.update_listeners: list[Callable[[dict[str, Any]], None]] = []

    async def exists_reservation(self, check: dict[str, Any]) -> str:
        self.calls.append(("exists_reservation", check))
        if isinstance(self.check, Exception):
            raise self.check
        return self.check

    async def reserve_now(self, request: dict[str, Any]) -> str:
        self.calls.append(("reserve_now", request))
        if isinstance(self.reserve, Exception):
            raise self.reserve
        return self.reserve


class Rig:
    def __init__(self, dm: DeviceModel) -> None:
        self.evse = FakeEvse()
        self.tx = FakeTransactions()
        self.statuses: dict[tuple[int, int], str] = {}
        self.sc = FakeSmartCharging()
        self.reservation = FakeReservation()
        self.events = AuthorizationEvents()
        self.provided: list[TokenRequest] = []
        self.events.provided_token_listeners.append(self.provided.append)
        self.rc = RemoteControl201(
            dm,
            self.evse,  # type: ignore[arg-type]
            self.tx,  # type: ignore[arg-type]
            lambda key: self.statuses.get(key, "Available"),
            self.sc,  # type: ignore[arg-type]
            self.reservation,  # type: ignore[arg-type]
            self.events,
        )

    def start(self, call_id: str, evse_id: int | None, **extra: Any) -> Any:
        async def run() -> Any:
            before = len(self.provided)
            result = await self.rc.on_request_start_transaction(
                call_unique_id=call_id,
                id_token={"id_token": "DRV", "type": "ISO14443"},
                remote_start_id=int(call_id),
                evse_id=evse_id,
                **extra,
            )
            assert len(self.provided) == before  # the token goes out only after the answer
            self.rc.after_request_start_transaction(call_unique_id=call_id)
            return result

        return asyncio.run(run())


@pytest.fixture
def rig(open_dm: Callable[..., DeviceModel]) -> Rig:
    return Rig(open_dm(**{"AuthCtrlr.AuthorizeRemoteStart": "false"}))


def profile(profile_id: int, purpose: str = "TxProfile") -> dict[str, Any]:
    return {"id": profile_id, "stack_level": 0, "charging_profile_purpose": purpose}


def test_the_token_is_provided_after_the_answer_as_upstream_builds_it(rig: Rig) -> None:
    result = rig.start("1", 2, group_id_token={"id_token": "FLEET", "type": "Central"})
    assert (result.status, result.transaction_id) == ("Accepted", None)
    assert rig.provided == [
        TokenRequest(
            IdToken("DRV", "ISO14443"),
            "OCPP",
            parent_id_token=IdToken("FLEET", "Central"),
            request_id=1,
            connectors=(2,),
            prevalidated=True,
        )
    ]
    assert rig.tx.remote_ids == [(2, "DRV", 1)]
    assert rig.reservation.calls == [
        ("exists_reservation", {"evse_id": 2, "id_token": "DRV", "group_id_token": "FLEET"})
    ]


def test_an_unauthorized_transaction_does_not_block_a_remote_start_and_is_named(rig: Rig) -> None:
    rig.tx.open[1] = "plugged-first"
    result = rig.start("2", 1)
    assert (result.status, result.transaction_id) == ("Accepted", "plugged-first")
    rig.tx.authorized.add(1)
    assert rig.start("3", 1).status == "Rejected"
    assert [p.request_id for p in rig.provided] == [2]


def test_refusals_publish_nothing(rig: Rig) -> None:
    assert rig.start("4", None).status_info == {"reason_code": "MissingParam", "additional_info": "no evseId"}
    rig.statuses[(2, 1)] = "Faulted"
    assert rig.start("5", 2).status == "Accepted"  # connector 2 of EVSE 2 is still free
    rig.statuses[(2, 2)] = "Unavailable"
    assert rig.start("6", 2).status == "Rejected"
    rig.reservation.check = "ReservedForOtherToken"
    assert rig.start("7", 1).status == "Rejected"
    rig.reservation.check = "ReservedForOtherTokenAndHasParentToken"  # libocpp accepts this one
    assert rig.start("8", 1).status == "Accepted"
    assert [p.request_id for p in rig.provided] == [5, 8]


def test_a_failing_reservation_module_counts_as_no_reservation(rig: Rig) -> None:
    rig.reservation.check = CmdError("CmdTimeout", "no answer")
    assert rig.start("9", 1).status == "Accepted"


def test_remote_start_profiles_are_bound_or_replaced(rig: Rig) -> None:
    bad = rig.start("10", 1, charging_profile=profile(70, "TxDefaultProfile"))
    assert (bad.status, bad.status_info["reason_code"]) == ("Rejected", "InvalidProfile")
    assert rig.provided == []
    assert rig.start("11", 1, charging_profile=profile(71)).status == "Accepted"
    assert rig.start("12", 1, charging_profile=profile(72)).status == "Accepted"
    assert (rig.sc.installed, rig.sc.dropped) == ([71, 72], [71])
    for listener in rig.tx.remote_start_listeners:
        listener(1, "tx-1", 12)
    assert rig.sc.bound == [(72, "tx-1")]
    for listener in rig.tx.remote_start_listeners:
        listener(1, "tx-2", 13)  # nothing pending any more
    assert rig.sc.bound == [(72, "tx-1")]


def test_stop_goes_to_the_transactions_evse_or_ends_an_unauthorized_one(rig: Rig) -> None:
    def stop(call_id: str, transaction_id: str) -> str:
        result = asyncio.run(
            rig.rc.on_request_stop_transaction(call_unique_id=call_id, transaction_id=transaction_id)
        )
        assert rig.tx.ended == []  # nothing ends before the answer is out
        rig.rc.after_request_stop_transaction(call_unique_id=call_id)
        return str(result.status)

    rig.tx.open[2] = "t-2"
    rig.tx.authorized.add(2)
    assert stop("a", "t-2") == "Accepted"
    assert stop("b", "nope") == "Rejected"
    rig.evse.fail = True
    assert stop("c", "t-2") == "Rejected"
    assert rig.evse.calls == [("stop_transaction", (2, "Remote")), ("stop_transaction", (2, "Remote"))]
    rig.tx.authorized.clear()
    assert stop("d", "t-2") == "Accepted"
    assert rig.tx.ended == [(2, "RemoteStop", "Remote")]
    assert len(rig.evse.calls) == 2


def test_unlock(rig: Rig) -> None:
    def unlock(call_id: str, evse_id: int, connector_id: int) -> str:
        result = asyncio.run(
            rig.rc.on_unlock_connector(call_unique_id=call_id, evse_id=evse_id, connector_id=connector_id)
        )
        rig.rc.after_unlock_connector(call_unique_id=call_id)
        return str(result.status)

    assert unlock("a", 2, 3) == "UnknownConnector"
    assert unlock("b", 2, 2) == "Unlocked"
    rig.tx.authorized.add(1)
    assert unlock("c", 1, 1) == "OngoingAuthorizedTransaction"
    rig.tx.authorized.clear()
    rig.tx.open[1] = "plugged"
    assert unlock("d", 1, 1) == "Unlocked"
    assert rig.tx.ended == [(1, "UnlockCommand", "Other")]
    rig.evse.fail = True
    assert unlock("e", 1, 1) == "UnlockFailed"
    assert rig.tx.ended == [(1, "UnlockCommand", "Other")]
    assert rig.evse.calls == [("force_unlock", (2, 2)), ("force_unlock", (1, 1)), ("force_unlock", (1, 1))]


# --------------------------------------------------------------------------- reservations


class FakeSender:
    def __init__(self) -> None:
        self.pushed: list[tuple[str, dict[str, Any]]] = []

    def push(self, action: str, payload: dict[str, Any], transactional: bool = False) -> None:
        self.pushed.append((action, payload))


def test_reservation_updates_and_a_failing_module(open_dm: Callable[..., DeviceModel]) -> None:
    service, sender = FakeReservation(), FakeSender()
    block = Reservation201(
        open_dm(),
        service,  # type: ignore[arg-type]
        sender,  # type: ignore[arg-type]
        lambda: [(1, [1]), (2, [1, 2])],
    )
    for status in ("Placed", "Expired", "Used", "Cancelled", "Removed"):
        for listener in service.update_listeners:
            listener({"reservation_id": 3, "reservation_status": status})
    assert sender.pushed == [
        ("ReservationStatusUpdate", {"reservation_id": 3, "reservation_update_status": "Expired"}),
        ("ReservationStatusUpdate", {"reservation_id": 3, "reservation_update_status": "Removed"}),
    ]
    service.reserve = CmdError("CmdTimeout", "no answer")
    result = asyncio.run(
        block.on_reserve_now(
            id=4,
            expiry_date_time="2030-01-01T00:00:00Z",
            id_token={"id_token": "R", "type": "ISO14443"},
            evse_id=2,
        )
    )
    assert result.status == "Rejected"
    assert service.calls == [
        (
            "reserve_now",
            {"reservation_id": 4, "id_token": "R", "expiry_time": "2030-01-01T00:00:00Z", "evse_id": 2},
        )
    ]
