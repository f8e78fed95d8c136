"""Errors raised and cleared anywhere in EVerest, kept per EVSE (the manifest's global errors).

An error belongs to the EVSE its origin is mapped to (``origin.mapping.evse``), or to the EVSE of
the evse_manager that raised it; errors of no EVSE count for the whole station (EVSE 0). The
transaction and status blocks read the active errors to report Faulted with the error codes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ActiveError:
    uuid: str
    type: str  # e.g. "evse_board_support/DiodeFault"
    sub_type: str
    message: str
    severity: str
    evse: int
    connector: int | None
    origin_module: str
    vendor_id: str
    description: str = ""
    origin_implementation: str = ""

    @classmethod
    def from_everest(cls, error: dict[str, Any], evse: int) -> ActiveError:
        mapping = (error.get("origin") or {}).get("mapping") or {}
        connector = mapping.get("connector")
        return cls(
            uuid=str(error.get("uuid", "")),
            type=str(error.get("type", "")),
            sub_type=str(error.get("sub_type", "")),
            message=str(error.get("message", "")),
            severity=str(error.get("severity", "")),
            evse=evse,
            connector=connector if isinstance(connector, int) else None,
            origin_module=str((error.get("origin") or {}).get("module_id", "")),
            vendor_id=str(error.get("vendor_id", "")),
            description=str(error.get("description", "")),
            origin_implementation=str((error.get("origin") or {}).get("implementation_id", "")),
        )


ErrorListener = Callable[[bool, ActiveError], None]  # (raised, error)


class EvseErrors:
    def __init__(self, evse_of_module: Callable[[str], int | None]) -> None:
        self._evse_of_module = evse_of_module
        self._active: dict[str, ActiveError] = {}
        self.listeners: list[ErrorListener] = []

    def on_error(self, raised: bool, error: dict[str, Any]) -> None:
        origin = error.get("origin") or {}
        mapped = (origin.get("mapping") or {}).get("evse")
        evse = mapped if isinstance(mapped, int) else self._evse_of_module(str(origin.get("module_id", "")))
        item = ActiveError.from_everest(error, evse or 0)
        if raised:
            if item.uuid in self._active:
                return
            self._active[item.uuid] = item
            log.info("error raised on EVSE %d: %s (%s)", item.evse, item.type, item.message[:200])
        else:
            if self._active.pop(item.uuid, None) is None:
                # cleared without a matching raise seen (e.g. raised before we started): clear by type
                stale = [u for u, e in self._active.items() if e.type == item.type and e.evse == item.evse]
                if not stale:
                    return
                item = self._active.pop(stale[0])
            log.info("error cleared on EVSE %d: %s", item.evse, item.type)
        for listener in self.listeners:
            try:
                listener(raised, item)
            except Exception:
                log.exception("error listener failed")

    def active(self, evse: int | None = None) -> list[ActiveError]:
        """Active errors of one EVSE (None: all), oldest first."""
        return [e for e in self._active.values() if evse is None or e.evse == evse]
