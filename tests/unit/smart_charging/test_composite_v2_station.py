"""Ports of libocpp's OCPP 2.0.1 composite schedule tests (tests/lib/ocpp/v2/test_composite_schedule.cpp),
part 2: the station (EVSE 0) and several EVSEs, current/power mixing, phases, zero durations.
"""

from __future__ import annotations

import pytest

from .builders import (
    absolute_32_31_30,
    cp201,
    daily_16_15_14,
    five_minutes,
    load201,
    relative_16_15_14,
    relative_watts_ramp,
    relative_watts_steps,
    station_max_daily_16a_10a,
    station_max_daily_24_to_32,
    ts,
)
from .harness import assert_periods, registry
from .harness import run_v201 as _run

CASES, case = registry("v2_test_composite_schedule")

STATION_MAX = "ChargingStationMaxProfile"


@case("SingleStationMaxForEvse0")
def single_station_max_for_evse0() -> None:
    profiles = [load201(station_max_daily_24_to_32(fn=cp201, purpose=STATION_MAX), 0)]
    result = _run(profiles, 0, "2024-08-21T08:00:00", "2024-08-21T09:00:00", "A")
    assert_periods(result, [(0, 24.0, 1), (900, 28.0, 1), (1800, 30.0, 1), (2700, 32.0, 1)])


@case("SingleTxDefaultProfileForEvse0WithSingleEvse")
def tx_default_evse0_single() -> None:
    result = _run(
        [load201(relative_16_15_14(fn=cp201), 0)],
        0,
        "2024-01-02T08:00:00",
        "2024-01-02T09:00:00",
        "A",
        simulate=True,
    )
    assert_periods(result, [(0, 16.0, 3), (1800, 15.0, 3), (2700, 14.0, 3)])


@case("SingleTxDefaultProfileForEvse0WithMultipleEvses_Current")
def tx_default_evse0_multiple_current() -> None:
    result = _run(
        [load201(relative_16_15_14(fn=cp201), 0)],
        0,
        "2024-01-02T08:00:00",
        "2024-01-02T09:00:00",
        "A",
        evses=2,
        simulate=True,
    )
    assert_periods(result, [(0, 32.0, 3), (1800, 30.0, 3), (2700, 28.0, 3)])


@case("SingleTxDefaultProfileForEvse0WithMultipleEvses_Power")
def tx_default_evse0_multiple_power() -> None:
    result = _run(
        [load201(relative_watts_ramp(fn=cp201), 0)],
        0,
        "2024-01-02T08:00:00",
        "2024-01-02T09:00:00",
        "A",
        evses=2,
        simulate=True,
    )
    assert_periods(result, [(0, 36.0, 3), (300, 24.0, 3), (600, 18.0, 3), (900, 12.0, 3), (1200, 6.0, 3)])


@case("SingleTxDefaultProfileWithStationMaxForEvse0WithSingleEvse")
def tx_default_with_station_max_single() -> None:
    profiles = [
        load201(station_max_daily_24_to_32(fn=cp201, purpose=STATION_MAX), 0),
        load201(relative_16_15_14(fn=cp201), 1),
    ]
    result = _run(profiles, 0, "2024-01-02T08:01:00", "2024-01-02T09:01:00", "A", simulate=True)
    assert_periods(result, [(0, 16.0, 1), (1800, 15.0, 1), (2700, 14.0, 1)])


@case("SingleTxDefaultProfileWithStationMaxForEvse0WithMultipleEvses")
def tx_default_with_station_max_multiple() -> None:
    profiles = [
        load201(station_max_daily_24_to_32(fn=cp201, purpose=STATION_MAX), 0),
        load201(relative_16_15_14(fn=cp201), 1),
        load201(relative_16_15_14(fn=cp201), 2),
    ]
    result = _run(profiles, 0, "2024-01-02T08:01:00", "2024-01-02T09:01:00", "A", evses=2, simulate=True)
    assert_periods(result, [(0, 24.0, 1), (840, 28.0, 1), (1740, 30.0, 1), (2700, 28.0, 1)])


@case("TxProfilePerEvseWithMultipleEvses")
def tx_default_per_evse_multiple() -> None:
    profiles = [load201(daily_16_15_14(fn=cp201), 1), load201(relative_16_15_14(fn=cp201), 2)]
    result = _run(profiles, 0, "2024-01-02T08:01:00", "2024-01-02T09:01:00", "A", evses=2, simulate=True)
    assert_periods(
        result,
        [
            (0, 32.0, 3),
            (1740, 31.0, 3),
            (1800, 30.0, 3),
            (2640, 29.0, 3),
            (2700, 28.0, 3),
            (3540, 14.0 + 57.0, 3),
        ],
    )


def _mixing(start: str, end: str, unit: str):
    profiles = [
        load201(station_max_daily_16a_10a(fn=cp201, purpose=STATION_MAX), 0),
        load201(relative_watts_ramp(fn=cp201), 1),
    ]
    return _run(profiles, 1, start, end, unit, simulate=True)


@case("MixingCurrentAndPower_16A_1P")
def mixing_16a_1p() -> None:
    assert_periods(_mixing("2024-01-02T00:00:00", "2024-01-02T01:00:00", "A"), [(0, 16.0, 1), (1200, 9.0, 1)])


@case("MixingCurrentAndPower_16A_3P")
def mixing_16a_3p() -> None:
    assert_periods(
        _mixing("2024-01-02T01:00:00", "2024-01-02T02:00:00", "A"),
        [(0, 16.0, 3), (300, 12.0, 3), (600, 9.0, 3), (900, 6.0, 3), (1200, 3.0, 3)],
    )


@case("MixingCurrentAndPower_10A_1P")
def mixing_10a_1p() -> None:
    assert_periods(_mixing("2024-01-02T02:00:00", "2024-01-02T03:00:00", "A"), [(0, 10.0, 1), (1200, 9.0, 1)])


@case("MixingCurrentAndPower_10A_3P")
def mixing_10a_3p() -> None:
    assert_periods(
        _mixing("2024-01-02T03:00:00", "2024-01-02T04:00:00", "A"),
        [(0, 10.0, 3), (600, 9.0, 3), (900, 6.0, 3), (1200, 3.0, 3)],
    )


@case("MixingCurrentAndPower_10A_1P_RequestPower")
def mixing_10a_1p_power() -> None:
    assert_periods(
        _mixing("2024-01-02T02:00:00", "2024-01-02T03:00:00", "W"), [(0, 2300.0, 1), (1200, 2070.0, 1)]
    )


@case("MixingCurrentAndPower_10A_3P_RequestPower")
def mixing_10a_3p_power() -> None:
    assert_periods(
        _mixing("2024-01-02T03:00:00", "2024-01-02T04:00:00", "W"),
        [(0, 6900.0, 3), (600, 6210.0, 3), (900, 4140.0, 3), (1200, 2070.0, 3)],
    )


@case("TxProfilePerEvseWithMultipleEvses_DifferentNrOfPhases")
def different_phases_per_evse() -> None:
    profiles = [
        load201(daily_16_15_14(fn=cp201, phases=(1, 1, 3), profile_id=302), 1),
        load201(relative_16_15_14(fn=cp201, phases=(3, 1, 3), profile_id=302), 2),
    ]
    result = _run(profiles, 0, "2024-01-02T08:00:00", "2024-01-02T09:00:00", "A", evses=2, simulate=True)
    assert_periods(result, [(0, 32.0, 3), (1800, 30.0, 1), (2700, 28.0, 3)])


@case("MixingNumberOfPhasesOnSingleEvse")
def mixing_phases_single_evse() -> None:
    profiles = [
        load201(station_max_daily_16a_10a(fn=cp201, purpose=STATION_MAX), 0),
        load201(relative_16_15_14(fn=cp201, phases=(3, 1, 3), profile_id=302), 1),
    ]
    result = _run(profiles, 1, "2024-01-02T00:40:00", "2024-01-02T01:40:00", "A", simulate=True)
    assert_periods(result, [(0, 16.0, 1), (1200, 16.0, 3), (1800, 15.0, 1), (2700, 14.0, 3)])


@case("NoGapsWithSequentialProfiles")
def no_gaps_sequential() -> None:
    profiles = [
        load201(five_minutes(fn=cp201), 0),
        load201(five_minutes(fn=cp201, profile_id=402, limit=12.0, start="2024-01-01T08:05:00Z"), 0),
    ]
    result = _run(profiles, 1, "2024-01-02T08:00:00", "2024-01-02T08:20:00", "A", simulate=True)
    assert result.evse_id == 1 and result.duration == 1200
    assert_periods(result, [(0, 16.0), (300, 12.0), (600, 57.0)])


@case("TxDefaultConnector0")
def tx_default_connector0() -> None:
    profiles = [load201(relative_watts_steps(fn=cp201), 0)]
    start, end = "2024-01-02T08:00:00", "2024-01-02T08:20:00"
    steps = [(0, 1000.0), (70, 7000.0), (140, 0.0), (210, 6000.0), (280, 1500.0), (350, 5000.0)]
    assert_periods(
        _run(profiles, 0, start, end, "W", evses=2, simulate=True), [(s, 2 * lim) for s, lim in steps]
    )
    for evse in (1, 2):
        result = _run(profiles, evse, start, end, "W", evses=2, simulate=True)
        assert result.evse_id == evse
        assert_periods(result, steps)
    tx_start, request = ts("2024-01-02T08:00:00"), "2024-01-02T08:03:00"
    evse1 = _run(
        profiles, 1, request, end, "W", evses=2, tx_start=tx_start, tx_id="TX_ID_12345", simulate=True
    )
    assert evse1.duration == 1020
    assert_periods(evse1, [(0, 0.0), (30, 6000.0), (100, 1500.0), (170, 5000.0)])
    assert_periods(
        _run(profiles, 0, request, end, "W", evses=2, tx_start=tx_start, tx_id="TX_ID_12345", simulate=True),
        [
            (0, 1000.0),
            (30, 7000.0),
            (70, 13000.0),
            (100, 8500.0),
            (140, 1500.0),
            (170, 5000.0),
            (210, 11000.0),
            (280, 6500.0),
            (350, 10000.0),
        ],
    )


@case("ZeroDuration")
def zero_duration() -> None:
    profiles = [load201(absolute_32_31_30(fn=cp201), 0)]
    start, end = "2024-01-01T12:02:00Z", "2024-01-01T12:02:01Z"
    for first, last, duration in ((start, end, 1), (start, start, 0), (end, start, 0)):
        result = _run(profiles, 0, first, last, "A", simulate=True)
        assert result.start == ts(start) and result.duration == duration
        assert_periods(result, [(0, 32.0)])


@pytest.mark.parametrize("run_case", list(CASES.values()), ids=list(CASES))
def test_ported(run_case) -> None:
    run_case()
