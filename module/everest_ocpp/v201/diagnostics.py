"""2.0.1 log upload (N01): GetLog through ``system.upload_logs``, the system's ``log_status`` as
LogStatusNotification with its requestId (through the persistent queue). TriggerMessage
LogStatusNotification reports Uploading with the request id while an upload runs, else Idle
(F06.FR.15/16, as libocpp)."""

from __future__ import annotations

import logging
from typing import Any

from ocpp.routing import on
from ocpp.v201 import call, call_result
from ocpp.v201.enums import Action

from ..bridge.services import SystemService
from ..csms.firmware_logs import log_request, upload_filename
from ..csms.message_queue import QueueSender
from ..csms.outbox import Outbox

_log = logging.getLogger(__name__)  # "log" is a GetLog field


class LogUpload201:
    def __init__(self, sender: QueueSender, outbox: Outbox, system: SystemService) -> None:
        self._sender = sender
        self._outbox = outbox
        self._system = system
        self.status = "Idle"
        self.request_id: int | None = None

    @on(Action.get_log)
    async def on_get_log(
        self,
        log: dict[str, Any],
        log_type: str,
        request_id: int,
        retries: int | None = None,
        retry_interval: int | None = None,
        **_: Any,
    ) -> call_result.GetLog:
        request = log_request(
            str(log.get("remote_location", "")),
            request_id=request_id,
            log_type=log_type,
            oldest=log.get("oldest_timestamp"),
            latest=log.get("latest_timestamp"),
            retries=retries,
            retry_interval=retry_interval,
        )
        response = await self._system.upload_logs(request)
        status = str(response.get("upload_logs_status", "Rejected"))
        _log.info("GetLog %d (%s): %s", request_id, log_type, status)
        return call_result.GetLog(status=status, filename=upload_filename(response))

    def on_status(self, report: dict[str, Any]) -> None:
        """An EVerest LogStatus."""
        status = str(report.get("log_status", ""))
        request_id = int(report.get("request_id", -1))
        _log.info("log upload %d: %s", request_id, status)
        self.status, self.request_id = status, request_id
        payload: dict[str, Any] = {"status": status}
        if request_id >= 0:
            payload["request_id"] = request_id
        self._sender.push("LogStatusNotification", payload)

    async def send_status(self) -> None:
        """TriggerMessage LogStatusNotification."""
        if self.status == "Uploading":
            await self._outbox.call(
                call.LogStatusNotification(status="Uploading", request_id=self.request_id)
            )
        else:
            await self._outbox.call(call.LogStatusNotification(status="Idle"))
