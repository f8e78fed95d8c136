"""What the evse_managers say about charging sessions, for the transaction blocks of both versions.

Subscribes (before the runtime starts) to every evse_manager's ``session_event``, ``powermeter``,
``ev_info``, ``limits``, ``enforced_limits``, ``hw_capabilities``, ``powermeter_public_key_ocmf``
and ``supported_energy_transfer_modes``, and keeps the latest value of each per EVSE.

Session events and powermeter values are held back in arrival order until :meth:`EvseSessions.release`
(OCPP has started), as the C++ modules queue them before ``charge_point->start``; after that they go
to the listeners at once. Values are EVerest types as published (validated by the runtime).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..everest.runtime import Runtime

log = logging.getLogger(__name__)

REQ = "evse_manager"
LATEST_VARS = (
    "ev_info",
    "limits",
    "enforced_limits",
    "hw_capabilities",
    "powermeter_public_key_ocmf",
    "supported_energy_transfer_modes",
)


@dataclass(slots=True)
class EvseSnapshot:
    """The latest values an evse_manager published (None: nothing yet)."""

    powermeter: dict[str, Any] | None = None
    latest: dict[str, Any] = field(default_factory=dict)  # var name -> value, for LATEST_VARS


class SessionListener(Protocol):
    def on_session_event(self, evse_id: int, event: dict[str, Any]) -> None:
        """An EVerest ``SessionEvent`` of the EVSE (``connector_id`` inside when the EVSE has several)."""

    def on_powermeter(self, evse_id: int, powermeter: dict[str, Any]) -> None:
        """A new EVerest ``Powermeter`` reading of the EVSE."""


class EvseSessions:
    def __init__(self, runtime: Runtime, evse_id_of_index: Callable[[int], int]) -> None:
        self._rt = runtime
        self._evse_id = evse_id_of_index  # known only after get_evse; asked when a value arrives
        self.count = len(runtime.connections(REQ))
        self._snapshots: dict[int, EvseSnapshot] = {}
        self._held: list[tuple[str, int, dict[str, Any]]] | None = []  # None once released
        self.listeners: list[SessionListener] = []
        self.early_listeners: list[Callable[[int, dict[str, Any]], None]] = []  # session events, never held
        self.latest_listeners: list[Callable[[int, str, Any], None]] = []  # (EVSE id, var, value), never held
        # sessions the evse_managers resumed after a restart (SessionResumed), as the C++ modules collect
        # them before the charge point starts: their open transactions go on instead of being ended
        self.resumed_session_ids: set[str] = set()

    def subscribe(self) -> None:
        """Must run before the runtime starts (vars are not retained)."""
        for i in range(self.count):
            self._rt.subscribe_var(REQ, i, "session_event", functools.partial(self._on_session_event, i))
            self._rt.subscribe_var(REQ, i, "powermeter", functools.partial(self._on_powermeter, i))
            for var in LATEST_VARS:
                self._rt.subscribe_var(REQ, i, var, functools.partial(self._on_latest, i, var))

    # ---- queries ---------------------------------------------------------------------------------
    def snapshot(self, evse_id: int) -> EvseSnapshot:
        return self._snapshots.setdefault(evse_id, EvseSnapshot())

    def powermeter(self, evse_id: int) -> dict[str, Any] | None:
        return self.snapshot(evse_id).powermeter

    def latest(self, evse_id: int, var: str) -> Any:
        return self.snapshot(evse_id).latest.get(var)

    # ---- delivery --------------------------------------------------------------------------------
    def release(self) -> None:
        """OCPP started: deliver what was held back, in order, and everything later at once."""
        held, self._held = self._held or [], None
        if held:
            log.info("delivering %d session event(s)/meter value(s) received before OCPP started", len(held))
        for kind, evse_id, value in held:
            self._deliver(kind, evse_id, value)

    def hold(self) -> None:
        """OCPP stopped for good (shutdown): hold what comes from now on."""
        if self._held is None:
            self._held = []

    def _deliver(self, kind: str, evse_id: int, value: dict[str, Any]) -> None:
        for listener in self.listeners:
            try:
                if kind == "session_event":
                    listener.on_session_event(evse_id, value)
                else:
                    listener.on_powermeter(evse_id, value)
            except Exception:
                log.exception("%s listener failed for EVSE %d", kind, evse_id)

    def _queue_or_deliver(self, kind: str, evse_id: int, value: dict[str, Any]) -> None:
        if self._held is not None:
            if kind == "powermeter":  # only the latest reading matters before the start
                self._held = [h for h in self._held if not (h[0] == "powermeter" and h[1] == evse_id)]
            self._held.append((kind, evse_id, value))
        else:
            self._deliver(kind, evse_id, value)

    # ---- var callbacks ---------------------------------------------------------------------------
    def _on_session_event(self, index: int, event: Any) -> None:
        evse_id = self._evse_id(index)
        log.info("EVSE %d session event %s", evse_id, event.get("event"))
        if event.get("event") == "SessionResumed":
            self.resumed_session_ids.add(str(event.get("uuid", "")))
        for early in self.early_listeners:
            try:
                early(evse_id, event)
            except Exception:
                log.exception("session event listener failed for EVSE %d", evse_id)
        self._queue_or_deliver("session_event", evse_id, event)

    def _on_powermeter(self, index: int, powermeter: Any) -> None:
        evse_id = self._evse_id(index)
        self.snapshot(evse_id).powermeter = powermeter
        self._queue_or_deliver("powermeter", evse_id, powermeter)

    def _on_latest(self, index: int, var: str, value: Any) -> None:
        evse_id = self._evse_id(index)
        self.snapshot(evse_id).latest[var] = value
        for listener in self.latest_listeners:
            try:
                listener(evse_id, var, value)
            except Exception:
                log.exception("%s listener failed for EVSE %d", var, evse_id)
