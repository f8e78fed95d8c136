"""Ports of libocpp's OCPP 2.0.1 composite schedule tests (tests/lib/ocpp/v2/test_composite_schedule.cpp),
part 1: one EVSE (layering, recurrence, relative profiles, station max and external constraints).

Same scenarios and expected numbers; profiles re-expressed with our builders. The upstream
fixture's defaults are 57 A / 55612 W / 3 phases. As in libocpp, profiles are re-validated
(TxProfiles need the running transaction) and AC periods without numberPhases count as 3 phases.
The five OfflineDuration cases use OCPP 2.1 fields (maxOfflineDuration, setpoints) and are not
ported.
"""

from __future__ import annotations

import pytest

from everest_ocpp.smart_charging import ChargingProfile

from .builders import (
    TX_ID,
    absolute_32_31_30,
    cp201,
    day_night_watts,
    hourly_grid,
    load201,
    relative_watts_steps,
    ts,
    two_kw_for_18_min,
)
from .harness import assert_periods, registry
from .harness import run_v201 as _run

CASES, case = registry("v2_test_composite_schedule")

STATION_MAX = "ChargingStationMaxProfile"


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


@pytest.mark.parametrize("run_case", list(CASES.values()), ids=list(CASES))
def test_ported(run_case) -> None:
    run_case()
