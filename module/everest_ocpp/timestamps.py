"""Timestamps as OCPP and EVerest exchange them: RFC 3339, UTC, milliseconds, ``Z``."""

from __future__ import annotations

from datetime import UTC, datetime

_EARLIEST = datetime.min.replace(tzinfo=UTC)
_LATEST = datetime.max.replace(tzinfo=UTC)


def as_utc(moment: datetime) -> datetime:
    """``moment`` in UTC (naive counts as UTC), clamped to what a datetime can hold.

    ``0001-01-01T00:00:00+01:00`` and ``9999-12-31T23:59:59-01:00`` are valid RFC 3339 but have no
    UTC datetime; they become the earliest and latest one instead of an OverflowError.
    """
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        return _EARLIEST if moment.year == 1 else _LATEST


def rfc3339(moment: datetime | None = None) -> str:
    """``moment`` (default: now) as e.g. ``2026-01-01T12:00:00.000Z``; naive times count as UTC."""
    moment = datetime.now(UTC) if moment is None else as_utc(moment)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse(value: object) -> datetime | None:
    """An ISO 8601 / RFC 3339 string as an aware UTC datetime (no offset = UTC); None if unparsable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return as_utc(moment)


def normalized(value: str) -> str:
    """A timestamp from a peer in our form; kept as given when it cannot be parsed."""
    moment = parse(value)
    return value if moment is None else rfc3339(moment)
