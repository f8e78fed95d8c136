"""2.0.1: an accepted RequestStartTransaction whose token is never used (the driver never plugs in;
EVerest's Auth module drops the provided token after its timeout) is void once the same token starts
a transaction by itself (the card at the reader: authorization_type RFID, no request_id): that
transaction says Authorized without a remoteStartId and the request's TxProfile is dropped, not
bound to it. The request used as EVerest reports it (request_id = remoteStartId) is a remote start."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from .rig import build, until

NOW = "2026-01-01T10:00:00Z"
CSMS_ANSWERS: dict[str, dict[str, Any]] = {
    "BootNotification": {"status": "Accepted", "currentTime": NOW, "interval": 300},
    "Heartbeat": {"currentTime": NOW},
    "Authorize": {"idTokenInfo": {"status": "Accepted"}},
}
TX_PROFILE = {
    "id": 31,
    "stackLevel": 0,
    "chargingProfilePurpose": "TxProfile",
    "chargingProfileKind": "Relative",
    "chargingSchedule": [
        {"id": 1, "chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 6.0}]}
    ],
}
METER = {"timestamp": NOW, "energy_Wh_import": {"total": 10}}


def ev(kind: str, **parts: Any) -> dict[str, Any]:
    return {"uuid": "local-1", "event": kind, "timestamp": NOW, **parts}


async def local_start(
    tmp_path: Path, remote_start_first: bool, request_id: int | None = None
) -> tuple[dict[str, Any], list[Any]]:
    """(the first TransactionEvent carrying the idToken, (profile id, transaction id) of the installed
    profiles) for a local RFID start of CARD on EVSE 1; first an Accepted RequestStartTransaction for
    CARD first if ``remote_start_first``, used when EVerest's token carries ``request_id``."""
    rig = await build(tmp_path, "2.0.1", CSMS_ANSWERS)
    try:
        await rig.connect()
        if remote_start_first:
            request = {
                "idToken": {"idToken": "CARD", "type": "ISO14443"},
                "remoteStartId": 42,
                "evseId": 1,
                "chargingProfile": TX_PROFILE,
            }
            assert (await rig.request("RequestStartTransaction", request))[2]["status"] == "Accepted"
        # ... later: the driver plugs in and presents the card at the reader
        plugged = ev("SessionStarted", session_started={"reason": "EVConnected", "meter_value": METER})
        rig.runtime.publish("evse_manager", 0, "session_event", plugged)
        tag: dict[str, Any] = {
            "id_token": {"value": "CARD", "type": "ISO14443"},
            "authorization_type": "RFID",
        }
        if request_id is not None:
            tag.update(authorization_type="OCPP", request_id=request_id)
        started = ev("TransactionStarted", transaction_started={"id_tag": tag, "meter_value": METER})
        rig.runtime.publish("evse_manager", 0, "session_event", started)
        await until(lambda: any(e.get("idToken") for e in rig.csms.calls("TransactionEvent")))
        first = next(e for e in rig.csms.calls("TransactionEvent") if e.get("idToken"))
        profiles = [(p.id, p.transaction_id) for p in rig.backend.smart_charging._store.profiles()]
        return first, profiles
    finally:
        await rig.close()


def test_a_local_rfid_start_without_a_remote_start_says_authorized(tmp_path: Path) -> None:
    first, profiles = asyncio.run(local_start(tmp_path, remote_start_first=False))
    assert first["triggerReason"] == "Authorized", first
    assert "remoteStartId" not in first["transactionInfo"], first
    assert profiles == []


def test_an_unused_remote_start_is_void_for_a_later_local_start_of_its_token(tmp_path: Path) -> None:
    first, profiles = asyncio.run(local_start(tmp_path, remote_start_first=True))
    assert (first["triggerReason"], first["transactionInfo"].get("remoteStartId")) == ("Authorized", None)
    assert profiles == []  # the 6 A TxProfile 31 of the request is gone, not bound to local-1


def test_the_remote_start_used_binds_its_profile(tmp_path: Path) -> None:
    first, profiles = asyncio.run(local_start(tmp_path, remote_start_first=True, request_id=42))
    assert (first["triggerReason"], first["transactionInfo"]["remoteStartId"]) == ("RemoteStart", 42)
    assert profiles == [(31, "local-1")]
