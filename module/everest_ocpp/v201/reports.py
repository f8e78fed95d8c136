"""2.0.1 device model reports: GetBaseReport / GetReport -> NotifyReport (B07/B08) and
GetMonitoringReport -> NotifyMonitoringReport (N02).

Report data is split into messages of DeviceDataCtrlr.ItemsPerMessage[GetReport] entries sent
after the response, numbered by ``seqNo`` with ``tbc`` true on all but the last.
"""

from __future__ import annotations

import logging
from typing import Any

from ocpp.routing import after, on
from ocpp.v201 import call, call_result
from ocpp.v201.enums import Action

from ..csms.call_state import CallState
from ..csms.outbox import NotConnected, Outbox
from ..timestamps import rfc3339
from .device_model import DeviceModel, base_report, custom_report, monitoring_report
from .device_model import well_known as wk
from .device_model.report import chunked
from .message_limits import enforce_limits

log = logging.getLogger(__name__)

DEFAULT_ITEMS_PER_MESSAGE = 100


class Reports201:
    def __init__(self, dm: DeviceModel, outbox: Outbox) -> None:
        self._dm = dm
        self._outbox = outbox
        self._pending: CallState[tuple[str, int, list[dict[str, Any]]]] = CallState()  # what to send

    def _page_size(self) -> int:
        return max(self._dm.get_int(wk.ITEMS_PER_MESSAGE_GET_REPORT, default=DEFAULT_ITEMS_PER_MESSAGE), 1)

    @on(Action.get_base_report)
    def on_get_base_report(self, request_id: int, report_base: str, call_unique_id: str, **_: Any) -> Any:
        try:
            data = base_report(self._dm, report_base)
        except ValueError:
            return call_result.GetBaseReport(status="NotSupported")
        self._pending.put(call_unique_id, ("NotifyReport", request_id, data))
        return call_result.GetBaseReport(status="Accepted")

    @on(Action.get_report)
    def on_get_report(
        self,
        request_id: int,
        call_unique_id: str,
        component_variable: list[dict[str, Any]] | None = None,
        component_criteria: list[str] | None = None,
        **_: Any,
    ) -> Any:
        enforce_limits(
            self._dm,
            "GetReport",
            component_variable,
            wk.ITEMS_PER_MESSAGE_GET_REPORT,
            wk.BYTES_PER_MESSAGE_GET_REPORT,
        )
        supported = self._dm.value(wk.SUPPORTED_CRITERIA)  # not configured: all supported
        unsupported = [
            c for c in component_criteria or [] if supported is not None and c not in supported.split(",")
        ]
        if unsupported:
            log.info("GetReport with unsupported criteria %s", unsupported)
            return call_result.GetReport(status="NotSupported")
        data = custom_report(self._dm, component_variable, component_criteria)
        if not data:
            return call_result.GetReport(status="EmptyResultSet")
        self._pending.put(call_unique_id, ("NotifyReport", request_id, data))
        return call_result.GetReport(status="Accepted")

    @on(Action.get_monitoring_report)
    def on_get_monitoring_report(
        self,
        request_id: int,
        call_unique_id: str,
        component_variable: list[dict[str, Any]] | None = None,
        monitoring_criteria: list[str] | None = None,
        **_: Any,
    ) -> Any:
        enforce_limits(
            self._dm,
            "GetMonitoringReport",
            component_variable,
            wk.ITEMS_PER_MESSAGE_GET_REPORT,
            wk.BYTES_PER_MESSAGE_GET_REPORT,
        )
        data = monitoring_report(self._dm, component_variable, monitoring_criteria)
        if not data:
            return call_result.GetMonitoringReport(status="EmptyResultSet")
        self._pending.put(call_unique_id, ("NotifyMonitoringReport", request_id, data))
        return call_result.GetMonitoringReport(status="Accepted")

    @after(Action.get_base_report)
    async def after_get_base_report(self, call_unique_id: str, **_: Any) -> None:
        await self._send(call_unique_id)

    @after(Action.get_report)
    async def after_get_report(self, call_unique_id: str, **_: Any) -> None:
        await self._send(call_unique_id)

    @after(Action.get_monitoring_report)
    async def after_get_monitoring_report(self, call_unique_id: str, **_: Any) -> None:
        await self._send(call_unique_id)

    async def _send(self, call_unique_id: str) -> None:
        pending = self._pending.pop(call_unique_id)
        if pending is None:
            return
        action, request_id, data = pending
        pages = chunked(data, self._page_size())
        generated_at = rfc3339()
        for seq_no, page in enumerate(pages):
            tbc = seq_no < len(pages) - 1
            if action == "NotifyReport":
                message: Any = call.NotifyReport(
                    request_id=request_id, generated_at=generated_at, seq_no=seq_no, report_data=page, tbc=tbc
                )
            else:
                message = call.NotifyMonitoringReport(
                    request_id=request_id, seq_no=seq_no, generated_at=generated_at, monitor=page, tbc=tbc
                )
            try:
                await self._outbox.call(message)
            except NotConnected:
                log.warning(
                    "%s %d: connection lost after part %d of %d", action, request_id, seq_no, len(pages)
                )
                return
            except Exception as exc:
                log.warning("%s %d part %d failed: %s", action, request_id, seq_no, exc)
