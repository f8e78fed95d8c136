"""Intermediate limit profiles and the ways libocpp combines them.

A ``Segment`` list covers the calculation window from offset 0: each segment holds, from its
start until the next segment's, the current (A) and power (W) limit in force, each with the
stack level it came from, and the number of phases. ``None`` means "no limit". Current and power
limits stay separate until the final conversion, because converting between them needs the
number of phases of the very period being converted.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from typing import NamedTuple

from .periods import Entry
from .profile import RateUnit


class Segment(NamedTuple):
    start: int  # seconds from the window start
    amps: float | None = None
    watts: float | None = None
    stack_amps: int = 0
    stack_watts: int = 0
    phases: int | None = None


NO_LIMIT = Segment(0)

Combinator = Callable[[int, Sequence[Segment]], Segment]


def resolve_stack(entries: Sequence[Entry], now: int, end: int) -> list[Segment]:
    """Per instant, the entry with the highest stack level wins; uncovered time has no limit.

    A sweep over entry boundaries with a max-heap of the active entries. The window always gets
    at least one segment, even when ``end == now`` (a zero-length composite still has a limit).
    """
    if not entries:
        return [NO_LIMIT]
    ordered = sorted(entries, key=lambda e: e.start)
    cuts = {now}
    for e in ordered:
        if now < e.start < end:
            cuts.add(e.start)
        if now < e.end < end:
            cuts.add(e.end)
    active: list[tuple[int, int, int, Entry]] = []
    out: list[Segment] = []
    pending = 0
    for t in sorted(cuts):
        while pending < len(ordered) and ordered[pending].start <= t:
            e = ordered[pending]
            heapq.heappush(active, (-e.stack_level, -e.rank, pending, e))
            pending += 1
        while active and active[0][3].end <= t:
            heapq.heappop(active)
        offset = t - now
        if not active:
            segment = Segment(offset)
        else:
            chosen = active[0][3]
            if chosen.unit == RateUnit.AMPS:
                segment = Segment(offset, chosen.limit, None, chosen.stack_level, 0, chosen.number_phases)
            else:
                segment = Segment(offset, None, chosen.limit, 0, chosen.stack_level, chosen.number_phases)
        _append(out, segment)
    return out


def _append(out: list[Segment], segment: Segment) -> None:
    """Append unless it only repeats the previous segment's values."""
    if not out or out[-1][1:] != segment[1:]:
        out.append(segment)


def combine(profiles: Sequence[Sequence[Segment]], combinator: Combinator) -> list[Segment]:
    """Walk all profiles in step, calling ``combinator`` wherever any of them changes."""
    lists = [p for p in profiles if p]
    if not lists:
        return [NO_LIMIT]
    out: list[Segment] = []
    if len(lists) == 1:
        for s in lists[0]:
            _append(out, combinator(s.start, (s,)))
        return out
    cuts = sorted({s.start for p in lists for s in p})
    positions = [0] * len(lists)
    for t in cuts:
        current = []
        for i, p in enumerate(lists):
            j = positions[i]
            while j + 1 < len(p) and p[j + 1].start <= t:
                j += 1
            positions[i] = j
            current.append(p[j])
        _append(out, combinator(t, current))
    return out


def _first_with_limit(t: int, segments: Sequence[Segment]) -> Segment:
    for s in segments:
        if s.amps is not None or s.watts is not None:
            return s._replace(start=t)
    return Segment(t)


def prefer(primary: Sequence[Segment], fallback: Sequence[Segment]) -> list[Segment]:
    """``primary`` wherever it has a limit, else ``fallback`` (TxProfile over TxDefaultProfile)."""
    return combine([primary, fallback], _first_with_limit)


def _lowest(t: int, segments: Sequence[Segment]) -> Segment:
    amps = watts = phases = None
    stack_amps = stack_watts = 0
    for s in segments:
        if s.amps is not None and (amps is None or s.amps < amps):
            amps, stack_amps = s.amps, s.stack_amps
        if s.watts is not None and (watts is None or s.watts < watts):
            watts, stack_watts = s.watts, s.stack_watts
        if s.phases is not None and (phases is None or s.phases < phases):
            phases = s.phases
    return Segment(t, amps, watts, stack_amps, stack_watts, phases)


def lowest(profiles: Sequence[Sequence[Segment]]) -> list[Segment]:
    """Per instant the lowest current and the lowest power limit, and the fewest phases."""
    return combine(profiles, _lowest)


def summed(profiles: Sequence[Sequence[Segment]], default_amps: float, default_watts: float) -> list[Segment]:
    """Per instant the sum over all profiles; a profile without a limit adds the default.

    Both units are always summed (with defaults), so the station total has a current and a power
    limit; the stack level of a sum is 0. Phases: the most of any profile.
    """

    def _sum(t: int, segments: Sequence[Segment]) -> Segment:
        amps = watts = 0.0
        phases = None
        for s in segments:
            amps += s.amps if s.amps is not None else default_amps
            watts += s.watts if s.watts is not None else default_watts
            if s.phases is not None and (phases is None or s.phases > phases):
                phases = s.phases
        return Segment(t, amps, watts, 0, 0, phases)

    return combine(profiles, _sum)


class FinalPeriod(NamedTuple):
    start: int
    limit: float
    phases: int | None
    stack_level: int


def to_unit(
    segments: Sequence[Segment],
    unit: RateUnit,
    default_limit: float,
    default_phases: int,
    supply_voltage: float,
    keep_stack_levels: bool,
) -> list[FinalPeriod]:
    """Express each segment in ``unit``: the stricter of its current and its power limit.

    A <-> W uses supply voltage x phases (the segment's phases, else the default). Segments
    without any limit get ``default_limit``. Consecutive equal periods are merged; with
    ``keep_stack_levels`` (1.6) periods that differ only in stack level stay apart.
    """
    out: list[FinalPeriod] = []
    for s in segments:
        factor = supply_voltage * (s.phases if s.phases is not None else default_phases)
        if unit == RateUnit.AMPS:
            native, native_stack = s.amps, s.stack_amps
            converted = None if s.watts is None else s.watts / factor
            converted_stack = s.stack_watts
        else:
            native, native_stack = s.watts, s.stack_watts
            converted = None if s.amps is None else s.amps * factor
            converted_stack = s.stack_amps
        if converted is not None and (native is None or converted < native):
            limit, stack = converted, converted_stack
        elif native is not None:
            limit, stack = native, native_stack
        else:
            limit, stack = default_limit, 0
        period = FinalPeriod(s.start, limit, s.phases, stack)
        if out:
            last = out[-1]
            same = last.limit == limit and last.phases == s.phases
            if same and (not keep_stack_levels or last.stack_level == stack):
                continue
        out.append(period)
    return out
