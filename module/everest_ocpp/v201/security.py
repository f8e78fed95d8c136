"""2.0.1 security (A03/A04): SecurityEventNotification (queued, persisted) and CertificateSigned."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from ocpp.routing import after, on
from ocpp.v201 import call_result
from ocpp.v201.enums import Action

from ..bridge.services import SecurityService
from ..csms.message_queue import QueueSender
from ..csms.security_events import is_critical
from ..generic.backend import SecurityEventRequest

log = logging.getLogger(__name__)

# CertificateSigned certificateType -> EVerest LeafCertificateType
LEAF_TYPES = {"ChargingStationCertificate": "CSMS", "V2GCertificate": "V2G"}


def rfc3339(ts: datetime | None = None) -> str:
    ts = (ts or datetime.now(UTC)).astimezone(UTC)
    return ts.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Security201:
    def __init__(
        self,
        sender: QueueSender,
        security: SecurityService,
        publish_internal: Callable[[str, str | None], None],
    ) -> None:
        self._sender = sender
        self._security = security
        self._publish_internal = publish_internal
        self._failed: dict[str, str] = {}  # request id -> install result of a refused certificate

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
        if not is_critical(event.type, event.critical, "2.0.1"):
            return
        payload: dict[str, Any] = {"type": event.type, "timestamp": rfc3339(event.timestamp)}
        if event.info:
            payload["tech_info"] = event.info
        self._sender.push("SecurityEventNotification", payload)

    @on(Action.certificate_signed)
    async def on_certificate_signed(
        self, certificate_chain: str, call_unique_id: str, certificate_type: str | None = None, **_: Any
    ) -> Any:
        leaf = LEAF_TYPES.get(certificate_type or "ChargingStationCertificate", "CSMS")
        result = await self._security.update_leaf_certificate(certificate_chain, leaf)
        log.info("CertificateSigned (%s): %s", leaf, result)
        if result == "Accepted":
            return call_result.CertificateSigned(status="Accepted")
        self._failed[call_unique_id] = result
        return call_result.CertificateSigned(status="Rejected")

    @after(Action.certificate_signed)
    def after_certificate_signed(self, call_unique_id: str, **_: Any) -> None:
        result = self._failed.pop(call_unique_id, None)
        if result is not None:
            self.raise_internal("InvalidChargingStationCertificate", result)
