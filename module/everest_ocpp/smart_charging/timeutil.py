"""UTC time helpers: the engine computes in whole epoch seconds, OCPP speaks RFC 3339."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ..timestamps import as_utc

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = timedelta(seconds=1)


def parse_datetime(value: str | datetime) -> datetime:
    """Parse an RFC 3339 / ISO 8601 timestamp into an aware UTC datetime.

    Timestamps without an offset are taken as UTC (libocpp does the same), and a trailing
    lower-case ``z`` is accepted because some CSMSs send it. Times beyond the datetime range in
    UTC are clamped (see :func:`..timestamps.as_utc`).
    """
    if isinstance(value, datetime):
        parsed = value
    else:
        text = value.strip()
        if text.endswith(("z", "Z")):
            text = text[:-1] + "+00:00"
        parsed = datetime.fromisoformat(text)
    return as_utc(parsed)


def format_datetime(value: datetime) -> str:
    """Format as RFC 3339 UTC with milliseconds and ``Z`` (the form libocpp emits)."""
    dt = as_utc(value)
    return (
        f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}T{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}"
        f".{dt.microsecond // 1000:03d}Z"
    )


def to_epoch(value: datetime) -> int:
    """Whole seconds since the epoch, floored (sub-second parts never round up)."""
    dt = value if value.tzinfo else value.replace(tzinfo=UTC)
    return (dt - EPOCH) // _SECOND


def from_epoch(seconds: int) -> datetime:
    return EPOCH + timedelta(seconds=seconds)


def floor_seconds(value: datetime) -> datetime:
    return from_epoch(to_epoch(value))
