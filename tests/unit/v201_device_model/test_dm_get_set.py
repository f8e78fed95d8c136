"""VariableStore behaviour of the facade: statuses, order of checks, mutability, secrets, listeners."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from everest_ocpp.v201.device_model import DeviceModel, DeviceModelError, MissingValueError
from everest_ocpp.v201.device_model import well_known as wk
from everest_ocpp.variables import (
    Attribute,
    GetStatus,
    SetStatus,
    Source,
    VariableChange,
    VariableRef,
    VariableStore,
)

from .helpers import component, prop, write

LIMIT = VariableRef("Ctrl", "Limit")
SECRET = VariableRef("Ctrl", "Secret")
FIXED = VariableRef("Ctrl", "Fixed")
RANGE = VariableRef("Ctrl", "Range")
EMPTY = VariableRef("Ctrl", "Empty")
PER_EVSE = VariableRef(
    "Thing", "Level", component_instance="left", variable_instance="Inner", evse=1, connector=2
)


@pytest.fixture
def small(tmp_path: Path) -> Iterator[DeviceModel]:
    write(
        tmp_path / "cc",
        "Ctrl.json",
        component(
            "Ctrl",
            prop("Limit", "integer", 10, minLimit=0, maxLimit=100),
            prop("Secret", "string", "0123456789abcdef", "WriteOnly", minLimit=16),
            prop("Fixed", "boolean", True, "ReadOnly"),
            prop(
                "Range",
                "integer",
                5,
                extra_attributes=[
                    {"type": "MaxSet", "mutability": "ReadOnly", "value": 9},
                    {"type": "MinSet"},
                ],
            ),
            prop("Empty", "string"),
        ),
    )
    write(
        tmp_path / "cc",
        "Thing.json",
        component(
            "Thing", prop("Level", "integer", 3, instance="Inner"), instance="left", evse_id=1, connector_id=2
        ),
    )
    model = DeviceModel.open(tmp_path / "cc", tmp_path / "dm.db", check_required=False)
    yield model
    model.close()


def test_facade_is_a_variable_store(small: DeviceModel) -> None:
    store: VariableStore = small
    assert store.get(LIMIT).value == "10"


def test_get_statuses(small: DeviceModel) -> None:
    assert small.get(VariableRef("Nope", "Limit")).status is GetStatus.UNKNOWN_COMPONENT
    assert small.get(VariableRef("Ctrl", "Nope")).status is GetStatus.UNKNOWN_VARIABLE
    assert small.get(LIMIT, Attribute.TARGET).status is GetStatus.NOT_SUPPORTED_ATTRIBUTE_TYPE
    assert small.get(RANGE, Attribute.MIN_SET).status is GetStatus.NOT_SUPPORTED_ATTRIBUTE_TYPE  # no value
    assert small.get(EMPTY).status is GetStatus.NOT_SUPPORTED_ATTRIBUTE_TYPE
    secret = small.get(SECRET)
    assert (secret.status, secret.value) == (GetStatus.REJECTED, None)
    result = small.get(RANGE, Attribute.MAX_SET)
    assert (result.status, result.value, result.ref, result.attribute) == (
        GetStatus.ACCEPTED,
        "9",
        RANGE,
        Attribute.MAX_SET,
    )


def test_matching_is_exact_and_includes_instances_and_evse(small: DeviceModel) -> None:
    assert small.get(VariableRef("ctrl", "Limit")).status is GetStatus.UNKNOWN_COMPONENT
    assert small.get(VariableRef("Ctrl", "limit")).status is GetStatus.UNKNOWN_VARIABLE
    assert small.get(PER_EVSE).value == "3"
    wrong = [
        VariableRef("Thing", "Level", "left", "Inner", 1, None),
        VariableRef("Thing", "Level", "left", "Inner", 2, 2),
        VariableRef("Thing", "Level", None, "Inner", 1, 2),
    ]
    assert [small.get(ref).status for ref in wrong] == [GetStatus.UNKNOWN_COMPONENT] * 3
    assert small.get(VariableRef("Thing", "Level", "left", None, 1, 2)).status is GetStatus.UNKNOWN_VARIABLE


def test_empty_instance_strings_mean_no_instance(small: DeviceModel) -> None:
    assert small.get(VariableRef("Ctrl", "Limit", component_instance="", variable_instance="")).value == "10"


def test_set_order_of_checks(small: DeviceModel) -> None:
    def status(ref: VariableRef, value: str, attribute: Attribute = Attribute.ACTUAL) -> SetStatus:
        return small.set(ref, value, attribute, source=Source.CSMS).status

    assert status(VariableRef("Nope", "Nope"), "x") is SetStatus.UNKNOWN_COMPONENT
    assert status(VariableRef("Ctrl", "Nope"), "x") is SetStatus.UNKNOWN_VARIABLE
    # invalid value wins over a missing attribute, a missing attribute over read-only
    assert status(LIMIT, "abc", Attribute.TARGET) is SetStatus.REJECTED
    assert status(LIMIT, "5", Attribute.TARGET) is SetStatus.NOT_SUPPORTED_ATTRIBUTE_TYPE
    assert status(FIXED, "maybe") is SetStatus.REJECTED
    assert status(FIXED, "false") is SetStatus.REJECTED
    assert status(LIMIT, "101") is SetStatus.REJECTED
    assert status(LIMIT, "100") is SetStatus.ACCEPTED


def test_rejection_reasons(small: DeviceModel) -> None:
    assert small.set(LIMIT, "101", source="csms").reason == "invalid value: above maxLimit 100"
    assert small.set(FIXED, "false", source="csms").reason == "attribute is read-only"
    assert small.set(LIMIT, "1", Attribute.TARGET, source="csms").reason == "variable has no Target attribute"
    assert small.set(VariableRef("Ctrl", "X"), "1", source="csms").reason == "no such variable"


def test_read_only_needs_allow_read_only(small: DeviceModel) -> None:
    assert (
        small.set(FIXED, "false", source=Source.INTERNAL, allow_read_only=True).status is SetStatus.ACCEPTED
    )
    assert small.get(FIXED).value == "false"
    assert small.set(RANGE, "7", Attribute.MAX_SET, source="internal", allow_read_only=True).status is (
        SetStatus.ACCEPTED
    )
    assert small.get(RANGE, Attribute.MAX_SET).value == "7"


def test_write_only_is_writable_but_never_disclosed(
    small: DeviceModel, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="everest_ocpp")
    assert small.set(SECRET, "new-secret-value-42", source="csms").status is SetStatus.ACCEPTED
    assert small.get(SECRET).status is GetStatus.REJECTED
    assert small.get_str(SECRET) == "new-secret-value-42"  # internal read
    variable = small.variable(SECRET)
    assert variable is not None
    assert "new-secret-value-42" not in repr(variable)
    assert "new-secret-value-42" not in caplog.text
    assert small.set(SECRET, "too-short", source="csms").reason == "invalid value: shorter than minLimit 16"
    assert "too-short" not in caplog.text


def test_writes_are_committed_with_their_source(small: DeviceModel, tmp_path: Path) -> None:
    small.set(LIMIT, "42", source="csms")
    small.set(RANGE, "8", Attribute.MAX_SET, source="custom-tool", allow_read_only=True)
    with sqlite3.connect(tmp_path / "dm.db") as other:
        rows = other.execute(
            "SELECT v.name, a.type, a.value, a.value_source FROM attribute a "
            "JOIN variable v ON v.id = a.variable_id WHERE v.name IN ('Limit', 'Range') "
            "AND a.value IS NOT NULL ORDER BY v.name, a.type"
        ).fetchall()
    assert rows == [
        ("Limit", "Actual", "42", "csms"),
        ("Range", "Actual", "5", "default"),
        ("Range", "MaxSet", "8", "custom-tool"),
    ]


def test_listeners_see_every_accepted_write(small: DeviceModel) -> None:
    seen: list[VariableChange] = []
    small.add_listener(seen.append)
    small.set(LIMIT, "11", source="csms")
    small.set(LIMIT, "11", source="internal")
    small.set(LIMIT, "500", source="csms")  # rejected: no event
    small.set(RANGE, "6", Attribute.MAX_SET, source="internal", allow_read_only=True)
    small.set(SECRET, "another-secret-value", source="csms")
    assert [
        (c.ref, c.attribute, c.old_value, c.new_value, c.source, c.changed, c.write_only) for c in seen
    ] == [
        (LIMIT, Attribute.ACTUAL, "10", "11", "csms", True, False),
        (LIMIT, Attribute.ACTUAL, "11", "11", "internal", False, False),
        (RANGE, Attribute.MAX_SET, "9", "6", "internal", True, False),
        (SECRET, Attribute.ACTUAL, "0123456789abcdef", "another-secret-value", "csms", True, True),
    ]


def test_listener_refs_are_canonical(small: DeviceModel) -> None:
    seen: list[VariableChange] = []
    small.add_listener(seen.append)
    small.set(VariableRef("Ctrl", "Limit", component_instance=""), "12", source="csms")
    assert seen[0].ref == LIMIT


def test_a_failing_listener_does_not_stop_others(
    small: DeviceModel, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[str] = []

    def broken(change: VariableChange) -> None:
        raise RuntimeError("boom")

    small.add_listener(broken)
    small.add_listener(lambda change: seen.append(change.new_value))
    assert small.set(LIMIT, "13", source="csms").status is SetStatus.ACCEPTED
    assert seen == ["13"]
    assert "Device model listener failed for Ctrl.Limit" in caplog.text


def test_typed_accessors(small: DeviceModel) -> None:
    assert small.get_int(LIMIT) == 10
    assert small.get_bool(FIXED) is True
    assert small.get_float(LIMIT) == 10.0
    assert small.get_str(EMPTY, default="fallback") == "fallback"
    assert small.get_int(RANGE, attribute=Attribute.MAX_SET) == 9
    with pytest.raises(MissingValueError, match=r"Ctrl.Empty has no Actual value"):
        small.get_str(EMPTY)
    with pytest.raises(MissingValueError):
        small.get_int(VariableRef("Nope", "Nope"))
    with pytest.raises(DeviceModelError, match="not a boolean"):
        small.get_bool(LIMIT)
    small.set(SECRET, "not-a-number-at-all", source="internal")
    with pytest.raises(DeviceModelError, match=r"Ctrl\.Secret is not a number"):
        small.get_int(SECRET)
    with pytest.raises(DeviceModelError, match=r"Ctrl\.Secret is not a number"):
        small.get_float(SECRET)


def test_extra_validator(small: DeviceModel) -> None:
    small.add_validator(LIMIT, lambda value: "odd values are not allowed" if int(value) % 2 else None)
    assert small.set(LIMIT, "3", source="csms").reason == "invalid value: odd values are not allowed"
    assert small.set(LIMIT, "4", source="csms").status is SetStatus.ACCEPTED
    with pytest.raises(DeviceModelError):
        small.add_validator(VariableRef("Ctrl", "Nope"), lambda value: None)


def test_shipped_rules(dm: DeviceModel) -> None:
    assert dm.set(wk.SECURITY_PROFILE, "2", source="csms").status is SetStatus.REJECTED
    assert dm.set(wk.HEARTBEAT_INTERVAL, "0", source="csms").status is SetStatus.REJECTED
    assert dm.set(wk.HEARTBEAT_INTERVAL, "60", source="csms").status is SetStatus.ACCEPTED
    assert dm.set(wk.ALIGNED_DATA_INTERVAL, "0", source="csms").status is SetStatus.ACCEPTED
    assert dm.set(wk.TX_START_POINT, "EVConnected,Authorized", source="csms").status is SetStatus.ACCEPTED
    assert dm.set(wk.TX_START_POINT, "Plugged", source="csms").status is SetStatus.REJECTED
    assert dm.set(wk.BASIC_AUTH_PASSWORD, "a" * 41, source="csms").status is SetStatus.REJECTED
    assert dm.get(wk.BASIC_AUTH_PASSWORD).status is GetStatus.REJECTED
