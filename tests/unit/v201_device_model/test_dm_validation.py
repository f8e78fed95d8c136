"""Value validation per dataType, limits and values lists."""

from __future__ import annotations

import pytest

from everest_ocpp.v201.device_model import ComponentKey, DataType, VariableCharacteristics, VariableKey
from everest_ocpp.v201.device_model.validation import compile_validator, validate, validator_for


def ch(data_type: DataType, low: float | None = None, high: float | None = None, values: str | None = None):
    return VariableCharacteristics(data_type, True, None, low, high, values)


@pytest.mark.parametrize(
    ("characteristics", "value", "reason"),
    [
        (ch(DataType.STRING), "", None),
        (ch(DataType.STRING, 2, 4), "ab", None),
        (ch(DataType.STRING, 2, 4), "abcd", None),
        (ch(DataType.STRING, 2, 4), "a", "shorter than minLimit 2"),
        (ch(DataType.STRING, 2, 4), "abcde", "longer than maxLimit 4"),
        (ch(DataType.INTEGER), "-12", None),
        (ch(DataType.INTEGER), "+7", None),
        (ch(DataType.INTEGER), "1.0", "not an integer"),
        (ch(DataType.INTEGER), "", "not an integer"),
        (ch(DataType.INTEGER), " 1", "not an integer"),
        (ch(DataType.INTEGER), "\u0661", "not an integer"),  # Arabic-Indic digit one
        (ch(DataType.INTEGER, -5, 10), "-5", None),
        (ch(DataType.INTEGER, -5, 10), "-6", "below minLimit -5"),
        (ch(DataType.INTEGER, -5, 10), "11", "above maxLimit 10"),
        (ch(DataType.DECIMAL), "2.5", None),
        (ch(DataType.DECIMAL), "-.5", None),
        (ch(DataType.DECIMAL), "1e3", None),
        (ch(DataType.DECIMAL), "1e999", "not a decimal number"),
        (ch(DataType.DECIMAL), "nan", "not a decimal number"),
        (ch(DataType.DECIMAL), "1,5", "not a decimal number"),
        (ch(DataType.DECIMAL, 0, 100), "100.0", None),
        (ch(DataType.DECIMAL, 0, 100), "100.01", "above maxLimit 100"),
        (ch(DataType.DECIMAL, 0.5, 100), "0.25", "below minLimit 0.5"),
        (ch(DataType.DATE_TIME), "2024-02-29T12:00:00Z", None),
        (ch(DataType.DATE_TIME), "2024-02-29T12:00:00.123+02:00", None),
        (ch(DataType.DATE_TIME), "2023-02-29T12:00:00Z", "not an RFC 3339 date-time"),
        (ch(DataType.DATE_TIME), "2024-02-28 12:00:00Z", "not an RFC 3339 date-time"),
        (ch(DataType.DATE_TIME), "2024-02-28T12:00:00", "not an RFC 3339 date-time"),
        (ch(DataType.BOOLEAN), "true", None),
        (ch(DataType.BOOLEAN), "false", None),
        (ch(DataType.BOOLEAN), "True", "not 'true' or 'false'"),
        (ch(DataType.BOOLEAN), "1", "not 'true' or 'false'"),
        (ch(DataType.OPTION_LIST, values="LRU,LFU"), "LFU", None),
        (ch(DataType.OPTION_LIST, values="LRU,LFU"), "LRU,LFU", "not one of valuesList"),
        (ch(DataType.OPTION_LIST, values="LRU,LFU"), "lru", "not one of valuesList"),
        (ch(DataType.OPTION_LIST), "anything", None),
        (ch(DataType.MEMBER_LIST, values="A,W"), "W,A", None),
        (ch(DataType.MEMBER_LIST, values="A,W"), "", None),
        (ch(DataType.MEMBER_LIST, values="A,W"), "A,V", "element not in valuesList"),
        (ch(DataType.MEMBER_LIST, values="A,W"), "A,A", "duplicate element"),
        (ch(DataType.SEQUENCE_LIST, values="1,2,3"), "3,1", None),
        (ch(DataType.SEQUENCE_LIST, values="1,2,3"), "4", "element not in valuesList"),
        (ch(DataType.SEQUENCE_LIST), "x,y", None),
    ],
)
def test_validate(characteristics: VariableCharacteristics, value: str, reason: str | None) -> None:
    assert validate(characteristics, value) == reason


def test_zero_is_allowed_for_switchable_intervals_only() -> None:
    interval = ch(DataType.INTEGER, 10, 3600)
    aligned = validator_for(ComponentKey("AlignedDataCtrlr"), VariableKey("Interval"), interval)
    other = validator_for(ComponentKey("OCPPCommCtrlr"), VariableKey("HeartbeatInterval"), interval)
    assert aligned("0") is None
    assert aligned("5") == "below minLimit 10"
    assert other("0") == "below minLimit 10"
    sampled = validator_for(ComponentKey("SampledDataCtrlr"), VariableKey("TxUpdatedInterval"), interval)
    assert sampled("0") is None


def test_validators_are_compiled_once_per_characteristics() -> None:
    assert compile_validator(ch(DataType.STRING, 1, 5)) is compile_validator(ch(DataType.STRING, 1, 5))
