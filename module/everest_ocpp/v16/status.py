"""1.6 connector status: the state machines of all connectors and their StatusNotification.req.

Other blocks submit events (session events, availability changes) and EVerest errors; each change
the CSMS must hear is sent as a StatusNotification, in order. ``MinimumStatusDuration`` (seconds,
0 or unset: off) delays a notification until the connector kept the status that long; a newer status
replaces one still waiting, so short-lived states are not reported (as libocpp's timer does).
Notifications go out only while registered; after every accepted BootNotification the backend sends
the current status of every connector, which covers what was missed offline (StatusNotification is
not a transaction message and is not queued).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from ocpp.exceptions import OCPPError
from ocpp.v16 import call

from ..bridge.errors import ActiveError
from ..csms.outbox import NotConnected, Outbox
from ..tasks import log_failure
from ..timestamps import rfc3339
from .configuration import ChargePointConfiguration
from .connectors import ConnectorMap
from .error_codes import error_info
from .status_machine import ConnectorMachine, Event, Notification, Status

log = logging.getLogger(__name__)


class ConnectorStatus16:
    def __init__(
        self,
        config: ChargePointConfiguration,
        connectors: ConnectorMap,
        outbox: Outbox,
        can_send: Callable[[], bool],
        initial: Callable[[int], Status],
    ) -> None:
        self._config = config
        self._map = connectors
        self._outbox = outbox
        self._can_send = can_send
        self._machines = {c: ConnectorMachine(c, initial(c)) for c in range(connectors.count + 1)}
        self._waiting: dict[int, asyncio.TimerHandle] = {}  # MinimumStatusDuration, per connector
        self._queue: asyncio.Queue[Notification] | None = None
        self._sender: asyncio.Task[None] | None = None

    # ---- queries ---------------------------------------------------------------------------------
    def state(self, connector: int) -> Status:
        machine = self._machines.get(connector)
        return machine.state if machine is not None else Status.UNAVAILABLE

    # ---- events ----------------------------------------------------------------------------------
    def submit(self, connector: int, event: Event, info: str | None = None) -> None:
        machine = self._machines.get(connector)
        if machine is None:
            log.warning("status event %s for unknown connector %d ignored", event, connector)
            return
        before = machine.state
        notification = machine.handle(event, info)
        if machine.state != before:
            log.info("connector %d: %s -> %s (%s)", connector, before, machine.state, event)
        if notification is not None:
            self._emit(notification)

    def submit_evse(self, evse_id: int, event: Event, info: str | None = None) -> None:
        for connector in self._map.connectors_of_evse(evse_id):
            self.submit(connector, event, info)

    def _targets(self, error: ActiveError) -> list[int]:
        if error.evse == 0:
            return [0]
        if error.connector is not None:
            found = self._map.ocpp_id(error.evse, error.connector)
            if found is not None:
                return [found]
        return self._map.connectors_of_evse(error.evse)

    def on_error(self, raised: bool, error: ActiveError) -> None:
        """An EVerest error was raised or cleared (EvseErrors listener)."""
        for connector in self._targets(error):
            machine = self._machines.get(connector)
            if machine is None:
                continue
            notification = (
                machine.raise_error(error_info(error)) if raised else machine.clear_error(error.uuid)
            )
            if notification is not None:
                self._emit(notification)

    def load_errors(self, errors: list[ActiveError]) -> None:
        """Errors already active when OCPP starts: taken in silently (the boot reports them)."""
        for error in errors:
            for connector in self._targets(error):
                machine = self._machines.get(connector)
                if machine is not None:
                    machine.raise_error(error_info(error))

    # ---- sending ---------------------------------------------------------------------------------
    def send_all(self) -> None:
        """The current status of connector 0..n (after a BootNotification was accepted)."""
        for connector in self._machines:
            self.send_current(connector)

    def send_current(self, connector: int) -> None:
        machine = self._machines.get(connector)
        if machine is not None:
            self._cancel_waiting(connector)
            self._enqueue(machine.current())

    def trigger_accepts(self, connector_id: int | None) -> bool:
        return connector_id is None or connector_id in self._machines

    async def trigger(self, connector_id: int | None) -> None:
        """TriggerMessage StatusNotification: one connector, or all when none is given."""
        if connector_id is None:
            self.send_all()
        else:
            self.send_current(connector_id)

    def _emit(self, notification: Notification) -> None:
        delay = self._config.minimum_status_duration
        if delay <= 0:
            self._enqueue(notification)
            return
        self._cancel_waiting(notification.connector)
        loop = asyncio.get_running_loop()
        self._waiting[notification.connector] = loop.call_later(delay, self._enqueue_waited, notification)

    def _enqueue_waited(self, notification: Notification) -> None:
        self._waiting.pop(notification.connector, None)
        self._enqueue(notification)

    def _cancel_waiting(self, connector: int) -> None:
        handle = self._waiting.pop(connector, None)
        if handle is not None:
            handle.cancel()

    def _enqueue(self, notification: Notification) -> None:
        if not self._can_send():
            log.debug("StatusNotification %s not sent: not registered", notification)
            return
        if self._queue is None:
            self._queue = asyncio.Queue()
        self._queue.put_nowait(notification)
        if self._sender is None or self._sender.done():
            self._sender = asyncio.get_running_loop().create_task(
                self._send_loop(), name="StatusNotification"
            )
            self._sender.add_done_callback(log_failure)

    async def _send_loop(self) -> None:
        queue = self._queue  # close() drops it while a send may still be cancelled
        assert queue is not None
        while True:
            notification = await queue.get()
            try:
                await self._send(notification)
            finally:
                queue.task_done()

    async def _send(self, n: Notification) -> None:
        request: dict[str, Any] = {
            "connector_id": n.connector,
            "error_code": n.error_code,
            "status": str(n.status),
            "timestamp": rfc3339(),
        }
        for key, value in (
            ("info", n.info),
            ("vendor_id", n.vendor_id),
            ("vendor_error_code", n.vendor_error_code),
        ):
            if value:
                request[key] = value
        try:
            await self._outbox.call(call.StatusNotification(**request))
        except NotConnected:
            log.debug("StatusNotification for connector %d not sent: offline", n.connector)
        except (OCPPError, TimeoutError) as exc:
            log.warning("StatusNotification for connector %d failed: %s", n.connector, exc)

    async def flush(self) -> None:
        """Until every notification handed over so far was sent (tests, shutdown)."""
        if self._queue is not None:
            await self._queue.join()

    async def close(self) -> None:
        """Drop what is waiting; a notification being sent is given a moment (the link closes first)."""
        for connector in list(self._waiting):
            self._cancel_waiting(connector)
        sender, self._sender, self._queue = self._sender, None, None
        if sender is not None:
            sender.cancel()
            await asyncio.wait([sender], timeout=1.0)
