"""Small parts of the 2.0.1 backend: operative state, deferred side effects, message limits, boot request."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from ocpp.exceptions import FormatViolationError, OccurrenceConstraintViolationError

from everest_ocpp.csms.after_response import AfterResponse
from everest_ocpp.storage import read_json
from everest_ocpp.v201.device_model import DeviceModel
from everest_ocpp.v201.device_model import well_known as wk
from everest_ocpp.v201.message_limits import MESSAGE_SIZE, enforce_limits, note_message_size
from everest_ocpp.v201.operative_state import OperativeState
from everest_ocpp.v201.registration import boot_request

EVSES = [(1, [1, 2]), (2, [1])]


def test_effective_status_needs_station_evse_and_connector(tmp_path: Path) -> None:
    state = OperativeState(EVSES, tmp_path / "a.json")
    assert state.snapshot() == {(1, 1): True, (1, 2): True, (2, 1): True}
    state.set(1, 2, False)
    assert state.snapshot() == {(1, 1): True, (1, 2): False, (2, 1): True}
    assert state.evse_effective(1) is True
    state.set(1, None, False)
    assert state.evse_effective(1) is False and state.individual(1, 1) is True
    state.set(None, None, False)
    assert not any(state.snapshot().values())
    state.set(None, None, True)
    state.set(1, None, True)
    state.blocks["firmware"].add(2)
    assert state.snapshot() == {(1, 1): True, (1, 2): False, (2, 1): False}


def test_individual_status_persists_but_blocking_does_not(tmp_path: Path) -> None:
    file = tmp_path / "a.json"
    state = OperativeState(EVSES, file)
    state.set(2, 1, False)
    state.set(1, None, False)
    state.blocks["availability"].add(1)
    assert read_json(file, None) == {
        "station": "Operative",
        "evses": {"1": "Inoperative", "2": "Operative"},
        "connectors": {"1/1": "Operative", "1/2": "Operative", "2/1": "Inoperative"},
    }
    again = OperativeState(EVSES, file)
    assert again.snapshot() == {(1, 1): False, (1, 2): False, (2, 1): False}
    assert again.blocked == set()


def test_targets_that_exist(tmp_path: Path) -> None:
    state = OperativeState(EVSES, tmp_path / "a.json")
    assert state.exists(None, None) and state.exists(1, None) and state.exists(1, 2)
    assert not state.exists(3, None) and not state.exists(2, 2) and not state.exists(None, 1)


def test_after_response_holds_actions_per_request() -> None:
    effects = AfterResponse()
    ran: list[str] = []

    def a() -> None:
        ran.append("a")

    def b() -> None:
        ran.append("b")

    with effects.hold("req-1"):
        effects.run_once(a)
        effects.run_once(a)
        with effects.hold("req-2"):
            effects.run(b)
    effects.run(b)  # outside any hold: at once
    assert ran == ["b"]
    effects.release("req-2")
    assert ran == ["b", "b"]
    effects.release("req-1")
    effects.release("req-1")
    assert ran == ["b", "b", "a"]


def test_a_failing_action_does_not_stop_the_others() -> None:
    effects = AfterResponse()
    ran: list[int] = []

    def broken() -> None:
        raise RuntimeError("boom")

    with effects.hold("r"):
        effects.run(broken)
        effects.run(lambda: ran.append(1))
    effects.release("r")
    assert ran == [1]


def test_limits_raise_the_callerror_the_spec_names(open_dm: Callable[..., DeviceModel]) -> None:
    dm = open_dm(
        **{
            "DeviceDataCtrlr.ItemsPerMessage[GetVariables]": 2,
            "DeviceDataCtrlr.BytesPerMessage[GetVariables]": 50,
        }
    )
    items, size = wk.ITEMS_PER_MESSAGE_GET_VARIABLES, wk.BYTES_PER_MESSAGE_GET_VARIABLES
    note_message_size("x" * 50)
    enforce_limits(dm, "GetVariables", [1, 2], items, size)
    with pytest.raises(OccurrenceConstraintViolationError, match="3 items"):
        enforce_limits(dm, "GetVariables", [1, 2, 3], items, size)
    note_message_size("é" * 26)  # 52 bytes in UTF-8
    assert MESSAGE_SIZE.get() == 52
    with pytest.raises(FormatViolationError, match="52 bytes"):
        enforce_limits(dm, "GetVariables", [1], items, size)


def test_boot_request_takes_the_station_from_the_device_model(open_dm: Callable[..., DeviceModel]) -> None:
    plain = boot_request(open_dm(), "PowerUp")
    assert plain.reason == "PowerUp"
    assert plain.charging_station == {
        "model": "everest-ocpp",
        "vendor_name": "EVerest",
        "serial_number": "EVB-P0000001",
        "firmware_version": "0.1.0",
    }
    with_modem = boot_request(
        open_dm(**{"InternalCtrlr.ICCID": "8949000", "InternalCtrlr.IMSI": ""}), "Triggered"
    )
    assert with_modem.charging_station["modem"] == {"iccid": "8949000"}
