"""2.0.1 availability (G03/G04): ChangeAvailability from the CSMS and from EVerest, StatusNotification.

A request addresses the station (no EVSE), an EVSE, or one connector of an EVSE. It is Accepted
when no transaction runs on the target, the target is already in the requested state, or the
whole station is set Operative; otherwise it is Scheduled and carried out when the transaction
ends (meanwhile a station-wide request blocks the idle EVSEs). Every connector whose effective
status changes is switched with evse_manager ``enable_disable`` (its real connector id), reported
with StatusNotification and mirrored in the device model's AvailabilityState variables.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from ocpp.routing import after, on
from ocpp.v201 import call, call_result
from ocpp.v201.enums import Action

from ..bridge.evse import EvseManagers
from ..csms.call_state import CallState
from ..csms.outbox import NotConnected, Outbox
from ..generic.backend import AvailabilityResult
from ..timestamps import rfc3339
from ..variables import Source, VariableRef
from .connector_status import ConnectorStates
from .device_model import DeviceModel
from .device_model import well_known as wk
from .operative_state import ConnectorKey, OperativeState

log = logging.getLogger(__name__)

Work = Callable[[], Awaitable[None]]
Target = tuple[int | None, int | None, bool]  # (EVSE id, connector id, operative)


class Availability201:
    def __init__(
        self,
        state: OperativeState,
        evse: EvseManagers,
        outbox: Outbox,
        dm: DeviceModel,
        connectors: ConnectorStates | None = None,
        ready: Callable[[], bool] = lambda: True,
    ) -> None:
        self._state = state
        self._evse = evse
        self._outbox = outbox
        self._dm = dm
        self.connectors = connectors or ConnectorStates(state.connector)
        self.connectors.listeners.append(self.notify)
        self._ready = ready  # registered and online: StatusNotification may be sent
        self._send_lock = asyncio.Lock()  # FIFO: notifications leave in the order of the changes
        self._scheduled: dict[int, Target] = {}  # EVSE id (0 = station) -> waiting request
        self._last_sent: dict[ConnectorKey, str] = {}
        self._after: CallState[Work] = CallState()  # work to do after the response
        self._tasks: set[asyncio.Task[Any]] = set()
        evse.transaction_listeners.append(self._on_transaction)

    # ---- status ----------------------------------------------------------------------------------
    def connector_status(self, key: ConnectorKey) -> str:
        state = self._state
        evse_operative = state.station and state.evse[key[0]] and key[0] not in state.blocked
        return self.connectors.status(key, evse_operative, state.connector[key])

    async def apply_persisted(self) -> None:
        """At start: disable what a previous ChangeAvailability left Inoperative."""
        for key, operative in self._state.snapshot().items():
            if not operative:
                log.info("EVSE %d connector %d is Inoperative (persisted); disabling it", *key)
                await self._enable(key, False)
        self._mirror(list(self._state.connector))

    async def send_all_status(self) -> None:
        for key in self._state.connector:
            await self.send_status(key)

    async def send_changed_status(self) -> None:
        """After a reconnect: only what changed while offline (B04.FR.02)."""
        for key in self._state.connector:
            if self._last_sent.get(key) != self.connector_status(key):
                await self.send_status(key)

    async def send_status(self, key: ConnectorKey) -> None:
        """StatusNotification for one connector; a failure is left for the next (re)connect."""
        await self._report(key, self.connector_status(key), only_if_changed=False)

    def notify(self, key: ConnectorKey) -> None:
        """A connector fact changed (plug, reservation, fault, EVerest enable): report a new status."""
        task = asyncio.ensure_future(self._report(key, self.connector_status(key), only_if_changed=True))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _report(self, key: ConnectorKey, status: str, only_if_changed: bool) -> None:
        async with self._send_lock:
            if only_if_changed and self._last_sent.get(key) == status:
                return
            if not self._ready():
                return  # offline or not registered: the next (re)registration reports it
            try:
                await self._outbox.call(
                    call.StatusNotification(
                        timestamp=rfc3339(), connector_status=status, evse_id=key[0], connector_id=key[1]
                    )
                )
            except NotConnected:
                return
            except Exception as exc:
                log.warning("StatusNotification for EVSE %d connector %d failed: %s", *key, exc)
                return
            self._last_sent[key] = status

    # ---- requests --------------------------------------------------------------------------------
    def decide(
        self, operative: bool, evse_id: int | None, connector_id: int | None
    ) -> tuple[str, Work | None]:
        """The answer to a ChangeAvailability and the work to do after answering."""
        state = self._state
        if not state.exists(evse_id, connector_id):
            log.info("ChangeAvailability for unknown EVSE %s connector %s rejected", evse_id, connector_id)
            return "Rejected", None
        key = evse_id or 0
        busy = [e for e in state.connectors if self._evse.transaction_running(e) and (key in (0, e))]
        if not busy or state.individual(evse_id, connector_id) == operative or (key == 0 and operative):
            self._scheduled.pop(key, None)
            return "Accepted", lambda: self._execute((evse_id, connector_id, operative))
        log.info(
            "ChangeAvailability of %s scheduled: transaction on EVSE(s) %s",
            _label(evse_id, connector_id),
            busy,
        )
        self._scheduled[key] = (evse_id, connector_id, operative)
        if key != 0:
            return "Scheduled", None
        idle = {e for e in state.connectors if e not in busy}
        return "Scheduled", lambda: self._change(lambda: state.blocks["availability"].update(idle))

    async def change_internal(
        self, operative: bool, evse_id: int | None, connector_id: int | None
    ) -> AvailabilityResult:
        if evse_id is None and connector_id is not None:
            return AvailabilityResult("Rejected")
        status, work = self.decide(operative, evse_id, connector_id)
        if work is not None:
            await work()
        return AvailabilityResult(status)

    async def set_blocked(self, evse_ids: list[int], blocked: bool, owner: str = "firmware") -> None:
        """Take EVSEs out of service for a firmware installation or a scheduled reset, or bring them
        back (not persisted): enable_disable and StatusNotification for what changes. Each ``owner``
        only ever lifts its own blocks."""
        mine = self._state.blocks.setdefault(owner, set())
        change = mine.update if blocked else mine.difference_update
        await self._change(lambda: change(evse_ids))

    @on(Action.change_availability)
    def on_change_availability(
        self, operational_status: str, call_unique_id: str, evse: dict[str, Any] | None = None, **_: Any
    ) -> call_result.ChangeAvailability:
        evse_id = None if evse is None else int(evse["id"])
        connector_id = None if evse is None else evse.get("connector_id")
        status, work = self.decide(operational_status == "Operative", evse_id, connector_id)
        if work is not None:
            self._after.put(call_unique_id, work)
        return call_result.ChangeAvailability(status=status)

    @after(Action.change_availability)
    async def after_change_availability(self, call_unique_id: str, **_: Any) -> None:
        work = self._after.pop(call_unique_id)
        if work is not None:
            await work()

    # ---- execution -------------------------------------------------------------------------------
    async def _execute(self, target: Target) -> None:
        evse_id, connector_id, operative = target

        def mutate() -> None:
            self._state.set(evse_id, connector_id, operative)
            if evse_id is None:  # the station-wide change is carried out: its block has done its job
                self._state.blocks["availability"].clear()

        await self._change(mutate)

    async def _change(self, mutate: Callable[[], None]) -> None:
        before = self._state.snapshot()
        mutate()
        after_ = self._state.snapshot()
        changed = [key for key in after_ if after_[key] != before[key]]
        self._mirror(list(after_))
        for key in changed:
            await self._enable(key, after_[key])
        for key in changed:
            await self._report(key, self.connector_status(key), only_if_changed=True)

    async def _enable(self, key: ConnectorKey, enable: bool) -> None:
        try:
            result = await self._evse.enable_disable(key[0], key[1], enable)
        except Exception as exc:
            log.warning("enable_disable on EVSE %d connector %d failed: %s", *key, exc)
            return
        if result != enable:
            log.info(
                "EVSE %d is %s after the request: another source decides", key[0], "on" if result else "off"
            )

    def _mirror(self, keys: list[ConnectorKey]) -> None:
        """AvailabilityState of ChargingStation, EVSE and Connector components follow the status."""
        self._write(
            wk.CHARGING_STATION_AVAILABILITY_STATE, "Available" if self._state.station else "Unavailable"
        )
        for evse_id in dict.fromkeys(e for e, _ in keys):
            value = "Available" if self._state.evse_effective(evse_id) else "Unavailable"
            self._write(VariableRef("EVSE", "AvailabilityState", evse=evse_id), value)
        for key in keys:
            ref = VariableRef("Connector", "AvailabilityState", evse=key[0], connector=key[1])
            self._write(ref, "Available" if self._state.effective(key) else "Unavailable")

    def _write(self, ref: VariableRef, value: str) -> None:
        if self._dm.variable(ref) is not None and self._dm.value(ref) != value:
            self._dm.set(ref, value, source=Source.INTERNAL, allow_read_only=True)

    def _on_transaction(self, evse_id: int, running: bool) -> None:
        if running:
            return
        for key, target in list(self._scheduled.items()):
            targets = list(self._state.connectors) if key == 0 else [key]
            if not any(self._evse.transaction_running(e) for e in targets):
                del self._scheduled[key]
                log.info("carrying out scheduled ChangeAvailability of %s", _label(target[0], target[1]))
                task = asyncio.ensure_future(self._execute(target))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)


def _label(evse_id: int | None, connector_id: int | None) -> str:
    if evse_id is None:
        return "the station"
    return f"EVSE {evse_id}" + ("" if connector_id is None else f" connector {connector_id}")
