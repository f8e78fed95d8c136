"""Value checks per OCPP dataType and the variable's limits and values list.

Validators are compiled once per distinct set of characteristics (and cached), so a SetVariables
request costs one closure call. Reasons never contain the value itself: the value may be a secret.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from functools import lru_cache

from .model import ComponentKey, DataType, Validator, VariableCharacteristics, VariableKey, make_ref
from .well_known import ZERO_ALLOWED

# ASCII digits only: Python's \d and int() also accept other Unicode digits, OCPP does not.
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_RFC3339 = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})"
)


_ZERO_ALLOWED_NAMES = frozenset(ref.variable for ref in ZERO_ALLOWED)


def _fmt(limit: float) -> str:
    return f"{limit:g}"


def is_rfc3339(value: str) -> bool:
    if _RFC3339.fullmatch(value) is None:
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:  # e.g. month 13 or 25:00
        return False
    return True


def _csv(text: str) -> list[str]:
    return [part.strip() for part in text.split(",")]


def _number_check(
    parse: re.Pattern[str], kind: str, ch: VariableCharacteristics, allow_zero: bool
) -> Validator:
    low, high = ch.min_limit, ch.max_limit

    def check(value: str) -> str | None:
        if parse.fullmatch(value) is None:
            return f"not {kind}"
        number = float(value)
        if math.isinf(number):
            return f"not {kind}"
        if allow_zero and number == 0:
            return None
        if low is not None and number < low:
            return f"below minLimit {_fmt(low)}"
        if high is not None and number > high:
            return f"above maxLimit {_fmt(high)}"
        return None

    return check


def _string_check(ch: VariableCharacteristics) -> Validator:
    low, high = ch.min_limit, ch.max_limit

    def check(value: str) -> str | None:
        if low is not None and len(value) < low:
            return f"shorter than minLimit {_fmt(low)}"
        if high is not None and len(value) > high:
            return f"longer than maxLimit {_fmt(high)}"
        return None

    return check


def _option_check(ch: VariableCharacteristics) -> Validator:
    if ch.values_list is None:
        return lambda _value: None
    allowed = frozenset(_csv(ch.values_list))

    def check(value: str) -> str | None:
        return None if value.strip() in allowed else "not one of valuesList"

    return check


def _list_check(ch: VariableCharacteristics) -> Validator:
    allowed = None if ch.values_list is None else frozenset(_csv(ch.values_list))

    def check(value: str) -> str | None:
        if value.strip() == "":
            return None  # the empty (sub)set
        members = _csv(value)
        if len(set(members)) != len(members):
            return "duplicate element"
        if allowed is not None and not allowed.issuperset(members):
            return "element not in valuesList"
        return None

    return check


def _boolean_check(value: str) -> str | None:
    return None if value in ("true", "false") else "not 'true' or 'false'"


def _datetime_check(value: str) -> str | None:
    return None if is_rfc3339(value) else "not an RFC 3339 date-time"


@lru_cache(maxsize=4096)
def compile_validator(ch: VariableCharacteristics, allow_zero: bool = False) -> Validator:
    """Return the check for values of a variable with these characteristics.

    ``allow_zero`` accepts 0 regardless of limits (OCPP: 0 switches off some intervals).
    """
    match ch.data_type:
        case DataType.STRING:
            return _string_check(ch)
        case DataType.INTEGER:
            return _number_check(_INTEGER, "an integer", ch, allow_zero)
        case DataType.DECIMAL:
            return _number_check(_DECIMAL, "a decimal number", ch, allow_zero)
        case DataType.DATE_TIME:
            return _datetime_check
        case DataType.BOOLEAN:
            return _boolean_check
        case DataType.OPTION_LIST:
            return _option_check(ch)
        case DataType.SEQUENCE_LIST | DataType.MEMBER_LIST:
            return _list_check(ch)
    raise ValueError(f"unknown dataType {ch.data_type!r}")  # pragma: no cover - exhaustive match


def validator_for(component: ComponentKey, variable: VariableKey, ch: VariableCharacteristics) -> Validator:
    """The compiled check for one variable (knows the variables where 0 is always allowed)."""
    allow_zero = variable.name in _ZERO_ALLOWED_NAMES and make_ref(component, variable) in ZERO_ALLOWED
    return compile_validator(ch, allow_zero)


def validate(ch: VariableCharacteristics, value: str, allow_zero: bool = False) -> str | None:
    """None when ``value`` is valid for ``ch``, else the reason."""
    return compile_validator(ch, allow_zero)(value)


def parse_number(value: str) -> float | None:
    """The numeric value of an integer/decimal string, None if it is not one (used by monitors)."""
    if _DECIMAL.fullmatch(value) is None:
        return None
    number = float(value)
    return None if math.isinf(number) else number
