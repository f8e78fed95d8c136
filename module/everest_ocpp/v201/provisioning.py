"""2.0.1 provisioning requests from the CSMS: GetVariables, SetVariables (B05/B06), Reset (B11/B12).

One result per requested item, in request order. CSMS writes carry source "csms" and may not
change ReadOnly attributes; their side effects (reconnect, NotifyEvent) follow the response.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from ocpp.routing import after, on
from ocpp.v201 import call_result
from ocpp.v201.enums import Action

from ..bridge.evse import EvseManagers
from ..bridge.services import SystemService
from ..csms.after_response import AfterResponse
from ..csms.call_state import CallState
from ..variables import Attribute, GetStatus, Source
from .device_model import DeviceModel
from .device_model import well_known as wk
from .device_model.ocpp_dicts import ref_from
from .message_limits import enforce_limits

log = logging.getLogger(__name__)

RESET_TYPE = "NotSpecified"  # EVerest system ResetType used for OCPP resets, as the C++ module
RESET_WAIT_S = 10.0  # an Immediate reset waits at most this long for the transactions it ends


class Provisioning201:
    def __init__(
        self, dm: DeviceModel, effects: AfterResponse, system: SystemService, evse: EvseManagers
    ) -> None:
        self._dm = dm
        self._effects = effects
        self._system = system
        self._evse = evse
        self._reset: CallState[str] = CallState()  # "Accepted" | "Scheduled"
        self._scheduled_reset = False
        self._resetting = False  # an Immediate reset is being carried out
        self._tasks: set[asyncio.Task[None]] = set()
        # transaction messages not yet at the CSMS; EVSEs out of service until a reset (set by the backend)
        self.messages_pending: Callable[[], bool] = lambda: False
        self.out_of_service: Callable[[list[int], bool], Awaitable[None]] = _nothing
        evse.transaction_listeners.append(self._on_transaction)

    # ---- variables -------------------------------------------------------------------------------
    @on(Action.get_variables)
    def on_get_variables(self, get_variable_data: list[dict[str, Any]], **_: Any) -> Any:
        enforce_limits(
            self._dm,
            "GetVariables",
            get_variable_data,
            wk.ITEMS_PER_MESSAGE_GET_VARIABLES,
            wk.BYTES_PER_MESSAGE_GET_VARIABLES,
        )
        return call_result.GetVariables(get_variable_result=[self._get_one(d) for d in get_variable_data])

    def _get_one(self, data: dict[str, Any]) -> dict[str, Any]:
        attribute = Attribute(data.get("attribute_type") or Attribute.ACTUAL)
        res = self._dm.get(ref_from(data["component"], data["variable"]), attribute)
        result: dict[str, Any] = {
            "attribute_status": res.status.value,
            "attribute_type": attribute.value,
            "component": data["component"],
            "variable": data["variable"],
        }
        if res.status is GetStatus.ACCEPTED:
            result["attribute_value"] = res.value
        return result

    @on(Action.set_variables)
    def on_set_variables(self, set_variable_data: list[dict[str, Any]], call_unique_id: str, **_: Any) -> Any:
        enforce_limits(
            self._dm,
            "SetVariables",
            set_variable_data,
            wk.ITEMS_PER_MESSAGE_SET_VARIABLES,
            wk.BYTES_PER_MESSAGE_SET_VARIABLES,
        )
        with self._effects.hold(call_unique_id):
            results = [self._set_one(d) for d in set_variable_data]
        return call_result.SetVariables(set_variable_result=results)

    def _set_one(self, data: dict[str, Any]) -> dict[str, Any]:
        attribute = Attribute(data.get("attribute_type") or Attribute.ACTUAL)
        ref = ref_from(data["component"], data["variable"])
        res = self._dm.set(ref, str(data["attribute_value"]), attribute, source=Source.CSMS)
        return {
            "attribute_type": attribute.value,
            "attribute_status": res.status.value,
            "component": data["component"],
            "variable": data["variable"],
        }

    @after(Action.set_variables)
    def after_set_variables(self, call_unique_id: str, **_: Any) -> None:
        self._effects.release(call_unique_id)

    # ---- reset -----------------------------------------------------------------------------------
    @on(Action.reset)
    async def on_reset(self, type: str, call_unique_id: str, evse_id: int | None = None, **_: Any) -> Any:
        if evse_id is not None:
            log.info("Reset of EVSE %d rejected: only the whole station can be reset", evse_id)
            return call_result.Reset(status="Rejected")
        if not await self._system.is_reset_allowed(RESET_TYPE):
            log.info("Reset %s rejected by the system module", type)
            return call_result.Reset(status="Rejected")
        status = "Scheduled" if type == "OnIdle" and self._busy_evses() else "Accepted"
        self._reset.put(call_unique_id, status)
        log.info("Reset %s requested by the CSMS: %s", type, status)
        return call_result.Reset(status=status)

    @after(Action.reset)
    async def after_reset(self, call_unique_id: str, **_: Any) -> None:
        status = self._reset.pop(call_unique_id)
        if status == "Scheduled":
            self._scheduled_reset = True
            await self._take_out_idle()
        elif status == "Accepted":
            self._scheduled_reset = False  # an OnIdle reset still waiting happens now, once
            if self._resetting:
                log.info("Reset: a reset is already under way; it goes on")
                return
            self._resetting = True
            try:
                await self._end_transactions()
                await self._do_reset(scheduled=False)
            finally:
                self._resetting = False

    async def _end_transactions(self) -> None:
        """B12.FR.04: running transactions are stopped (EVerest's HardReset, ImmediateReset in OCPP, as
        the C++ module maps it) and their Ended events given a bounded time to reach the CSMS."""
        busy = self._busy_evses()
        for evse_id in busy:
            try:
                await self._evse.stop_transaction(evse_id, "HardReset")
            except Exception as exc:
                log.warning("reset: stopping the transaction on EVSE %d failed: %s", evse_id, exc)
        if not busy:
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + RESET_WAIT_S
        while loop.time() < deadline and (self._busy_evses() or self.messages_pending()):
            await asyncio.sleep(0.05)
        if self._busy_evses() or self.messages_pending():
            log.warning(
                "reset: transactions not ended or not delivered after %.0f s; resetting", RESET_WAIT_S
            )

    async def _take_out_idle(self) -> None:
        """A scheduled OnIdle reset: the EVSEs without a transaction go out of service until the reset
        (as libocpp), so no new session postpones it."""
        busy = set(self._busy_evses())
        idle = [e.id for e in self._evse.evses if e.id not in busy]
        if idle:
            try:
                await self.out_of_service(idle, True)
            except Exception as exc:
                log.warning("scheduled reset: taking EVSE(s) %s out of service failed: %s", idle, exc)

    def _on_transaction(self, evse_id: int, running: bool) -> None:
        if running or not self._scheduled_reset:
            return
        if self._busy_evses():  # this one is free now: out of service until the reset too
            task = asyncio.ensure_future(self._take_out_idle())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        if not self._busy_evses():
            self._scheduled_reset = False
            log.info("last transaction ended: carrying out the scheduled reset")
            task = asyncio.ensure_future(self._do_reset(scheduled=True))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def _busy_evses(self) -> list[int]:
        return [e.id for e in self._evse.evses if self._evse.transaction_running(e.id)]

    async def _do_reset(self, scheduled: bool) -> None:
        try:
            await self._system.reset(RESET_TYPE, scheduled)
        except Exception as exc:
            log.error("system.reset failed: %s", exc)
            # the station stays up: what a scheduled reset took out of service comes back
            await self.out_of_service([e.id for e in self._evse.evses], False)


async def _nothing(_evse_ids: list[int], _out: bool) -> None:
    return None
