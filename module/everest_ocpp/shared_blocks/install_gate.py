"""Taking the EVSEs out of service while a downloaded firmware waits to be installed (both versions)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from ..bridge.evse import EvseManagers
from ..tasks import TaskGroup

log = logging.getLogger(__name__)

EvseAction = Callable[[list[int]], Awaitable[None]]


class InstallGate:
    """Before a downloaded firmware is installed every EVSE goes out of service, one with a transaction
    when it ends; once none charges, ``system.allow_firmware_installation`` (``allow``) is called.
    When the update ends the EVSEs this gate took out come back (``unblock``)."""

    def __init__(
        self,
        evse: EvseManagers,
        block: EvseAction,
        unblock: EvseAction,
        allow: Callable[[], Awaitable[None]],
        tasks: TaskGroup,
    ) -> None:
        self._evse = evse
        self._block = block
        self._unblock = unblock
        self._allow = allow
        self._tasks = tasks
        self.pending = False
        self.blocked: list[int] = []
        self._allowed = False
        evse.transaction_listeners.append(self._on_transaction)

    def busy(self) -> bool:
        return any(self._evse.transaction_running(e.id) for e in self._evse.evses)

    async def begin(self) -> None:
        """The firmware is ready to install."""
        if not self.pending:
            log.info("firmware ready to install: taking the EVSEs out of service")
        self.pending = True
        await self._advance()

    async def end(self) -> None:
        """The update ended (installed or failed): back in service."""
        self.pending, self._allowed = False, False
        blocked, self.blocked = self.blocked, []
        if blocked:
            log.info("firmware update over: EVSE(s) %s back in service", blocked)
            await self._unblock(blocked)

    async def _advance(self) -> None:
        evse = self._evse
        idle = [e.id for e in evse.evses if e.id not in self.blocked and not evse.transaction_running(e.id)]
        if idle:
            self.blocked.extend(idle)
            await self._block(idle)
        if self.busy():
            log.info("firmware installation waits for the running transaction(s) to end")
        elif not self._allowed:
            self._allowed = True
            log.info("no EVSE in use: allowing the firmware installation")
            await self._allow()

    def _on_transaction(self, evse_id: int, running: bool) -> None:
        if self.pending and not running:
            self._tasks.spawn(self._advance(), name="firmware installation gate")
