"""The connected evse_manager modules: discovery, start gate and enable/disable.

Start-up follows the C++ modules: every evse_manager announces ``waiting_for_external_ready`` (or
``ready``, for evse_managers not configured to wait); OCPP then initialises, calls
``external_ready_to_start_charging`` on each, and only then starts talking to the CSMS.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..everest.errors import CmdError
from ..everest.runtime import Runtime

log = logging.getLogger(__name__)

REQ = "evse_manager"
GET_EVSE_RETRY_S = 2.0


@dataclass(frozen=True, slots=True)
class EvseInfo:
    index: int  # position in the evse_manager connection list
    id: int  # EVerest EVSE id (1..n)
    connectors: tuple[int, ...]  # connector ids (1..m)


class EvseManagers:
    """Talks to every evse_manager connection; OCPP starts after all signalled readiness."""

    def __init__(self, runtime: Runtime) -> None:
        self._rt = runtime
        self.count = len(runtime.connections(REQ))
        self._ready = [asyncio.Event() for _ in range(self.count)]
        self.evses: list[EvseInfo] = []
        self._in_transaction = [False] * self.count
        self.transaction_listeners: list[Callable[[int, bool], None]] = []  # (evse id, running)

    def subscribe(self) -> None:
        """Must run before the runtime starts (vars are not retained)."""
        for i in range(self.count):
            self._rt.subscribe_var(REQ, i, "waiting_for_external_ready", functools.partial(self._on_ready, i))
            self._rt.subscribe_var(REQ, i, "ready", functools.partial(self._on_ready, i))

    def evse_id_of_index(self, index: int) -> int:
        """The EVSE id of connection ``index`` (its position + 1 until get_evse answered)."""
        return self.evses[index].id if index < len(self.evses) else index + 1

    def on_session_event(self, evse_id: int, event: dict[str, Any]) -> None:
        """Tracks running transactions (for Scheduled availability changes), from the first event on."""
        kind = event.get("event")
        if kind not in ("TransactionStarted", "TransactionFinished"):
            return
        index = next((e.index for e in self.evses if e.id == evse_id), evse_id - 1)
        if not 0 <= index < self.count:
            return
        running = kind == "TransactionStarted"
        if self._in_transaction[index] == running:
            return
        self._in_transaction[index] = running
        log.info("EVSE %d: transaction %s", evse_id, "started" if running else "finished")
        for listener in self.transaction_listeners:
            listener(evse_id, running)

    def transaction_running(self, evse_id: int) -> bool:
        evse = self.by_id(evse_id)
        return evse is not None and self._in_transaction[evse.index]

    def _on_ready(self, index: int, value: object) -> None:
        if value is True and not self._ready[index].is_set():
            conn = self._rt.connections(REQ)[index]
            log.info("evse_manager #%d (%s) is ready for OCPP", index, conn.module_id)
            self._ready[index].set()

    def pending(self) -> list[str]:
        """Module ids of the evse_managers that have not signalled readiness yet."""
        conns = self._rt.connections(REQ)
        return [conns[i].module_id for i, ev in enumerate(self._ready) if not ev.is_set()]

    async def external_ready_to_start_charging(self) -> None:
        """Tell every EVSE that OCPP is initialised (they start their state machines)."""
        for i in range(self.count):
            try:
                await self._rt.call(REQ, i, "external_ready_to_start_charging", {}, timeout=10.0)
            except CmdError as exc:
                log.warning("external_ready_to_start_charging on evse_manager #%d failed: %s", i, exc)

    async def discover(self) -> list[EvseInfo]:
        """``get_evse`` on every connection (retried until answered)."""
        evses = []
        for i in range(self.count):
            while True:
                try:
                    evse = await self._rt.call(REQ, i, "get_evse", {}, timeout=5.0)
                    break
                except CmdError as exc:
                    log.warning("get_evse on evse_manager #%d failed (%s); retrying", i, exc)
                    await asyncio.sleep(GET_EVSE_RETRY_S)
            connectors = tuple(int(c["id"]) for c in evse.get("connectors") or [{"id": 1}])
            evses.append(EvseInfo(index=i, id=int(evse["id"]), connectors=connectors or (1,)))
        ids = [e.id for e in evses]
        if sorted(ids) != list(range(1, len(ids) + 1)):
            log.warning("EVSE ids %s are not 1..%d in order; OCPP numbering may surprise", ids, len(ids))
        self.evses = evses
        return evses

    async def wait_ready(self, report_every_s: float = 10.0) -> None:
        """Until every evse_manager signalled readiness; says in the log whom it waits for."""
        while pending := self.pending():
            log.info("waiting for evse_manager(s) %s to publish waiting_for_external_ready or ready", pending)
            waits = [asyncio.ensure_future(ev.wait()) for ev in self._ready]
            try:
                await asyncio.wait_for(asyncio.gather(*waits), report_every_s)
            except TimeoutError:
                continue
            finally:
                for w in waits:
                    w.cancel()

    def evse_of_module(self, module_id: str) -> int | None:
        """The EVSE id of the evse_manager module with this id (None: not an evse_manager)."""
        for evse in self.evses:
            if self._rt.connections(REQ)[evse.index].module_id == module_id:
                return evse.id
        return None

    def by_id(self, evse_id: int) -> EvseInfo | None:
        return next((e for e in self.evses if e.id == evse_id), None)

    def _index(self, evse_id: int) -> int:
        evse = self.by_id(evse_id)
        if evse is None:
            raise ValueError(f"no EVSE with id {evse_id}")
        return evse.index

    async def stop_transaction(self, evse_id: int, reason: str, id_tag: dict[str, Any] | None = None) -> bool:
        """Ask the EVSE to end its transaction (``reason``: an EVerest StopTransactionReason)."""
        request: dict[str, Any] = {"reason": reason}
        if id_tag is not None:
            request["id_tag"] = id_tag
        return bool(await self._rt.call(REQ, self._index(evse_id), "stop_transaction", {"request": request}))

    async def pause_charging(self, evse_id: int) -> bool:
        return bool(await self._rt.call(REQ, self._index(evse_id), "pause_charging", {}))

    async def resume_charging(self, evse_id: int) -> bool:
        return bool(await self._rt.call(REQ, self._index(evse_id), "resume_charging", {}))

    async def force_unlock(self, evse_id: int, connector_id: int) -> bool:
        return bool(
            await self._rt.call(REQ, self._index(evse_id), "force_unlock", {"connector_id": connector_id})
        )

    async def enable_disable(self, evse_id: int, connector_id: int, enable: bool) -> bool:
        """Returns the EVSE's resulting enabled state as evse_manager reports it."""
        evse = self.by_id(evse_id)
        if evse is None:
            raise ValueError(f"no EVSE with id {evse_id}")
        args = {
            "connector_id": connector_id,
            "cmd_source": {
                "enable_source": "CSMS",
                "enable_state": "Enable" if enable else "Disable",
                "enable_priority": 5000,
            },
        }
        return bool(await self._rt.call(REQ, evse.index, "enable_disable", args))
