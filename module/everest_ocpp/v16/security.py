"""1.6 Security extension: SecurityEventNotification (queued, persisted) and CertificateSigned."""

from __future__ import annotations

import logging
from collections.abc import Callable

from ocpp.routing import on
from ocpp.v16 import call_result
from ocpp.v16.enums import Action, CertificateSignedStatus

from ..bridge.services import SecurityService
from ..csms.message_queue import QueueSender
from ..csms.security_events import SecurityEvents

log = logging.getLogger(__name__)


class Security16(SecurityEvents):
    version = "1.6"

    def __init__(
        self,
        sender: QueueSender,
        security: SecurityService,
        notifications_disabled: Callable[[], bool],
        publish_internal: Callable[[str, str | None], None],
    ) -> None:
        # notifications_disabled: Security.DisableSecurityEventNotifications
        super().__init__(sender, publish_internal, notifications_disabled)
        self._security = security

    @on(Action.certificate_signed)
    async def on_certificate_signed(self, certificate_chain: str) -> call_result.CertificateSigned:
        result = await self._security.update_leaf_certificate(certificate_chain, "CSMS")
        if result == "Accepted":
            return call_result.CertificateSigned(status=CertificateSignedStatus.accepted)
        self.raise_internal("InvalidChargePointCertificate", result)
        return call_result.CertificateSigned(status=CertificateSignedStatus.rejected)
