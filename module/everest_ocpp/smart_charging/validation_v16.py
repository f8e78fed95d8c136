"""OCPP 1.6 SetChargingProfile validation (the rules of libocpp's SmartChargingHandler).

Differences from libocpp, on purpose: an empty period list and badly ordered periods are
rejected (libocpp accepts them and silently ignores the bad periods), and a profile that will
replace an installed one (same id, or same connector + stack level + purpose) does not count
against MaxChargingProfilesInstalled.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

from .profile import ChargingProfile, Kind, Purpose, Recurrency, same_slot
from .validation import ValidationContext, ValidationResult, non_finite_value, period_order_problem

log = logging.getLogger(__name__)

_MAX_RECURRING_DURATION = {Recurrency.DAILY: 86_400, Recurrency.WEEKLY: 7 * 86_400}


def replaced_by(profile: ChargingProfile, installed: Sequence[ChargingProfile]) -> list[ChargingProfile]:
    """Installed profiles a 1.6 SetChargingProfile of ``profile`` replaces (spec 5.16.x):
    the same chargingProfileId anywhere, or the same stackLevel + purpose on the same connector."""
    return [p for p in installed if p.id == profile.id or same_slot(p, profile)]


def _reject(profile: ChargingProfile, reason: str, detail: str) -> ValidationResult:
    log.warning("rejecting charging profile %d on connector %d: %s", profile.id, profile.evse_id, detail)
    return ValidationResult.reject(reason)


def validate_v16(
    profile: ChargingProfile, context: ValidationContext, *, remote_start: bool = False
) -> ValidationResult:
    """Validate a profile received in SetChargingProfile for connector ``profile.evse_id``.

    ``remote_start``: the profile came with RemoteStartTransaction; it must be a TxProfile and
    may precede the transaction it is meant for.
    """
    limits = context.limits
    connector = profile.evse_id
    if remote_start and profile.purpose != Purpose.TX:
        return _reject(
            profile, "RemoteStartNeedsTxProfile", "RemoteStartTransaction profile is not a TxProfile"
        )
    if limits.supported_purposes is not None and profile.purpose not in limits.supported_purposes:
        return _reject(profile, "PurposeNotSupported", "purpose not in SupportedChargingProfilePurposeTypes")
    if not context.station.has_evse(connector):
        return _reject(profile, "ConnectorIdOutOfRange", "no such connector")
    if profile.stack_level < 0 or (
        limits.max_stack_level is not None and profile.stack_level > limits.max_stack_level
    ):
        return _reject(profile, "StackLevelOutOfRange", "stack level above ChargeProfileMaxStackLevel")

    schedule = profile.schedule
    if profile.kind in (Kind.ABSOLUTE, Kind.RECURRING) and schedule.start_schedule is None:
        if not limits.allow_without_start_schedule:
            return _reject(profile, "MissingStartSchedule", f"{profile.kind} profile without startSchedule")
        schedule = replace(schedule, start_schedule=context.current_time())

    if limits.max_profiles is not None:
        remaining = len(context.installed) - len(replaced_by(profile, context.installed))
        if remaining >= limits.max_profiles:
            return _reject(profile, "MaxChargingProfilesInstalled", "MaxChargingProfilesInstalled reached")

    if not schedule.periods:
        return _reject(profile, "NoSchedulePeriods", "chargingSchedulePeriod is empty")
    if limits.max_periods is not None and len(schedule.periods) > limits.max_periods:
        return _reject(profile, "TooManyPeriods", "more periods than ChargingScheduleMaxPeriods")
    if schedule.unit not in limits.allowed_units:
        return _reject(profile, "RateUnitNotAllowed", "unit not in ChargingScheduleAllowedChargingRateUnit")
    if non_finite_value(schedule):
        return _reject(profile, "NonFiniteValue", "limit or minChargingRate is not finite")
    for period in schedule.periods:
        if period.number_phases is not None and not 1 <= period.number_phases <= 3:
            return _reject(profile, "InvalidNumberPhases", f"numberPhases {period.number_phases}")
        if period.limit < 0:
            return _reject(profile, "NegativeLimit", f"limit {period.limit}")
    order = period_order_problem(schedule)
    if order is not None:
        return _reject(profile, order, "startPeriods must begin at 0 and increase")

    if profile.kind == Kind.RECURRING:
        if profile.recurrency is None:
            return _reject(profile, "MissingRecurrencyKind", "Recurring profile without recurrencyKind")
        longest = _MAX_RECURRING_DURATION[profile.recurrency]
        if schedule.duration is not None and schedule.duration > longest:
            log.info(
                "charging profile %d: recurring duration %d clipped to %d",
                profile.id,
                schedule.duration,
                longest,
            )
            schedule = replace(schedule, duration=longest)

    if profile.purpose == Purpose.STATION_MAX:
        if connector != 0 or profile.kind == Kind.RELATIVE:
            return _reject(
                profile,
                "InvalidChargePointMaxProfile",
                "ChargePointMaxProfile must be on connector 0 and not Relative",
            )
    elif profile.purpose == Purpose.TX:
        if connector == 0:
            return _reject(profile, "TxProfileOnConnectorZero", "TxProfile on connector 0")
        transaction = context.station.transactions.get(connector)
        if transaction is None and (not remote_start or profile.transaction_id is not None):
            return _reject(profile, "NoActiveTransaction", "no transaction on the connector")
        if transaction is not None and profile.transaction_id not in (None, transaction.transaction_id):
            return _reject(profile, "TransactionIdMismatch", "transactionId is not the running transaction")
    elif profile.purpose != Purpose.TX_DEFAULT:
        return _reject(profile, "PurposeNotSupported", f"purpose {profile.purpose} does not exist in 1.6")

    return ValidationResult.accept(profile.with_schedule(schedule))
