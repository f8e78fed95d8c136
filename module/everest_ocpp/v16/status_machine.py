"""The OCPP 1.6 connector status state machine, without I/O.

One machine per connector (0 = the whole charge point). Events move the state along libocpp's
transition table (charge_point_state_machine.cpp); an event without a transition from the current
state changes nothing. Errors are kept per connector: an error marked as a fault makes the connector
report Faulted until it is cleared, any other error only rides along in the error code of the
notifications. Every change that must reach the CSMS is returned as a :class:`Notification`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum


class Status(StrEnum):
    AVAILABLE = "Available"
    PREPARING = "Preparing"
    CHARGING = "Charging"
    SUSPENDED_EV = "SuspendedEV"
    SUSPENDED_EVSE = "SuspendedEVSE"
    FINISHING = "Finishing"
    RESERVED = "Reserved"
    UNAVAILABLE = "Unavailable"
    FAULTED = "Faulted"


class Event(StrEnum):
    BECOME_AVAILABLE = "BecomeAvailable"
    USAGE_INITIATED = "UsageInitiated"
    START_CHARGING = "StartCharging"
    PAUSE_CHARGING_EV = "PauseChargingEV"
    PAUSE_CHARGING_EVSE = "PauseChargingEVSE"
    RESERVE_CONNECTOR = "ReserveConnector"
    TRANSACTION_STOPPED_USER_ACTION = "TransactionStoppedAndUserActionRequired"
    CHANGE_AVAILABILITY_TO_UNAVAILABLE = "ChangeAvailabilityToUnavailable"
    RESERVATION_END = "ReservationEnd"


S, E = Status, Event
TRANSITIONS: dict[Status, dict[Event, Status]] = {
    S.AVAILABLE: {
        E.USAGE_INITIATED: S.PREPARING,
        E.START_CHARGING: S.CHARGING,
        E.PAUSE_CHARGING_EV: S.SUSPENDED_EV,
        E.PAUSE_CHARGING_EVSE: S.SUSPENDED_EVSE,
        E.RESERVE_CONNECTOR: S.RESERVED,
        E.CHANGE_AVAILABILITY_TO_UNAVAILABLE: S.UNAVAILABLE,
    },
    S.PREPARING: {
        E.BECOME_AVAILABLE: S.AVAILABLE,
        E.START_CHARGING: S.CHARGING,
        E.PAUSE_CHARGING_EV: S.SUSPENDED_EV,
        E.PAUSE_CHARGING_EVSE: S.SUSPENDED_EVSE,
        E.TRANSACTION_STOPPED_USER_ACTION: S.FINISHING,
    },
    S.CHARGING: {
        E.BECOME_AVAILABLE: S.AVAILABLE,
        E.PAUSE_CHARGING_EV: S.SUSPENDED_EV,
        E.PAUSE_CHARGING_EVSE: S.SUSPENDED_EVSE,
        E.TRANSACTION_STOPPED_USER_ACTION: S.FINISHING,
        E.CHANGE_AVAILABILITY_TO_UNAVAILABLE: S.UNAVAILABLE,
    },
    S.SUSPENDED_EV: {
        E.BECOME_AVAILABLE: S.AVAILABLE,
        E.START_CHARGING: S.CHARGING,
        E.PAUSE_CHARGING_EVSE: S.SUSPENDED_EVSE,
        E.TRANSACTION_STOPPED_USER_ACTION: S.FINISHING,
        E.CHANGE_AVAILABILITY_TO_UNAVAILABLE: S.UNAVAILABLE,
    },
    S.SUSPENDED_EVSE: {
        E.BECOME_AVAILABLE: S.AVAILABLE,
        E.START_CHARGING: S.CHARGING,
        E.PAUSE_CHARGING_EV: S.SUSPENDED_EV,
        E.TRANSACTION_STOPPED_USER_ACTION: S.FINISHING,
        E.CHANGE_AVAILABILITY_TO_UNAVAILABLE: S.UNAVAILABLE,
    },
    S.FINISHING: {
        E.BECOME_AVAILABLE: S.AVAILABLE,
        E.USAGE_INITIATED: S.PREPARING,
        E.CHANGE_AVAILABILITY_TO_UNAVAILABLE: S.UNAVAILABLE,
    },
    S.RESERVED: {
        E.BECOME_AVAILABLE: S.AVAILABLE,
        E.USAGE_INITIATED: S.PREPARING,
        E.CHANGE_AVAILABILITY_TO_UNAVAILABLE: S.UNAVAILABLE,
        E.RESERVATION_END: S.AVAILABLE,
    },
    S.UNAVAILABLE: {
        E.BECOME_AVAILABLE: S.AVAILABLE,
        E.USAGE_INITIATED: S.PREPARING,
        E.START_CHARGING: S.CHARGING,
        E.PAUSE_CHARGING_EV: S.SUSPENDED_EV,
        E.PAUSE_CHARGING_EVSE: S.SUSPENDED_EVSE,
    },
}
# connector 0 only knows Available and Unavailable (libocpp validates its initial state the same way)
STATION_STATES = (S.AVAILABLE, S.UNAVAILABLE)


@dataclass(frozen=True, slots=True)
class ErrorInfo:
    """An EVerest error as 1.6 reports it (see :mod:`everest_ocpp.v16.error_codes`)."""

    uuid: str
    error_code: str  # ChargePointErrorCode
    is_fault: bool  # True: the connector is Faulted while the error is active
    info: str | None = None
    vendor_id: str | None = None
    vendor_error_code: str | None = None
    raised_at: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass(frozen=True, slots=True)
class Notification:
    """What one StatusNotification.req says."""

    connector: int
    status: Status
    error_code: str = "NoError"
    info: str | None = None
    vendor_id: str | None = None
    vendor_error_code: str | None = None


class ConnectorMachine:
    def __init__(self, connector: int, state: Status) -> None:
        if connector == 0 and state not in STATION_STATES:
            raise ValueError(f"connector 0 cannot start in {state}")
        self.connector = connector
        self._state = state
        self._errors: dict[str, ErrorInfo] = {}

    @property
    def faulted(self) -> bool:
        return any(e.is_fault for e in self._errors.values())

    @property
    def state(self) -> Status:
        """The reported state: Faulted while a fault is active, else the machine's state."""
        return Status.FAULTED if self.faulted else self._state

    @property
    def underlying(self) -> Status:
        """The state the connector returns to once its faults are cleared."""
        return self._state

    def latest_error(self) -> ErrorInfo | None:
        return max(self._errors.values(), key=lambda e: e.raised_at, default=None)

    def current(self, info: str | None = None) -> Notification:
        """The notification describing the connector now (for triggers and after a boot)."""
        latest = self.latest_error()
        if latest is None:
            return Notification(self.connector, self.state, info=info)
        return Notification(
            self.connector,
            self.state,
            latest.error_code,
            latest.info if info is None else info,
            latest.vendor_id,
            latest.vendor_error_code,
        )

    def handle(self, event: Event, info: str | None = None) -> Notification | None:
        target = TRANSITIONS.get(self._state, {}).get(event)
        if target is None:
            return None
        self._state = target
        if self.faulted:  # the move is remembered and reported once the fault is gone
            return None
        latest = self.latest_error()
        if latest is None:
            return Notification(self.connector, target, info=info)
        return Notification(
            self.connector, target, latest.error_code, info, latest.vendor_id, latest.vendor_error_code
        )

    def raise_error(self, error: ErrorInfo) -> Notification | None:
        if error.uuid in self._errors:
            return None
        self._errors[error.uuid] = error
        return Notification(
            self.connector,
            self.state,
            error.error_code,
            error.info,
            error.vendor_id,
            error.vendor_error_code,
        )

    def clear_error(self, uuid: str) -> Notification | None:
        if self._errors.pop(uuid, None) is None or self.faulted:
            return None
        return self.current()

    def reset(self, state: Status) -> None:
        """A new start of the link: back to ``state``, errors kept (they are still raised)."""
        self._state = state
