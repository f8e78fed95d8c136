"""2.0.1 requests carrying ``customData`` (valid everywhere per the schemas) get their normal answer.

Every action a 2.0.1 functional block routes must be listed here: the list is checked against the
blocks' ``@on`` handlers, so a new handler without a customData case fails this test.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import Any

import everest_ocpp.v201
from harness.stack import Stack

MAX_PROFILE = "ChargingStationMaxProfile"
CD = {"vendorId": "com.example.test", "anything": {"nested": [1, 2]}}


def _cv(component: str, variable: str) -> dict[str, Any]:
    return {
        "component": {"name": component, "customData": CD},
        "variable": {"name": variable, "customData": CD},
        "customData": CD,
    }


# action -> (request with customData on top and in nested objects, expected subset of the answer)
REQUESTS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "GetVariables": (
        {"getVariableData": [{**_cv("OCPPCommCtrlr", "HeartbeatInterval")}]},
        {"getVariableResult": [{"attributeStatus": "Accepted"}]},
    ),
    "SetVariables": (
        {"setVariableData": [{**_cv("OCPPCommCtrlr", "HeartbeatInterval"), "attributeValue": "120"}]},
        {"setVariableResult": [{"attributeStatus": "Accepted"}]},
    ),
    "GetBaseReport": ({"requestId": 1, "reportBase": "SummaryInventory"}, {"status": "Accepted"}),
    "GetReport": (
        {"requestId": 2, "componentVariable": [_cv("OCPPCommCtrlr", "HeartbeatInterval")]},
        {"status": "Accepted"},
    ),
    "GetMonitoringReport": (
        {"requestId": 3, "componentVariable": [_cv("OCPPCommCtrlr", "HeartbeatInterval")]},
        {},
    ),
    "SetVariableMonitoring": (
        {
            "setMonitoringData": [
                {**_cv("OCPPCommCtrlr", "HeartbeatInterval"), "value": 10, "type": "Delta", "severity": 5}
            ]
        },
        {"setMonitoringResult": [{}]},
    ),
    "ClearVariableMonitoring": ({"id": [4242]}, {"clearMonitoringResult": [{"id": 4242}]}),
    "GetTransactionStatus": ({}, {"messagesInQueue": False}),
    "SetMonitoringBase": ({"monitoringBase": "All"}, {"status": "Accepted"}),
    "SetMonitoringLevel": ({"severity": 5}, {"status": "Accepted"}),
    "ChangeAvailability": (
        {"operationalStatus": "Operative", "evse": {"id": 1, "customData": CD}},
        {"status": "Accepted"},
    ),
    "TriggerMessage": (
        {"requestedMessage": "Heartbeat", "evse": {"id": 1, "customData": CD}},
        {"status": "Accepted"},
    ),
    "DataTransfer": ({"vendorId": "com.example", "messageId": "m1"}, {"status": "UnknownVendorId"}),
    "CertificateSigned": (
        {"certificateChain": "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----"},
        {},
    ),
    "SetChargingProfile": (
        {
            "evseId": 0,
            "chargingProfile": {
                "id": 7,
                "stackLevel": 0,
                "chargingProfilePurpose": "ChargingStationMaxProfile",
                "chargingProfileKind": "Absolute",
                "chargingSchedule": [
                    {
                        "id": 1,
                        "startSchedule": "2026-01-01T00:00:00Z",
                        "chargingRateUnit": "A",
                        "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16.0, "customData": CD}],
                        "customData": CD,
                    }
                ],
                "customData": CD,
            },
        },
        {"status": "Accepted"},
    ),
    "GetChargingProfiles": (
        {"requestId": 5, "chargingProfile": {"chargingProfilePurpose": MAX_PROFILE, "customData": CD}},
        {"status": "Accepted"},
    ),
    "GetCompositeSchedule": ({"duration": 600, "evseId": 0, "chargingRateUnit": "A"}, {"status": "Accepted"}),
    "ClearChargingProfile": (
        {"chargingProfileCriteria": {"chargingProfilePurpose": MAX_PROFILE, "customData": CD}},
        {"status": "Accepted"},
    ),
    "Reset": ({"type": "OnIdle"}, {"status": "Accepted"}),
    "UpdateFirmware": (
        {
            "requestId": 21,
            "firmware": {
                "location": "https://fw.example/a.bin",
                "retrieveDateTime": "2026-01-01T00:00:00Z",
                "customData": CD,
            },
        },
        {"status": "Accepted"},
    ),
    "GetLog": (
        {
            "logType": "DiagnosticsLog",
            "requestId": 22,
            "log": {"remoteLocation": "https://logs.example", "customData": CD},
        },
        {"status": "Accepted"},
    ),
    "InstallCertificate": (
        {"certificateType": "V2GRootCertificate", "certificate": "root"},
        {"status": "Accepted"},
    ),
    "DeleteCertificate": (
        {
            "certificateHashData": {
                "hashAlgorithm": "SHA256",
                "issuerNameHash": "aa",
                "issuerKeyHash": "bb",
                "serialNumber": "1",
                "customData": CD,
            }
        },
        {"status": "Accepted"},
    ),
    "GetInstalledCertificateIds": ({"certificateType": ["CSMSRootCertificate"]}, {"status": "NotFound"}),
    "SetNetworkProfile": (
        {
            "configurationSlot": 3,
            "connectionData": {
                "ocppVersion": "OCPP20",
                "ocppTransport": "JSON",
                "ocppCsmsUrl": "ws://127.0.0.1:1/cp001",
                "messageTimeout": 30,
                "securityProfile": 0,
                "ocppInterface": "Wired0",
                "customData": CD,
            },
        },
        {"status": "Accepted"},
    ),
    "SendLocalList": (
        {
            "versionNumber": 3,
            "updateType": "Full",
            "localAuthorizationList": [
                {
                    "idToken": {"idToken": "LISTED", "type": "ISO14443", "customData": CD},
                    "idTokenInfo": {"status": "Accepted", "customData": CD},
                    "customData": CD,
                }
            ],
        },
        {"status": "Accepted"},
    ),
    "GetLocalListVersion": ({}, {"versionNumber": 3}),
    "ClearCache": ({}, {"status": "Accepted"}),
    "RequestStartTransaction": (
        {
            "idToken": {"idToken": "REMOTE", "type": "ISO14443", "customData": CD},
            "groupIdToken": {"idToken": "GROUP", "type": "Central", "customData": CD},
            "remoteStartId": 1,
            "evseId": 2,
        },
        {"status": "Accepted"},
    ),
    "RequestStopTransaction": ({"transactionId": "no-such-transaction"}, {"status": "Rejected"}),
    "UnlockConnector": ({"evseId": 1, "connectorId": 1}, {"status": "Unlocked"}),
    "ReserveNow": (
        {
            "id": 1,
            "expiryDateTime": "2030-01-01T00:00:00Z",
            "idToken": {"idToken": "RESERVER", "type": "ISO14443", "customData": CD},
            "evseId": 1,
        },
        {"status": "Accepted"},
    ),
    "CancelReservation": ({"reservationId": 1}, {"status": "Accepted"}),
}


def routed_v201_actions() -> set[str]:
    """Every action an ``@on`` handler of a 2.0.1 module handles."""
    actions: set[str] = set()
    for info in pkgutil.walk_packages(everest_ocpp.v201.__path__, "everest_ocpp.v201."):
        module = importlib.import_module(info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__:
                continue
            for _attr, member in inspect.getmembers(cls, inspect.isfunction):
                action = getattr(member, "_on_action", None)
                if action is not None:
                    actions.add(str(action))
    return actions


def _subset(expected: Any, got: Any) -> bool:
    if isinstance(expected, dict):
        return isinstance(got, dict) and all(k in got and _subset(v, got[k]) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(got, list) and len(expected) == len(got) and all(map(_subset, expected, got))
    return bool(expected == got)


def test_every_routed_action_is_covered() -> None:
    assert routed_v201_actions() == set(REQUESTS)


def test_requests_with_custom_data_get_their_normal_answer(make_stack) -> None:
    stack: Stack = make_stack(ocpp_version="2.0.1")
    stack.start()
    failures = []
    for action, (payload, expected) in REQUESTS.items():
        try:
            answer = stack.csms.send(action, {**payload, "customData": CD})
        except Exception as exc:  # a CALLERROR: the handler did not take the request
            failures.append(f"{action}: {exc}")
            continue
        if not _subset(expected, answer):
            failures.append(f"{action}: expected {expected}, got {answer}")
    assert not failures, "\n".join(failures)
    log = (stack.workdir / "module.log").read_text()
    assert "CALLERROR" not in log
