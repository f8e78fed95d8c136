"""The 1.6 connector state machine: libocpp's transition table, faults and informational errors."""

from __future__ import annotations

import pytest

from everest_ocpp.bridge.errors import ActiveError
from everest_ocpp.v16.error_codes import error_info
from everest_ocpp.v16.status_machine import (
    TRANSITIONS,
    ConnectorMachine,
    ErrorInfo,
    Event,
    Notification,
    Status,
)

S, E = Status, Event


def machine(state: Status = S.AVAILABLE, connector: int = 1) -> ConnectorMachine:
    return ConnectorMachine(connector, state)


@pytest.mark.parametrize(
    ("start", "event", "end"),
    [(start, event, end) for start, moves in TRANSITIONS.items() for event, end in moves.items()],
)
def test_every_transition_of_the_table_notifies_the_new_state(
    start: Status, event: Event, end: Status
) -> None:
    m = machine(start)
    assert m.handle(event, "why") == Notification(1, end, info="why")
    assert m.state is end


def test_events_without_a_transition_change_nothing_and_send_nothing() -> None:
    m = machine(S.CHARGING)
    assert m.handle(E.USAGE_INITIATED) is None
    assert m.handle(E.RESERVE_CONNECTOR) is None
    assert m.state is S.CHARGING
    assert machine(S.UNAVAILABLE).handle(E.CHANGE_AVAILABILITY_TO_UNAVAILABLE) is None
    assert machine(S.RESERVED).handle(E.START_CHARGING) is None


def test_connector_zero_only_starts_available_or_unavailable() -> None:
    ConnectorMachine(0, S.UNAVAILABLE)
    with pytest.raises(ValueError):
        ConnectorMachine(0, S.CHARGING)


def fault(uuid: str = "f") -> ErrorInfo:
    return ErrorInfo(uuid, "OtherError", True, "caused_by:x", "vendor", "code")


def info_error(uuid: str = "i", code: str = "GroundFailure") -> ErrorInfo:
    return ErrorInfo(uuid, code, False, vendor_id="https://chargex.inl.gov", vendor_error_code="CX002")


def test_a_fault_reports_faulted_hides_moves_and_returns_to_where_the_connector_went() -> None:
    m = machine()
    assert m.raise_error(fault()) == Notification(1, S.FAULTED, "OtherError", "caused_by:x", "vendor", "code")
    assert m.raise_error(fault()) is None  # the same uuid again
    assert m.handle(E.USAGE_INITIATED) is None
    assert (m.state, m.underlying) == (S.FAULTED, S.PREPARING)
    assert m.clear_error("f") == Notification(1, S.PREPARING)


def test_informational_errors_ride_along_and_the_latest_stays_after_a_clear() -> None:
    m = machine()
    first = info_error("a", "GroundFailure")
    assert m.raise_error(first) == Notification(
        1, S.AVAILABLE, "GroundFailure", None, "https://chargex.inl.gov", "CX002"
    )
    assert m.handle(E.USAGE_INITIATED, "EVConnected") == Notification(
        1, S.PREPARING, "GroundFailure", "EVConnected", "https://chargex.inl.gov", "CX002"
    )
    m.raise_error(ErrorInfo("b", "PowerMeterFailure", False))
    assert m.clear_error("b") == Notification(
        1, S.PREPARING, "GroundFailure", None, "https://chargex.inl.gov", "CX002"
    )
    assert m.clear_error("a") == Notification(1, S.PREPARING)
    assert m.clear_error("a") is None  # unknown


def test_clearing_an_error_while_another_fault_remains_reports_nothing() -> None:
    m = machine()
    m.raise_error(fault("f1"))
    m.raise_error(fault("f2"))
    assert m.clear_error("f1") is None
    assert m.state is S.FAULTED
    assert m.clear_error("f2") == Notification(1, S.AVAILABLE)


def active(error_type: str, **kw: str) -> ActiveError:
    base = {
        "uuid": "u1",
        "type": error_type,
        "sub_type": "",
        "message": "msg",
        "severity": "High",
        "evse": 1,
        "connector": None,
        "origin_module": "board",
        "vendor_id": "vid",
        "description": "desc",
        "origin_implementation": "bsp",
    }
    base.update(kw)
    return ActiveError(**base)  # type: ignore[arg-type]


def test_error_mapping_follows_the_cpp_module() -> None:
    mrec = error_info(active("evse_board_support/MREC6UnderVoltage"))
    assert (mrec.error_code, mrec.is_fault, mrec.info, mrec.vendor_id, mrec.vendor_error_code) == (
        "UnderVoltage",
        False,
        None,
        "https://chargex.inl.gov",
        "CX006",
    )
    meter = error_info(active("powermeter/CommunicationFault"))
    assert (meter.error_code, meter.is_fault, meter.info, meter.vendor_id) == (
        "PowerMeterFailure",
        False,
        None,
        None,
    )
    inoperative = error_info(active("evse_manager/Inoperative", message="m" * 80, description="d" * 80))
    assert (inoperative.error_code, inoperative.is_fault) == ("OtherError", True)
    assert (inoperative.info, inoperative.vendor_id, inoperative.vendor_error_code) == (
        ("caused_by:" + "m" * 80)[:50],
        "vid",
        "d" * 50,
    )
    other = error_info(active("evse_board_support/DiodeFault", sub_type="Short"))
    assert (other.error_code, other.is_fault, other.info, other.vendor_id, other.vendor_error_code) == (
        "OtherError",
        False,
        "board->bsp",
        "msg",
        "DiodeFault/Short",
    )
