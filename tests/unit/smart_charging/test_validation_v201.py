"""OCPP 2.0.1 K01 validation, as libocpp's tests/lib/ocpp/v2/functional_blocks/test_smart_charging.cpp
checks it (K01.FR.xx in the test names), plus our additional rules."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from everest_ocpp.smart_charging import (
    ActiveTransaction,
    ChargingProfile,
    Kind,
    Purpose,
    RateUnit,
    SchedulePeriod,
    StationState,
    ValidationContext,
    ValidationLimits,
    validate_v201,
)

from .builders import cp201, load201, ts

TX = "10c75ff7-74f5-44f5-9d01-f649f3ac7b78"
LIMITS = ValidationLimits(ac_phase_switching_supported=True)
IDLE = StationState(2)
BUSY = StationState(2, {1: ActiveTransaction(TX, ts("2024-01-17T17:00:00Z"))})


def profile(
    purpose: str = "TxDefaultProfile",
    evse: int = 1,
    kind: str = "Absolute",
    profile_id: int = 1,
    stack: int = 1,
    periods=((0, 16.0),),
    **extra,
) -> ChargingProfile:
    if kind != "Relative":
        extra.setdefault("start", "2024-01-17T17:00:00Z")
    return load201(cp201(profile_id, stack, purpose, kind, "A", list(periods), **extra), evse)


def check(
    p: ChargingProfile,
    *,
    limits: ValidationLimits = LIMITS,
    station: StationState = IDLE,
    installed: tuple[ChargingProfile, ...] = (),
    from_csms: bool = True,
):
    return validate_v201(p, ValidationContext(station, limits, installed), from_csms=from_csms)


def rejected(result, reason: str, code: str) -> bool:
    return (result.status, result.reason, result.reason_code) == ("Rejected", reason, code)


def test_k01fr03_tx_profile_without_transaction_id() -> None:
    assert rejected(
        check(profile("TxProfile"), station=BUSY), "TxProfileMissingTransactionId", "MissingParam"
    )


def test_k01fr16_tx_profile_on_station() -> None:
    result = check(profile("TxProfile", evse=0, transaction_id=TX), station=BUSY)
    assert rejected(result, "TxProfileEvseIdNotGreaterThanZero", "InvalidValue")


def test_k01fr33_tx_profile_transaction_not_on_evse() -> None:
    result = check(profile("TxProfile", transaction_id="another"), station=BUSY)
    assert rejected(result, "TxProfileTransactionNotOnEvse", "TxNotFound")


def test_k01fr09_tx_profile_evse_without_transaction() -> None:
    result = check(profile("TxProfile", evse=2, transaction_id=TX), station=BUSY)
    assert rejected(result, "TxProfileEvseHasNoActiveTransaction", "TxNotFound")


def test_tx_profile_valid_during_its_transaction() -> None:
    assert check(profile("TxProfile", transaction_id=TX), station=BUSY).accepted


def test_k01fr19_k01fr48_phase_to_use_needs_one_phase() -> None:
    p = profile()
    p = p.with_schedule(replace(p.schedule, periods=(SchedulePeriod(0, 16.0, 3, 1),)))
    assert check(p).reason == "ChargingSchedulePeriodInvalidPhaseToUse"


def test_k01fr20_phase_to_use_needs_ac_phase_switching() -> None:
    p = profile()
    p = p.with_schedule(replace(p.schedule, periods=(SchedulePeriod(0, 16.0, 1, 1),)))
    result = check(p, limits=ValidationLimits(ac_phase_switching_supported=False))
    assert rejected(result, "ChargingSchedulePeriodPhaseToUseACPhaseSwitchingUnsupported", "InvalidSchedule")
    assert check(p).accepted


def test_k01fr26_rate_unit_not_supported() -> None:
    result = check(profile(), limits=replace(LIMITS, allowed_units=frozenset({RateUnit.WATTS})))
    assert rejected(result, "ChargingScheduleChargingRateUnitUnsupported", "UnsupportedRateUnit")


def test_k01_missing_schedule_periods() -> None:
    assert check(profile(periods=())).reason == "ChargingProfileNoChargingSchedulePeriods"


def test_k01fr31_first_period_not_zero() -> None:
    assert check(profile(periods=((1, 16.0),))).reason == "ChargingProfileFirstStartScheduleIsNotZero"


def test_k01fr35_periods_not_chronological() -> None:
    result = check(profile(periods=((0, 16.0), (60, 10.0), (30, 8.0))))
    assert result.reason == "ChargingSchedulePeriodsOutOfOrder"


@pytest.mark.parametrize("value", [math.inf, math.nan])
def test_non_finite_values(value: float) -> None:
    assert check(profile(periods=((0, value),))).reason == "ChargingSchedulePeriodNonFiniteValue"
    p = profile()
    result = check(p.with_schedule(replace(p.schedule, min_charging_rate=value)))
    assert rejected(result, "ChargingScheduleNonFiniteValue", "InvalidSchedule")


def test_k04fr03_station_max_only_on_station() -> None:
    result = check(profile("ChargingStationMaxProfile", evse=1))
    assert rejected(result, "ChargingStationMaxProfileEvseIdGreaterThanZero", "InvalidValue")


@pytest.mark.parametrize(("kind", "extra"), [("Absolute", {}), ("Recurring", {"recurrency": "Daily"})])
def test_k01fr38_station_max_absolute_or_recurring_valid(kind: str, extra: dict) -> None:
    assert check(profile("ChargingStationMaxProfile", evse=0, kind=kind, **extra)).accepted


def test_k01fr38_station_max_relative_invalid() -> None:
    result = check(profile("ChargingStationMaxProfile", evse=0, kind="Relative"))
    assert rejected(result, "ChargingStationMaxProfileCannotBeRelative", "InvalidValue")


def test_k01fr39_tx_profiles_same_transaction_and_stack_level() -> None:
    existing = profile("TxProfile", profile_id=1, stack=42, transaction_id=TX)
    candidate = profile("TxProfile", profile_id=2, stack=42, transaction_id=TX)
    result = check(candidate, station=BUSY, installed=(existing,))
    assert rejected(result, "TxProfileConflictingStackLevel", "InvalidStackLevel")
    assert check(replace(candidate, stack_level=43), station=BUSY, installed=(existing,)).accepted
    assert check(replace(candidate, id=1), station=BUSY, installed=(existing,)).accepted  # replacement


def test_k01fr40_start_schedule_required_for_absolute_and_recurring() -> None:
    for kind, extra in (("Absolute", {}), ("Recurring", {"recurrency": "Daily"})):
        p = profile(kind=kind, **extra)
        p = p.with_schedule(replace(p.schedule, start_schedule=None))
        assert check(p).reason == "ChargingProfileMissingRequiredStartSchedule"


def test_k01fr41_relative_must_not_have_start_schedule() -> None:
    p = profile(kind="Relative")
    p = p.with_schedule(replace(p.schedule, start_schedule=ts("2024-01-17T17:00:00Z")))
    assert check(p).reason == "ChargingProfileExtraneousStartSchedule"


def test_k01fr28_evse_must_exist() -> None:
    assert rejected(check(profile(evse=3)), "EvseDoesNotExist", "InvalidValue")
    assert check(profile(evse=2)).accepted


@pytest.mark.parametrize(
    ("existing_evse", "new_evse", "new_id", "new_stack", "valid"),
    [
        (1, 0, 2, 1, False),  # K01.FR.52: stack level used per EVSE, new one station-wide
        (1, 0, 1, 1, True),  # same profile id: a replacement
        (1, 0, 2, 2, True),  # other stack level
        (0, 1, 2, 1, False),  # K01.FR.53: stack level used station-wide, new one per EVSE
        (0, 1, 1, 1, True),
        (0, 1, 2, 2, True),
        (1, 2, 2, 1, True),  # different EVSEs may share a stack level
    ],
)
def test_k01fr52_k01fr53_tx_default_stack_levels(existing_evse, new_evse, new_id, new_stack, valid) -> None:
    existing = profile(
        evse=existing_evse, profile_id=1, valid_from="2024-01-01T17:00:00Z", valid_to="2024-02-01T17:00:00Z"
    )
    candidate = profile(evse=new_evse, profile_id=new_id, stack=new_stack, valid_from="2024-03-01T00:00:00Z")
    result = check(candidate, installed=(existing,))
    assert result.accepted == valid
    if not valid:
        assert rejected(result, "DuplicateTxDefaultProfileFound", "DuplicateProfile")


def test_k01fr44_no_phase_values_for_dc() -> None:
    dc_evse = ValidationLimits(dc_evses=frozenset({1}), ac_phase_switching_supported=True)
    assert check(profile(periods=((0, 16.0, 1),)), limits=dc_evse).reason == (
        "ChargingSchedulePeriodExtraneousPhaseValues"
    )
    dc_station = ValidationLimits(supply_phases=0)
    assert check(profile(evse=0, periods=((0, 16.0, 3),)), limits=dc_station).reason == (
        "ChargingSchedulePeriodExtraneousPhaseValues"
    )
    result = check(profile(periods=((0, 16.0),)), limits=dc_evse)
    assert result.accepted and result.profile is not None
    assert result.profile.schedule.periods[0].number_phases is None  # DC: nothing conformed


def test_k01fr45_more_phases_than_supply() -> None:
    one_phase = replace(LIMITS, supply_phases=1)
    assert check(profile(periods=((0, 16.0, 3),)), limits=one_phase).reason == (
        "ChargingSchedulePeriodUnsupportedNumberPhases"
    )
    assert check(profile(evse=0, periods=((0, 16.0, 3),)), limits=one_phase).reason == (
        "ChargingSchedulePeriodUnsupportedNumberPhases"
    )


@pytest.mark.parametrize("evse", [0, 1])
def test_k01fr49_missing_number_phases_becomes_three(evse: int) -> None:
    result = check(profile(evse=evse, periods=((0, 16.0), (60, 10.0, 1))))
    assert result.accepted and result.profile is not None
    assert [p.number_phases for p in result.profile.schedule.periods] == [3, 1]


@pytest.mark.parametrize(
    ("existing", "incoming", "duplicate"),
    [
        ((None, None), ("2024-01-02T13:00:00Z", "2024-03-01T13:00:00Z"), True),  # existing lasts forever
        (("2024-01-01T13:00:00Z", None), (None, "2024-01-01T13:00:00Z"), True),  # touches at one instant
        (("2024-02-01T13:00:00Z", None), ("2024-01-31T13:00:00Z", None), True),
        (("2024-01-01T13:00:00Z", "2024-02-01T13:00:00Z"), (None, None), True),
        (("2024-01-01T13:00:00Z", "2024-02-01T13:00:00Z"), ("2024-02-01T13:00:01Z", None), False),
    ],
)
def test_k01fr06_overlapping_validity(existing, incoming, duplicate) -> None:
    old = profile(profile_id=1, valid_from=existing[0], valid_to=existing[1])
    new = profile(profile_id=2, valid_from=incoming[0], valid_to=incoming[1])
    result = check(new, installed=(old,))
    assert result.accepted != duplicate
    if duplicate:
        assert rejected(result, "DuplicateProfileValidityPeriod", "DuplicateProfile")
    other_purpose = replace(old, purpose=Purpose.STATION_MAX, evse_id=1)
    assert check(new, installed=(other_purpose,)).accepted


def test_k01fr05_id_of_external_constraints_cannot_be_reused() -> None:
    external = replace(profile(evse=0), purpose=Purpose.EXTERNAL_CONSTRAINTS)
    result = check(profile(profile_id=1), installed=(external,))
    assert rejected(result, "ExistingChargingStationExternalConstraints", "DuplicateProfile")


def test_k01fr22_external_constraints_not_from_csms() -> None:
    external = profile("ChargingStationExternalConstraints", evse=0)
    result = check(external)
    assert rejected(result, "ChargingStationExternalConstraintsInSetChargingProfileRequest", "InvalidValue")
    assert check(external, from_csms=False).accepted


def test_stack_level_and_period_limits_enforced() -> None:
    limits = replace(LIMITS, max_stack_level=2, max_periods=1)
    assert rejected(check(profile(stack=3), limits=limits), "StackLevelOutOfRange", "InvalidStackLevel")
    assert (
        check(profile(periods=((0, 1.0), (60, 2.0))), limits=limits).reason
        == "ChargingScheduleTooManyPeriods"
    )
    assert check(profile(stack=2), limits=limits).accepted


def test_negative_limit_and_recurring_without_kind() -> None:
    assert check(profile(periods=((0, -1.0),))).reason == "ChargingSchedulePeriodNegativeLimit"
    p = replace(profile(kind="Recurring", recurrency="Daily"), recurrency=None)
    assert p.kind == Kind.RECURRING
    assert check(p).reason == "ChargingProfileMissingRecurrencyKind"


def test_every_schedule_is_checked() -> None:
    p = profile()
    second = replace(p.schedule, periods=(SchedulePeriod(5, 1.0),), schedule_id=2)
    assert (
        check(replace(p, schedules=(p.schedule, second))).reason
        == "ChargingProfileFirstStartScheduleIsNotZero"
    )


def test_k05fr02_request_start_transaction_profile() -> None:
    context = ValidationContext(IDLE, LIMITS)
    assert validate_v201(profile("TxProfile"), context, remote_start=True).accepted
    result = validate_v201(profile(), context, remote_start=True)
    assert rejected(result, "RequestStartTransactionNonTxProfile", "InvalidValue")
    on_station = validate_v201(profile("TxProfile", evse=0), context, remote_start=True)
    assert on_station.reason == "TxProfileEvseIdNotGreaterThanZero"
