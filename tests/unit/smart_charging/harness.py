"""Small helpers to run and check composite calculations in the ported scenarios."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import datetime

from everest_ocpp.smart_charging import (
    ActiveTransaction,
    ChargingProfile,
    CompositeSchedule,
    CompositeSettings,
    OcppVersion,
    RateUnit,
    StationState,
    ValidationContext,
    calculate_composite_schedule,
    validate_v201,
)

from .builders import TX_ID, ts

SETTINGS_V16 = CompositeSettings(version=OcppVersion.V16)
# libocpp's 2.0.1 test fixture configures its own default limits
SETTINGS_V201 = CompositeSettings(
    version=OcppVersion.V201, default_limit_amps=57, default_limit_watts=55612, default_number_phases=3
)

CaseFn = Callable[[], None]


def registry(prefix: str) -> tuple[dict[str, CaseFn], Callable[[str], Callable[[CaseFn], CaseFn]]]:
    """Cases keyed by '<source file>::<upstream test name>' for parametrised test ids."""
    cases: dict[str, CaseFn] = {}

    def case(name: str) -> Callable[[CaseFn], CaseFn]:
        def register(fn: CaseFn) -> CaseFn:
            cases[f"{prefix}::{name}"] = fn
            return fn

        return register

    return cases, case


def station(evses: int, transactions: dict[int, ActiveTransaction] | None = None) -> StationState:
    return StationState(evses, transactions or {})


def compute(
    profiles: Sequence[ChargingProfile],
    evse_id: int,
    start: datetime,
    end: datetime,
    unit: str,
    state: StationState,
    settings: CompositeSettings,
    *,
    simulate: bool = True,
) -> CompositeSchedule:
    return calculate_composite_schedule(
        profiles, evse_id, start, end, RateUnit(unit), settings, state, simulate_transaction=simulate
    )


def conformed_v201(profiles: Sequence[ChargingProfile], state: StationState) -> list[ChargingProfile]:
    """Profiles as libocpp 2.0.1 uses them at calculation time: re-validated against the current
    transactions (invalid ones dropped) and conformed (numberPhases 3 for AC periods without)."""
    context = ValidationContext(state)
    out = []
    for profile in profiles:
        result = validate_v201(profile, context, from_csms=False)
        if result.accepted and result.profile is not None:
            out.append(result.profile)
    return out


def assert_periods(
    schedule: CompositeSchedule,
    expected: Sequence[tuple[int, float] | tuple[int, float, int | None]],
) -> None:
    """Compare start periods exactly, limits to 1e-9 relative, phases when given."""
    actual = [(p.start_period, p.limit, p.number_phases) for p in schedule.periods]
    assert len(actual) == len(expected), f"{actual} != {expected}"
    for got, want in zip(actual, expected, strict=True):
        assert got[0] == want[0], f"{actual} != {expected}"
        assert math.isclose(got[1], want[1], rel_tol=1e-9), f"{actual} != {expected}"
        if len(want) == 3:
            assert got[2] == want[2], f"{actual} != {expected}"


def run_v201(
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
    """A 2.0.1 scenario as libocpp's fixture runs it; with ``tx_start`` transaction ``tx_id``
    runs on EVSE 1."""
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
