"""Version-neutral charging profile model shared by the OCPP 1.6 and 2.0.1 back ends.

One ``ChargingProfile`` describes what a CSMS installed with SetChargingProfile, whatever the
protocol version; ``convert`` turns OCPP payloads into it and back. The model is immutable so
that profiles can be shared between the store, the validator and the composite calculation.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum


class OcppVersion(StrEnum):
    V16 = "1.6"
    V201 = "2.0.1"


class Purpose(StrEnum):
    """Profile purposes; 1.6 ChargePointMaxProfile and 2.0.1 ChargingStationMaxProfile are one."""

    STATION_MAX = "StationMax"
    TX_DEFAULT = "TxDefault"
    TX = "Tx"
    EXTERNAL_CONSTRAINTS = "ExternalConstraints"  # 2.0.1 only


class Kind(StrEnum):
    ABSOLUTE = "Absolute"
    RECURRING = "Recurring"
    RELATIVE = "Relative"


class Recurrency(StrEnum):
    DAILY = "Daily"
    WEEKLY = "Weekly"


class RateUnit(StrEnum):
    AMPS = "A"
    WATTS = "W"


# OCPP spellings of the purposes, per version (used by converters and config parsing).
PURPOSE_NAMES: dict[OcppVersion, dict[Purpose, str]] = {
    OcppVersion.V16: {
        Purpose.STATION_MAX: "ChargePointMaxProfile",
        Purpose.TX_DEFAULT: "TxDefaultProfile",
        Purpose.TX: "TxProfile",
    },
    OcppVersion.V201: {
        Purpose.STATION_MAX: "ChargingStationMaxProfile",
        Purpose.TX_DEFAULT: "TxDefaultProfile",
        Purpose.TX: "TxProfile",
        Purpose.EXTERNAL_CONSTRAINTS: "ChargingStationExternalConstraints",
    },
}

_PURPOSE_BY_NAME: dict[str, Purpose] = {
    name.lower(): purpose for names in PURPOSE_NAMES.values() for purpose, name in names.items()
}


def purpose_from_name(name: str) -> Purpose:
    """Map an OCPP purpose name of either version (case-insensitive) to ``Purpose``."""
    try:
        return _PURPOSE_BY_NAME[name.strip().lower()]
    except KeyError:
        raise ValueError(f"unknown charging profile purpose {name!r}") from None


def purpose_name(purpose: Purpose, version: OcppVersion) -> str:
    try:
        return PURPOSE_NAMES[version][purpose]
    except KeyError:
        raise ValueError(f"purpose {purpose} does not exist in OCPP {version}") from None


@dataclass(frozen=True, slots=True)
class SchedulePeriod:
    start_period: int  # seconds from the start of the schedule
    limit: float
    number_phases: int | None = None
    phase_to_use: int | None = None  # 2.0.1 only


@dataclass(frozen=True, slots=True)
class ChargingSchedule:
    unit: RateUnit
    periods: tuple[SchedulePeriod, ...]
    duration: int | None = None
    start_schedule: datetime | None = None
    min_charging_rate: float | None = None
    schedule_id: int | None = None  # 2.0.1 ChargingScheduleType.id (required there)


@dataclass(frozen=True, slots=True)
class ChargingProfile:
    """A charging profile as installed on ``evse_id`` (1.6: connector id; 0 = whole station).

    2.0.1 allows up to three schedules per profile; like libocpp, only the first one takes part
    in the composite calculation, the others are kept for reporting.
    """

    id: int
    stack_level: int
    purpose: Purpose
    kind: Kind
    schedules: tuple[ChargingSchedule, ...]
    evse_id: int = 0
    recurrency: Recurrency | None = None
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    transaction_id: str | None = None

    @property
    def schedule(self) -> ChargingSchedule:
        return self.schedules[0]

    def with_schedule(self, schedule: ChargingSchedule) -> ChargingProfile:
        """A copy whose first schedule is replaced (used when validation conforms a profile)."""
        return replace(self, schedules=(schedule, *self.schedules[1:]))


def same_slot(a: ChargingProfile, b: ChargingProfile) -> bool:
    """Same EVSE, stack level and purpose: in 1.6 a new profile replaces one in the same slot."""
    return a.evse_id == b.evse_id and a.stack_level == b.stack_level and a.purpose == b.purpose
