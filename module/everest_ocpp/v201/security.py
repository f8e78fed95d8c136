"""2.0.1 security (A03/A04): SecurityEventNotification (queued, persisted) and CertificateSigned."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from ocpp.routing import after, on
from ocpp.v201 import call_result
from ocpp.v201.enums import Action

from ..bridge.services import SecurityService
from ..csms.call_state import CallState
from ..csms.message_queue import QueueSender
from ..csms.security_events import SecurityEvents

log = logging.getLogger(__name__)

# CertificateSigned certificateType -> EVerest LeafCertificateType
LEAF_TYPES = {"ChargingStationCertificate": "CSMS", "V2GCertificate": "V2G"}


class Security201(SecurityEvents):
    version = "2.0.1"

    def __init__(
        self,
        sender: QueueSender,
        security: SecurityService,
        publish_internal: Callable[[str, str | None], None],
    ) -> None:
        super().__init__(sender, publish_internal)
        self._security = security
        self._results: CallState[tuple[str, str]] = CallState()  # (leaf type, install result)
        # hears of every CertificateSigned after the answer: (leaf type, accepted)
        self.certificate_signed: Callable[[str, bool], None] = lambda _leaf, _accepted: None

    @on(Action.certificate_signed)
    async def on_certificate_signed(
        self, certificate_chain: str, call_unique_id: str, certificate_type: str | None = None, **_: Any
    ) -> Any:
        leaf = LEAF_TYPES.get(certificate_type or "ChargingStationCertificate", "CSMS")
        result = await self._security.update_leaf_certificate(certificate_chain, leaf)
        log.info("CertificateSigned (%s): %s", leaf, result)
        self._results.put(call_unique_id, (leaf, result))
        if result == "Accepted":
            return call_result.CertificateSigned(status="Accepted")
        return call_result.CertificateSigned(status="Rejected")

    @after(Action.certificate_signed)
    def after_certificate_signed(self, call_unique_id: str, **_: Any) -> None:
        answered = self._results.pop(call_unique_id)
        if answered is None:
            return
        leaf, result = answered
        if result != "Accepted":
            self.raise_internal("InvalidChargingStationCertificate", result)
        self.certificate_signed(leaf, result == "Accepted")
