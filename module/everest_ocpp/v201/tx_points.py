"""2.0.1 TxStartPoint / TxStopPoint (E01-E15): when a charging session becomes an OCPP transaction.

The conditions of one EVSE change with session facts (EV connected, authorized, energy flowing,
...); a configured start point that is fulfilled opens the transaction, a configured stop point that
is fulfilled ends it. Same rules as the C++ OCPP201 module: PowerPathClosed means authorized *and*
connected, DataSigned never stops, an immediate reset stops whatever the stop points are, and an
unknown point in the configured list counts as PowerPathClosed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class TxPoint(StrEnum):
    PARKING_BAY_OCCUPANCY = "ParkingBayOccupancy"
    EV_CONNECTED = "EVConnected"
    AUTHORIZED = "Authorized"
    POWER_PATH_CLOSED = "PowerPathClosed"
    ENERGY_TRANSFER = "EnergyTransfer"
    DATA_SIGNED = "DataSigned"


class TxFact(StrEnum):
    """Something that happened on an EVSE and may fulfil a start or stop point."""

    NONE = "None"
    EV_CONNECTED = "EVConnected"
    EV_DISCONNECTED = "EVDisconnected"
    AUTHORIZED = "Authorized"
    DEAUTHORIZED = "Deauthorized"
    PARKING_BAY_OCCUPIED = "ParkingBayOccupied"
    PARKING_BAY_UNOCCUPIED = "ParkingBayUnoccupied"
    ENERGY_TRANSFER_STARTED = "EnergyTransferStarted"
    ENERGY_TRANSFER_STOPPED = "EnergyTransferStopped"
    SIGNED_START_DATA = "SignedStartData"
    IMMEDIATE_RESET = "ImmediateReset"


DEFAULT_START = frozenset({TxPoint.POWER_PATH_CLOSED})
DEFAULT_STOP = frozenset({TxPoint.EV_CONNECTED, TxPoint.AUTHORIZED})


def parse_points(value: str | None, default: frozenset[TxPoint]) -> frozenset[TxPoint]:
    """A TxStartPoint/TxStopPoint list ("EVConnected,Authorized"); empty or missing: ``default``."""
    names = [n.strip() for n in (value or "").split(",") if n.strip()]
    if not names:
        return default
    known = {p.value: p for p in TxPoint}
    return frozenset(known.get(n, TxPoint.POWER_PATH_CLOSED) for n in names)


@dataclass(slots=True)
class TxConditions:
    """What is true on one EVSE right now, as far as start and stop points are concerned."""

    authorized: bool = False
    ev_connected: bool = False
    parking_bay_occupied: bool = False
    energy_transfer: bool = False
    signed_data: bool = False
    immediate_reset: bool = False

    def apply(self, fact: TxFact) -> None:
        if fact is TxFact.EV_CONNECTED:
            self.ev_connected = True
        elif fact is TxFact.EV_DISCONNECTED:
            self.ev_connected = False
            self.energy_transfer = False
        elif fact is TxFact.AUTHORIZED:
            self.authorized = True
        elif fact is TxFact.DEAUTHORIZED:
            self.authorized = False
        elif fact is TxFact.PARKING_BAY_OCCUPIED:
            self.parking_bay_occupied = True
        elif fact is TxFact.PARKING_BAY_UNOCCUPIED:
            self.parking_bay_occupied = False
        elif fact is TxFact.ENERGY_TRANSFER_STARTED:
            self.energy_transfer = True
        elif fact is TxFact.ENERGY_TRANSFER_STOPPED:
            self.energy_transfer = False
        elif fact is TxFact.SIGNED_START_DATA:
            self.signed_data = True
        elif fact is TxFact.IMMEDIATE_RESET:
            self.immediate_reset = True

    def start_fulfilled(self, point: TxPoint) -> bool:
        return {
            TxPoint.PARKING_BAY_OCCUPANCY: self.parking_bay_occupied,
            TxPoint.EV_CONNECTED: self.ev_connected,
            TxPoint.AUTHORIZED: self.authorized,
            TxPoint.POWER_PATH_CLOSED: self.authorized and self.ev_connected,
            TxPoint.ENERGY_TRANSFER: self.energy_transfer,
            TxPoint.DATA_SIGNED: self.signed_data,
        }[point]

    def stop_fulfilled(self, point: TxPoint) -> bool:
        if self.immediate_reset:
            return True
        return {
            TxPoint.PARKING_BAY_OCCUPANCY: not self.parking_bay_occupied,
            TxPoint.EV_CONNECTED: not self.ev_connected,
            TxPoint.AUTHORIZED: not self.authorized,
            TxPoint.POWER_PATH_CLOSED: not self.authorized or not self.ev_connected,
            TxPoint.ENERGY_TRANSFER: not self.energy_transfer,
            TxPoint.DATA_SIGNED: False,
        }[point]

    def any_start(self, points: frozenset[TxPoint]) -> bool:
        return any(self.start_fulfilled(p) for p in points)

    def any_stop(self, points: frozenset[TxPoint]) -> bool:
        return any(self.stop_fulfilled(p) for p in points)
