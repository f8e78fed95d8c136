"""Profile expansion (start times, per-period entries): ports of libocpp's
tests/lib/ocpp/v16/profile_testsA.cpp (calculate_start / calculate_profile_entry / calculate_profile)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from everest_ocpp.smart_charging import ChargingProfile, Kind, Recurrency
from everest_ocpp.smart_charging.periods import period_entries, profile_entries, start_times
from everest_ocpp.smart_charging.timeutil import from_epoch, to_epoch

from .builders import cp16, load16, ts
from .harness import registry

CASES, case = registry("v16_profile_testsA")

_STEPS = [(0, 32.0), (1800, 31.0), (2700, 30.0)]
ABSOLUTE = load16(
    cp16(
        301,
        5,
        "TxDefaultProfile",
        "Absolute",
        "A",
        _STEPS,
        duration=3600,
        start="2024-01-01T12:02:00Z",
        valid_from="2024-01-01T12:00:00Z",
        valid_to="2024-01-01T14:00:00Z",
    ),
    1,
)
RELATIVE = load16(
    cp16(
        301,
        5,
        "TxDefaultProfile",
        "Relative",
        "A",
        _STEPS,
        duration=3600,
        valid_from="2024-01-01T12:00:00Z",
        valid_to="2024-01-01T14:00:00Z",
    ),
    1,
)
# 2024-01-01 is a Monday; daily at 08:00, valid from 12:00 that day for a month
RECURRING = load16(
    cp16(
        301,
        5,
        "TxDefaultProfile",
        "Recurring",
        "A",
        _STEPS,
        duration=3600,
        start="2024-01-01T08:00:00Z",
        recurrency="Daily",
        valid_from="2024-01-01T12:00:00Z",
        valid_to="2024-02-01T12:00:00Z",
    ),
    1,
)
WEEKLY = replace(RECURRING, recurrency=Recurrency.WEEKLY).with_schedule(
    replace(RECURRING.schedule, start_schedule=ts("2024-01-03T16:00:00Z"))  # Wednesdays 16:00
)


def without_duration(profile: ChargingProfile) -> ChargingProfile:
    return profile.with_schedule(replace(profile.schedule, duration=None))


def starts(profile: ChargingProfile, now: str, end: str, session: str | None = None) -> list[str]:
    session_s = None if session is None else to_epoch(ts(session))
    return [
        from_epoch(s).strftime("%Y-%m-%dT%H:%M")
        for s in start_times(profile, to_epoch(ts(now)), to_epoch(ts(end)), session_s)
    ]


def entries(
    profile: ChargingProfile, index: int, now: str, end: str, session: str | None = None
) -> list[tuple[str, str, float]]:
    session_s = None if session is None else to_epoch(ts(session))
    found = period_entries(profile, index, to_epoch(ts(now)), to_epoch(ts(end)), session_s)
    for e in found:
        assert e.stack_level == profile.stack_level and e.number_phases is None
    return [
        (from_epoch(e.start).strftime("%dT%H:%M"), from_epoch(e.end).strftime("%dT%H:%M"), e.limit)
        for e in found
    ]


@case("calculateStartAbsolute")
def start_absolute() -> None:
    for now in ("2024-01-01T11:50", "2024-01-01T12:10", "2024-01-01T14:10"):
        assert starts(ABSOLUTE, now, "2024-01-01T20:50") == ["2024-01-01T12:02"]
    assert starts(ABSOLUTE, "2024-01-01T12:10", "2024-01-01T20:50", session="2024-01-01T12:05") == [
        "2024-01-01T12:02"
    ]


@case("calculateStartRelative")
def start_relative() -> None:
    for now in ("2024-01-01T11:50", "2024-01-01T12:10", "2024-01-01T14:10"):
        assert starts(RELATIVE, now, "2024-01-01T20:50") == [now]
    for session, now in (
        ("2024-01-01T11:50", "2024-01-01T12:10"),
        ("2024-01-01T12:50", "2024-01-01T12:55"),
        ("2024-01-01T14:10", "2024-01-01T14:15"),
    ):
        assert starts(RELATIVE, now, "2024-01-01T20:50", session) == [session]


@case("calculateStartReccuringDaily")
def start_daily() -> None:
    day1, day2, day3 = "2024-01-01T08:00", "2024-01-02T08:00", "2024-01-03T08:00"
    for now in ("2024-01-01T11:50", "2024-01-01T12:10", "2024-01-02T07:10"):
        assert starts(RECURRING, now, "2024-01-02T20:50") == [day1, day2]
    for now in ("2024-01-02T08:10", "2024-01-02T23:10", "2024-01-03T07:10"):
        assert starts(RECURRING, now, "2024-01-03T20:50") == [day2, day3]
    assert starts(RECURRING, "2024-02-03T14:10", "2024-02-04T20:50") == [
        "2024-02-03T08:00",
        "2024-02-04T08:00",
    ]
    assert starts(RECURRING, "2024-01-05T12:10", "2024-01-06T20:50", session="2024-01-05T11:50") == [
        "2024-01-05T08:00",
        "2024-01-06T08:00",
    ]


@case("calculateStartReccuringWeekly")
def start_weekly() -> None:
    for now in ("2024-01-01T11:50", "2024-01-01T12:10", "2024-01-03T07:10"):
        assert starts(WEEKLY, now, "2024-01-07T20:50") == ["2023-12-27T16:00", "2024-01-03T16:00"]
    for now in ("2024-01-03T23:10", "2024-01-04T23:10", "2024-01-10T07:10"):
        assert starts(WEEKLY, now, "2024-01-10T20:50") == ["2024-01-03T16:00", "2024-01-10T16:00"]
    assert starts(WEEKLY, "2024-01-10T20:10", "2024-01-17T20:50") == ["2024-01-10T16:00", "2024-01-17T16:00"]
    assert starts(WEEKLY, "2024-02-03T14:10", "2024-02-10T20:50") == ["2024-01-31T16:00", "2024-02-07T16:00"]


@case("calculateProfileEntryAbsolute0..3")
def entry_absolute() -> None:
    now, end = "2024-01-01T12:10", "2024-01-01T20:50"
    assert entries(ABSOLUTE, 0, now, end) == [("01T12:02", "01T12:32", 32.0)]
    assert entries(ABSOLUTE, 1, now, end) == [("01T12:32", "01T12:47", 31.0)]
    assert entries(ABSOLUTE, 2, now, end) == [("01T12:47", "01T13:02", 30.0)]
    assert entries(ABSOLUTE, 3, now, end) == []  # no such period


@case("calculateProfileEntryAbsoluteNoDuration")
def entry_absolute_no_duration() -> None:
    # without duration the last period runs until validTo
    assert entries(without_duration(ABSOLUTE), 2, "2024-01-01T12:10", "2024-01-01T20:50") == [
        ("01T12:47", "01T14:00", 30.0)
    ]


@case("calculateProfileEntryAbsoluteExpired")
def entry_absolute_expired() -> None:
    assert entries(without_duration(ABSOLUTE), 1, "2024-01-01T18:00", "2024-01-01T20:50") == []


@case("calculateProfileEntryRelative0..3")
def entry_relative() -> None:
    now, end, session = "2024-01-01T12:20", "2024-01-01T20:50", "2024-01-01T12:15"
    assert entries(RELATIVE, 0, now, end) == [("01T12:20", "01T12:50", 32.0)]
    assert entries(RELATIVE, 0, now, end, session) == [("01T12:15", "01T12:45", 32.0)]
    assert entries(RELATIVE, 1, now, end) == [("01T12:50", "01T13:05", 31.0)]
    assert entries(RELATIVE, 1, now, end, session) == [("01T12:45", "01T13:00", 31.0)]
    assert entries(RELATIVE, 2, now, end) == [("01T13:05", "01T13:20", 30.0)]
    assert entries(RELATIVE, 2, now, end, session) == [("01T13:00", "01T13:15", 30.0)]
    assert entries(RELATIVE, 3, now, end, session) == []


@case("calculateProfileEntryRelativeNoDuration")
def entry_relative_no_duration() -> None:
    profile = without_duration(RELATIVE)
    assert entries(profile, 2, "2024-01-01T12:20", "2024-01-01T20:50") == [("01T13:05", "01T14:00", 30.0)]
    assert entries(profile, 2, "2024-01-01T12:20", "2024-01-01T20:50", "2024-01-01T12:15") == [
        ("01T13:00", "01T14:00", 30.0)
    ]


@case("calculateProfileEntryRelativeExpired")
def entry_relative_expired() -> None:
    profile = without_duration(RELATIVE)
    assert entries(profile, 1, "2024-01-01T18:00", "2024-01-01T20:50") == []
    assert entries(profile, 1, "2024-01-01T18:00", "2024-01-01T20:50", "2024-01-01T12:15") == []


@case("calculateProfileEntryRecurringDaily0..1")
def entry_daily() -> None:
    now, end = "2024-01-02T08:10", "2024-01-03T20:50"
    assert entries(RECURRING, 0, now, end) == [("02T08:00", "02T08:30", 32.0), ("03T08:00", "03T08:30", 32.0)]
    assert entries(RECURRING, 1, now, end) == [("02T08:30", "02T08:45", 31.0), ("03T08:30", "03T08:45", 31.0)]


@case("calculateProfileEntryRecurringDailyBeforeValid")
def entry_daily_before_valid() -> None:
    assert entries(RECURRING, 2, "2023-12-28T08:10", "2023-12-30T20:50") == []
    assert entries(RECURRING, 2, "2024-01-01T08:10", "2024-01-02T20:50") == [("02T08:45", "02T09:00", 30.0)]
    # without duration the last period lasts until the next occurrence, starting at validFrom
    found = entries(without_duration(RECURRING), 2, "2024-01-01T08:10", "2024-01-03T20:50")
    assert found[:2] == [("01T12:00", "02T08:00", 30.0), ("02T08:45", "03T08:00", 30.0)]


@case("calculateProfileRelativeLimited")
def profile_relative_limited() -> None:
    def run(session: str, minutes_in: int, window: int = 20) -> list[tuple[str, str, float]]:
        s = to_epoch(ts(session))
        now = s + minutes_in * 60
        found = profile_entries(RELATIVE, now, now + window * 60, s)
        return [
            (from_epoch(e.start).strftime("%H:%M"), from_epoch(e.end).strftime("%H:%M"), e.limit)
            for e in found
        ]

    assert run("2024-01-01T08:10", 2) == []  # session long before validFrom: over before it is valid
    assert run("2024-01-01T11:55", 2) == [("12:00", "12:25", 32.0)]
    assert run("2024-01-01T11:55", 25) == [
        ("12:00", "12:25", 32.0),
        ("12:25", "12:40", 31.0),
        ("12:40", "12:55", 30.0),
    ]


@case("invalid period order is ignored")
def invalid_order_ignored() -> None:
    profile = load16(
        cp16(
            1,
            0,
            "TxDefaultProfile",
            "Absolute",
            "A",
            [(10, 5.0), (5, 6.0), (20, 7.0)],
            start="2024-01-01T00:00:00Z",
        ),
        1,
    )
    now, end = to_epoch(ts("2024-01-01T00:00")), to_epoch(ts("2024-01-01T01:00"))
    # first period does not start at 0, second goes backwards: only the third one is used
    assert [(e.start - now, e.limit) for e in profile_entries(profile, now, end, None)] == [(20, 7.0)]


@case("recurring without recurrencyKind has no occurrences")
def recurring_without_kind() -> None:
    profile = replace(RECURRING, recurrency=None)
    assert profile.kind == Kind.RECURRING
    assert starts(profile, "2024-01-02T08:10", "2024-01-03T20:50") == []


@pytest.mark.parametrize("run_case", list(CASES.values()), ids=list(CASES))
def test_ported(run_case) -> None:
    run_case()
