"""2.0.1 firmware update (L01/L02): UpdateFirmware through the shared
:class:`..shared_blocks.firmware.FirmwareBlock` (a signing certificate is checked first, L01.FR.22),
the system's ``firmware_update_status`` as FirmwareStatusNotification with its requestId (L01.FR.20).

As libocpp: a report repeating the last status of the same request is not sent again; Installed
raises FirmwareUpdated and InvalidSignature InvalidFirmwareSignature (both sent to the CSMS);
InstallScheduled is reported while a transaction delays the installation. TriggerMessage
FirmwareStatusNotification reports the last status with its request id, Idle (no id) when nothing
runs or after Installed (L01.FR.25/26).
"""

from __future__ import annotations

import logging
from typing import Any

from ocpp.routing import after, on
from ocpp.v201 import call, call_result
from ocpp.v201.enums import Action

from ..shared_blocks.firmware import FirmwareBlock

log = logging.getLogger(__name__)

NO_REQUEST_ID = -1


class Firmware201(FirmwareBlock):
    status = "Idle"
    request_id: int | None = None
    _ready_status = "Downloaded"  # the status after which installation may start

    @on(Action.update_firmware)
    async def on_update_firmware(self, call_unique_id: str, **request: Any) -> call_result.UpdateFirmware:
        firmware = request["firmware"]
        signed = firmware.get("signing_certificate") is not None or firmware.get("signature") is not None
        self._ready_status = "SignatureVerified" if signed else "Downloaded"
        status = await self._update("UpdateFirmware", call_unique_id, request, certificate_required=False)
        return call_result.UpdateFirmware(status=status)

    @after(Action.update_firmware)
    def after_update_firmware(self, call_unique_id: str, **_: Any) -> None:
        self._event_after_answer(
            call_unique_id,
            {"InvalidCertificate", "RevokedCertificate"},
            "Provided signing certificate is not valid!",
            True,
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
            info = f"New firmware successfully installed! Version: {self.firmware_version()}"
            self._raise("FirmwareUpdated", info, True)
        elif status == "InvalidSignature":
            self._raise("InvalidFirmwareSignature", "Signature of the provided firmware is not valid!", True)
        if status == self._ready_status and self._gate.busy():
            self.status = "InstallScheduled"
            self._report(self.status, request_id)
        await self._follow_installation(status, self._ready_status)

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
