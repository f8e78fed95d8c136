"""Every request a 2.0.1 CSMS may send, routed through the real 2.0.1 backend's session in process.

The requests are those of the customData test (``harness/v201_requests.py``: customData on top level
and in nested objects), some changed where a different valid request shows what the ``@after``
handler does. Each case gets a fresh backend (shipped component config, fake EVerest modules, fake
CSMS websocket, BootNotification accepted); its answer must be a CALLRESULT valid per the 2.0.1
schema holding the expected fields, and the ``@after`` handler's effect is checked where there is
one. A routed action without a case fails ``test_every_routed_action_has_a_case``.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from v201_backend.conftest import set_file_value

from harness.v201_requests import CD, REQUESTS

from .rig import Rig, until
from .route_cases import Case, check_case, routed_actions

NOW = "2026-01-01T10:00:00Z"
CSMS_ANSWERS: dict[str, dict[str, Any]] = {
    "BootNotification": {"status": "Accepted", "currentTime": NOW, "interval": 300},
    "Heartbeat": {"currentTime": NOW},
    "Authorize": {"idTokenInfo": {"status": "Accepted"}},
    "SignCertificate": {"status": "Accepted"},
    "DataTransfer": {"status": "Accepted"},
    # answered {}: StatusNotification, NotifyReport, NotifyMonitoringReport, NotifyEvent,
    # ReportChargingProfiles, SecurityEventNotification, TransactionEvent, MeterValues, ...
}


def security_events(rig: Rig) -> list[str]:
    return [event[0] for event in rig.events.of("internal_security_event")]


def request_ids(rig: Rig, action: str) -> list[int]:
    return [int(r["requestId"]) for r in rig.csms.calls(action)]


def data_transfers(rig: Rig) -> list[dict[str, Any]]:
    return rig.runtime.called("data_transfer", "data_transfer")


def disabled(rig: Rig) -> list[tuple[int, str]]:
    """(evse_manager index, enable state) of the enable_disable calls."""
    return [
        (index, args["cmd_source"]["enable_state"])
        for req, index, cmd, args in rig.runtime.calls
        if (req, cmd) == ("evse_manager", "enable_disable")
    ]


def ended(rig: Rig) -> list[tuple[str, str]]:
    """(transaction id, trigger reason) of the TransactionEvent(Ended) the CSMS received."""
    return [
        (e["transactionInfo"]["transactionId"], e["triggerReason"])
        for e in rig.csms.calls("TransactionEvent")
        if e["eventType"] == "Ended"
    ]


def start_on_plug(folder: Path) -> None:
    set_file_value(folder / "component_config", "TxCtrlr", "TxStartPoint", "EVConnected")


async def unauthorized_transaction(rig: Rig) -> None:
    """An EV plugged in on EVSE 1: with TxStartPoint EVConnected a transaction without a token."""
    rig.runtime.publish(
        "evse_manager",
        0,
        "session_event",
        {
            "uuid": "s1",
            "event": "SessionStarted",
            "timestamp": NOW,
            "session_started": {
                "reason": "EVConnected",
                "meter_value": {"timestamp": NOW, "energy_Wh_import": {"total": 1000}},
            },
        },
    )
    await until(lambda: rig.backend.transactions.transaction_id(1) == "s1")


def case(action: str, **changes: Any) -> Case:
    """The customData request of ``action`` and its expected answer, with ``changes``."""
    payload, expected = REQUESTS[action]
    return Case(**{"payload": {**payload, "customData": CD}, "expected": expected, **changes})


CHANGED: dict[str, Case] = {
    "CertificateSigned": case(
        "CertificateSigned",
        expected={"status": "Rejected"},
        after=lambda rig: security_events(rig)[-1:] == ["InvalidChargingStationCertificate"],
        answers={"security": {"update_leaf_certificate": "InvalidSignature"}},
    ),
    "ChangeAvailability": case(
        "ChangeAvailability",
        payload={"operationalStatus": "Inoperative", "evse": {"id": 1, "customData": CD}, "customData": CD},
        after=lambda rig: disabled(rig) == [(0, "Disable")],  # evse_manager index 0 is EVSE 1
    ),
    "ClearChargingProfile": case(
        "ClearChargingProfile",
        after=lambda rig: rig.backend.smart_charging._store.profiles() == [],
        before=[("SetChargingProfile", REQUESTS["SetChargingProfile"][0])],
    ),
    "DataTransfer": case(
        "DataTransfer",
        expected={"status": "Accepted", "data": "pong"},  # the data_transfer module's answer
        after=lambda rig: (
            [r["request"]["custom_data"]["vendor_id"] for r in data_transfers(rig)] == ["com.example.test"]
        ),
    ),
    "DeleteCertificate": case(
        "DeleteCertificate",
        after=lambda rig: (
            security_events(rig)[-1:] == ["ReconfigurationOfSecurityParameters"]
            and bool(rig.runtime.called("security", "is_ca_certificate_installed"))
        ),
    ),
    "GetBaseReport": case("GetBaseReport", after=lambda rig: request_ids(rig, "NotifyReport")[-1:] == [1]),
    "GetChargingProfiles": case(
        "GetChargingProfiles",
        after=lambda rig: request_ids(rig, "ReportChargingProfiles") == [5],
        before=[("SetChargingProfile", REQUESTS["SetChargingProfile"][0])],
    ),
    "GetInstalledCertificateIds": case(
        "GetInstalledCertificateIds",
        expected={
            "status": "Accepted",
            "certificateHashDataChain": [{"certificateType": "CSMSRootCertificate"}],
        },
    ),
    "GetLocalListVersion": case(
        "GetLocalListVersion", before=[("SendLocalList", REQUESTS["SendLocalList"][0])]
    ),
    "GetMonitoringReport": case(
        "GetMonitoringReport",
        expected={"status": "Accepted"},
        after=lambda rig: request_ids(rig, "NotifyMonitoringReport") == [3],
        before=[("SetVariableMonitoring", REQUESTS["SetVariableMonitoring"][0])],
    ),
    "GetReport": case("GetReport", after=lambda rig: request_ids(rig, "NotifyReport")[-1:] == [2]),
    "InstallCertificate": case(
        "InstallCertificate",
        after=lambda rig: security_events(rig)[-1:] == ["ReconfigurationOfSecurityParameters"],
    ),
    "RequestStartTransaction": case(
        "RequestStartTransaction", after=lambda rig: [t.id_token.value for t in rig.provided] == ["REMOTE"]
    ),
    "RequestStopTransaction": case(
        "RequestStopTransaction",
        payload={"transactionId": "s1", "customData": CD},
        expected={"status": "Accepted"},
        after=lambda rig: ended(rig) == [("s1", "RemoteStop")],
        setup=unauthorized_transaction,
        prepare=start_on_plug,
    ),
    "Reset": case(
        "Reset",
        after=lambda rig: (
            rig.runtime.called("system", "reset") == [{"type": "NotSpecified", "scheduled": False}]
        ),
    ),
    "SetNetworkProfile": case(
        "SetNetworkProfile",
        payload={
            "configurationSlot": 3,
            "connectionData": {
                "ocppVersion": "OCPP20",
                "ocppTransport": "JSON",
                "ocppCsmsUrl": "ws://127.0.0.1:1/cp001",
                "messageTimeout": 30,
                "securityProfile": 1,  # not below the current one
                "ocppInterface": "Wired0",
                "customData": CD,
            },
            "customData": CD,
        },
    ),
    "SetVariables": case(
        "SetVariables",
        payload={
            "setVariableData": [
                {
                    "component": {"name": "SecurityCtrlr", "customData": CD},
                    "variable": {"name": "BasicAuthPassword", "customData": CD},
                    "attributeValue": "another-password-0123",
                    "customData": CD,
                }
            ],
            "customData": CD,
        },
        after=lambda rig: rig.reconnects == ["BasicAuthPassword changed"],
    ),
    "TriggerMessage": case("TriggerMessage", after=lambda rig: len(rig.csms.calls("Heartbeat")) == 1),
    "UnlockConnector": case(
        "UnlockConnector",
        after=lambda rig: ended(rig) == [("s1", "UnlockCommand")],
        setup=unauthorized_transaction,
        prepare=start_on_plug,
    ),
    "UpdateFirmware": case(
        "UpdateFirmware",
        payload={
            "requestId": 21,
            "firmware": {
                "location": "https://fw.example/a.bin",
                "retrieveDateTime": NOW,
                "signingCertificate": "PEM",
                "signature": "c2ln",
                "customData": CD,
            },
            "customData": CD,
        },
        expected={"status": "InvalidCertificate"},
        after=lambda rig: security_events(rig)[-1:] == ["InvalidFirmwareSigningCertificate"],
        answers={"security": {"verify_certificate": "InvalidSignature"}},
    ),
}
CASES: dict[str, Case] = {action: CHANGED.get(action) or case(action) for action in REQUESTS}


def test_every_routed_action_has_a_case(tmp_path: Path) -> None:
    assert asyncio.run(routed_actions(tmp_path, "2.0.1", CSMS_ANSWERS)) == set(CASES)


@pytest.mark.parametrize("action", sorted(CASES))
def test_a_valid_request_gets_a_schema_valid_answer_and_its_after_effect(action: str, tmp_path: Path) -> None:
    asyncio.run(check_case(tmp_path, "2.0.1", CSMS_ANSWERS, action, CASES[action]))
