"""What the engine needs to know about the station at calculation/validation time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class ActiveTransaction:
    """A running transaction on one EVSE (1.6: connector).

    ``transaction_id`` is the OCPP id as a string (1.6: the CSMS-assigned integer, ``None`` until
    StartTransaction.conf arrived). ``started_at`` anchors Relative profiles.
    """

    transaction_id: str | None
    started_at: datetime


@dataclass(frozen=True, slots=True)
class StationState:
    """EVSEs are numbered 1..number_of_evses; 0 is the whole station."""

    number_of_evses: int
    transactions: Mapping[int, ActiveTransaction] = field(default_factory=dict)
    offline: bool = False

    def evse_ids(self) -> range:
        return range(1, self.number_of_evses + 1)

    def has_evse(self, evse_id: int) -> bool:
        return 0 <= evse_id <= self.number_of_evses
