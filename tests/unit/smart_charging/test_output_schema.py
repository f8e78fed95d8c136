"""GetCompositeSchedule answers satisfy their version's schema for any computed limit."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st
from ocpp.charge_point import remove_nones, snake_to_camel_case
from ocpp.messages import CallResult, _validate_payload

from everest_ocpp.smart_charging.composite import CompositePeriod, CompositeSchedule
from everest_ocpp.smart_charging.output import (
    one_decimal_down,
    to_v16_get_composite_schedule_response,
    to_v201_get_composite_schedule_response,
)
from everest_ocpp.smart_charging.profile import RateUnit

limits = st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False)


def _schedule(values: list[float], unit: RateUnit) -> CompositeSchedule:
    periods = tuple(CompositePeriod(i * 60, v, 3 if i % 2 else None, 0) for i, v in enumerate(values))
    return CompositeSchedule(1, datetime(2026, 1, 1, tzinfo=UTC), 600, unit, periods)


def _validate(payload: dict, version: str) -> None:
    message = CallResult("1", snake_to_camel_case(remove_nones(payload)), "GetCompositeSchedule")
    _validate_payload(message, version)


@given(st.lists(limits, min_size=1, max_size=5), st.sampled_from(list(RateUnit)))
def test_v16_answers_pass_the_16_schema(values: list[float], unit: RateUnit) -> None:
    payload = to_v16_get_composite_schedule_response(_schedule(values, unit))
    _validate(payload, "1.6")
    for got, computed in zip(payload["charging_schedule"]["charging_schedule_period"], values, strict=True):
        assert computed - 0.1 < got["limit"] <= computed + 1e-6


@given(st.lists(limits, min_size=1, max_size=5), st.sampled_from(list(RateUnit)))
def test_v201_answers_pass_the_201_schema(values: list[float], unit: RateUnit) -> None:
    payload = to_v201_get_composite_schedule_response(_schedule(values, unit))
    _validate(payload, "2.0.1")
    assert [p["limit"] for p in payload["schedule"]["charging_schedule_period"]] == values


def test_one_decimal_down() -> None:
    values = (8.695652, 16.0, 16.099999999, 0.05, 32.04)
    assert [one_decimal_down(v) for v in values] == [8.6, 16.0, 16.1, 0.0, 32.0]
