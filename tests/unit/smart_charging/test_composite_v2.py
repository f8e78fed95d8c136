"""Ports of libocpp's OCPP 2.0.1 composite schedule tests (tests/lib/ocpp/v2/test_composite_schedule.cpp).

Same scenarios and expected numbers; profiles re-expressed with our builders. The upstream
fixture's defaults are 57 A / 55612 W / 3 phases. As in libocpp, profiles are re-validated
(TxProfiles need the running transaction) and AC periods without numberPhases count as 3 phases.
The five OfflineDuration cases use OCPP 2.1 fields (maxOfflineDuration, setpoints) and are not
ported.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from everest_ocpp.smart_charging import ActiveTransaction, ChargingProfile

from .builders import (
    TX_ID,
    absolute_32_31_30,
    cp201,
    daily_16_15_14,
    day_night_watts,
    five_minutes,
    hourly_grid,
    load201,
    relative_16_15_14,
    relative_watts_ramp,
    relative_watts_steps,
    station_max_daily_16a_10a,
    station_max_daily_24_to_32,
    ts,
    two_kw_for_18_min,
)
from .harness import SETTINGS_V201, assert_periods, compute, conformed_v201, registry, station

CASES, case = registry("v2_test_composite_schedule")

STATION_MAX = "ChargingStationMaxProfile"


def _run(
    profiles: list[ChargingProfile],
    evse: int,
    start: str,
    end: str,
    unit: str,
    evses: int = 1,
    tx_start: datetime | None = None,
    tx_id: str = TX_ID,
    simulate: bool = False,
):
    """With ``tx_start`` a transaction ``tx_id`` runs on EVSE 1."""
    transactions = {} if tx_start is None else {1: ActiveTransaction(tx_id, tx_start)}
    state = station(evses, transactions)
    return compute(
        conformed_v201(profiles, state),
        evse,
        ts(start),
        ts(end),
        unit,
        state,
        SETTINGS_V201,
        simulate=simulate,
    )


NOW = ts("2024-01-01T00:00:00")  # transaction start where it does not matter (no Relative profile)


@case("NoSchedulesPresent")
def no_schedules_present() -> None:
    result = _run([], 0, "2024-01-02T00:00:00", "2024-01-02T01:00:00", "A", simulate=True)
    assert result.evse_id == 0 and result.duration == 3600 and result.unit == "A"
    assert_periods(result, [(0, 57.0)])


@case("ExtraSeconds")
def extra_seconds() -> None:
    profiles = [load201(absolute_32_31_30(fn=cp201), 0)]
    result = _run(profiles, 0, "2024-01-01T12:01:59", "2024-01-01T13:02:01", "A", simulate=True)
    assert result.duration == 3602
    assert_periods(result, [(0, 57.0), (1, 32.0), (1801, 31.0), (2701, 30.0), (3601, 57.0)])


def _grid_tx() -> ChargingProfile:
    return load201(hourly_grid(fn=cp201, start="2024-01-17T00:00:00.000Z", transaction_id=TX_ID), 1)


@case("FoundationTest_Grid")
def foundation_grid() -> None:
    result = _run([_grid_tx()], 1, "2024-01-17T00:00:00", "2024-01-18T00:00:00", "W", tx_start=NOW)
    assert result.duration == 86400 and result.unit == "W"
    assert_periods(result, [(h * 3600, h + 1.0, 1) for h in range(24)])


def _single_2kw(kind: str, recurrency: str | None = None) -> ChargingProfile:
    return load201(
        two_kw_for_18_min(
            2000,
            1,
            "TxProfile",
            kind,
            "2024-01-17T18:04:00.000Z",
            fn=cp201,
            recurrency=recurrency,
            transaction_id=TX_ID,
        ),
        1,
    )


@case("LayeredTest_SameStartTime")
def layered_same_start() -> None:
    profiles = [_single_2kw("Absolute"), _grid_tx()]
    result = _run(profiles, 1, "2024-01-18T18:04:00", "2024-01-18T18:22:00", "W", tx_start=NOW)
    assert result.duration == 1080
    assert_periods(result, [(0, 19.0, 1)])
    result = _run(profiles, 1, "2024-01-17T18:04:00", "2024-01-17T18:33:00", "W", tx_start=NOW)
    assert result.duration == 1740
    assert_periods(result, [(0, 2000.0, 1), (1080, 19.0, 1)])
    result = _run(profiles, 1, "2024-01-17T18:04:00", "2024-01-17T19:04:00", "W", tx_start=NOW)
    assert_periods(result, [(0, 2000.0, 1), (1080, 19.0, 1), (3360, 20.0, 1)])


@case("LayeredRecurringTest_FutureStartTime")
def layered_recurring_future() -> None:
    profiles = [_single_2kw("Recurring", "Daily"), _grid_tx()]
    result = _run(profiles, 1, "2024-02-17T18:04:00", "2024-02-17T18:05:00", "W", tx_start=NOW)
    assert result.duration == 60
    assert_periods(result, [(0, 2000.0, 1)])


@case("LayeredTest_PreviousStartTime")
def layered_previous_start() -> None:
    result = _run(
        [_single_2kw("Absolute")], 1, "2024-01-17T18:00:00", "2024-01-17T18:05:00", "W", tx_start=NOW
    )
    assert result.duration == 300
    assert_periods(result, [(0, 55612.0, None), (240, 2000.0, 1)])


@case("LayeredRecurringTest_PreviousStartTime")
def layered_recurring_previous_start() -> None:
    profiles = [_single_2kw("Recurring", "Daily"), _grid_tx()]
    result = _run(profiles, 1, "2024-02-19T18:00:00", "2024-02-19T19:04:00", "W", tx_start=NOW)
    assert result.duration == 3840
    assert_periods(result, [(0, 19.0, 1), (240, 2000.0, 1), (1320, 19.0, 1), (3600, 20.0, 1)])


def _daily_2kw_and_day_night(kind_of_2kw: str, phases: int) -> list[ChargingProfile]:
    recurrency = "Daily" if kind_of_2kw == "Recurring" else None
    return [
        load201(
            two_kw_for_18_min(
                1,
                1,
                "TxProfile",
                kind_of_2kw,
                "2024-01-17T18:00:00.000Z",
                fn=cp201,
                recurrency=recurrency,
                transaction_id=TX_ID,
            ),
            1,
        ),
        load201(day_night_watts(fn=cp201, phases=phases, purpose="TxProfile", transaction_id=TX_ID), 1),
    ]


@case("ValidateBaselineProfileVector")
def baseline() -> None:
    result = _run(
        _daily_2kw_and_day_night("Recurring", 3),
        1,
        "2024-01-17T18:01:00",
        "2024-01-18T06:00:00",
        "W",
        tx_start=NOW,
    )
    assert result.duration == 43140
    assert_periods(result, [(0, 2000.0, 1), (1020, 11000.0, 3), (25140, 6000.0, 3)])


def _relative_set() -> list[ChargingProfile]:
    tx_relative = cp201(
        66,
        1,
        "TxProfile",
        "Relative",
        "W",
        [(0, 2000.0, 1)],
        duration=3601,
        min_rate=0.0,
        transaction_id=TX_ID,
    )
    return [load201(relative_watts_steps(fn=cp201), 1), _grid_tx(), load201(tx_relative, 1)]


@case("RelativeProfile_minutia")
def relative_minutia() -> None:
    result = _run(
        _relative_set(),
        1,
        "2024-05-17T05:00:00",
        "2024-05-17T06:00:00",
        "W",
        tx_start=ts("2024-05-17T05:00:00"),
    )
    assert result.duration == 3600
    assert_periods(result, [(0, 2000.0, 1)])


@case("RelativeProfile_e2e")
def relative_e2e() -> None:
    result = _run(
        _relative_set(),
        1,
        "2024-05-17T05:00:00",
        "2024-05-17T06:01:00",
        "W",
        tx_start=ts("2024-05-17T05:00:00"),
    )
    assert result.duration == 3660
    assert_periods(result, [(0, 2000.0, 1), (3601, 7.0, 1)])


@case("DemoCaseOne_17th")
def demo_case_one_17th() -> None:
    result = _run(
        _daily_2kw_and_day_night("Absolute", 1),
        1,
        "2024-01-17T18:00:00",
        "2024-01-18T06:00:00",
        "W",
        tx_start=NOW,
    )
    assert result.duration == 43200
    assert_periods(result, [(0, 2000.0, 1), (1080, 11000.0, 1), (25200, 6000.0, 1)])


@case("DemoCaseOne_19th")
def demo_case_one_19th() -> None:
    result = _run(
        _daily_2kw_and_day_night("Absolute", 1),
        1,
        "2024-01-19T18:00:00",
        "2024-01-20T06:00:00",
        "W",
        tx_start=NOW,
    )
    assert_periods(result, [(0, 11000.0, 1), (25200, 6000.0, 1)])


def _hour_caps(station_level: list[ChargingProfile]) -> list[ChargingProfile]:
    """Station-level caps plus two TxProfiles on EVSE 1: 2000 W 00:00-01:00, 10 W 23:00-24:00."""
    return [
        *station_level,
        load201(
            cp201(
                2000,
                0,
                "TxProfile",
                "Absolute",
                "W",
                [(0, 2000.0, 1)],
                duration=3600,
                start="2024-01-17T00:00:00.000Z",
                transaction_id=TX_ID,
            ),
            1,
        ),
        load201(
            cp201(
                2001,
                1,
                "TxProfile",
                "Absolute",
                "W",
                [(0, 10.0, 1)],
                duration=3600,
                start="2024-01-17T23:00:00.000Z",
                transaction_id=TX_ID,
            ),
            1,
        ),
    ]


def _max_profiles() -> list[ChargingProfile]:
    return _hour_caps(
        [load201(hourly_grid(fn=cp201, purpose=STATION_MAX, scale=10, start="2024-01-17T00:00:00.000Z"), 0)]
    )


def _external_profiles() -> list[ChargingProfile]:
    external = load201(
        hourly_grid(
            fn=cp201, purpose="ChargingStationExternalConstraints", scale=10, start="2024-01-17T00:00:00.000Z"
        ),
        0,
    )
    station_max = load201(
        cp201(
            2000,
            0,
            STATION_MAX,
            "Absolute",
            "W",
            [(0, 2000.0, 1)],
            duration=3600,
            start="2024-01-17T00:00:00.000Z",
        ),
        0,
    )
    # the upstream scenario has only the 23:00 TxProfile on EVSE 1
    return [external, station_max, _hour_caps([])[1]]


@case("MaxOverridesHigherLimits")
def max_overrides_higher() -> None:
    result = _run(_max_profiles(), 1, "2024-01-17T00:00:00", "2024-01-17T02:00:00", "W", tx_start=NOW)
    assert_periods(result, [(0, 10.0, 1), (3600, 20.0, 1)])


@case("MaxOverridenByLowerLimits")
def max_overridden_by_lower() -> None:
    result = _run(_max_profiles(), 1, "2024-01-17T22:00:00", "2024-01-18T00:00:00", "W", tx_start=NOW)
    assert_periods(result, [(0, 230.0, 1), (3600, 10.0, 1)])


@case("ExternalOverridesHigherLimits")
def external_overrides_higher() -> None:
    result = _run(_external_profiles(), 1, "2024-01-17T00:00:00", "2024-01-17T02:00:00", "W", tx_start=NOW)
    assert_periods(result, [(0, 10.0, 1), (3600, 20.0, 1)])


@case("ExternalOverridenByLowerLimits")
def external_overridden_by_lower() -> None:
    result = _run(_external_profiles(), 1, "2024-01-17T22:00:00", "2024-01-18T00:00:00", "W", tx_start=NOW)
    assert_periods(result, [(0, 230.0, 1), (3600, 10.0, 1)])


@case("OCTT_TC_K_41_CS")
def octt_tc_k_41() -> None:
    begin = "2024-08-21T12:24:36Z"
    profiles = [
        load201(cp201(1, 0, STATION_MAX, "Absolute", "A", [(0, 10.0, 3)], duration=86404, start=begin), 0),
        load201(
            cp201(
                2,
                0,
                "TxDefaultProfile",
                "Absolute",
                "A",
                [(0, 6.0, 3), (60, 10.0, 3), (120, 8.0, 3), (180, 15.0, 3), (260, 8.0, 3)],
                duration=304,
                start=begin,
                valid_from=begin,
                valid_to="2024-08-21T12:31:25Z",
            ),
            1,
        ),
        load201(
            cp201(
                2,
                0,
                "TxProfile",
                "Absolute",
                "A",
                [(0, 8.0, 3), (50, 11.0, 3), (140, 16.0, 3), (200, 6.0, 3), (240, 12.0, 3)],
                duration=264,
                start=begin,
                transaction_id=TX_ID,
            ),
            1,
        ),
    ]
    result = _run(profiles, 1, "2024-08-21T12:24:40", "2024-08-21T12:31:20", "A", tx_start=NOW)
    assert result.duration == 400
    assert_periods(
        result, [(0, 8.0, 3), (46, 10.0, 3), (196, 6.0, 3), (236, 10.0, 3), (260, 8.0, 3), (300, 10.0, 3)]
    )


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
