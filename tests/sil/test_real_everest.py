"""The module in a real EVerest SIL stack, in place of the C++ OCPP / OCPP201 module (opt-in)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from .conftest import PREFIX
from .everest_stack import ENV, EverestSil

pytestmark = pytest.mark.skipif(PREFIX is None, reason=f"set {ENV} to an EVerest installation (bin/manager)")


def statuses(stack: EverestSil, version: str) -> list[str]:
    key = "status" if version == "1.6" else "connectorStatus"
    return [c.payload[key] for c in stack.csms.received("StatusNotification")]


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
def test_boots_in_place_of_the_cpp_module(everest: Callable[..., EverestSil], version: str) -> None:
    stack = everest(version)
    stack.csms.wait_until(lambda: "Available" in statuses(stack, version), 30, "an Available connector")
    assert stack.csms.received("BootNotification")
    assert "everest_ocpp" in stack.log_text()  # it is this module that answered


@pytest.mark.parametrize("implementation", ["python", "cpp"])
@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
def test_plugged_car_is_reported(
    everest: Callable[..., EverestSil], version: str, implementation: str
) -> None:
    stack = everest(version, implementation)
    stack.csms.wait_until(lambda: "Available" in statuses(stack, version), 30, "an Available connector")
    stack.car(1, "sleep 1;iec_wait_pwr_ready;sleep 1;draw_power_regulated 16,3;sleep 5;unplug")
    wanted = "Preparing" if version == "1.6" else "Occupied"
    stack.csms.wait_until(lambda: wanted in statuses(stack, version), 30, f"a {wanted} connector")


SESSION = "sleep 1;iec_wait_pwr_ready;sleep 1;draw_power_regulated 16,3;sleep 8;unplug"


def _summary(version: str, action: str, payload: dict[str, Any]) -> tuple[Any, ...]:
    """What must be the same with both implementations (times, ids and meter readings may differ)."""
    if version == "1.6":
        keys = {
            "StatusNotification": ("connectorId", "status", "errorCode"),
            "StartTransaction": ("connectorId", "idTag"),
            "StopTransaction": ("idTag", "reason"),
            "Authorize": ("idTag",),
        }.get(action, ())
        return (action, *(payload.get(k) for k in keys))
    if action == "TransactionEvent":
        token = (payload.get("idToken") or {}).get("idToken")
        info = payload.get("transactionInfo") or {}
        return (action, payload["eventType"], payload["triggerReason"], info.get("chargingState"), token)
    if action == "StatusNotification":
        return (action, payload["evseId"], payload["connectorStatus"])
    return (action,)


def _session(stack: EverestSil, version: str) -> list[tuple[Any, ...]]:
    stack.csms.wait_until(lambda: "Available" in statuses(stack, version), 30, "an Available connector")
    first = len(stack.csms.received())
    stack.car(1, SESSION)
    wanted = "Preparing" if version == "1.6" else "Occupied"
    stack.csms.wait_until(lambda: wanted in statuses(stack, version), 30, "the car")
    stack.swipe("DEADBEEF")
    ended = "StopTransaction" if version == "1.6" else "TransactionEvent"

    def finished() -> bool:
        calls = stack.csms.received()[first:]
        done = [
            c for c in calls if c.action == ended and (version == "1.6" or c.payload["eventType"] == "Ended")
        ]
        return bool(done) and statuses(stack, version)[-1] == "Available"

    try:
        stack.csms.wait_until(finished, 60, "the end of the session")
    except TimeoutError:
        seen = [(c.action, c.payload) for c in stack.csms.received()[first:] if c.action != "MeterValues"]
        raise AssertionError(f"{stack.implementation}: session did not end; CSMS saw {seen}") from None
    calls = [c for c in stack.csms.received()[first:] if c.action not in ("MeterValues", "Heartbeat")]
    summary = [_summary(version, c.action, c.payload) for c in calls]
    # periodic updates depend on timing: keep one per run of equal ones
    return [s for i, s in enumerate(summary) if i == 0 or s != summary[i - 1]]


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
def test_a_charging_session_reaches_the_csms_as_with_the_cpp_module(
    everest: Callable[..., EverestSil], version: str
) -> None:
    """The same simulated session (plug in, RFID, charge, unplug) with the C++ module and with ours:
    the CSMS sees the same messages in the same order (DummyTokenValidator authorizes the token)."""
    cpp = _session(everest(version, "cpp", validator="dummy"), version)
    ours = _session(everest(version, "python", validator="dummy"), version)
    assert ours == cpp


def test_a_1_6_session_authorized_through_ocpp_reaches_the_csms_as_with_the_cpp_module(
    everest: Callable[..., EverestSil],
) -> None:
    """The same session with the Auth module asking the OCPP module's auth_validator (the C++ module's
    libocpp, or ours): the Authorize, the transaction and the status changes are the same. Up to charging
    the order is compared too; at the end ours may send the Available StatusNotification before the queued
    StopTransaction (it is not queued behind it), so the end is compared as a set. The start-up's
    SecurityEventNotification may fall into the session's window: it is not part of the session."""

    def session(implementation: str) -> list[tuple[Any, ...]]:
        summary = _session(everest("1.6", implementation, validator="ocpp"), "1.6")
        return [s for s in summary if s[0] != "SecurityEventNotification"]

    cpp, ours = session("cpp"), session("python")
    assert ours[:3] == [
        ("StatusNotification", 1, "Preparing", "NoError"),
        ("Authorize", "DEADBEEF"),
        ("StartTransaction", 1, "DEADBEEF"),
    ]

    def in_order_until_charging(summary: list[tuple[Any, ...]]) -> tuple[list[Any], list[str]]:
        end = summary.index(("StatusNotification", 1, "Charging", "NoError")) + 1
        return summary[:end], sorted(repr(s) for s in summary[end:])

    assert in_order_until_charging(ours) == in_order_until_charging(cpp)
