"""Property-based checks of the composite calculation (hypothesis)."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from everest_ocpp.smart_charging import (
    ActiveTransaction,
    ChargingProfile,
    ChargingSchedule,
    CompositeSchedule,
    CompositeSettings,
    Kind,
    OcppVersion,
    Purpose,
    RateUnit,
    Recurrency,
    SchedulePeriod,
    StationState,
    calculate_all_composite_schedules,
)

from .builders import limit_at, ts

BASE = ts("2024-03-04T00:00:00Z")
DAY = 86_400
SETTINGS = {v: CompositeSettings(version=v) for v in OcppVersion}


def at(seconds: int) -> datetime:
    return BASE + timedelta(seconds=seconds)


@st.composite
def schedules(draw, unit: RateUnit | None = None, with_start: bool = True) -> ChargingSchedule:
    count = draw(st.integers(1, 4))
    gaps = draw(st.lists(st.integers(60, 30_000), min_size=count - 1, max_size=count - 1))
    starts = [0]
    for gap in gaps:
        starts.append(starts[-1] + gap)
    periods = tuple(
        SchedulePeriod(s, draw(st.integers(0, 400)) / 4, draw(st.none() | st.integers(1, 3))) for s in starts
    )
    return ChargingSchedule(
        unit=unit or draw(st.sampled_from(RateUnit)),
        periods=periods,
        duration=draw(st.none() | st.integers(0, 2 * DAY)),
        start_schedule=at(draw(st.integers(-8 * DAY, 3 * DAY))) if with_start else None,
    )


@st.composite
def profiles(draw, evses: int, purposes: list[Purpose], unit: RateUnit | None = None) -> ChargingProfile:
    purpose = draw(st.sampled_from(purposes))
    kinds = [Kind.ABSOLUTE, Kind.RECURRING] + ([] if purpose == Purpose.STATION_MAX else [Kind.RELATIVE])
    kind = draw(st.sampled_from(kinds))
    if purpose == Purpose.STATION_MAX:
        evse = 0
    elif purpose == Purpose.TX:
        evse = draw(st.integers(1, evses))
    else:
        evse = draw(st.integers(0, evses))
    valid_from = draw(st.none() | st.integers(-3 * DAY, 2 * DAY))
    valid_to = draw(st.none() | st.integers(-DAY, 4 * DAY))
    return ChargingProfile(
        id=draw(st.integers(1, 10_000)),
        stack_level=draw(st.integers(0, 5)),
        purpose=purpose,
        kind=kind,
        schedules=(draw(schedules(unit, with_start=kind != Kind.RELATIVE)),),
        evse_id=evse,
        recurrency=draw(st.sampled_from(Recurrency)) if kind == Kind.RECURRING else None,
        valid_from=None if valid_from is None else at(valid_from),
        valid_to=None if valid_to is None else at(valid_to),
        transaction_id=draw(st.none() | st.sampled_from(["t1", "t2"])) if purpose == Purpose.TX else None,
    )


@st.composite
def scenarios(draw, purposes: list[Purpose], unit: RateUnit | None = None):
    evses = draw(st.integers(1, 3))
    installed = draw(st.lists(profiles(evses, purposes, unit), max_size=8))
    transactions = {
        e: ActiveTransaction(draw(st.sampled_from(["t1", "t2", None])), at(draw(st.integers(-DAY, DAY))))
        for e in range(1, evses + 1)
        if draw(st.booleans())
    }
    start = draw(st.integers(-2 * DAY, 2 * DAY))
    duration = draw(st.integers(0, 2 * DAY))
    version = draw(st.sampled_from(OcppVersion))
    return installed, StationState(evses, transactions), start, duration, version


def compute_all(
    installed, state, start: int, duration: int, version, unit=RateUnit.AMPS
) -> list[CompositeSchedule]:
    return calculate_all_composite_schedules(installed, at(start), duration, unit, SETTINGS[version], state)


ALL = [Purpose.TX_DEFAULT, Purpose.TX, Purpose.STATION_MAX]
NO_STATION_MAX = [Purpose.TX_DEFAULT, Purpose.TX]
SLOW = settings(max_examples=150, deadline=None)


@SLOW
@given(scenarios(ALL), st.sampled_from(RateUnit))
def test_periods_start_at_zero_increase_and_are_merged(scenario, unit) -> None:
    installed, state, start, duration, version = scenario
    for schedule in compute_all(installed, state, start, duration, version, unit):
        starts = [p.start_period for p in schedule.periods]
        assert starts[0] == 0
        assert all(a < b for a, b in itertools.pairwise(starts))
        assert all(s < max(duration, 1) for s in starts)
        keys = [(p.limit, p.number_phases, p.stack_level) for p in schedule.periods]
        assert all(a != b for a, b in itertools.pairwise(keys))
        assert all(p.limit >= 0 for p in schedule.periods)


@SLOW
@given(scenarios(NO_STATION_MAX), st.integers(0, 200), st.integers(0, 200), st.integers(0, 5))
def test_never_above_the_station_maximum_or_a_winning_tx_profile(
    scenario, station_cap, tx_cap, cap_stack
) -> None:
    installed, state, start, duration, version = scenario
    cap = ChargingProfile(
        id=90_001,
        stack_level=cap_stack,
        purpose=Purpose.STATION_MAX,
        kind=Kind.ABSOLUTE,
        schedules=(
            ChargingSchedule(
                RateUnit.AMPS, (SchedulePeriod(0, float(station_cap)),), start_schedule=at(-30 * DAY)
            ),
        ),
    )
    extra = [cap]
    running = dict(state.transactions)
    running[1] = ActiveTransaction("capped", at(start))
    extra.append(
        ChargingProfile(  # outranks every generated profile during its transaction
            id=90_002,
            stack_level=99,
            purpose=Purpose.TX,
            kind=Kind.ABSOLUTE,
            evse_id=1,
            transaction_id="capped",
            schedules=(
                ChargingSchedule(
                    RateUnit.AMPS, (SchedulePeriod(0, float(tx_cap)),), start_schedule=at(-30 * DAY)
                ),
            ),
        )
    )
    state = replace(state, transactions=running)
    for schedule in compute_all([*installed, *extra], state, start, duration, version):
        bound = min(station_cap, tx_cap) if schedule.evse_id == 1 else station_cap
        assert all(p.limit <= bound + 1e-9 for p in schedule.periods), (
            schedule.evse_id,
            bound,
            schedule.periods,
        )


@SLOW
@given(scenarios(ALL), st.integers(-60 * DAY, 60 * DAY))
def test_shifting_everything_in_time_changes_nothing(scenario, delta) -> None:
    installed, state, start, duration, version = scenario
    offset = timedelta(seconds=delta)

    def moved(t: datetime | None) -> datetime | None:
        return None if t is None else t + offset

    shifted = [
        replace(
            p,
            valid_from=moved(p.valid_from),
            valid_to=moved(p.valid_to),
            schedules=tuple(replace(s, start_schedule=moved(s.start_schedule)) for s in p.schedules),
        )
        for p in installed
    ]
    shifted_state = replace(
        state,
        transactions={
            e: replace(tx, started_at=tx.started_at + offset) for e, tx in state.transactions.items()
        },
    )
    original = compute_all(installed, state, start, duration, version)
    later = compute_all(shifted, shifted_state, start + delta, duration, version)
    for a, b in zip(original, later, strict=True):
        assert b.start == a.start + offset
        assert (a.evse_id, a.duration, a.unit, a.periods) == (b.evse_id, b.duration, b.unit, b.periods)


@SLOW
@given(scenarios(ALL, unit=RateUnit.AMPS))
def test_station_total_never_exceeds_the_sum_of_its_evses(scenario) -> None:
    installed, state, start, duration, version = scenario
    station, *evses = compute_all(installed, state, start, duration, version)
    cuts = sorted({p.start_period for s in (station, *evses) for p in s.periods})
    for t in cuts:
        assert limit_at(station, t) <= sum(limit_at(e, t) for e in evses) + 1e-9
