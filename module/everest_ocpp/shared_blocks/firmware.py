"""Firmware update, both versions: the request to ``system.update_firmware`` (a signing certificate
checked with ``security.verify_certificate`` first), the security event after the answer when that
certificate was refused, and the install gate following the statuses the system reports.

Reports go through the persistent queue (they survive an offline period and the reboot of an
installation). Once a firmware is ready to install (Downloaded, or SignatureVerified when signed) the
EVSEs go out of service and the installation is allowed when no transaction runs
(:class:`.install_gate.InstallGate`); an end state brings them back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from typing import Any

from ..bridge.services import SecurityService, SystemService
from ..csms.call_state import CallState
from ..csms.message_queue import QueueSender
from ..csms.outbox import Outbox
from .install_gate import InstallGate
from .system_requests import firmware_request

log = logging.getLogger(__name__)

# firmware update outcomes after which the EVSEs are back in service
FIRMWARE_END_STATES = frozenset(
    {"DownloadFailed", "InstallationFailed", "Installed", "InstallVerificationFailed", "InvalidSignature"}
)
RaiseEvent = Callable[[str, str | None, bool | None], None]  # (type, info, critical)


class FirmwareBlock:
    """What the firmware blocks of both versions do; a version's subclass adds its messages."""

    def __init__(
        self,
        sender: QueueSender,
        outbox: Outbox,
        system: SystemService,
        security: SecurityService,
        raise_event: RaiseEvent,
        gate: InstallGate,
    ) -> None:
        self._sender = sender
        self._outbox = outbox
        self._system = system
        self._security = security
        self._raise = raise_event
        self._gate = gate
        self._answers: CallState[str] = CallState()  # our answer, for the event after it
        self.firmware_version: Callable[[], str] = lambda: "unknown"  # set by the backend, for events

    async def _update(
        self, action: str, call_id: str, request: dict[str, Any], certificate_required: bool
    ) -> str:
        """A signed / 2.0.1 update request (requestId, firmware: FirmwareType, retries, retryInterval;
        snake case) to the system module; returns the status of the answer, also kept for
        :meth:`_event_after_answer`."""
        request_id, firmware = int(request["request_id"]), dict(request["firmware"])
        status = await self._checked_update(action, request_id, firmware, request, certificate_required)
        self._answers.put(call_id, status)
        log.info("%s %d from %s: %s", action, request_id, firmware.get("location"), status)
        return status

    async def _checked_update(
        self,
        action: str,
        request_id: int,
        firmware: dict[str, Any],
        request: dict[str, Any],
        certificate_required: bool,
    ) -> str:
        certificate = firmware.get("signing_certificate")
        if certificate_required:
            if not self._security.available:
                log.warning("%s rejected: no security module to check the signing certificate", action)
                return "Rejected"
            certificate = str(firmware.get("signing_certificate", ""))
        if certificate is not None:
            check = await self._security.verify_certificate(str(certificate), ["MF"])
            if check != "Valid":
                log.warning("%s: signing certificate not valid (%s)", action, check)
                return "InvalidCertificate"
        update = firmware_request(
            request_id,
            str(firmware.get("location", "")),
            str(firmware.get("retrieve_date_time", "")),
            install=firmware.get("install_date_time"),
            retries=request.get("retries"),
            retry_interval=request.get("retry_interval"),
            signing_certificate=None if certificate is None else str(certificate),
            signature=firmware.get("signature"),
        )
        return await self._system.update_firmware(update)

    def _event_after_answer(
        self, call_id: str, refused: Collection[str], info: str, critical: bool | None
    ) -> None:
        """After the answer: InvalidFirmwareSigningCertificate when it refused the certificate."""
        if self._answers.pop(call_id) in refused:
            self._raise("InvalidFirmwareSigningCertificate", info, critical)

    async def _follow_installation(self, status: str, ready_status: str) -> None:
        """The install gate after a reported status: back in service at an end state, out of service
        once the firmware is ready to install."""
        if status in FIRMWARE_END_STATES:
            await self._gate.end()
        elif status == ready_status:
            await self._gate.begin()
