"""Which security events are critical (sent to the CSMS) when the caller does not say, per version."""

from __future__ import annotations

CRITICAL_16 = frozenset(
    {
        "FirmwareUpdated",
        "SettingSystemTime",
        "StartupOfTheDevice",
        "ResetOrReboot",
        "SecurityLogWasCleared",
        "MemoryExhaustion",
        "TamperDetectionActivated",
    }
)
CRITICAL_201 = CRITICAL_16 | {
    "InvalidFirmwareSignature",
    "InvalidFirmwareSigningCertificate",
    "InvalidCsmsCertificate",
    "InvalidChargingStationCertificate",
    "InvalidTLSVersion",
    "InvalidTLSCipherSuite",
    "MaintenanceLoginAccepted",
    "MaintenanceLoginFailed",
}


def is_critical(event_type: str, explicit: bool | None, version: str) -> bool:
    if explicit is not None:
        return explicit
    return event_type in (CRITICAL_16 if version == "1.6" else CRITICAL_201)
