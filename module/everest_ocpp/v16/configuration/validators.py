"""Value checks for ChangeConfiguration and friends.

Every parser takes the text a CSMS (or the generic interface) sent plus a ValidationContext and
returns the JSON value to store, or raises InvalidValue with a reason that never echoes secrets.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from everest_ocpp.v16.configuration.model import InvalidValue, JsonValue, Parser, ValidationContext

MAX_INT32 = 2**31 - 1

MEASURANDS: frozenset[str] = frozenset(
    {
        "Current.Export",
        "Current.Import",
        "Current.Offered",
        "Energy.Active.Export.Register",
        "Energy.Active.Import.Register",
        "Energy.Reactive.Export.Register",
        "Energy.Reactive.Import.Register",
        "Energy.Active.Export.Interval",
        "Energy.Active.Import.Interval",
        "Energy.Reactive.Export.Interval",
        "Energy.Reactive.Import.Interval",
        "Frequency",
        "Power.Active.Export",
        "Power.Active.Import",
        "Power.Factor",
        "Power.Offered",
        "Power.Reactive.Export",
        "Power.Reactive.Import",
        "RPM",
        "SoC",
        "Temperature",
        "Voltage",
    }
)
PHASE_ROTATIONS: frozenset[str] = frozenset(
    {"NotApplicable", "Unknown", "RST", "RTS", "SRT", "STR", "TRS", "TSR"}
)
PROFILE_PURPOSES: frozenset[str] = frozenset({"ChargePointMaxProfile", "TxDefaultProfile", "TxProfile"})
AUTHORIZATION_KEY_MIN_LENGTH = 8

_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_HEX = re.compile(r"(?:[0-9A-Fa-f]{2})+")
_TIME_OFFSET = re.compile(r"([+-]?[0-9]{1,2}):([0-9]{1,2})")


def split_csl(text: str) -> list[str]:
    """Comma separated list as OCPP 1.6 uses it: empty elements are skipped, nothing is trimmed."""
    return [part for part in text.split(",") if part]


def parse_int32(text: str) -> int | None:
    """ "Optional sign + digits" that fits a signed 32-bit integer, else None ("5.0", " 5", "")."""
    if not _INTEGER.fullmatch(text):
        return None
    value = int(text)
    return value if -MAX_INT32 - 1 <= value <= MAX_INT32 else None


def integer(minimum: int | None = 0, maximum: int | None = None) -> Parser:
    """Integer within [minimum, maximum]; the default is libocpp's "non-negative integer"."""

    def parse(text: str, _ctx: ValidationContext) -> JsonValue:
        value = parse_int32(text)
        if value is None:
            raise InvalidValue(f"{text!r} is not an integer")
        if minimum is not None and value < minimum:
            raise InvalidValue(f"{value} is below the minimum {minimum}")
        if maximum is not None and value > maximum:
            raise InvalidValue(f"{value} is above the maximum {maximum}")
        return value

    return parse


def number(minimum: float | None = None, maximum: float | None = None) -> Parser:
    """Decimal number (internal writes of number keys, Custom number keys); integers stay integers."""

    def parse(text: str, _ctx: ValidationContext) -> JsonValue:
        value: int | float | None = parse_int32(text)
        if value is None:
            if not _DECIMAL.fullmatch(text):
                raise InvalidValue(f"{text!r} is not a number")
            value = float(text)
        if minimum is not None and value < minimum:
            raise InvalidValue(f"{text} is below the minimum {minimum:g}")
        if maximum is not None and value > maximum:
            raise InvalidValue(f"{text} is above the maximum {maximum:g}")
        return value

    return parse


def strict_boolean(text: str, _ctx: ValidationContext) -> JsonValue:
    """ "true"/"false" in any letter case; anything else is rejected."""
    lowered = text.lower()
    if lowered not in ("true", "false"):
        raise InvalidValue(f"{text!r} is not a boolean")
    return lowered == "true"


def lenient_boolean(text: str, _ctx: ValidationContext) -> JsonValue:
    """libocpp's reading for some keys: "true" in any case is true, everything else is false."""
    return text.lower() == "true"


def string(min_length: int | None = None, max_length: int | None = None) -> Parser:
    def parse(text: str, _ctx: ValidationContext) -> JsonValue:
        if min_length is not None and len(text) < min_length:
            raise InvalidValue(f"shorter than {min_length} characters")
        if max_length is not None and len(text) > max_length:
            raise InvalidValue(f"longer than {max_length} characters")
        return text

    return parse


def string_array(separator: str = ",") -> Parser:
    """A list of strings written as one separated string (internal writes of array keys)."""

    def parse(text: str, _ctx: ValidationContext) -> JsonValue:
        return [part for part in text.split(separator) if part]

    return parse


def measurand_list(text: str, ctx: ValidationContext) -> JsonValue:
    """CSL of measurands, each known and listed in SupportedMeasurands (no phase suffixes)."""
    check_measurands(text, ctx.supported_measurands)
    return text


def check_measurands(text: str, supported: frozenset[str]) -> None:
    for element in split_csl(text):
        if element not in MEASURANDS:
            raise InvalidValue(f"unknown measurand {element!r}")
        if element not in supported:
            raise InvalidValue(f"measurand {element!r} is not in SupportedMeasurands")


def phase_rotation(text: str, ctx: ValidationContext) -> JsonValue:
    """CSL of ``<connector 0..N>.<rotation>``; whitespace anywhere is ignored."""
    compact = "".join(ch for ch in text if not ch.isspace())
    for element in split_csl(compact):
        connector_text, dot, rotation = element.partition(".")
        connector = parse_int32(connector_text)
        if not dot or "." in rotation or connector is None:
            raise InvalidValue(f"{element!r} is not <connector>.<rotation>")
        if not 0 <= connector <= ctx.number_of_connectors:
            raise InvalidValue(f"connector {connector} does not exist")
        if rotation not in PHASE_ROTATIONS:
            raise InvalidValue(f"unknown phase rotation {rotation!r}")
    return text


def profile_purposes(text: str, _ctx: ValidationContext) -> JsonValue:
    """CSL of ChargingProfilePurposeType names (blanks around names are allowed)."""
    for element in text.split(","):
        if element.strip() not in PROFILE_PURPOSES:
            raise InvalidValue(f"unknown charging profile purpose {element.strip()!r}")
    return text


def evse_ids(text: str, _ctx: ValidationContext) -> JsonValue:
    """CSL of EVSE ids (one per connector), each 7..37 characters, at most 1000 in total."""
    elements = split_csl(text)
    if not elements or len(text) > 1000:
        raise InvalidValue("must hold 1..1000 characters of EVSE ids")
    for element in elements:
        if not 7 <= len(element) <= 37:
            raise InvalidValue(f"EVSE id {element!r} must have 7..37 characters")
    return text


def time_offset(text: str, _ctx: ValidationContext) -> JsonValue:
    """Display time offset ``[+-]HH:MM`` with hours -24..24 and minutes 0..59."""
    match = _TIME_OFFSET.fullmatch(text)
    if match is None:
        raise InvalidValue(f"{text!r} is not a time offset like +01:00")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if not -24 <= hours <= 24 or not 0 <= minutes <= 59:
        raise InvalidValue(f"{text!r} is out of range")
    return text


def future_datetime(text: str, ctx: ValidationContext) -> JsonValue:
    """An ISO 8601 date-time (UTC if no offset is given) that lies in the future."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidValue(f"{text!r} is not an ISO 8601 date-time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if moment <= ctx.now:
        raise InvalidValue(f"{text!r} is not in the future")
    return text


def decode_authorization_key(text: str) -> str:
    """A key sent as hex digits that decode to printable ASCII is stored decoded (as libocpp does)."""
    if _HEX.fullmatch(text):
        decoded = bytes.fromhex(text)
        if all(0x20 <= byte <= 0x7E for byte in decoded):
            return decoded.decode("ascii")
    return text


def authorization_key(text: str, _ctx: ValidationContext) -> JsonValue:
    key = decode_authorization_key(text)
    if len(key) < AUTHORIZATION_KEY_MIN_LENGTH:
        raise InvalidValue(f"AuthorizationKey must have at least {AUTHORIZATION_KEY_MIN_LENGTH} characters")
    return key


def central_system_uri(text: str, _ctx: ValidationContext) -> JsonValue:
    """host[:port]/path, optionally with a ws:// or wss:// scheme; no blanks."""
    if not text or any(ch.isspace() or not ch.isprintable() for ch in text):
        raise InvalidValue("must be a non-empty URI without blanks")
    scheme, sep, rest = text.partition("://")
    if sep and (scheme.lower() not in ("ws", "wss") or not rest):
        raise InvalidValue(f"scheme {scheme!r} is not ws or wss")
    return text
