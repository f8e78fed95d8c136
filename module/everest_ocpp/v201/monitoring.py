"""2.0.1 monitoring (N01-N07): SetVariableMonitoring, ClearVariableMonitoring, SetMonitoringBase,
SetMonitoringLevel, and NotifyEvent for the monitors that trip.

Value changes reach :meth:`Monitoring201.on_change` from the device model listener; the
MonitorEvaluator decides (MonitoringCtrlr.Enabled, base, level) which events they produce.
Periodic monitors run on a timer every InternalCtrlr.MonitorsProcessingInterval seconds. Events
go through the persistent queue, so the ones produced while offline are delivered later.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from ocpp.exceptions import NotImplementedError as OcppNotImplemented
from ocpp.routing import after, on
from ocpp.v201 import call_result
from ocpp.v201.enums import Action

from ..csms.after_response import AfterResponse
from ..csms.message_queue import QueueSender
from ..timestamps import rfc3339
from ..variables import Source, VariableChange
from .device_model import DeviceModel, MonitorEvaluator, SetMonitoringRequest, SetMonitoringStatus
from .device_model import well_known as wk
from .message_limits import enforce_limits

log = logging.getLogger(__name__)


class Monitoring201:
    def __init__(
        self,
        dm: DeviceModel,
        sender: QueueSender,
        effects: AfterResponse,
        online: Callable[[], bool],
    ) -> None:
        self._dm = dm
        self._sender = sender
        self._effects = effects
        self._online = online
        self.evaluator = MonitorEvaluator(dm)
        self._pending: list[dict[str, Any]] = []
        self._task: asyncio.Task[None] | None = None

    def _require_available(self, action: str) -> None:
        if not self._dm.get_bool(wk.MONITORING_AVAILABLE, default=True):
            raise OcppNotImplemented(description=f"{action}: monitoring is not available (MonitoringCtrlr)")

    # ---- events ----------------------------------------------------------------------------------
    def on_change(self, change: VariableChange) -> None:
        self._add(self.evaluator.on_change(change, online=self._online()))

    def _add(self, events: list[dict[str, Any]]) -> None:
        if events:
            self._pending.extend(events)
            self._effects.run_once(self.flush)

    def flush(self) -> None:
        events, self._pending = self._pending, []
        if events:
            log.info("NotifyEvent with %d event(s)", len(events))
            payload = {"generated_at": rfc3339(), "seq_no": 0, "event_data": events, "tbc": False}
            self._sender.push("NotifyEvent", payload)

    def start(self) -> None:
        self.stop()
        self._task = asyncio.create_task(self._periodic(), name="periodic-monitors")

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def _periodic(self) -> None:
        with contextlib.suppress(asyncio.CancelledError):
            while True:
                await asyncio.sleep(max(self._dm.get_int(wk.MONITORS_PROCESSING_INTERVAL, default=1), 1))
                try:
                    self._add(self.evaluator.periodic_events(online=self._online()))
                except Exception:
                    log.exception("evaluating periodic monitors failed")

    # ---- requests --------------------------------------------------------------------------------
    @on(Action.set_variable_monitoring)
    def on_set_variable_monitoring(
        self, set_monitoring_data: list[dict[str, Any]], call_unique_id: str, **_: Any
    ) -> Any:
        self._require_available("SetVariableMonitoring")
        enforce_limits(
            self._dm,
            "SetVariableMonitoring",
            set_monitoring_data,
            wk.ITEMS_PER_MESSAGE_SET_VARIABLE_MONITORING,
            wk.BYTES_PER_MESSAGE_SET_VARIABLE_MONITORING,
        )
        requests = [SetMonitoringRequest.from_ocpp(d) for d in set_monitoring_data]
        results = self._dm.set_monitors(requests)
        with self._effects.hold(call_unique_id):
            for result in results:  # a new threshold monitor may already be crossed
                if result.status is SetMonitoringStatus.ACCEPTED:
                    self._add(self.evaluator.check_thresholds(result.ref, online=self._online()))
        return call_result.SetVariableMonitoring(set_monitoring_result=[r.to_ocpp() for r in results])

    @after(Action.set_variable_monitoring)
    def after_set_variable_monitoring(self, call_unique_id: str, **_: Any) -> None:
        self._effects.release(call_unique_id)

    @on(Action.clear_variable_monitoring)
    def on_clear_variable_monitoring(self, id: list[int], **_: Any) -> Any:
        self._require_available("ClearVariableMonitoring")
        enforce_limits(
            self._dm,
            "ClearVariableMonitoring",
            id,
            wk.ITEMS_PER_MESSAGE_CLEAR_VARIABLE_MONITORING,
            wk.BYTES_PER_MESSAGE_CLEAR_VARIABLE_MONITORING,
        )
        results = [{"id": r.id, "status": r.status.value} for r in self._dm.clear_monitors(id)]
        return call_result.ClearVariableMonitoring(clear_monitoring_result=results)

    @on(Action.set_monitoring_base)
    def on_set_monitoring_base(self, monitoring_base: str, **_: Any) -> Any:
        self._require_available("SetMonitoringBase")
        res = self._dm.set(
            wk.ACTIVE_MONITORING_BASE, monitoring_base, source=Source.CSMS, allow_read_only=True
        )
        if res.status.value != "Accepted":
            return call_result.SetMonitoringBase(status="Rejected")
        if monitoring_base in ("HardWiredOnly", "FactoryDefault"):
            removed = self._dm.monitors.clear_custom()
            log.info("SetMonitoringBase %s: %d custom monitor(s) removed", monitoring_base, removed)
        return call_result.SetMonitoringBase(status="Accepted")

    @on(Action.set_monitoring_level)
    def on_set_monitoring_level(self, severity: int, **_: Any) -> Any:
        self._require_available("SetMonitoringLevel")
        if not 0 <= severity <= 9:
            return call_result.SetMonitoringLevel(status="Rejected")
        res = self._dm.set(
            wk.ACTIVE_MONITORING_LEVEL, str(severity), source=Source.CSMS, allow_read_only=True
        )
        return call_result.SetMonitoringLevel(
            status="Accepted" if res.status.value == "Accepted" else "Rejected"
        )
