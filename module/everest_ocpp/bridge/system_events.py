"""What the system module reports about firmware updates and log uploads (``firmware_update_status``,
``log_status``), for the firmware and diagnostics blocks of both versions.

The subscriptions are made before the runtime starts (vars are not retained). Reports that arrive
before OCPP runs are held in arrival order and delivered by :meth:`SystemEvents.release`, as the
C++ modules queue them until their charge point has started.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from ..everest.runtime import Runtime

log = logging.getLogger(__name__)

REQ = "system"
FIRMWARE, LOG = "firmware_update_status", "log_status"

Listener = Callable[[dict[str, Any]], object]


class SystemEvents:
    def __init__(self, runtime: Runtime) -> None:
        self._rt = runtime
        self.connected = bool(runtime.connections(REQ))
        self.firmware_listeners: list[Listener] = []  # EVerest FirmwareUpdateStatus
        self.log_listeners: list[Listener] = []  # EVerest LogStatus
        self._held: list[tuple[str, dict[str, Any]]] | None = []  # None once released

    def subscribe(self) -> None:
        """Must run before the runtime starts."""
        if not self.connected:
            return
        for var in (FIRMWARE, LOG):
            self._rt.subscribe_var(REQ, 0, var, functools.partial(self._on_var, var))

    def release(self) -> None:
        """OCPP runs: deliver what was held, then everything at once."""
        held, self._held = self._held or [], None
        if held:
            log.info("delivering %d firmware/log status report(s) held until OCPP started", len(held))
        for var, value in held:
            self._deliver(var, value)

    def _on_var(self, var: str, value: Any) -> None:
        if not isinstance(value, dict):
            return
        if self._held is not None:
            self._held.append((var, value))
            return
        self._deliver(var, value)

    def _deliver(self, var: str, value: dict[str, Any]) -> None:
        for listener in self.firmware_listeners if var == FIRMWARE else self.log_listeners:
            try:
                listener(value)
            except Exception:
                log.exception("handling system %s %s failed", var, value)
