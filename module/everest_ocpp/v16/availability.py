"""1.6 availability: ChangeAvailability (from the CSMS and from EVerest, one code path) and
StatusNotification.

A change for a connector with a running transaction is answered Scheduled and carried out when the
transaction ends. The requested state is persisted, so a restart comes back in it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import Any

from ocpp.routing import on
from ocpp.v16 import call, call_result
from ocpp.v16.enums import (
    Action,
    AvailabilityStatus,
    AvailabilityType,
    ChargePointErrorCode,
    ChargePointStatus,
)

from ..bridge.evse import EvseManagers
from ..csms.outbox import NotConnected, Outbox
from ..generic.backend import AvailabilityResult
from ..storage import atomic_write_json, read_json
from .connectors import ConnectorMap

log = logging.getLogger(__name__)

OPERATIVE, INOPERATIVE = "Operative", "Inoperative"


class Availability16:
    def __init__(
        self, connectors: ConnectorMap, evse: EvseManagers, outbox: Outbox, state_file: Path
    ) -> None:
        self._map = connectors
        self._evse = evse
        self._outbox = outbox
        self._file = state_file
        stored = read_json(state_file, {})
        self._state: dict[int, str] = {c: stored.get(str(c), OPERATIVE) for c in range(connectors.count + 1)}
        self._scheduled: dict[int, str] = {}  # connector -> requested state, waiting for a transaction
        self._tasks: set[asyncio.Task[Any]] = set()
        evse.transaction_listeners.append(self._on_transaction)

    # ---- queries ---------------------------------------------------------------------------------
    def status(self, connector: int) -> ChargePointStatus:
        inoperative = self._state[connector] == INOPERATIVE or (connector and self._state[0] == INOPERATIVE)
        return ChargePointStatus.unavailable if inoperative else ChargePointStatus.available

    # ---- start-up --------------------------------------------------------------------------------
    async def apply_persisted(self) -> None:
        """Disable the EVSEs a previous ChangeAvailability left Inoperative."""
        for evse in self._evse.evses:
            if all(
                self.status(c) is ChargePointStatus.unavailable for c in self._map.connectors_of_evse(evse.id)
            ):
                log.info("EVSE %d is Inoperative (persisted); disabling it", evse.id)
                await self._enable(evse.id, False)

    async def send_all_status(self) -> None:
        for connector in range(self._map.count + 1):
            await self.send_status(connector)

    async def send_status(self, connector: int) -> None:
        with contextlib.suppress(NotConnected):
            await self._outbox.call(
                call.StatusNotification(
                    connector_id=connector,
                    error_code=ChargePointErrorCode.no_error,
                    status=self.status(connector),
                )
            )

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
        busy = [c for c in targets if self._evse.transaction_running(self._map.evse_of(c) or 0)]
        if busy:
            log.info(
                "ChangeAvailability %d -> %s scheduled: transaction on connector(s) %s",
                connector,
                state,
                busy,
            )
            self._scheduled[connector] = state
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
        for c in ([0] if connector == 0 else []) + affected:
            await self.send_status(c)

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

    def _on_transaction(self, evse_id: int, running: bool) -> None:
        if running or not self._scheduled:
            return
        for connector, state in list(self._scheduled.items()):
            targets = list(self._map.by_ocpp) if connector == 0 else [connector]
            if not any(self._evse.transaction_running(self._map.evse_of(c) or 0) for c in targets):
                del self._scheduled[connector]
                log.info("carrying out scheduled ChangeAvailability %d -> %s", connector, state)
                task = asyncio.ensure_future(self._execute(connector, state))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
