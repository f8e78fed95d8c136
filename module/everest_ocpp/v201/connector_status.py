"""What a 2.0.1 connector's status is made of besides ChangeAvailability (G01-G04).

The evse_manager's session events say whether a connector is plugged (Occupied), reserved, or
disabled by EVerest; an ``evse_manager/Inoperative`` error raised by the EVSE's evse_manager makes
it Faulted (as in the C++ OCPP201 module, no other error does). Precedence, as libocpp's: an
inoperative station or EVSE first (Unavailable), then Faulted, Unavailable, Reserved, Occupied,
Available. A plug-in on a reserved connector stays Reserved until the reservation ends (libocpp
holds back the Occupied notification until the transaction consumes the reservation).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..bridge.errors import ActiveError
from .operative_state import ConnectorKey

INOPERATIVE_ERROR = "evse_manager/Inoperative"


@dataclass(slots=True)
class ConnectorFlags:
    occupied: bool = False
    reserved: bool = False
    faulted: bool = False
    disabled: bool = False  # Disabled session event from the evse_manager


class ConnectorStates:
    def __init__(self, keys: Iterable[ConnectorKey]) -> None:
        self.flags = {key: ConnectorFlags() for key in keys}
        self._faults: dict[ConnectorKey, set[str]] = {}  # active Inoperative errors (uuids)
        self.listeners: list[Callable[[ConnectorKey], None]] = []

    def status(self, key: ConnectorKey, evse_operative: bool, connector_operative: bool) -> str:
        flags = self.flags.get(key, ConnectorFlags())
        if not evse_operative:
            return "Unavailable"
        if flags.faulted:
            return "Faulted"
        if not connector_operative or flags.disabled:
            return "Unavailable"
        if flags.reserved:
            return "Reserved"
        if flags.occupied:
            return "Occupied"
        return "Available"

    def _set(self, key: ConnectorKey, name: str, value: bool) -> None:
        flags = self.flags.get(key)
        if flags is None or getattr(flags, name) == value:
            return
        setattr(flags, name, value)
        for listener in self.listeners:
            listener(key)

    # ConnectorSink (session events)
    def plugged(self, evse_id: int, connector_id: int, plugged: bool) -> None:
        self._set((evse_id, connector_id), "occupied", plugged)

    def reserved(self, evse_id: int, connector_id: int, reserved: bool) -> None:
        self._set((evse_id, connector_id), "reserved", reserved)

    def enabled(self, evse_id: int, connector_id: int, enabled: bool) -> None:
        self._set((evse_id, connector_id), "disabled", not enabled)

    # errors
    def on_error(self, raised: bool, error: ActiveError) -> None:
        if error.type != INOPERATIVE_ERROR:
            return
        key = (error.evse, error.connector or 1)
        faults = self._faults.setdefault(key, set())
        if raised:
            faults.add(error.uuid)
        else:
            faults.discard(error.uuid)
        self._set(key, "faulted", bool(faults))

    def apply_active(self, errors: Iterable[ActiveError]) -> None:
        """Errors raised before OCPP started."""
        for error in errors:
            self.on_error(True, error)
