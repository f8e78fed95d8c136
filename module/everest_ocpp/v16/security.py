"""1.6 Security extension: SecurityEventNotification (queued, persisted) and CertificateSigned."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from ocpp.routing import on
from ocpp.v16 import call_result
from ocpp.v16.enums import Action, CertificateSignedStatus

from ..bridge.services import SecurityService
from ..csms.message_queue import QueueSender
from ..csms.security_events import is_critical
from ..generic.backend import SecurityEventRequest

log = logging.getLogger(__name__)


def rfc3339(ts: datetime | None = None) -> str:
    ts = (ts or datetime.now(UTC)).astimezone(UTC)
    return ts.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Security16:
    def __init__(
        self,
        sender: QueueSender,
        security: SecurityService,
        notifications_disabled: Callable[[], bool],
        publish_internal: Callable[[str, str | None], None],
    ) -> None:
        self._sender = sender
        self._security = security
        self._disabled = notifications_disabled
        self._publish_internal = publish_internal

    def report(self, event: SecurityEventRequest) -> None:
        """An event from another module (the `security_event` command): logged, sent if critical."""
        log.info("security event %s (%s)", event.type, event.info or "")
        self._notify(event)

    def raise_internal(self, event_type: str, info: str | None = None) -> None:
        """An event this module detected: published on the var, and sent if critical."""
        log.warning("internal security event %s (%s)", event_type, info or "")
        self._publish_internal(event_type, info)
        self._notify(SecurityEventRequest(type=event_type, info=info))

    def _notify(self, event: SecurityEventRequest) -> None:
        if not is_critical(event.type, event.critical, "1.6"):
            return
        if self._disabled():
            log.info("SecurityEventNotification %s not sent: DisableSecurityEventNotifications", event.type)
            return
        payload = {"type": event.type, "timestamp": rfc3339(event.timestamp), "tech_info": event.info}
        self._sender.push("SecurityEventNotification", payload)

    @on(Action.certificate_signed)
    async def on_certificate_signed(self, certificate_chain: str) -> call_result.CertificateSigned:
        result = await self._security.update_leaf_certificate(certificate_chain, "CSMS")
        if result == "Accepted":
            return call_result.CertificateSigned(status=CertificateSignedStatus.accepted)
        self.raise_internal("InvalidChargePointCertificate", result)
        return call_result.CertificateSigned(status=CertificateSignedStatus.rejected)
