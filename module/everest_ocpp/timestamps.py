"""Timestamps as OCPP and EVerest exchange them: RFC 3339, UTC, milliseconds, ``Z``."""

from __future__ import annotations

from datetime import UTC, datetime


def rfc3339(moment: datetime | None = None) -> str:
    """``moment`` (default: now) as e.g. ``2026-01-01T12:00:00.000Z``; naive times count as UTC."""
    moment = moment or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse(value: object) -> datetime | None:
    """An ISO 8601 / RFC 3339 string as an aware datetime (no offset = UTC); None if unparsable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def normalized(value: str) -> str:
    """A timestamp from a peer in our form; kept as given when it cannot be parsed."""
    moment = parse(value)
    return value if moment is None else rfc3339(moment)
