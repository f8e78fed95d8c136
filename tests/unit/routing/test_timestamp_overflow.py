"""Valid RFC 3339 date-times at the edge of the calendar with a UTC offset
(``0001-01-01T00:00:00+01:00``, ``9999-12-31T23:59:59-01:00``) have no UTC datetime in Python; the
module clamps them (timestamps.as_utc) instead of failing: every request carrying one is answered
normally, a firmware update is started, a token with such an expiry stays valid."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from everest_ocpp.generic.authorization import IdToken, TokenRequest

from .rig import Rig, build, until

NOW = "2026-01-01T10:00:00Z"
LOW = "0001-01-01T00:00:00+01:00"  # = 0000-12-31T23:00:00Z: below datetime.min once in UTC
HIGH = "9999-12-31T23:59:59-01:00"  # = 10000-01-01T00:59:59Z: above datetime.max once in UTC
CSMS_16: dict[str, dict[str, Any]] = {
    "BootNotification": {"status": "Accepted", "currentTime": NOW, "interval": 300},
    "Heartbeat": {"currentTime": NOW},
    "Authorize": {"idTagInfo": {"status": "Accepted"}},
}
CSMS_201: dict[str, dict[str, Any]] = {
    "BootNotification": {"status": "Accepted", "currentTime": NOW, "interval": 300},
    "Heartbeat": {"currentTime": NOW},
    "Authorize": {"idTokenInfo": {"status": "Accepted"}},
}
SCHEDULE_201 = {
    "id": 1,
    "chargingRateUnit": "A",
    "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 10.0}],
}
MAX_201 = {
    "id": 12,
    "stackLevel": 0,
    "chargingProfilePurpose": "ChargingStationMaxProfile",
    "chargingProfileKind": "Absolute",
    "chargingSchedule": [{**SCHEDULE_201, "startSchedule": "2026-01-01T00:00:00Z"}],
}
TX_201 = {
    "id": 11,
    "stackLevel": 0,
    "chargingProfilePurpose": "TxProfile",
    "chargingProfileKind": "Absolute",
    "chargingSchedule": [{**SCHEDULE_201, "startSchedule": HIGH}],
}

# (version, action, schema-valid request); each once failed with InternalError (OverflowError)
REQUESTS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "16-ReserveNow": (
        "1.6",
        "ReserveNow",
        {"connectorId": 1, "expiryDate": LOW, "idTag": "R", "reservationId": 4},
    ),
    "16-GetDiagnostics": ("1.6", "GetDiagnostics", {"location": "ftp://logs.example", "startTime": HIGH}),
    "16-GetLog": (
        "1.6",
        "GetLog",
        {
            "logType": "SecurityLog",
            "requestId": 1,
            "log": {"remoteLocation": "ftp://logs.example", "oldestTimestamp": LOW},
        },
    ),
    "16-SignedUpdateFirmware": (
        "1.6",
        "SignedUpdateFirmware",
        {
            "requestId": 3,
            "firmware": {
                "location": "https://fw.example/a.bin",
                "retrieveDateTime": NOW,
                "installDateTime": HIGH,
                "signingCertificate": "PEM",
                "signature": "c2ln",
            },
        },
    ),
    "201-UpdateFirmware": (
        "2.0.1",
        "UpdateFirmware",
        {"requestId": 2, "firmware": {"location": "https://fw.example/a.bin", "retrieveDateTime": LOW}},
    ),
    "201-GetLog": (
        "2.0.1",
        "GetLog",
        {
            "logType": "DiagnosticsLog",
            "requestId": 3,
            "log": {"remoteLocation": "ftp://logs.example", "latestTimestamp": HIGH},
        },
    ),
    "201-SetChargingProfile-validTo": (
        "2.0.1",
        "SetChargingProfile",
        {"evseId": 0, "chargingProfile": {**MAX_201, "validTo": HIGH}},
    ),
    "201-SetChargingProfile-validFrom": (
        "2.0.1",
        "SetChargingProfile",
        {"evseId": 0, "chargingProfile": {**MAX_201, "validFrom": LOW}},
    ),
    "201-RequestStartTransaction-startSchedule": (
        "2.0.1",
        "RequestStartTransaction",
        {
            "idToken": {"idToken": "REMOTE", "type": "ISO14443"},
            "remoteStartId": 9,
            "evseId": 1,
            "chargingProfile": TX_201,
        },
    ),
}


async def _rig(tmp_path: Path, version: str) -> Rig:
    rig = await build(tmp_path, version, CSMS_16 if version == "1.6" else CSMS_201)
    await rig.connect()
    return rig


@pytest.mark.parametrize("case", sorted(REQUESTS))
def test_an_edge_date_time_is_not_answered_with_internal_error(case: str, tmp_path: Path) -> None:
    version, action, payload = REQUESTS[case]

    async def run() -> list[Any]:
        rig = await _rig(tmp_path, version)
        try:
            frame = await rig.request(action, payload)
            assert frame[0] == 3, frame
            assert rig.schema_valid(action, frame[2]), frame
            return frame
        finally:
            await rig.close()

    asyncio.run(run())


def test_16_update_firmware_with_an_edge_retrieve_date_is_started_after_its_answer(tmp_path: Path) -> None:
    """UpdateFirmware.conf has no status: once answered, the update must reach the system module."""

    async def run() -> tuple[list[Any], list[dict[str, Any]]]:
        rig = await _rig(tmp_path, "1.6")
        try:
            frame = await rig.request(
                "UpdateFirmware", {"location": "https://fw.example/a.bin", "retrieveDate": LOW}
            )
            await until(lambda: rig.runtime.called("system", "update_firmware"), 2.0)
            return frame, rig.runtime.called("system", "update_firmware")
        finally:
            await rig.close()

    frame, calls = asyncio.run(run())
    assert frame[0] == 3 and frame[2] == {}
    assert len(calls) == 1


def _local_pre_authorize(folder: Path) -> None:
    config = folder / "ocpp-config.json"
    data = json.loads(config.read_text())
    data["Core"]["LocalPreAuthorize"] = True
    config.write_text(json.dumps(data))


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
@pytest.mark.parametrize("source", ["local list", "Authorize answer"])
def test_a_token_accepted_until_an_edge_expiry_validates_accepted(
    version: str, source: str, tmp_path: Path
) -> None:
    async def run() -> str:
        prepare = _local_pre_authorize if version == "1.6" else None
        rig = await build(tmp_path, version, CSMS_16 if version == "1.6" else CSMS_201, prepare)
        try:
            await rig.connect()
            if version == "1.6":
                info = {"status": "Accepted", "expiryDate": HIGH}
                rig.csms.answers["Authorize"] = {"idTagInfo": info}
                request = {
                    "listVersion": 1,
                    "updateType": "Full",
                    "localAuthorizationList": [{"idTag": "LISTED", "idTagInfo": info}],
                }
            else:
                info = {"status": "Accepted", "cacheExpiryDateTime": HIGH}
                rig.csms.answers["Authorize"] = {"idTokenInfo": info}
                token = {"idToken": "LISTED", "type": "ISO14443"}
                request = {
                    "versionNumber": 1,
                    "updateType": "Full",
                    "localAuthorizationList": [{"idToken": token, "idTokenInfo": info}],
                }
            assert (await rig.request("SendLocalList", request))[2]["status"] == "Accepted"
            value = "LISTED" if source == "local list" else "ONLINE"
            verdict = await rig.backend.authorization.validate(
                TokenRequest(IdToken(value, "ISO14443"), "RFID")
            )
            return verdict.status
        finally:
            await rig.close()

    assert asyncio.run(run()) == "Accepted"
