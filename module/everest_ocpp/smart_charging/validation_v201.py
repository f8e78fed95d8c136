"""OCPP 2.0.1 SetChargingProfile validation (use case K01, as libocpp's SmartCharging block).

Rejections carry libocpp's ``ProfileValidationResultEnum`` name as ``reason`` (sent as
StatusInfo.additionalInfo) and its reason code (StatusInfo.reasonCode). Additions over libocpp:
ProfileStackLevel and PeriodsPerSchedule are enforced, negative limits and a Recurring profile
without recurrencyKind are rejected.
"""

from __future__ import annotations

import logging
import math
from dataclasses import replace
from datetime import UTC, datetime

from .profile import ChargingProfile, Kind, Purpose
from .validation import ValidationContext, ValidationResult

log = logging.getLogger(__name__)

REASON_CODES: dict[str, str] = {
    "EvseDoesNotExist": "InvalidValue",
    "ExistingChargingStationExternalConstraints": "DuplicateProfile",
    "ChargingStationExternalConstraintsInSetChargingProfileRequest": "InvalidValue",
    "DuplicateProfileValidityPeriod": "DuplicateProfile",
    "DuplicateTxDefaultProfileFound": "DuplicateProfile",
    "TxProfileMissingTransactionId": "MissingParam",
    "TxProfileEvseIdNotGreaterThanZero": "InvalidValue",
    "TxProfileTransactionNotOnEvse": "TxNotFound",
    "TxProfileEvseHasNoActiveTransaction": "TxNotFound",
    "TxProfileConflictingStackLevel": "InvalidStackLevel",
    "StackLevelOutOfRange": "InvalidStackLevel",
    "ChargingScheduleChargingRateUnitUnsupported": "UnsupportedRateUnit",
    "ChargingStationMaxProfileCannotBeRelative": "InvalidValue",
    "ChargingStationMaxProfileEvseIdGreaterThanZero": "InvalidValue",
    "RequestStartTransactionNonTxProfile": "InvalidValue",
}
_SCHEDULE_PROBLEM = "InvalidSchedule"

_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
_LATEST = datetime.max.replace(tzinfo=UTC)


def _reject(profile: ChargingProfile, reason: str) -> ValidationResult:
    code = REASON_CODES.get(reason, _SCHEDULE_PROBLEM)
    log.warning(
        "rejecting charging profile %d on EVSE %d: %s (%s)", profile.id, profile.evse_id, reason, code
    )
    return ValidationResult.reject(reason, code)


def _is_dc(context: ValidationContext, evse_id: int) -> bool | None:
    """True for DC, False for AC, None when unknown (then phase rules are not applied)."""
    if evse_id != 0:
        return evse_id in context.limits.dc_evses
    supply = context.limits.supply_phases
    return True if supply == 0 else (False if supply in (1, 3) else None)


def _check_schedules(
    profile: ChargingProfile, context: ValidationContext
) -> tuple[str | None, ChargingProfile]:
    limits = context.limits
    if not profile.schedules:
        return "ChargingProfileEmptyChargingSchedules", profile
    dc = _is_dc(context, profile.evse_id)
    conformed = []
    for schedule in profile.schedules:
        if schedule.unit not in limits.allowed_units:
            return "ChargingScheduleChargingRateUnitUnsupported", profile
        if not schedule.periods:
            return "ChargingProfileNoChargingSchedulePeriods", profile
        if limits.max_periods is not None and len(schedule.periods) > limits.max_periods:
            return "ChargingScheduleTooManyPeriods", profile
        if schedule.min_charging_rate is not None and not math.isfinite(schedule.min_charging_rate):
            return "ChargingScheduleNonFiniteValue", profile
        periods = []
        for i, period in enumerate(schedule.periods):
            if not math.isfinite(period.limit):
                return "ChargingSchedulePeriodNonFiniteValue", profile
            if period.phase_to_use is not None and period.number_phases != 1:
                return "ChargingSchedulePeriodInvalidPhaseToUse", profile  # K01.FR.19/48
            if period.phase_to_use is not None and not limits.ac_phase_switching_supported:
                return "ChargingSchedulePeriodPhaseToUseACPhaseSwitchingUnsupported", profile  # K01.FR.20
            if i == 0 and period.start_period != 0:
                return "ChargingProfileFirstStartScheduleIsNotZero", profile  # K01.FR.31
            if i + 1 < len(schedule.periods) and schedule.periods[i + 1].start_period <= period.start_period:
                return "ChargingSchedulePeriodsOutOfOrder", profile  # K01.FR.35
            if period.limit < 0:
                return "ChargingSchedulePeriodNegativeLimit", profile
            if dc is True and (period.number_phases is not None or period.phase_to_use is not None):
                return "ChargingSchedulePeriodExtraneousPhaseValues", profile  # K01.FR.44
            if dc is False:
                if period.number_phases is not None and period.number_phases > limits.supply_phases:
                    return "ChargingSchedulePeriodUnsupportedNumberPhases", profile  # K01.FR.45
                if period.number_phases is None:
                    period = replace(period, number_phases=3)  # K01.FR.49
            periods.append(period)
        if profile.kind in (Kind.ABSOLUTE, Kind.RECURRING) and schedule.start_schedule is None:
            return "ChargingProfileMissingRequiredStartSchedule", profile  # K01.FR.40
        if profile.kind == Kind.RELATIVE and schedule.start_schedule is not None:
            return "ChargingProfileExtraneousStartSchedule", profile  # K01.FR.41
        conformed.append(replace(schedule, periods=tuple(periods)))
    return None, replace(profile, schedules=tuple(conformed))


def _validity(profile: ChargingProfile) -> tuple[datetime, datetime]:
    return (profile.valid_from or _EARLIEST, profile.valid_to or _LATEST)


def _overlapping_validity(profile: ChargingProfile, context: ValidationContext) -> bool:
    """K01.FR.06: same purpose, EVSE and stack level with overlapping validity (not TxProfile)."""
    if profile.purpose == Purpose.TX:
        return False
    start, end = _validity(profile)
    for other in context.installed:
        if (
            other.id != profile.id
            and other.purpose == profile.purpose
            and other.evse_id == profile.evse_id
            and other.stack_level == profile.stack_level
        ):
            other_start, other_end = _validity(other)
            if start <= other_end and end >= other_start:
                return True
    return False


def _check_purpose(profile: ChargingProfile, context: ValidationContext, remote_start: bool) -> str | None:
    evse_id = profile.evse_id
    if profile.purpose == Purpose.STATION_MAX:
        if evse_id > 0:
            return "ChargingStationMaxProfileEvseIdGreaterThanZero"  # K04.FR.03
        if profile.kind == Kind.RELATIVE:
            return "ChargingStationMaxProfileCannotBeRelative"  # K01.FR.38
    elif profile.purpose == Purpose.TX_DEFAULT:
        # K01.FR.52/53: a stack level is used either station-wide or per EVSE, not both.
        for other in context.installed:
            if (
                other.purpose == Purpose.TX_DEFAULT
                and other.stack_level == profile.stack_level
                and other.id != profile.id
                and (other.evse_id == 0) != (evse_id == 0)
            ):
                return "DuplicateTxDefaultProfileFound"
    elif profile.purpose == Purpose.TX:
        if evse_id <= 0:
            return "TxProfileEvseIdNotGreaterThanZero"  # K01.FR.16
        if remote_start:
            return None  # the transaction does not exist yet
        if profile.transaction_id is None:
            return "TxProfileMissingTransactionId"  # K01.FR.03
        transaction = context.station.transactions.get(evse_id)
        if transaction is None:
            return "TxProfileEvseHasNoActiveTransaction"  # K01.FR.09
        if transaction.transaction_id != profile.transaction_id:
            return "TxProfileTransactionNotOnEvse"  # K01.FR.33
        for other in context.installed:  # K01.FR.39
            if (
                other.purpose == Purpose.TX
                and other.transaction_id == profile.transaction_id
                and other.stack_level == profile.stack_level
                and other.id != profile.id
            ):
                return "TxProfileConflictingStackLevel"
    return None


def validate_v201(
    profile: ChargingProfile,
    context: ValidationContext,
    *,
    from_csms: bool = True,
    remote_start: bool = False,
) -> ValidationResult:
    """Validate a profile for EVSE ``profile.evse_id`` (0 = station); K01 rules.

    ``from_csms``: the profile came from the CSMS, where ChargingStationExternalConstraints may
    not be set (K01.FR.22). ``remote_start``: it came with RequestStartTransactionRequest, so it
    must be a TxProfile (K05.FR.02) and its transaction does not exist yet.
    """
    if remote_start and profile.purpose != Purpose.TX:
        return _reject(profile, "RequestStartTransactionNonTxProfile")
    if from_csms and profile.purpose == Purpose.EXTERNAL_CONSTRAINTS:
        return _reject(profile, "ChargingStationExternalConstraintsInSetChargingProfileRequest")
    limits = context.limits
    if not context.station.has_evse(profile.evse_id):
        return _reject(profile, "EvseDoesNotExist")  # K01.FR.28
    if profile.stack_level < 0 or (
        limits.max_stack_level is not None and profile.stack_level > limits.max_stack_level
    ):
        return _reject(profile, "StackLevelOutOfRange")
    if any(p.id == profile.id and p.purpose == Purpose.EXTERNAL_CONSTRAINTS for p in context.installed):
        return _reject(profile, "ExistingChargingStationExternalConstraints")  # K01.FR.05
    if profile.kind == Kind.RECURRING and profile.recurrency is None:
        return _reject(profile, "ChargingProfileMissingRecurrencyKind")
    problem, conformed = _check_schedules(profile, context)
    if problem is None and _overlapping_validity(conformed, context):
        problem = "DuplicateProfileValidityPeriod"
    if problem is None:
        problem = _check_purpose(conformed, context, remote_start)
    if problem is not None:
        return _reject(profile, problem)
    return ValidationResult.accept(conformed)
