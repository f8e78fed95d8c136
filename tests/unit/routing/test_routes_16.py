"""Every request a 1.6 CSMS may send, routed through the real 1.6 backend's session in process.

Each case gets a fresh backend (fake EVerest modules, fake CSMS websocket, BootNotification
accepted); its request must be answered with a CALLRESULT that is valid per the 1.6 schema and
holds the expected fields, and where the action has an ``@after`` handler, what it does once the
answer is out is checked too. A routed action without a case fails ``test_every_routed_action_has_a_case``.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from .rig import Rig, build, until
from .route_cases import Case, check_case, routed_actions

NOW = "2026-01-01T10:00:00Z"
CSMS_ANSWERS: dict[str, dict[str, Any]] = {
    "BootNotification": {"status": "Accepted", "currentTime": NOW, "interval": 300},
    "Heartbeat": {"currentTime": NOW},
    "StartTransaction": {"transactionId": 91, "idTagInfo": {"status": "Accepted"}},
    "StopTransaction": {},
    "StatusNotification": {},
    "MeterValues": {},
    "SecurityEventNotification": {},
    "FirmwareStatusNotification": {},
    "DiagnosticsStatusNotification": {},
    "SignedFirmwareStatusNotification": {},
    "LogStatusNotification": {},
    "SignCertificate": {"status": "Accepted"},
    "Authorize": {"idTagInfo": {"status": "Accepted"}},
    "DataTransfer": {"status": "Accepted"},
}
MAX_PROFILE = {
    "chargingProfileId": 5,
    "stackLevel": 1,
    "chargingProfilePurpose": "ChargePointMaxProfile",
    "chargingProfileKind": "Absolute",
    "chargingSchedule": {
        "chargingRateUnit": "A",
        "startSchedule": "2020-01-01T00:00:00Z",
        "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16.0}],
    },
}


HASH_16 = {"hashAlgorithm": "SHA256", "issuerNameHash": "aa", "issuerKeyHash": "bb", "serialNumber": "1"}
LIST = [{"idTag": "A", "idTagInfo": {"status": "Accepted"}}]


def firmware_locations(rig: Rig) -> list[str]:
    return [r["firmware_update_request"]["location"] for r in rig.runtime.called("system", "update_firmware")]


def disabled(rig: Rig) -> list[tuple[int, str]]:
    """(evse_manager index, enable state) of the enable_disable calls."""
    return [
        (index, args["cmd_source"]["enable_state"])
        for req, index, cmd, args in rig.runtime.calls
        if (req, cmd) == ("evse_manager", "enable_disable")
    ]


def security_events(rig: Rig) -> list[str]:
    return [event[0] for event in rig.events.of("internal_security_event")]


async def transaction_running(rig: Rig) -> None:
    """A transaction on connector 1 (EVSE 1), answered by the CSMS with transactionId 91."""
    rig.runtime.publish(
        "evse_manager",
        0,
        "session_event",
        {
            "uuid": "s1",
            "timestamp": NOW,
            "event": "TransactionStarted",
            "transaction_started": {
                "id_tag": {"id_token": {"value": "DRIVER", "type": "ISO14443"}, "authorization_type": "RFID"},
                "meter_value": {"timestamp": NOW, "energy_Wh_import": {"total": 0}},
            },
        },
    )
    await until(lambda: rig.backend.transactions.connector_of(91) == 1)


def with_security_profile_1(folder: Path) -> None:
    config = folder / "ocpp-config.json"
    data = json.loads(config.read_text())
    data["Security"]["SecurityProfile"] = 1
    config.write_text(json.dumps(data))


CASES: dict[str, Case] = {
    "CancelReservation": Case(
        {"reservationId": 1},
        {"status": "Accepted"},
        after=lambda rig: rig.runtime.called("reservation", "cancel_reservation") == [{"reservation_id": 1}],
    ),
    "CertificateSigned": Case(
        {"certificateChain": "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----"},
        {"status": "Rejected"},
        after=lambda rig: security_events(rig)[-1:] == ["InvalidChargePointCertificate"],
        answers={"security": {"update_leaf_certificate": "InvalidSignature"}},
    ),
    "ChangeAvailability": Case(
        {"connectorId": 1, "type": "Inoperative"},
        {"status": "Accepted"},
        after=lambda rig: disabled(rig) == [(0, "Disable")],  # evse_manager index 0 is EVSE 1
    ),
    "ChangeConfiguration": Case(
        {"key": "AuthorizationKey", "value": "0123456789abcdef0123"},
        {"status": "Accepted"},
        after=lambda rig: rig.reconnects == ["AuthorizationKey changed"],
        prepare=with_security_profile_1,
    ),
    "ClearCache": Case({}, {"status": "Accepted"}),
    "ClearChargingProfile": Case(
        {"id": 5},
        {"status": "Accepted"},
        after=lambda rig: rig.backend.smart_charging._store.profiles() == [],
        before=[("SetChargingProfile", {"connectorId": 0, "csChargingProfiles": MAX_PROFILE})],
    ),
    "DataTransfer": Case(
        {"vendorId": "com.example", "messageId": "ping", "data": "ping"},
        {"status": "Accepted", "data": "pong"},
        after=lambda rig: (
            rig.runtime.called("data_transfer", "data_transfer")
            == [{"request": {"vendor_id": "com.example", "message_id": "ping", "data": "ping"}}]
        ),
    ),
    "DeleteCertificate": Case(
        {"certificateHashData": HASH_16},
        {"status": "Accepted"},
        # afterwards what the TLS checks trust is read again
        after=lambda rig: bool(rig.runtime.called("security", "is_ca_certificate_installed")),
    ),
    "ExtendedTriggerMessage": Case(
        {"requestedMessage": "Heartbeat"},
        {"status": "Accepted"},
        after=lambda rig: len(rig.csms.calls("Heartbeat")) == 1,
    ),
    "GetCompositeSchedule": Case({"connectorId": 1, "duration": 600}, {"status": "Accepted"}),
    "GetConfiguration": Case(
        {"key": ["HeartbeatInterval"]},
        # the interval of the BootNotification answer
        {"configurationKey": [{"key": "HeartbeatInterval", "readonly": False, "value": "300"}]},
    ),
    "GetDiagnostics": Case({"location": "ftp://logs.example"}, {"fileName": "logs.tar.gz"}),
    "GetInstalledCertificateIds": Case(
        {"certificateType": "CentralSystemRootCertificate"},
        {"status": "Accepted", "certificateHashData": [{"serialNumber": "1"}]},
    ),
    "GetLocalListVersion": Case(
        {},
        {"listVersion": 3},
        before=[("SendLocalList", {"listVersion": 3, "updateType": "Full", "localAuthorizationList": LIST})],
    ),
    "GetLog": Case(
        {"logType": "DiagnosticsLog", "requestId": 4, "log": {"remoteLocation": "ftp://logs.example"}},
        {"status": "Accepted", "filename": "logs.tar.gz"},
    ),
    "InstallCertificate": Case(
        {"certificateType": "CentralSystemRootCertificate", "certificate": "PEM"},
        {"status": "Rejected"},
        after=lambda rig: (
            security_events(rig)[-1:] == ["InvalidCentralSystemCertificate"]
            and bool(rig.runtime.called("security", "is_ca_certificate_installed"))
        ),
        answers={"security": {"install_ca_certificate": "InvalidSignature"}},
    ),
    "RemoteStartTransaction": Case(
        {"idTag": "REMOTE", "connectorId": 1},
        {"status": "Accepted"},
        after=lambda rig: [t.id_token.value for t in rig.provided] == ["REMOTE"],
    ),
    "RemoteStopTransaction": Case(
        {"transactionId": 91},
        {"status": "Accepted"},
        after=lambda rig: rig.runtime.called("evse_manager", "stop_transaction") != [],
        setup=transaction_running,
    ),
    "ReserveNow": Case(
        {"connectorId": 1, "expiryDate": "2030-01-01T00:00:00Z", "idTag": "RESERVER", "reservationId": 1},
        {"status": "Accepted"},
    ),
    "Reset": Case(
        {"type": "Soft"},
        {"status": "Accepted"},
        after=lambda rig: rig.runtime.called("system", "reset") == [{"type": "Soft", "scheduled": False}],
    ),
    "SendLocalList": Case(
        {"listVersion": 1, "updateType": "Full", "localAuthorizationList": LIST},
        {"status": "Accepted"},
        after=lambda rig: rig.backend.local_list.store.count() == 1,
    ),
    "SetChargingProfile": Case(
        {"connectorId": 0, "csChargingProfiles": MAX_PROFILE},
        {"status": "Accepted"},
        after=lambda rig: [p.id for p in rig.backend.smart_charging._store.profiles()] == [5],
    ),
    "SignedUpdateFirmware": Case(
        {
            "requestId": 3,
            "firmware": {
                "location": "https://fw.example/a.bin",
                "retrieveDateTime": NOW,
                "signingCertificate": "PEM",
                "signature": "c2ln",
            },
        },
        {"status": "InvalidCertificate"},
        after=lambda rig: security_events(rig)[-1:] == ["InvalidFirmwareSigningCertificate"],
        answers={"security": {"verify_certificate": "InvalidSignature"}},
    ),
    "TriggerMessage": Case(
        {"requestedMessage": "Heartbeat"},
        {"status": "Accepted"},
        after=lambda rig: len(rig.csms.calls("Heartbeat")) == 1,
    ),
    "UnlockConnector": Case(
        {"connectorId": 1},
        {"status": "Unlocked"},
        after=lambda rig: rig.runtime.called("evse_manager", "force_unlock") != [],
    ),
    "UpdateFirmware": Case(
        {"location": "https://fw.example/a.bin", "retrieveDate": NOW},
        {},
        after=lambda rig: firmware_locations(rig) == ["https://fw.example/a.bin"],
    ),
}


def test_every_routed_action_has_a_case(tmp_path: Path) -> None:
    assert asyncio.run(routed_actions(tmp_path, "1.6", CSMS_ANSWERS)) == set(CASES)


@pytest.mark.parametrize("action", sorted(CASES))
def test_a_valid_request_gets_a_schema_valid_answer_and_its_after_effect(action: str, tmp_path: Path) -> None:
    asyncio.run(check_case(tmp_path, "1.6", CSMS_ANSWERS, action, CASES[action]))


def test_the_powermeter_public_key_of_an_evse_becomes_its_meter_public_key(tmp_path: Path) -> None:
    """As the C++ module hands evse_manager's powermeter_public_key_ocmf to libocpp: known before
    OCPP starts and when it changes."""
    key1, key2 = "-----BEGIN PUBLIC KEY-----\nONE\n-----END PUBLIC KEY-----", "OCMF-KEY-TWO"

    async def run() -> dict[str, Any]:
        rig = await build(
            tmp_path, "1.6", CSMS_ANSWERS, published=[("evse_manager", 0, "powermeter_public_key_ocmf", key1)]
        )
        try:
            await rig.connect()
            rig.runtime.publish("evse_manager", 1, "powermeter_public_key_ocmf", key2)
            frame = await rig.request("GetConfiguration", {"key": ["MeterPublicKey1", "MeterPublicKey2"]})
            return dict(frame[2])
        finally:
            await rig.close()

    answer = asyncio.run(run())
    assert answer == {
        "configurationKey": [
            {"key": "MeterPublicKey1", "readonly": True, "value": key1},
            {"key": "MeterPublicKey2", "readonly": True, "value": key2},
        ]
    }
