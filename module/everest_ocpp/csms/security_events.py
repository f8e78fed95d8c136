"""Which security events are critical (sent to the CSMS) when the caller does not say, per version."""

from __future__ import annotations

import logging
from collections.abc import Callable

from ..generic.backend import SecurityEventRequest
from ..timestamps import rfc3339
from .message_queue import QueueSender

log = logging.getLogger(__name__)
# events every normal start or reset raises: logged at INFO, the others at WARNING
_ROUTINE = frozenset({"StartupOfTheDevice", "ResetOrReboot", "SettingSystemTime"})

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


class SecurityEvents:
    """Security events of both versions: logged, internal ones published on the `security_event` var,
    critical ones queued (persisted) as SecurityEventNotification."""

    version = ""

    def __init__(
        self,
        sender: QueueSender,
        publish_internal: Callable[[str, str | None], None],
        notifications_disabled: Callable[[], bool] = lambda: False,
    ) -> None:
        self._sender = sender
        self._publish_internal = publish_internal
        self._disabled = notifications_disabled
        # OCPP stopped by the `stop` command: events are logged, not queued for after `restart`
        self.link_stopped: Callable[[], bool] = lambda: False

    def report(self, event: SecurityEventRequest) -> None:
        """An event from another module (the `security_event` command): logged, sent if critical."""
        log.info("security event %s (%s)", event.type, event.info or "")
        self._notify(event)

    def raise_internal(self, event_type: str, info: str | None = None, critical: bool | None = None) -> None:
        """An event this module detected: published on the var, and sent if critical (``critical``
        forces it either way, as libocpp does for some events the conformance tests expect)."""
        level = logging.INFO if event_type in _ROUTINE else logging.WARNING
        log.log(level, "internal security event %s (%s)", event_type, info or "")
        self._publish_internal(event_type, info)
        self._notify(SecurityEventRequest(type=event_type, info=info, critical=critical))

    def _notify(self, event: SecurityEventRequest) -> None:
        if not is_critical(event.type, event.critical, self.version):
            return
        if self._disabled():
            log.info("SecurityEventNotification %s not sent: notifications are disabled", event.type)
            return
        if self.link_stopped():
            log.info("SecurityEventNotification %s dropped: OCPP is stopped", event.type)
            return
        payload = {"type": event.type, "timestamp": rfc3339(event.timestamp), "tech_info": event.info or None}
        self._sender.push("SecurityEventNotification", payload)
