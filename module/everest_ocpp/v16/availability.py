"""1.6 availability: ChangeAvailability (from the CSMS and from EVerest, one code path).

A change for a connector with a running transaction, or one in Preparing, is answered Scheduled and
carried out once the connector is free (transaction finished, or session finished). The requested
state is persisted, so a restart comes back in it; the connector status follows through the status
block (the evse_manager's Enabled/Disabled events confirm it later).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ocpp.routing import on
from ocpp.v16 import call_result
from ocpp.v16.enums import Action, AvailabilityStatus, AvailabilityType

from ..bridge.evse import EvseManagers
from ..generic.backend import AvailabilityResult
from ..storage import atomic_write_json, read_state
from .connectors import ConnectorMap
from .status import ConnectorStatus16
from .status_machine import Event, Status

log = logging.getLogger(__name__)

OPERATIVE, INOPERATIVE = "Operative", "Inoperative"


class Availability16:
    def __init__(self, connectors: ConnectorMap, evse: EvseManagers, state_file: Path) -> None:
        self._map = connectors
        self._evse = evse
        self._file = state_file
        stored = read_state(state_file, "every connector starts Operative")
        self._state: dict[int, str] = {
            c: INOPERATIVE if stored.get(str(c)) == INOPERATIVE else OPERATIVE
            for c in range(connectors.count + 1)
        }
        self._scheduled: dict[int, str] = {}  # connector -> requested state, waiting for a free connector
        self._tasks: set[asyncio.Task[Any]] = set()
        self.status: ConnectorStatus16 | None = None  # set by the backend once the status block exists
        self.transaction_running: Callable[[int], bool] = lambda _connector: False  # OCPP connector
        evse.transaction_listeners.append(self._on_transaction)

    # ---- queries ---------------------------------------------------------------------------------
    def initial_status(self, connector: int) -> Status:
        """The status a connector starts in: Unavailable when it (or the station) is Inoperative."""
        inoperative = self._state[connector] == INOPERATIVE or (connector and self._state[0] == INOPERATIVE)
        return Status.UNAVAILABLE if inoperative else Status.AVAILABLE

    def _busy(self, connector: int) -> bool:
        if self.transaction_running(connector) or self._evse.transaction_running(
            self._map.evse_of(connector) or 0
        ):
            return True
        return self.status is not None and self.status.state(connector) is Status.PREPARING

    # ---- start-up --------------------------------------------------------------------------------
    async def apply_persisted(self) -> None:
        """Disable the EVSEs a previous ChangeAvailability left Inoperative."""
        for evse in self._evse.evses:
            connectors = self._map.connectors_of_evse(evse.id)
            if all(self.initial_status(c) is Status.UNAVAILABLE for c in connectors):
                log.info("EVSE %d is Inoperative (persisted); disabling it", evse.id)
                await self._enable(evse.id, False)

    # ---- requests --------------------------------------------------------------------------------
    async def change_internal(
        self, operative: bool, evse_id: int | None, connector_id: int | None
    ) -> AvailabilityResult:
        """The generic interface's change_availability: EVSE + connector, or nothing for the station."""
        if evse_id is None:
            target = 0
        elif connector_id is None:
            return AvailabilityResult(
                "Rejected",
                "InvalidInput",
                "OCPP 1.6 addresses connectors: give evse.id and connector_id, or no evse for the station",
            )
        else:
            found = self._map.ocpp_id(evse_id, connector_id)
            if found is None:
                return AvailabilityResult(
                    "Rejected", "InvalidInput", f"no connector {connector_id} on EVSE {evse_id}"
                )
            target = found
        status = await self.change(target, OPERATIVE if operative else INOPERATIVE)
        return AvailabilityResult(str(status))

    @on(Action.change_availability)
    async def on_change_availability(self, connector_id: int, type: str) -> call_result.ChangeAvailability:
        state = OPERATIVE if type == AvailabilityType.operative else INOPERATIVE
        return call_result.ChangeAvailability(status=await self.change(connector_id, state))

    async def change(self, connector: int, state: str) -> AvailabilityStatus:
        if not 0 <= connector <= self._map.count:
            log.info("ChangeAvailability for unknown connector %d rejected", connector)
            return AvailabilityStatus.rejected
        targets = list(self._map.by_ocpp) if connector == 0 else [connector]
        busy = [c for c in targets if self._busy(c)]
        if busy:
            log.info(
                "ChangeAvailability %d -> %s scheduled: connector(s) %s in use",
                connector,
                state,
                busy,
            )
            self._scheduled[connector] = state
            if connector == 0:  # the free connectors change at once (as libocpp), the others later
                busy_evses = {self._map.evse_of(c) for c in busy}
                for c in targets:
                    if self._map.evse_of(c) not in busy_evses and self._state.get(c) != state:
                        await self._execute(c, state)
            return AvailabilityStatus.scheduled
        self._scheduled.pop(connector, None)
        await self._execute(connector, state)
        return AvailabilityStatus.accepted

    async def _execute(self, connector: int, state: str) -> None:
        self._state[connector] = state
        if connector == 0:  # the station's state applies to all connectors
            for c in self._map.by_ocpp:
                self._state[c] = state
        try:
            atomic_write_json(self._file, {str(c): s for c, s in self._state.items()})
        except OSError as exc:
            log.error("cannot persist availability to %s: %s", self._file, exc)
        affected = list(self._map.by_ocpp) if connector == 0 else [connector]
        for evse_id in dict.fromkeys(self._map.evse_of(c) for c in affected):
            if evse_id is not None:
                await self._enable(evse_id, state == OPERATIVE)
        if self.status is not None:
            event = Event.BECOME_AVAILABLE if state == OPERATIVE else Event.CHANGE_AVAILABILITY_TO_UNAVAILABLE
            for c in ([0] if connector == 0 else []) + affected:
                self.status.submit(c, event)

    async def _enable(self, evse_id: int, enable: bool) -> None:
        try:
            result = await self._evse.enable_disable(evse_id, 0, enable)
        except Exception as exc:
            log.warning("enable_disable on EVSE %d failed: %s", evse_id, exc)
            return
        if result != enable:
            log.info(
                "EVSE %d is %s after the request: another source decides",
                evse_id,
                "enabled" if result else "disabled",
            )

    # ---- scheduled changes -----------------------------------------------------------------------
    def _on_transaction(self, evse_id: int, running: bool) -> None:
        if not running:
            self.retry_scheduled()

    def session_finished(self, connector: int) -> None:
        self.retry_scheduled()

    def retry_scheduled(self) -> None:
        """Carry out the scheduled changes whose connectors are free now."""
        for connector, state in list(self._scheduled.items()):
            targets = list(self._map.by_ocpp) if connector == 0 else [connector]
            if any(self._busy(c) for c in targets):
                continue
            del self._scheduled[connector]
            log.info("carrying out scheduled ChangeAvailability %d -> %s", connector, state)
            task = asyncio.ensure_future(self._execute(connector, state))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
