"""A valid 2.0.1 request for every action a 2.0.1 functional block routes, with ``customData`` on top
level and in nested objects, and what part of the answer it gets from a station with the shipped
component config. Used by the real-process customData test and the in-process routing test.
"""

from __future__ import annotations

from typing import Any

MAX_PROFILE = "ChargingStationMaxProfile"
CD = {"vendorId": "com.example.test", "anything": {"nested": [1, 2]}}


def cv(component: str, variable: str) -> dict[str, Any]:
    return {
        "component": {"name": component, "customData": CD},
        "variable": {"name": variable, "customData": CD},
        "customData": CD,
    }


# action -> (request with customData on top and in nested objects, expected subset of the answer)
REQUESTS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "GetVariables": (
        {"getVariableData": [{**cv("OCPPCommCtrlr", "HeartbeatInterval")}]},
        {"getVariableResult": [{"attributeStatus": "Accepted"}]},
    ),
    "SetVariables": (
        {"setVariableData": [{**cv("OCPPCommCtrlr", "HeartbeatInterval"), "attributeValue": "120"}]},
        {"setVariableResult": [{"attributeStatus": "Accepted"}]},
    ),
    "GetBaseReport": ({"requestId": 1, "reportBase": "SummaryInventory"}, {"status": "Accepted"}),
    "GetReport": (
        {"requestId": 2, "componentVariable": [cv("OCPPCommCtrlr", "HeartbeatInterval")]},
        {"status": "Accepted"},
    ),
    "GetMonitoringReport": (
        {"requestId": 3, "componentVariable": [cv("OCPPCommCtrlr", "HeartbeatInterval")]},
        {},
    ),
    "SetVariableMonitoring": (
        {
            "setMonitoringData": [
                {**cv("OCPPCommCtrlr", "HeartbeatInterval"), "value": 10, "type": "Delta", "severity": 5}
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


def subset(expected: Any, got: Any) -> bool:
    if isinstance(expected, dict):
        return isinstance(got, dict) and all(k in got and subset(v, got[k]) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(got, list) and len(expected) == len(got) and all(map(subset, expected, got))
    return bool(expected == got)
