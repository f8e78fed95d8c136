"""1.6 Security extension: SecurityEventNotification (queued, persisted) and CertificateSigned.

A refused certificate raises InvalidChargePointCertificate, sent to the CSMS whatever its default
criticality (libocpp does so for conformance test TC_077); ``certificate_signed`` hears of every
outcome after the answer went out (e.g. to reconnect with a new certificate under profile 3).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from ocpp.routing import after, on
from ocpp.v16 import call_result
from ocpp.v16.enums import Action, CertificateSignedStatus

from ..bridge.services import SecurityService
from ..csms.call_state import CallState
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
        self._results: CallState[str] = CallState()  # the install result
        self.certificate_signed: Callable[[bool], None] = lambda _accepted: None

    @on(Action.certificate_signed)
    async def on_certificate_signed(
        self, certificate_chain: str, call_unique_id: str, **_: Any
    ) -> call_result.CertificateSigned:
        result = await self._security.update_leaf_certificate(certificate_chain, "CSMS")
        log.info("CertificateSigned: %s", result)
        self._results.put(call_unique_id, result)
        if result == "Accepted":
            return call_result.CertificateSigned(status=CertificateSignedStatus.accepted)
        return call_result.CertificateSigned(status=CertificateSignedStatus.rejected)

    @after(Action.certificate_signed)
    def after_certificate_signed(self, call_unique_id: str, **_: Any) -> None:
        result = self._results.pop(call_unique_id)
        if result is None:
            return
        if result != "Accepted":
            self.raise_internal("InvalidChargePointCertificate", result, critical=True)
        self.certificate_signed(result == "Accepted")
