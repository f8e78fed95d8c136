"""The module in a real EVerest SIL stack, in place of the C++ OCPP / OCPP201 module (opt-in)."""

from __future__ import annotations

from collections.abc import Callable

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
