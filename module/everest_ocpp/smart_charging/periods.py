"""Expansion of one charging profile into absolute time entries (libocpp's ``period_entry_t``).

All times are whole epoch seconds. An ``Entry`` is one schedule period of one occurrence of a
profile, clipped by the schedule duration, the next period, the next recurrence and validTo,
and moved up to validFrom. The composite calculation only ever looks at entries.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from .profile import ChargingProfile, Kind, RateUnit, Recurrency
from .timeutil import to_epoch

log = logging.getLogger(__name__)

DAY = 86_400
WEEK = 7 * DAY
FOREVER = 1 << 62  # "no end": larger than any realistic epoch second


@dataclass(frozen=True, slots=True)
class Entry:
    start: int
    end: int
    limit: float
    unit: RateUnit
    number_phases: int | None
    stack_level: int
    rank: int = 0  # tie-break between equal stack levels (higher wins), see composite.py


def start_times(profile: ChargingProfile, now: int, end: int, session_start: int | None) -> list[int]:
    """Start(s) of the profile's schedule that matter for the window [now, end].

    Absolute: startSchedule (else validFrom, else now). Relative: the session start, or now when
    no session runs (the "simulated transaction"). Recurring: the latest occurrence at or before
    now and every later one up to ``end``; without recurrencyKind or startSchedule, none.
    """
    schedule = profile.schedule
    if profile.kind == Kind.ABSOLUTE:
        if schedule.start_schedule is not None:
            return [to_epoch(schedule.start_schedule)]
        log.warning("absolute charging profile %d has no startSchedule", profile.id)
        return [to_epoch(profile.valid_from) if profile.valid_from is not None else now]
    if profile.kind == Kind.RELATIVE:
        return [session_start if session_start is not None else now]
    if profile.recurrency is None or schedule.start_schedule is None:
        return []
    step = DAY if profile.recurrency == Recurrency.DAILY else WEEK
    first = now - (now - to_epoch(schedule.start_schedule)) % step
    return list(range(first, end + 1, step))


def period_entries(
    profile: ChargingProfile,
    index: int,
    now: int,
    end: int,
    session_start: int | None,
    rank: int = 0,
    starts: list[int] | None = None,
) -> list[Entry]:
    """Entries of period ``index`` for every occurrence; invalid or expired ones are dropped."""
    periods = profile.schedule.periods
    if index >= len(periods):
        log.error("charging profile %d has no schedule period %d", profile.id, index)
        return []
    period = periods[index]
    if index == 0 and period.start_period != 0:
        log.error(
            "charging profile %d: first period starts at %d, not 0; ignored", profile.id, period.start_period
        )
        return []
    if index > 0 and periods[index - 1].start_period >= period.start_period:
        log.error("charging profile %d: period %d is out of order; ignored", profile.id, index)
        return []

    occurrences = starts if starts is not None else start_times(profile, now, end, session_start)
    next_period = periods[index + 1].start_period if index + 1 < len(periods) else FOREVER
    duration_cap = profile.schedule.duration
    valid_from = to_epoch(profile.valid_from) if profile.valid_from is not None else None
    valid_to = to_epoch(profile.valid_to) if profile.valid_to is not None else None

    entries: list[Entry] = []
    for i, occurrence in enumerate(occurrences):
        length = next_period
        if duration_cap is not None and duration_cap < length:
            length = duration_cap
        if i + 1 < len(occurrences):
            length = min(length, occurrences[i + 1] - occurrence)
        if valid_to is not None:
            length = min(length, valid_to - occurrence)  # may be negative: entry dropped below
        start = occurrence + period.start_period
        stop = occurrence + length
        if valid_from is not None and valid_from > start:
            if valid_from >= stop:
                continue
            start = valid_from
        if stop > start and stop > now:
            entries.append(
                Entry(
                    start,
                    stop,
                    period.limit,
                    profile.schedule.unit,
                    period.number_phases,
                    profile.stack_level,
                    rank,
                )
            )
    return entries


def profile_entries(
    profile: ChargingProfile, now: int, end: int, session_start: int | None, rank: int = 0
) -> list[Entry]:
    """All entries of a profile that start no later than ``end``, in start order."""
    starts = start_times(profile, now, end, session_start)
    entries: list[Entry] = []
    for index in range(len(profile.schedule.periods)):
        entries.extend(
            e for e in period_entries(profile, index, now, end, session_start, rank, starts) if e.start <= end
        )
    entries.sort(key=lambda e: e.start)
    return entries
