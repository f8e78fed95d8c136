"""2.0.1 log upload (N01): GetLog through the shared :class:`..shared_blocks.log_upload.LogUploadBlock`,
the system's ``log_status`` as LogStatusNotification with its requestId (through the persistent
queue). TriggerMessage LogStatusNotification reports Uploading with the request id while an upload
runs, else Idle (F06.FR.15/16, as libocpp)."""

from __future__ import annotations

import logging
from typing import Any

from ocpp.routing import on
from ocpp.v201 import call, call_result
from ocpp.v201.enums import Action

from ..shared_blocks.log_upload import NO_REQUEST_ID, LogUploadBlock

_log = logging.getLogger(__name__)  # "log" is a GetLog field


class LogUpload201(LogUploadBlock):
    @on(Action.get_log)
    async def on_get_log(self, **request: Any) -> call_result.GetLog:
        return call_result.GetLog(**await self._upload(request))

    def on_status(self, report: dict[str, Any]) -> None:
        """An EVerest LogStatus."""
        status = str(report.get("log_status", ""))
        request_id = int(report.get("request_id", NO_REQUEST_ID))
        _log.info("log upload %d: %s", request_id, status)
        self._log_status(status, request_id)

    async def send_status(self) -> None:
        """TriggerMessage LogStatusNotification."""
        status, request_id = self.triggered_log_status()
        await self._outbox.call(call.LogStatusNotification(status=status, request_id=request_id))
