"""Benchmark: all composite schedules (EVSE 0..N) over 24 h, as published on `charging_schedules`.

Run with `python bench/schedules.py`. For 1, 4 and 16 EVSEs with 1, 10 and 50 installed profiles
per EVSE it prints the best time of several runs of `calculate_all_composite_schedules` and the
growth relative to the 1-profile case (expected: at most linear in the number of profiles). A
final line shows 128 EVSEs, the largest station the module supports.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "module"))

from everest_ocpp.smart_charging import (
    ActiveTransaction,
    ChargingProfile,
    ChargingSchedule,
    CompositeSettings,
    Kind,
    Purpose,
    RateUnit,
    Recurrency,
    SchedulePeriod,
    StationState,
    calculate_all_composite_schedules,
)

START = datetime(2024, 3, 4, 9, 30, tzinfo=UTC)
DAY = 86_400


def make_profile(rng: random.Random, profile_id: int, evse: int) -> ChargingProfile:
    """A plausible profile: mostly daily recurring TxDefault, some Absolute / Relative / Tx."""
    kind = rng.choices([Kind.RECURRING, Kind.ABSOLUTE, Kind.RELATIVE], weights=[6, 3, 1])[0]
    purpose = Purpose.TX if kind == Kind.RELATIVE and rng.random() < 0.5 else Purpose.TX_DEFAULT
    count = rng.randint(1, 6)
    starts = sorted(rng.sample(range(900, 20 * 3600, 900), count - 1))
    periods = tuple(
        SchedulePeriod(s, float(rng.randint(6, 32)), rng.choice([None, 1, 3])) for s in [0, *starts]
    )
    start = None if kind == Kind.RELATIVE else START + timedelta(seconds=rng.randint(-2 * DAY, DAY))
    return ChargingProfile(
        id=profile_id,
        stack_level=rng.randint(0, 20),
        purpose=purpose,
        kind=kind,
        schedules=(
            ChargingSchedule(
                rng.choice(list(RateUnit)) if rng.random() < 0.2 else RateUnit.AMPS,
                periods,
                duration=rng.choice([None, 3600, 4 * 3600, DAY]),
                start_schedule=start,
            ),
        ),
        evse_id=evse,
        recurrency=Recurrency.DAILY if kind == Kind.RECURRING else None,
    )


def station_profiles(evses: int, per_evse: int, seed: int = 1) -> list[ChargingProfile]:
    rng = random.Random(seed)
    profiles = [
        ChargingProfile(
            1,
            0,
            Purpose.STATION_MAX,
            Kind.RECURRING,
            (
                ChargingSchedule(
                    RateUnit.AMPS,
                    (SchedulePeriod(0, 63.0), SchedulePeriod(8 * 3600, 40.0)),
                    start_schedule=START - timedelta(days=3),
                ),
            ),
            recurrency=Recurrency.DAILY,
        )
    ]
    next_id = 2
    for evse in range(1, evses + 1):
        for _ in range(per_evse):
            profiles.append(make_profile(rng, next_id, evse))
            next_id += 1
    return profiles


def measure(evses: int, per_evse: int, repeat: int) -> float:
    profiles = station_profiles(evses, per_evse)
    transactions = {e: ActiveTransaction(None, START - timedelta(minutes=e)) for e in range(1, evses + 1, 2)}
    state = StationState(evses, transactions)
    settings = CompositeSettings()
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        calculate_all_composite_schedules(profiles, START, DAY, RateUnit.AMPS, settings, state)
        samples.append(time.perf_counter() - began)
    return min(samples)  # the least disturbed run: other load on the machine only adds time


def main() -> None:
    counts = (1, 10, 50)
    print("composite schedules for EVSE 0..N over 24 h (best of repeated runs)")
    print(f"{'EVSEs':>6} {'profiles/EVSE':>14} {'time [ms]':>10} {'x vs 1 profile':>15}")
    for evses in (1, 4, 16):
        baseline = None
        for per_evse in counts:
            repeat = max(5, 400 // (evses * per_evse))
            elapsed = measure(evses, per_evse, repeat)
            baseline = baseline or elapsed
            print(f"{evses:>6} {per_evse:>14} {elapsed * 1000:>10.2f} {elapsed / baseline:>15.1f}")
    for per_evse in (1, 10):
        elapsed = measure(128, per_evse, 3)
        print(f"{128:>6} {per_evse:>14} {elapsed * 1000:>10.2f}   (largest station)")


if __name__ == "__main__":
    main()
