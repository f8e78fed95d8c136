"""OCPP 1.6 connector numbering: 1..n across all EVSEs in order, 0 = the whole charge point."""

from __future__ import annotations

from dataclasses import dataclass

from ..bridge.evse import EvseInfo


@dataclass(frozen=True, slots=True)
class ConnectorMap:
    by_ocpp: dict[int, tuple[int, int]]  # OCPP connector id -> (EVSE id, EVerest connector id)

    @classmethod
    def from_evses(cls, evses: list[EvseInfo]) -> ConnectorMap:
        mapping: dict[int, tuple[int, int]] = {}
        for evse in sorted(evses, key=lambda e: e.id):
            for connector in evse.connectors:
                mapping[len(mapping) + 1] = (evse.id, connector)
        return cls(mapping)

    @property
    def count(self) -> int:
        return len(self.by_ocpp)

    def ocpp_id(self, evse_id: int, connector_id: int) -> int | None:
        return next((oid for oid, pair in self.by_ocpp.items() if pair == (evse_id, connector_id)), None)

    def evse_of(self, ocpp_id: int) -> int | None:
        pair = self.by_ocpp.get(ocpp_id)
        return None if pair is None else pair[0]

    def connectors_of_evse(self, evse_id: int) -> list[int]:
        return [oid for oid, (eid, _c) in self.by_ocpp.items() if eid == evse_id]
