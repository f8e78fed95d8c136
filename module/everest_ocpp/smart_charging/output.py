"""Composite schedules in the shapes their consumers expect.

* EVerest ``types/ocpp.yaml`` ChargingSchedule(s) for the ``charging_schedules`` var;
* 1.6 / 2.0.1 GetCompositeSchedule.conf payloads, snake_case as the python ``ocpp`` package
  expects in call results (it camel-cases them on the wire).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .composite import CompositePeriod, CompositeSchedule
from .timeutil import format_datetime


def _period(period: CompositePeriod, with_stack_level: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"start_period": period.start_period, "limit": period.limit}
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


def _ocpp_schedule_body(schedule: CompositeSchedule) -> dict[str, Any]:
    return {
        "charging_rate_unit": schedule.unit.value,
        "charging_schedule_period": [_period(p, False) for p in schedule.periods],
        "duration": schedule.duration,
    }


def to_v16_get_composite_schedule_response(schedule: CompositeSchedule) -> dict[str, Any]:
    """Accepted 1.6 GetCompositeSchedule.conf (``connector_id`` = the schedule's EVSE)."""
    start = format_datetime(schedule.start)
    body = _ocpp_schedule_body(schedule)
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
