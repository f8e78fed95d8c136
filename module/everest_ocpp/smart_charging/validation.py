"""Shared types of profile validation (the rules live in validation_v16 / validation_v201).

Validation is pure: it looks at the incoming profile and a ``ValidationContext`` (configured
limits, EVSE count, running transactions, profiles already installed) and returns a result. An
accepted result carries the profile to store, which may be *conformed* (1.6: a missing
startSchedule set to now when allowed, a recurring duration clipped; 2.0.1: numberPhases 3 where
an AC period has none).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from .profile import ChargingProfile, ChargingSchedule
from .settings import ValidationLimits
from .station import StationState


class ProfileStatus(StrEnum):
    ACCEPTED = "Accepted"
    REJECTED = "Rejected"


@dataclass(frozen=True, slots=True)
class ValidationResult:
    status: ProfileStatus
    reason: str = ""  # why it was rejected (2.0.1: libocpp's ProfileValidationResultEnum name)
    reason_code: str | None = None  # 2.0.1 StatusInfo.reasonCode
    profile: ChargingProfile | None = None  # the (conformed) profile to store, when accepted

    @property
    def accepted(self) -> bool:
        return self.status == ProfileStatus.ACCEPTED

    @classmethod
    def accept(cls, profile: ChargingProfile) -> ValidationResult:
        return cls(ProfileStatus.ACCEPTED, profile=profile)

    @classmethod
    def reject(cls, reason: str, reason_code: str | None = None) -> ValidationResult:
        return cls(ProfileStatus.REJECTED, reason, reason_code)


@dataclass(frozen=True, slots=True)
class ValidationContext:
    station: StationState
    limits: ValidationLimits = field(default_factory=ValidationLimits)
    installed: Sequence[ChargingProfile] = ()  # every profile currently stored (any EVSE)
    now: datetime | None = None  # replaces a missing startSchedule where allowed; default: now

    def current_time(self) -> datetime:
        return self.now if self.now is not None else datetime.now(UTC)


def non_finite_value(schedule: ChargingSchedule) -> bool:
    """True if any limit or the minChargingRate is infinite or NaN (JSON cannot carry them)."""
    if schedule.min_charging_rate is not None and not math.isfinite(schedule.min_charging_rate):
        return True
    return any(not math.isfinite(p.limit) for p in schedule.periods)


def period_order_problem(schedule: ChargingSchedule) -> str | None:
    """First period must start at 0 and start periods must strictly increase."""
    periods = schedule.periods
    if periods and periods[0].start_period != 0:
        return "FirstStartPeriodNotZero"
    if any(b.start_period <= a.start_period for a, b in itertools.pairwise(periods)):
        return "PeriodsOutOfOrder"
    return None
