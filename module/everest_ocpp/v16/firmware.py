"""1.6 firmware management: UpdateFirmware (core) and SignedUpdateFirmware (security whitepaper)
through the shared :class:`..shared_blocks.firmware.FirmwareBlock`; the system's
``firmware_update_status`` reported as FirmwareStatusNotification (request id -1, a plain update) or
SignedFirmwareStatusNotification.

TriggerMessage / ExtendedTriggerMessage answer with the last reported status, Idle again once an
update ended, as libocpp does.
"""

from __future__ import annotations

import logging
from typing import Any

from ocpp.routing import after, on
from ocpp.v16 import call, call_result
from ocpp.v16.enums import Action

from ..shared_blocks.firmware import FIRMWARE_END_STATES, FirmwareBlock
from ..shared_blocks.system_requests import firmware_request

log = logging.getLogger(__name__)

PLAIN_REQUEST_ID = -1
# what a core FirmwareStatusNotification can carry (the rest only exists for signed updates)
PLAIN_STATUSES = frozenset(
    {"Downloaded", "DownloadFailed", "Downloading", "Idle", "InstallationFailed", "Installing", "Installed"}
)


class Firmware16(FirmwareBlock):
    status = "Idle"  # last FirmwareStatusNotification (plain updates)
    signed_status = "Idle"  # last SignedFirmwareStatusNotification
    signed_request_id: int | None = None

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
    async def on_signed_update_firmware(self, call_unique_id: str, **request: Any) -> Any:
        status = await self._update(
            "SignedUpdateFirmware", call_unique_id, request, certificate_required=True
        )
        return call_result.SignedUpdateFirmware(status=status)

    @after(Action.signed_update_firmware)
    def after_signed_update_firmware(self, call_unique_id: str, **_: Any) -> None:
        self._event_after_answer(call_unique_id, {"InvalidCertificate"}, "Certificate is invalid.", None)

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
        await self._follow_installation(status, "SignatureVerified" if signed else "Downloaded")

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
    return "StartupOfTheDevice", "Charge point started"
