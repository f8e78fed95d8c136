"""Log upload, both versions: GetLog through ``system.upload_logs`` and the state TriggerMessage
reports (the last status while an upload runs, Idle otherwise, as libocpp).

The system's ``log_status`` reports go through the persistent queue as LogStatusNotification.
"""

from __future__ import annotations

import logging
from typing import Any

from ..bridge.services import SystemService
from ..csms.message_queue import QueueSender
from ..csms.outbox import Outbox
from .system_requests import log_request, upload_filename

_log = logging.getLogger(__name__)  # "log" is a GetLog field

NO_REQUEST_ID = -1  # a report of no GetLog request (1.6: of a GetDiagnostics)


class LogUploadBlock:
    """What the log upload blocks of both versions do; a version's subclass adds its messages."""

    def __init__(self, sender: QueueSender, outbox: Outbox, system: SystemService) -> None:
        self._sender = sender
        self._outbox = outbox
        self._system = system
        self.log_status = "Idle"
        self.log_request_id: int | None = None

    async def _upload(self, request: dict[str, Any]) -> dict[str, Any]:
        """A GetLog request (logType, requestId, log: LogParametersType, retries, retryInterval; snake
        case, the same in both versions): the fields of its answer (status, filename)."""
        request_id, log_type = int(request["request_id"]), str(request["log_type"])
        log: dict[str, Any] = request.get("log") or {}
        upload = log_request(
            str(log.get("remote_location", "")),
            request_id=request_id,
            log_type=log_type,
            oldest=log.get("oldest_timestamp"),
            latest=log.get("latest_timestamp"),
            retries=request.get("retries"),
            retry_interval=request.get("retry_interval"),
        )
        response = await self._system.upload_logs(upload)
        status = str(response.get("upload_logs_status", "Rejected"))
        _log.info("GetLog %d (%s): %s", request_id, log_type, status)
        return {"status": status, "filename": upload_filename(response)}

    def _log_status(self, status: str, request_id: int) -> None:
        """A status of a GetLog upload from the system module, reported to the CSMS."""
        self.log_status = status if status == "Uploading" else "Idle"
        self.log_request_id = request_id
        payload: dict[str, Any] = {"status": status}
        if request_id != NO_REQUEST_ID:
            payload["request_id"] = request_id
        self._sender.push("LogStatusNotification", payload)

    def triggered_log_status(self) -> tuple[str, int | None]:
        """What a triggered LogStatusNotification says: (status, request id while uploading)."""
        if self.log_status == "Uploading":
            return "Uploading", self.log_request_id
        return "Idle", None
