"""Composite calculation rules beyond the ported upstream scenarios (selection, offline, EVSE 0)."""

from __future__ import annotations

from dataclasses import replace

from everest_ocpp.smart_charging import (
    ActiveTransaction,
    Purpose,
    RateUnit,
    StationState,
    calculate_all_composite_schedules,
)

from .builders import cp16, cp201, load16, load201, ts
from .harness import SETTINGS_V16, SETTINGS_V201, assert_periods, compute

START, END = ts("2024-03-01T10:00:00Z"), ts("2024-03-01T11:00:00Z")


def relative16(
    profile_id: int, stack: int, limit: float, connector: int, purpose: str = "TxDefaultProfile", **extra
):
    return load16(cp16(profile_id, stack, purpose, "Relative", "A", [(0, limit)], **extra), connector)


def test_evse_profile_wins_a_stack_level_tie_with_a_station_wide_one() -> None:
    profiles = [relative16(1, 3, 10.0, 0), relative16(2, 3, 20.0, 1)]
    for order in (profiles, profiles[::-1]):
        assert_periods(compute(order, 1, START, END, "A", StationState(2), SETTINGS_V16), [(0, 20.0)])
        assert_periods(compute(order, 2, START, END, "A", StationState(2), SETTINGS_V16), [(0, 10.0)])


def test_higher_stack_level_wins_within_a_purpose() -> None:
    profiles = [relative16(1, 3, 10.0, 0), relative16(2, 2, 20.0, 1)]
    result = compute(profiles, 1, START, END, "A", StationState(1), SETTINGS_V16)
    assert [(p.limit, p.stack_level) for p in result.periods] == [(10.0, 3)]


def test_ignored_purposes_only_while_offline() -> None:
    settings = replace(SETTINGS_V16, ignored_purposes_offline=frozenset({Purpose.TX_DEFAULT}))
    profiles = [relative16(1, 1, 10.0, 0)]
    online, offline = StationState(1), StationState(1, offline=True)
    assert_periods(compute(profiles, 1, START, END, "A", online, settings), [(0, 10.0)])
    assert_periods(compute(profiles, 1, START, END, "A", offline, settings), [(0, 48.0)])
    assert_periods(compute(profiles, 1, START, END, "A", offline, SETTINGS_V16), [(0, 10.0)])


def test_tx_profile_selection_v16() -> None:
    any_tx = relative16(1, 1, 10.0, 1, "TxProfile")
    tx_7 = relative16(2, 2, 8.0, 1, "TxProfile", transaction_id=7)
    default = relative16(3, 1, 20.0, 1)
    idle = StationState(1)
    tx7 = StationState(1, {1: ActiveTransaction("7", START)})
    tx8 = StationState(1, {1: ActiveTransaction("8", START)})
    profiles = [any_tx, tx_7, default]
    assert_periods(compute(profiles, 1, START, END, "A", idle, SETTINGS_V16, simulate=False), [(0, 48.0)])
    assert_periods(compute(profiles, 1, START, END, "A", idle, SETTINGS_V16), [(0, 10.0)])  # simulated
    assert_periods(compute(profiles, 1, START, END, "A", tx7, SETTINGS_V16, simulate=False), [(0, 8.0)])
    assert_periods(compute(profiles, 1, START, END, "A", tx8, SETTINGS_V16, simulate=False), [(0, 10.0)])


def test_tx_profile_selection_v201() -> None:
    tx_a = load201(cp201(1, 2, "TxProfile", "Relative", "A", [(0, 8.0)], transaction_id="a"), 1)
    default = load201(cp201(2, 1, "TxDefaultProfile", "Relative", "A", [(0, 20.0)]), 1)
    running_a = StationState(1, {1: ActiveTransaction("a", START)})
    running_b = StationState(1, {1: ActiveTransaction("b", START)})
    profiles = [tx_a, default]
    assert_periods(compute(profiles, 1, START, END, "A", StationState(1), SETTINGS_V201), [(0, 20.0)])
    assert_periods(compute(profiles, 1, START, END, "A", running_a, SETTINGS_V201), [(0, 8.0)])
    assert_periods(compute(profiles, 1, START, END, "A", running_b, SETTINGS_V201), [(0, 20.0)])


def test_relative_profiles_start_with_the_transaction() -> None:
    profile = load16(cp16(1, 1, "TxDefaultProfile", "Relative", "A", [(0, 6.0), (1800, 16.0)]), 1)
    started = StationState(1, {1: ActiveTransaction("1", ts("2024-03-01T09:50:00Z"))})
    assert_periods(compute([profile], 1, START, END, "A", started, SETTINGS_V16), [(0, 6.0), (1200, 16.0)])
    assert_periods(
        compute([profile], 1, START, END, "A", StationState(1), SETTINGS_V16), [(0, 6.0), (1800, 16.0)]
    )


def test_station_sum_substitutes_default_and_is_capped_by_station_max() -> None:
    station_max = load16(
        cp16(
            9,
            4,
            "ChargePointMaxProfile",
            "Absolute",
            "A",
            [(0, 50.0), (1800, 100.0)],
            start="2024-03-01T10:00:00Z",
        ),
        0,
    )
    profiles = [relative16(1, 1, 16.0, 1), station_max]  # EVSE 2 has no profile: default 48 A
    result = compute(profiles, 0, START, END, "A", StationState(2), SETTINGS_V16)
    assert [(p.start_period, p.limit, p.stack_level) for p in result.periods] == [
        (0, 50.0, 4),
        (1800, 64.0, 0),
    ]


def test_v201_station_wide_external_constraints_cap_the_sum_once() -> None:
    external = replace(
        load201(cp201(5, 0, "TxDefaultProfile", "Relative", "A", [(0, 20.0)]), 0),
        purpose=Purpose.EXTERNAL_CONSTRAINTS,
    )
    defaults = load201(cp201(1, 1, "TxDefaultProfile", "Relative", "A", [(0, 16.0)]), 0)
    state = StationState(2)
    assert_periods(compute([external, defaults], 1, START, END, "A", state, SETTINGS_V201), [(0, 16.0)])
    assert_periods(compute([external, defaults], 0, START, END, "A", state, SETTINGS_V201), [(0, 20.0)])


def test_unit_conversion_uses_supply_voltage_and_phases() -> None:
    settings = replace(SETTINGS_V16, supply_voltage=240.0, default_number_phases=1)
    watts = load16(cp16(1, 1, "TxDefaultProfile", "Relative", "W", [(0, 7200.0), (600, 7200.0, 3)]), 1)
    result = compute([watts], 1, START, END, "A", StationState(1), settings)
    assert_periods(result, [(0, 30.0, None), (600, 10.0, 3)])
    amps = load16(cp16(1, 1, "TxDefaultProfile", "Relative", "A", [(0, 10.0, 2)]), 1)
    assert_periods(compute([amps], 1, START, END, "W", StationState(1), settings), [(0, 4800.0, 2)])


def test_valid_from_in_the_window_leaves_the_default_before_it() -> None:
    profile = load16(
        cp16(
            1,
            1,
            "TxDefaultProfile",
            "Relative",
            "A",
            [(0, 6.0)],
            valid_from="2024-03-01T10:10:00Z",
            valid_to="2024-03-01T10:40:00Z",
        ),
        1,
    )
    result = compute([profile], 1, START, END, "A", StationState(1), SETTINGS_V16)
    assert [(p.start_period, p.limit, p.stack_level) for p in result.periods] == [
        (0, 48.0, 0),
        (600, 6.0, 1),
        (2400, 48.0, 0),
    ]


def test_all_schedules_cover_station_and_every_evse_with_one_window() -> None:
    start = ts("2024-03-01T10:00:00.750Z")  # floored to the second
    profiles = [relative16(1, 1, 10.0, 1), relative16(2, 1, 12.0, 3)]
    schedules = calculate_all_composite_schedules(
        profiles, start, 900, RateUnit.AMPS, SETTINGS_V16, StationState(3)
    )
    assert [s.evse_id for s in schedules] == [0, 1, 2, 3]
    assert {(s.start, s.duration, s.unit) for s in schedules} == {
        (ts("2024-03-01T10:00:00Z"), 900, RateUnit.AMPS)
    }
    assert [s.periods[0].limit for s in schedules] == [70.0, 10.0, 48.0, 12.0]


def test_v201_periods_have_no_stack_level_and_merge_across_stack_levels() -> None:
    low = load201(cp201(1, 1, "TxDefaultProfile", "Relative", "A", [(0, 10.0, 3)], duration=600), 1)
    high = load201(cp201(2, 2, "TxDefaultProfile", "Relative", "A", [(0, 10.0, 3), (600, 12.0, 3)]), 1)
    result = compute([low, high], 1, START, END, "A", StationState(1), SETTINGS_V201)
    assert [(p.start_period, p.limit, p.stack_level) for p in result.periods] == [
        (0, 10.0, None),
        (600, 12.0, None),
    ]
    result16 = compute([low, high], 1, START, END, "A", StationState(1), SETTINGS_V16)
    assert [(p.start_period, p.stack_level) for p in result16.periods] == [(0, 2), (600, 2)]
