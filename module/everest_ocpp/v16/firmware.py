"""1.6 firmware management: UpdateFirmware (core) and SignedUpdateFirmware (security whitepaper)
through ``system.update_firmware``; the system's ``firmware_update_status`` reported as
FirmwareStatusNotification (request id -1, a plain update) or SignedFirmwareStatusNotification.

Reports go through the persistent queue (they survive an offline period and the reboot of an
installation); TriggerMessage / ExtendedTriggerMessage answer with the last reported status, Idle
again once an update ended, as libocpp does. Once a firmware is ready to install (Downloaded, or
SignatureVerified when signed) the EVSEs go out of service and the installation is allowed when no
transaction runs (:class:`..csms.firmware_logs.InstallGate`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from ocpp.routing import after, on
from ocpp.v16 import call, call_result
from ocpp.v16.enums import Action

from ..bridge.services import SecurityService, SystemService
from ..csms.call_state import CallState
from ..csms.firmware_logs import FIRMWARE_END_STATES, InstallGate, firmware_request
from ..csms.message_queue import QueueSender
from ..csms.outbox import Outbox

log = logging.getLogger(__name__)

PLAIN_REQUEST_ID = -1
# what a core FirmwareStatusNotification can carry (the rest only exists for signed updates)
PLAIN_STATUSES = frozenset(
    {"Downloaded", "DownloadFailed", "Downloading", "Idle", "InstallationFailed", "Installing", "Installed"}
)
RaiseEvent = Callable[[str, str | None, bool | None], None]  # (type, info, critical)


class Firmware16:
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
        self.status = "Idle"  # last FirmwareStatusNotification (plain updates)
        self.signed_status = "Idle"  # last SignedFirmwareStatusNotification
        self.signed_request_id: int | None = None
        self._signed_answers: CallState[str] = CallState()  # our answer, for the event after it

    # ---- CSMS requests ---------------------------------------------------------------------------
    @on(Action.update_firmware)
    def on_update_firmware(self, location: str, retrieve_date: str, **_: Any) -> call_result.UpdateFirmware:
        log.info("UpdateFirmware from %s at %s", location, retrieve_date)
        return call_result.UpdateFirmware()

    @after(Action.update_firmware)
    async def after_update_firmware(
        self,
        location: str,
        retrieve_date: str,
        retries: int | None = None,
        retry_interval: int | None = None,
        **_: Any,
    ) -> None:
        request = firmware_request(
            PLAIN_REQUEST_ID, location, retrieve_date, retries=retries, retry_interval=retry_interval
        )
        result = await self._system.update_firmware(request)
        log.info("system.update_firmware (UpdateFirmware): %s", result)

    @on(Action.signed_update_firmware)
    async def on_signed_update_firmware(
        self,
        request_id: int,
        firmware: dict[str, Any],
        call_unique_id: str,
        retries: int | None = None,
        retry_interval: int | None = None,
        **_: Any,
    ) -> call_result.SignedUpdateFirmware:
        status = await self._signed_update(request_id, firmware, retries, retry_interval)
        self._signed_answers.put(call_unique_id, status)
        log.info("SignedUpdateFirmware %d from %s: %s", request_id, firmware.get("location"), status)
        return call_result.SignedUpdateFirmware(status=status)

    async def _signed_update(
        self, request_id: int, firmware: dict[str, Any], retries: int | None, retry_interval: int | None
    ) -> str:
        certificate = str(firmware.get("signing_certificate", ""))
        if not self._security.available:
            log.warning("SignedUpdateFirmware rejected: no security module to check the signing certificate")
            return "Rejected"
        check = await self._security.verify_certificate(certificate, ["MF"])
        if check != "Valid":
            log.warning("SignedUpdateFirmware: signing certificate not valid (%s)", check)
            return "InvalidCertificate"
        request = firmware_request(
            request_id,
            str(firmware.get("location", "")),
            str(firmware.get("retrieve_date_time", "")),
            install=firmware.get("install_date_time"),
            retries=retries,
            retry_interval=retry_interval,
            signing_certificate=certificate,
            signature=firmware.get("signature"),
        )
        return await self._system.update_firmware(request)

    @after(Action.signed_update_firmware)
    def after_signed_update_firmware(self, call_unique_id: str, **_: Any) -> None:
        if self._signed_answers.pop(call_unique_id) == "InvalidCertificate":
            self._raise("InvalidFirmwareSigningCertificate", "Certificate is invalid.", None)

    # ---- status from the system module -----------------------------------------------------------
    async def on_status(self, report: dict[str, Any]) -> None:
        """An EVerest FirmwareUpdateStatus."""
        status = str(report.get("firmware_update_status", ""))
        request_id = int(report.get("request_id", PLAIN_REQUEST_ID))
        signed = request_id != PLAIN_REQUEST_ID
        log.info("firmware update %s: %s", request_id if signed else "(UpdateFirmware)", status)
        if signed:
            self.signed_status, self.signed_request_id = status, request_id
            payload = {"status": status, "request_id": request_id}
            self._sender.push("SignedFirmwareStatusNotification", payload)
            if status == "InvalidSignature":
                self._raise("InvalidFirmwareSignature", None, True)
        elif status in PLAIN_STATUSES:
            self.status = status
            self._sender.push("FirmwareStatusNotification", {"status": status})
        else:
            log.info("firmware status %s has no 1.6 FirmwareStatusNotification; not reported", status)
        if status in FIRMWARE_END_STATES:
            if signed:
                self.signed_status = "Idle"
            else:
                self.status = "Idle"
            await self._gate.end()
        elif status == ("SignatureVerified" if signed else "Downloaded"):
            await self._gate.begin()

    # ---- triggered -------------------------------------------------------------------------------
    async def send_status(self) -> None:
        """TriggerMessage FirmwareStatusNotification."""
        await self._outbox.call(call.FirmwareStatusNotification(status=self.status))

    async def send_signed_status(self) -> None:
        """ExtendedTriggerMessage FirmwareStatusNotification (no request id while Idle)."""
        request_id = None if self.signed_status == "Idle" else self.signed_request_id
        notification = call.SignedFirmwareStatusNotification(
            status=self.signed_status,
            request_id=request_id,
        )
        await self._outbox.call(notification)


def startup_event(boot_reason: str) -> tuple[str, str | None]:
    """The security event of a start of the 1.6 link, by the system's boot reason (as libocpp)."""
    if boot_reason == "FirmwareUpdate":
        return "FirmwareUpdated", "Charging Station rebooted due to firmware update!"
    if boot_reason == "RemoteReset":
        return "ResetOrReboot", "Charging Station rebooted due to requested remote reset!"
    if boot_reason == "ScheduledReset":
        return "ResetOrReboot", "Charging Station rebooted due to a scheduled reset!"
    return "StartupOfTheDevice", None
