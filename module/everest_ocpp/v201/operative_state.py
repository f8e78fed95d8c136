"""Operational status of the station, its EVSEs and connectors (2.0.1 G03/G04), persisted.

Each level has its own *individual* status set by ChangeAvailability; a connector is *effectively*
operative only if the station, its EVSE and the connector itself are. EVSEs can also be blocked for
a while (not persisted) so no transaction starts on them while a station-wide Inoperative request
waits for the running transactions to end.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from ..storage import atomic_write_json, read_state

log = logging.getLogger(__name__)

OPERATIVE, INOPERATIVE = "Operative", "Inoperative"
ConnectorKey = tuple[int, int]  # (EVSE id, connector id)


class OperativeState:
    def __init__(self, evses: Iterable[tuple[int, Iterable[int]]], state_file: Path) -> None:
        self.connectors: dict[int, tuple[int, ...]] = {e: tuple(sorted(c)) for e, c in evses}
        self._file = state_file
        stored = read_state(state_file, "station, EVSEs and connectors start Operative")
        self.station = stored.get("station", OPERATIVE) != INOPERATIVE
        evse_states = stored.get("evses")
        evse_states = evse_states if isinstance(evse_states, dict) else {}
        connector_states = stored.get("connectors")
        connector_states = connector_states if isinstance(connector_states, dict) else {}
        self.evse = {e: evse_states.get(str(e), OPERATIVE) != INOPERATIVE for e in self.connectors}
        self.connector = {
            (e, c): connector_states.get(f"{e}/{c}", OPERATIVE) != INOPERATIVE
            for e, cs in self.connectors.items()
            for c in cs
        }
        # EVSEs taken out of service for a while (not persisted), by whoever did it: "availability" (a
        # scheduled station-wide Inoperative, for the idle EVSEs), "firmware" (an installation waiting)
        self.blocks: dict[str, set[int]] = {"availability": set(), "firmware": set()}

    @property
    def blocked(self) -> set[int]:
        return set().union(*self.blocks.values())

    # ---- queries ---------------------------------------------------------------------------------
    def exists(self, evse_id: int | None, connector_id: int | None) -> bool:
        if evse_id is None:
            return connector_id is None
        if evse_id not in self.connectors:
            return False
        return connector_id is None or connector_id in self.connectors[evse_id]

    def individual(self, evse_id: int | None, connector_id: int | None) -> bool:
        if evse_id is None:
            return self.station
        if connector_id is None:
            return self.evse[evse_id]
        return self.connector[(evse_id, connector_id)]

    def effective(self, key: ConnectorKey) -> bool:
        evse_id, _ = key
        return self.station and self.evse[evse_id] and self.connector[key] and evse_id not in self.blocked

    def evse_effective(self, evse_id: int) -> bool:
        return any(self.effective((evse_id, c)) for c in self.connectors[evse_id])

    def snapshot(self) -> dict[ConnectorKey, bool]:
        return {key: self.effective(key) for key in self.connector}

    # ---- changes ---------------------------------------------------------------------------------
    def set(self, evse_id: int | None, connector_id: int | None, operative: bool) -> None:
        """Set an individual status and persist all of them."""
        if evse_id is None:
            self.station = operative
        elif connector_id is None:
            self.evse[evse_id] = operative
        else:
            self.connector[(evse_id, connector_id)] = operative
        self._save()

    def _save(self) -> None:
        def name(value: bool) -> str:
            return OPERATIVE if value else INOPERATIVE

        data = {
            "station": name(self.station),
            "evses": {str(e): name(v) for e, v in self.evse.items()},
            "connectors": {f"{e}/{c}": name(v) for (e, c), v in self.connector.items()},
        }
        try:
            atomic_write_json(self._file, data)
        except OSError as exc:
            log.error("cannot persist availability to %s: %s", self._file, exc)
