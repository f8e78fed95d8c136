"""2.0.1 firmware update (L01/L02): UpdateFirmware through ``system.update_firmware`` (a signing
certificate is checked with ``security.verify_certificate`` first, L01.FR.22), the system's
``firmware_update_status`` as FirmwareStatusNotification with its requestId (L01.FR.20).

As libocpp: a report repeating the last status of the same request is not sent again; Installed
raises FirmwareUpdated and InvalidSignature InvalidFirmwareSignature (both sent to the CSMS);
when the firmware is ready to install (Downloaded, or SignatureVerified for a signed one) the EVSEs
go out of service, InstallScheduled is reported while a transaction runs, and
``system.allow_firmware_installation`` follows once none does; an end state brings the EVSEs back.
TriggerMessage FirmwareStatusNotification reports the last status with its request id, Idle (no id)
when nothing runs or after Installed (L01.FR.25/26). Reports go through the persistent queue.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from ocpp.routing import after, on
from ocpp.v201 import call, call_result
from ocpp.v201.enums import Action

from ..bridge.services import SecurityService, SystemService
from ..csms.call_state import CallState
from ..csms.firmware_logs import FIRMWARE_END_STATES, InstallGate, firmware_request
from ..csms.message_queue import QueueSender
from ..csms.outbox import Outbox

log = logging.getLogger(__name__)

NO_REQUEST_ID = -1
RaiseEvent = Callable[[str, str | None, bool | None], None]  # (type, info, critical)


class Firmware201:
    def __init__(
        self,
        sender: QueueSender,
        outbox: Outbox,
        system: SystemService,
        security: SecurityService,
        raise_event: RaiseEvent,
        gate: InstallGate,
        firmware_version: Callable[[], str],
    ) -> None:
        self._sender = sender
        self._outbox = outbox
        self._system = system
        self._security = security
        self._raise = raise_event
        self._gate = gate
        self._version = firmware_version
        self.status = "Idle"
        self.request_id: int | None = None
        self._ready_status = "Downloaded"  # the status after which installation may start
        self._answers: CallState[str] = CallState()  # our answer, for the event after it

    @on(Action.update_firmware)
    async def on_update_firmware(
        self,
        request_id: int,
        firmware: dict[str, Any],
        call_unique_id: str,
        retries: int | None = None,
        retry_interval: int | None = None,
        **_: Any,
    ) -> call_result.UpdateFirmware:
        certificate = firmware.get("signing_certificate")
        signed = certificate is not None or firmware.get("signature") is not None
        self._ready_status = "SignatureVerified" if signed else "Downloaded"
        status = await self._update(request_id, firmware, retries, retry_interval)
        self._answers.put(call_unique_id, status)
        log.info("UpdateFirmware %d from %s: %s", request_id, firmware.get("location"), status)
        return call_result.UpdateFirmware(status=status)

    async def _update(
        self, request_id: int, firmware: dict[str, Any], retries: int | None, retry_interval: int | None
    ) -> str:
        certificate = firmware.get("signing_certificate")
        if certificate is not None:
            check = await self._security.verify_certificate(str(certificate), ["MF"])
            if check != "Valid":
                log.warning("UpdateFirmware: signing certificate not valid (%s)", check)
                return "InvalidCertificate"
        request = firmware_request(
            request_id,
            str(firmware.get("location", "")),
            str(firmware.get("retrieve_date_time", "")),
            install=firmware.get("install_date_time"),
            retries=retries,
            retry_interval=retry_interval,
            signing_certificate=None if certificate is None else str(certificate),
            signature=firmware.get("signature"),
        )
        return await self._system.update_firmware(request)

    @after(Action.update_firmware)
    def after_update_firmware(self, call_unique_id: str, **_: Any) -> None:
        if self._answers.pop(call_unique_id) in ("InvalidCertificate", "RevokedCertificate"):
            self._raise(
                "InvalidFirmwareSigningCertificate", "Provided signing certificate is not valid!", True
            )

    # ---- status from the system module -----------------------------------------------------------
    async def on_status(self, report: dict[str, Any]) -> None:
        """An EVerest FirmwareUpdateStatus."""
        status = str(report.get("firmware_update_status", ""))
        request_id = int(report.get("request_id", NO_REQUEST_ID))
        if status == self.status and request_id in (NO_REQUEST_ID, self.request_id):
            return  # already reported
        log.info("firmware update %d: %s", request_id, status)
        self.status = status
        if request_id != NO_REQUEST_ID:
            self.request_id = request_id
        self._report(status, request_id)
        if status == "Installed":
            info = f"New firmware successfully installed! Version: {self._version()}"
            self._raise("FirmwareUpdated", info, True)
        elif status == "InvalidSignature":
            self._raise("InvalidFirmwareSignature", "Signature of the provided firmware is not valid!", True)
        if status in FIRMWARE_END_STATES:
            await self._gate.end()
        elif status == self._ready_status:
            if self._gate.busy():
                self.status = "InstallScheduled"
                self._report(self.status, request_id)
            await self._gate.begin()

    def _report(self, status: str, request_id: int) -> None:
        payload: dict[str, Any] = {"status": status}
        if request_id != NO_REQUEST_ID:
            payload["request_id"] = request_id
        self._sender.push("FirmwareStatusNotification", payload)

    async def send_status(self) -> None:
        """TriggerMessage FirmwareStatusNotification."""
        if self.status in ("Idle", "Installed"):
            await self._outbox.call(call.FirmwareStatusNotification(status="Idle"))
        else:
            await self._outbox.call(
                call.FirmwareStatusNotification(status=self.status, request_id=self.request_id)
            )
