"""Test data for the smart charging tests: profile builders in OCPP JSON (camelCase) form.

The profiles re-express, in our own words, the scenarios libocpp's composite-schedule tests use
(same numbers, so the expected results can be compared); they go through the same conversion
path as real CSMS payloads (camelCase -> ocpp package snake_case -> model).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from ocpp.charge_point import camel_to_snake_case

from everest_ocpp.smart_charging import (
    ChargingProfile,
    CompositeSchedule,
    profile_from_v16,
    profile_from_v201,
)
from everest_ocpp.smart_charging.timeutil import parse_datetime

Period = tuple[int, float] | tuple[int, float, int]

TX_ID = "f1522902-1170-416f-8e43-9e3bce28fde7"
Builder = Callable[..., dict[str, Any]]


def ts(text: str) -> datetime:
    """A UTC datetime from 'YYYY-MM-DDTHH:MM[:SS]' (no offset = UTC)."""
    return parse_datetime(text)


def _periods(periods: Sequence[Period]) -> list[dict[str, Any]]:
    out = []
    for p in periods:
        item: dict[str, Any] = {"startPeriod": p[0], "limit": p[1]}
        if len(p) == 3:
            item["numberPhases"] = p[2]
        out.append(item)
    return out


def _schedule(
    unit: str, periods: Sequence[Period], duration: int | None, start: str | None, min_rate: float | None
) -> dict[str, Any]:
    schedule: dict[str, Any] = {"chargingRateUnit": unit, "chargingSchedulePeriod": _periods(periods)}
    if duration is not None:
        schedule["duration"] = duration
    if start is not None:
        schedule["startSchedule"] = start
    if min_rate is not None:
        schedule["minChargingRate"] = min_rate
    return schedule


def _common(
    stack: int,
    purpose: str,
    kind: str,
    recurrency: str | None,
    valid_from: str | None,
    valid_to: str | None,
    transaction_id: object | None,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "stackLevel": stack,
        "chargingProfilePurpose": purpose,
        "chargingProfileKind": kind,
    }
    for key, value in (
        ("recurrencyKind", recurrency),
        ("validFrom", valid_from),
        ("validTo", valid_to),
        ("transactionId", transaction_id),
    ):
        if value is not None:
            out[key] = value
    return out


def cp16(
    profile_id: int,
    stack: int,
    purpose: str,
    kind: str,
    unit: str,
    periods: Sequence[Period],
    *,
    duration: int | None = None,
    start: str | None = None,
    recurrency: str | None = None,
    valid_from: str | None = None,
    valid_to: str | None = None,
    transaction_id: int | None = None,
    min_rate: float | None = None,
) -> dict[str, Any]:
    """A 1.6 csChargingProfiles object."""
    out = {"chargingProfileId": profile_id}
    out.update(_common(stack, purpose, kind, recurrency, valid_from, valid_to, transaction_id))
    out["chargingSchedule"] = _schedule(unit, periods, duration, start, min_rate)
    return out


def cp201(
    profile_id: int,
    stack: int,
    purpose: str,
    kind: str,
    unit: str,
    periods: Sequence[Period],
    *,
    duration: int | None = None,
    start: str | None = None,
    recurrency: str | None = None,
    valid_from: str | None = None,
    valid_to: str | None = None,
    transaction_id: str | None = None,
    min_rate: float | None = None,
) -> dict[str, Any]:
    """A 2.0.1 ChargingProfileType object (one schedule)."""
    out: dict[str, Any] = {"id": profile_id}
    out.update(_common(stack, purpose, kind, recurrency, valid_from, valid_to, transaction_id))
    schedule = _schedule(unit, periods, duration, start, min_rate)
    schedule["id"] = 1
    out["chargingSchedule"] = [schedule]
    return out


def load16(payload: dict[str, Any], connector_id: int) -> ChargingProfile:
    return profile_from_v16(camel_to_snake_case(payload), connector_id)


def load201(payload: dict[str, Any], evse_id: int) -> ChargingProfile:
    return profile_from_v201(camel_to_snake_case(payload), evse_id)


def periods_of(schedule: CompositeSchedule) -> list[tuple[int, float]]:
    return [(p.start_period, p.limit) for p in schedule.periods]


def periods_with_phases(schedule: CompositeSchedule) -> list[tuple[int, float, int | None]]:
    return [(p.start_period, p.limit, p.number_phases) for p in schedule.periods]


def limit_at(schedule: CompositeSchedule, offset: int) -> float:
    """The composite limit in force ``offset`` seconds after the schedule start."""
    current = schedule.periods[0].limit
    for p in schedule.periods:
        if p.start_period <= offset:
            current = p.limit
    return current


def shift(text: str, seconds: int) -> str:
    return (ts(text) + timedelta(seconds=seconds)).isoformat()


# --- Profiles of the scenarios (1.6 names; cp201 variants are built from the same numbers) ----


def absolute_32_31_30(*, fn: Builder = cp16, **extra: Any) -> dict[str, Any]:
    """TxDefault stack 5, Absolute from 2024-01-01 12:02 for 1 h: 32 A, 31 A after 30 min,
    30 A after 45 min; valid 12:00-14:00."""
    return fn(
        301,
        5,
        "TxDefaultProfile",
        "Absolute",
        "A",
        [(0, 32.0), (1800, 31.0), (2700, 30.0)],
        duration=3600,
        start="2024-01-01T12:02:00Z",
        valid_from="2024-01-01T12:00:00Z",
        valid_to="2024-01-01T14:00:00Z",
        **extra,
    )


def station_max_daily_24_to_32(
    *, fn: Builder = cp16, purpose: str = "ChargePointMaxProfile"
) -> dict[str, Any]:
    """Station max, daily from 08:00: 24 A, 28 A, 30 A, 32 A in 15-minute steps, one phase."""
    return fn(
        24,
        0,
        purpose,
        "Recurring",
        "A",
        [(0, 24.0, 1), (900, 28.0, 1), (1800, 30.0, 1), (2700, 32.0, 1)],
        duration=86400,
        start="2024-01-17T08:00:00.000Z",
        recurrency="Daily",
        min_rate=0.0,
    )


def station_max_daily_16a_10a(
    *, fn: Builder = cp16, purpose: str = "ChargePointMaxProfile"
) -> dict[str, Any]:
    """Station max, daily from midnight: 16 A 1-phase, 16 A 3-phase, 10 A 1-phase, 10 A 3-phase
    for an hour each, then 10 A 3-phase for the rest of the day."""
    return fn(
        24,
        0,
        purpose,
        "Recurring",
        "A",
        [(0, 16.0, 1), (3600, 16.0, 3), (7200, 10.0, 1), (10800, 10.0, 3)],
        duration=86400,
        start="2024-01-17T00:00:00.000Z",
        recurrency="Daily",
        min_rate=0.0,
    )


def daily_16_15_14(
    *, fn: Builder = cp16, phases: tuple[int, int, int] | None = None, profile_id: int = 301
) -> dict[str, Any]:
    """TxDefault stack 5, daily at 08:00 for 1 h: 16 A, 15 A, 14 A; valid 2024-01-01 12:00 to
    2024-02-01 12:00."""
    limits = [(0, 16.0), (1800, 15.0), (2700, 14.0)]
    periods = [(s, lim, ph) for (s, lim), ph in zip(limits, phases, strict=True)] if phases else limits
    return fn(
        profile_id,
        5,
        "TxDefaultProfile",
        "Recurring",
        "A",
        periods,
        duration=3600,
        start="2024-01-01T08:00:00Z",
        recurrency="Daily",
        valid_from="2024-01-01T12:00:00Z",
        valid_to="2024-02-01T12:00:00Z",
    )


def relative_16_15_14(
    *, fn: Builder = cp16, phases: tuple[int, int, int] | None = None, profile_id: int = 301
) -> dict[str, Any]:
    """TxDefault stack 5, Relative for 1 h: 16 A, 15 A after 30 min, 14 A after 45 min."""
    limits = [(0, 16.0), (1800, 15.0), (2700, 14.0)]
    periods = [(s, lim, ph) for (s, lim), ph in zip(limits, phases, strict=True)] if phases else limits
    return fn(
        profile_id,
        5,
        "TxDefaultProfile",
        "Relative",
        "A",
        periods,
        duration=3600,
        valid_from="2024-01-01T12:00:00Z",
        valid_to="2025-01-01T14:00:00Z",
    )


def relative_watts_ramp(*, fn: Builder = cp16) -> dict[str, Any]:
    """TxDefault stack 0, Relative in W: 12420, 8280, 6210, 4140, 2070 in 5-minute steps."""
    return fn(
        25,
        0,
        "TxDefaultProfile",
        "Relative",
        "W",
        [(0, 12420.0), (300, 8280.0), (600, 6210.0), (900, 4140.0), (1200, 2070.0)],
        duration=3600,
        min_rate=0.0,
    )


def relative_watts_steps(*, fn: Builder = cp16) -> dict[str, Any]:
    """TxDefault stack 1, Relative in W without duration: 1000, 7000, 0, 6000, 1500, 5000 every 70 s."""
    return fn(
        66,
        1,
        "TxDefaultProfile",
        "Relative",
        "W",
        [(0, 1000), (70, 7000), (140, 0), (210, 6000), (280, 1500), (350, 5000)],
        min_rate=500,
    )


def hourly_grid(
    *,
    fn: Builder = cp16,
    purpose: str = "TxProfile",
    scale: float = 1.0,
    start: str = "2023-01-17T00:00:00.000Z",
    **extra: Any,
) -> dict[str, Any]:
    """Stack 0, daily from midnight, one period per hour with limit (hour + 1) x scale W, 1 phase."""
    periods = [(h * 3600, (h + 1) * scale, 1) for h in range(24)]
    return fn(
        24,
        0,
        purpose,
        "Recurring",
        "W",
        periods,
        duration=86400,
        start=start,
        recurrency="Daily",
        min_rate=0.0,
        **extra,
    )


def two_kw_for_18_min(
    profile_id: int, stack: int, purpose: str, kind: str, start: str, *, fn: Builder = cp16, **extra: Any
) -> dict[str, Any]:
    """2000 W on one phase for 1080 s from ``start``."""
    return fn(
        profile_id,
        stack,
        purpose,
        kind,
        "W",
        [(0, 2000.0, 1)],
        duration=1080,
        start=start,
        min_rate=0.0,
        **extra,
    )


def day_night_watts(
    *, fn: Builder = cp16, phases: int = 3, purpose: str = "TxDefaultProfile", **extra: Any
) -> dict[str, Any]:
    """Stack 0, daily from 17:00 (since 2023-01-17): 11 kW, 6 kW from 01:00, 12 kW from 13:00."""
    return fn(
        100,
        0,
        purpose,
        "Recurring",
        "W",
        [(0, 11000.0, phases), (28800, 6000.0, phases), (72000, 12000.0, phases)],
        duration=86400,
        start="2023-01-17T17:00:00.000Z",
        recurrency="Daily",
        min_rate=0.0,
        **extra,
    )


def five_minutes(
    *, fn: Builder = cp16, profile_id: int = 401, limit: float = 16.0, start: str = "2024-01-01T08:00:00Z"
) -> dict[str, Any]:
    """TxDefault stack 5, daily for 5 minutes at a fixed limit."""
    return fn(
        profile_id,
        5,
        "TxDefaultProfile",
        "Recurring",
        "A",
        [(0, limit)],
        duration=300,
        start=start,
        recurrency="Daily",
    )
