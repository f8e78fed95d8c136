"""Composite schedules in the shapes their consumers expect.

* EVerest ``types/ocpp.yaml`` ChargingSchedule(s) for the ``charging_schedules`` var;
* 1.6 / 2.0.1 GetCompositeSchedule.conf payloads, snake_case as the python ``ocpp`` package
  expects in call results (it camel-cases them on the wire).

Numbers satisfy each version's schema: 1.6 limits are ``multipleOf 0.1``, so they go out with one
decimal, rounded down (a composite limit is a maximum the station must not exceed); 2.0.1 has no
such constraint and keeps the computed value. Integer fields are Python ints.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

from .composite import CompositePeriod, CompositeSchedule
from .timeutil import format_datetime


def one_decimal_down(value: float) -> float:
    """``value`` rounded down to a multiple of 0.1; a value within 1e-6 of a tenth counts as that
    tenth, so float noise of unit conversions (e.g. 16.099999999) does not lose 0.1."""
    return math.floor(value * 10 + 1e-6) / 10


def _exact(value: float) -> float:
    return value


def _period(
    period: CompositePeriod, with_stack_level: bool, limit: Callable[[float], float] = _exact
) -> dict[str, Any]:
    out: dict[str, Any] = {"start_period": int(period.start_period), "limit": limit(period.limit)}
    if period.number_phases is not None:
        out["number_phases"] = period.number_phases
    if with_stack_level and period.stack_level is not None:
        out["stack_level"] = period.stack_level
    return out


def to_everest_charging_schedule(schedule: CompositeSchedule) -> dict[str, Any]:
    """EVerest ``ChargingSchedule``: evse, charging_rate_unit, periods, duration, start_schedule.

    Periods carry ``stack_level`` when the schedule has them (1.6); no min_charging_rate, as
    upstream does not publish one for composites.
    """
    return {
        "evse": schedule.evse_id,
        "charging_rate_unit": schedule.unit.value,
        "charging_schedule_period": [_period(p, True) for p in schedule.periods],
        "duration": schedule.duration,
        "start_schedule": format_datetime(schedule.start),
    }


def to_everest_charging_schedules(schedules: Iterable[CompositeSchedule]) -> dict[str, Any]:
    """The ``charging_schedules`` var value: ``{"schedules": [...]}``."""
    return {"schedules": [to_everest_charging_schedule(s) for s in schedules]}


def _ocpp_schedule_body(
    schedule: CompositeSchedule, limit: Callable[[float], float] = _exact
) -> dict[str, Any]:
    return {
        "charging_rate_unit": schedule.unit.value,
        "charging_schedule_period": [_period(p, False, limit) for p in schedule.periods],
        "duration": int(schedule.duration),
    }


def to_v16_get_composite_schedule_response(schedule: CompositeSchedule) -> dict[str, Any]:
    """Accepted 1.6 GetCompositeSchedule.conf (``connector_id`` = the schedule's EVSE)."""
    start = format_datetime(schedule.start)
    body = _ocpp_schedule_body(schedule, one_decimal_down)
    body["start_schedule"] = start
    return {
        "status": "Accepted",
        "connector_id": schedule.evse_id,
        "schedule_start": start,
        "charging_schedule": body,
    }


def to_v201_get_composite_schedule_response(schedule: CompositeSchedule) -> dict[str, Any]:
    """Accepted 2.0.1 GetCompositeScheduleResponse with its CompositeScheduleType."""
    body = _ocpp_schedule_body(schedule)
    body["evse_id"] = schedule.evse_id
    body["schedule_start"] = format_datetime(schedule.start)
    return {"status": "Accepted", "schedule": body}
