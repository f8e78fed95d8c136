"""A composite schedule (EVerest ``ChargingSchedule``) drawn as a step chart in the terminal."""

from __future__ import annotations

import math
import sys
from typing import Any


def _fill_char() -> str:
    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    try:
        "█".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return "#"
    return "█"


def _nice_top(value: float) -> float:
    """A round axis maximum at or above ``value``."""
    if value <= 0:
        return 1.0
    step = 10 ** math.floor(math.log10(value))
    for factor in (1, 2, 2.5, 4, 5, 10):
        if value <= factor * step:
            return factor * step
    return 10 * step


def _limit_at(periods: list[dict[str, Any]], second: float) -> float | None:
    current = None
    for period in periods:
        if period["start_period"] <= second:
            current = float(period["limit"])
    return current


def _seconds(value: float) -> str:
    if value >= 3600 and value % 60 == 0:
        return f"{value / 3600:g} h"
    if value >= 120 and value % 60 == 0:
        return f"{value / 60:g} min"
    return f"{value:g} s"


def render_schedule(schedule: dict[str, Any], width: int = 60, height: int = 8) -> list[str]:
    """Lines of a step chart of ``schedule``'s limit over its duration, plus its periods in words."""
    width, height = max(width, 10), max(height, 2)
    periods = sorted(schedule.get("charging_schedule_period") or [], key=lambda p: p["start_period"])
    unit = schedule.get("charging_rate_unit", "")
    duration = float(schedule.get("duration") or (periods[-1]["start_period"] + 60 if periods else 60))
    title = f"EVSE {schedule.get('evse')}: limit in {unit} from {schedule.get('start_schedule', '?')}"
    if not periods:
        return [title, "  (no periods)"]
    values = [_limit_at(periods, duration * col / width) for col in range(width)]
    top = _nice_top(max((v for v in values if v is not None), default=0.0))
    fill = _fill_char()
    label_width = max(len(f"{top:g}"), 3)
    lines = [title]
    for row in range(height, 0, -1):
        threshold = top * (row - 0.5) / height
        bar = "".join(fill if v is not None and v >= threshold else " " for v in values)
        label = f"{top * row / height:g}" if row in (height, (height + 1) // 2) else ""
        lines.append(f"{label:>{label_width}} |{bar}")
    lines.append(f"{0:>{label_width}} +{'-' * width}")
    end = _seconds(duration)
    lines.append(f"{'':>{label_width}}  0{end:>{width - 1}}")
    steps = ", ".join(f"{_seconds(p['start_period'])}: {float(p['limit']):g} {unit}" for p in periods)
    lines.append(f"{'':>{label_width}}  periods: {steps}")
    return lines
