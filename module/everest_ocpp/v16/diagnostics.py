"""1.6 diagnostics: GetDiagnostics (core) and GetLog (security whitepaper) through
``system.upload_logs`` (GetLog through the shared :class:`..shared_blocks.log_upload.LogUploadBlock`);
the system's ``log_status`` reported as DiagnosticsStatusNotification (no request id, i.e. -1: a
GetDiagnostics upload) or LogStatusNotification.

Reports go through the persistent queue. TriggerMessage DiagnosticsStatusNotification and
ExtendedTriggerMessage LogStatusNotification answer with the last status while an upload runs and
Idle otherwise, as libocpp does.
"""

from __future__ import annotations

import logging
from typing import Any

from ocpp.routing import on
from ocpp.v16 import call, call_result
from ocpp.v16.enums import Action

from ..shared_blocks.log_upload import NO_REQUEST_ID, LogUploadBlock
from ..shared_blocks.system_requests import log_request, upload_filename

_log = logging.getLogger(__name__)  # "log" is a GetLog field

DIAGNOSTICS_REQUEST_ID = NO_REQUEST_ID
# EVerest LogStatusEnum -> 1.6 DiagnosticsStatus (the whitepaper's UploadFailure is UploadFailed there)
DIAGNOSTICS_STATUS = {
    "Idle": "Idle",
    "Uploaded": "Uploaded",
    "Uploading": "Uploading",
    "UploadFailure": "UploadFailed",
    "BadMessage": "UploadFailed",
    "NotSupportedOperation": "UploadFailed",
    "PermissionDenied": "UploadFailed",
}
# what LogStatusNotification (UploadLogStatusEnumType) can carry
LOG_STATUSES = frozenset(
    {"BadMessage", "Idle", "NotSupportedOperation", "PermissionDenied"}
    | {"Uploaded", "UploadFailure", "Uploading"}
)


class Diagnostics16(LogUploadBlock):
    diagnostics_status = "Idle"

    @on(Action.get_diagnostics)
    async def on_get_diagnostics(
        self,
        location: str,
        retries: int | None = None,
        retry_interval: int | None = None,
        start_time: str | None = None,
        stop_time: str | None = None,
        **_: Any,
    ) -> call_result.GetDiagnostics:
        request = log_request(
            location, oldest=start_time, latest=stop_time, retries=retries, retry_interval=retry_interval
        )
        response = await self._system.upload_logs(request)
        _log.info("GetDiagnostics to %s: %s", location, response.get("upload_logs_status"))
        return call_result.GetDiagnostics(file_name=upload_filename(response))

    @on(Action.get_log)
    async def on_get_log(self, **request: Any) -> call_result.GetLog:
        return call_result.GetLog(**await self._upload(request))

    # ---- status from the system module -----------------------------------------------------------
    def on_status(self, report: dict[str, Any]) -> None:
        """An EVerest LogStatus."""
        status = str(report.get("log_status", ""))
        request_id = int(report.get("request_id", DIAGNOSTICS_REQUEST_ID))
        if request_id == DIAGNOSTICS_REQUEST_ID:
            mapped = DIAGNOSTICS_STATUS.get(status)
            if mapped is None:
                _log.info("log status %s has no DiagnosticsStatus; not reported", status)
                return
            self.diagnostics_status = mapped if mapped == "Uploading" else "Idle"
            self._sender.push("DiagnosticsStatusNotification", {"status": mapped})
            return
        if status not in LOG_STATUSES:
            _log.info("log status %s (upload %d) is not a 1.6 UploadLogStatus", status, request_id)
            return
        self._log_status(status, request_id)

    # ---- triggered -------------------------------------------------------------------------------
    async def send_diagnostics_status(self) -> None:
        await self._outbox.call(call.DiagnosticsStatusNotification(status=self.diagnostics_status))

    async def send_log_status(self) -> None:
        status, request_id = self.triggered_log_status()
        await self._outbox.call(call.LogStatusNotification(status=status, request_id=request_id))
