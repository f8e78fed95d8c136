"""OCPP 1.6 SetChargingProfile validation; the PB/NB matrix of libocpp's
tests/lib/ocpp/v16/test_smart_charging_handler.cpp plus our additional rules."""

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
    validate_v16,
)

from .builders import cp16, load16, ts

NOW = ts("2024-02-01T10:00:00Z")
LIMITS = ValidationLimits(
    max_stack_level=1,
    max_profiles=1,
    max_periods=1,
    allowed_units=frozenset({RateUnit.AMPS}),
    allow_without_start_schedule=True,
)
BUSY = StationState(1, {1: ActiveTransaction("7", ts("2024-02-01T09:00:00Z"))})


def profile(
    purpose: str = "TxDefaultProfile", kind: str = "Absolute", connector: int = 1, **extra
) -> ChargingProfile:
    payload = cp16(
        1,
        1,
        purpose,
        kind,
        "A",
        [(0, 16.0)],
        valid_from="2024-01-01T00:00:00Z",
        valid_to="2024-03-19T00:00:00Z",
        **extra,
    )
    return load16(payload, connector)


def check(
    p: ChargingProfile,
    limits: ValidationLimits = LIMITS,
    station: StationState = BUSY,
    installed: tuple[ChargingProfile, ...] = (),
):
    return validate_v16(p, ValidationContext(station, limits, installed, NOW))


def with_periods(p: ChargingProfile, *periods: SchedulePeriod) -> ChargingProfile:
    return p.with_schedule(replace(p.schedule, periods=periods))


def test_pb01_valid_profile_without_start_schedule_gets_now() -> None:
    result = check(profile())
    assert result.accepted and result.reason == ""
    assert result.profile is not None and result.profile.schedule.start_schedule == NOW


def test_pb01_example1_two_kw_time_of_day() -> None:
    p = load16(
        cp16(
            1,
            1,
            "TxDefaultProfile",
            "Absolute",
            "W",
            [(0, 2000, 1)],
            duration=1080,
            start="2024-01-17T17:00:00Z",
            recurrency="Daily",
        ),
        1,
    )
    result = check(p, replace(LIMITS, allowed_units=frozenset({RateUnit.WATTS})))
    assert result.accepted and result.profile == p  # nothing to conform


@pytest.mark.parametrize("connector", [2, 2**31 - 1, -1])
def test_nb01_nb02_connector_out_of_range(connector: int) -> None:
    assert check(profile(connector=connector)).reason == "ConnectorIdOutOfRange"


@pytest.mark.parametrize("stack_level", [-1, 2])
def test_nb03_nb04_stack_level_out_of_range(stack_level: int) -> None:
    result = check(replace(profile(), stack_level=stack_level))
    assert not result.accepted and result.reason == "StackLevelOutOfRange"


def test_nb05_absolute_without_start_schedule_not_allowed() -> None:
    result = check(profile(), replace(LIMITS, allow_without_start_schedule=False))
    assert result.status == "Rejected" and result.reason == "MissingStartSchedule"


def test_nb06_max_profiles_installed() -> None:
    assert check(profile(), replace(LIMITS, max_profiles=0)).reason == "MaxChargingProfilesInstalled"
    other = replace(profile(), id=9, stack_level=0)
    assert check(profile(), installed=(other,)).reason == "MaxChargingProfilesInstalled"


def test_replacing_profile_does_not_count_against_max() -> None:
    installed_same_id = replace(profile(), stack_level=0)
    installed_same_slot = replace(profile(), id=9)
    assert check(profile(), installed=(installed_same_id,)).accepted
    assert check(profile(), installed=(installed_same_slot,)).accepted


def test_nb07_rate_unit_not_allowed() -> None:
    result = check(profile(), replace(LIMITS, allowed_units=frozenset({RateUnit.WATTS})))
    assert result.reason == "RateUnitNotAllowed"


def test_empty_period_list_rejected() -> None:
    assert check(with_periods(profile())).reason == "NoSchedulePeriods"


def test_too_many_periods() -> None:
    p = with_periods(profile(), SchedulePeriod(0, 10.0), SchedulePeriod(60, 8.0))
    assert check(p).reason == "TooManyPeriods"
    assert check(p, replace(LIMITS, max_periods=2)).accepted


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan])
def test_non_finite_limit_or_min_rate(value: float) -> None:
    assert check(with_periods(profile(), SchedulePeriod(0, value))).reason == "NonFiniteValue"
    p = profile()
    assert check(p.with_schedule(replace(p.schedule, min_charging_rate=value))).reason == "NonFiniteValue"


@pytest.mark.parametrize("phases", [0, 4, -1])
def test_number_phases_out_of_range(phases: int) -> None:
    assert check(with_periods(profile(), SchedulePeriod(0, 10.0, phases))).reason == "InvalidNumberPhases"


def test_negative_limit() -> None:
    assert check(with_periods(profile(), SchedulePeriod(0, -1.0))).reason == "NegativeLimit"


def test_period_order() -> None:
    limits = replace(LIMITS, max_periods=3)
    assert check(with_periods(profile(), SchedulePeriod(5, 1.0)), limits).reason == "FirstStartPeriodNotZero"
    p = with_periods(profile(), SchedulePeriod(0, 1.0), SchedulePeriod(60, 2.0), SchedulePeriod(60, 3.0))
    assert check(p, limits).reason == "PeriodsOutOfOrder"


def test_nb08_recurring_without_recurrency_kind() -> None:
    result = check(profile(kind="Recurring", start="2024-01-01T00:00:00Z"))
    assert result.reason == "MissingRecurrencyKind"


def test_nb09_nb10_recurring_without_start_schedule() -> None:
    p = profile(kind="Recurring", recurrency="Daily")
    assert check(p, replace(LIMITS, allow_without_start_schedule=False)).reason == "MissingStartSchedule"


def test_pb03_recurring_without_start_schedule_allowed() -> None:
    result = check(profile(kind="Recurring", recurrency="Daily"))
    assert result.accepted and result.profile is not None and result.profile.schedule.start_schedule == NOW


@pytest.mark.parametrize(("recurrency", "longest"), [("Daily", 86_400), ("Weekly", 604_800)])
def test_recurring_duration_clipped(recurrency: str, longest: int) -> None:
    p = profile(kind="Recurring", recurrency=recurrency, start="2024-01-01T00:00:00Z", duration=longest + 1)
    result = check(p)
    assert result.accepted and result.profile is not None and result.profile.schedule.duration == longest
    unchanged = profile(
        kind="Recurring", recurrency=recurrency, start="2024-01-01T00:00:00Z", duration=longest
    )
    assert check(unchanged).profile == unchanged


def test_pb04_station_max_on_connector_zero() -> None:
    assert check(profile("ChargePointMaxProfile", connector=0, start="2024-01-01T00:00:00Z")).accepted


def test_nb11_station_max_on_connector_or_relative() -> None:
    assert check(profile("ChargePointMaxProfile", connector=1)).reason == "InvalidChargePointMaxProfile"
    relative = profile("ChargePointMaxProfile", "Relative", connector=0)
    assert check(relative).reason == "InvalidChargePointMaxProfile"


def test_pb05_tx_default_on_connector_zero_and_one() -> None:
    assert check(profile(connector=0)).accepted
    assert check(profile(connector=1)).accepted


def test_nb12_tx_profile_on_connector_zero() -> None:
    assert check(profile("TxProfile", connector=0)).reason == "TxProfileOnConnectorZero"


def test_pb07_tx_profile_with_matching_transaction_id() -> None:
    assert check(profile("TxProfile", transaction_id=7)).accepted


def test_tx_profile_without_transaction_id_during_transaction() -> None:
    assert check(profile("TxProfile")).accepted


def test_nb15_tx_profile_without_transaction() -> None:
    assert check(profile("TxProfile"), station=StationState(1)).reason == "NoActiveTransaction"
    assert (
        check(profile("TxProfile", transaction_id=7), station=StationState(1)).reason == "NoActiveTransaction"
    )


def test_nb16_tx_profile_transaction_id_mismatch() -> None:
    assert check(profile("TxProfile", transaction_id=8)).reason == "TransactionIdMismatch"
    unknown_id = StationState(1, {1: ActiveTransaction(None, NOW)})  # StartTransaction.conf not yet received
    assert check(profile("TxProfile", transaction_id=7), station=unknown_id).reason == "TransactionIdMismatch"


def test_purpose_not_in_supported_purposes() -> None:
    limits = replace(LIMITS, supported_purposes=frozenset({Purpose.TX_DEFAULT, Purpose.STATION_MAX}))
    assert check(profile("TxProfile"), limits).reason == "PurposeNotSupported"
    assert check(profile(), limits).accepted


def test_external_constraints_do_not_exist_in_v16() -> None:
    p = replace(profile(), purpose=Purpose.EXTERNAL_CONSTRAINTS, kind=Kind.ABSOLUTE)
    assert check(p).reason == "PurposeNotSupported"


def test_remote_start_profile_may_precede_its_transaction() -> None:
    idle = StationState(1)
    context = ValidationContext(idle, LIMITS, (), NOW)
    assert validate_v16(profile("TxProfile"), context, remote_start=True).accepted
    assert validate_v16(profile("TxProfile", transaction_id=7), context, remote_start=True).reason == (
        "NoActiveTransaction"
    )
    assert validate_v16(profile(), context, remote_start=True).reason == "RemoteStartNeedsTxProfile"
