"""Authorization and remote start through a real EVerest Auth module (opt-in, like test_real_everest.py).

The Auth module asks this module's ``auth_validator`` to validate an RFID swipe (DummyTokenProviderManual) and
receives remote-start tokens from its ``auth_provider``; the simulated car then charges.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from .conftest import PREFIX
from .everest_stack import ENV, EverestSil

pytestmark = pytest.mark.skipif(PREFIX is None, reason=f"set {ENV} to an EVerest installation (bin/manager)")

CHARGE = "sleep 1;iec_wait_pwr_ready;sleep 1;draw_power_regulated 16,3;sleep 20;unplug"


def events(stack: EverestSil, **wanted: Any) -> list[dict[str, Any]]:
    return [
        c.payload
        for c in stack.csms.received("TransactionEvent")
        if all(c.payload.get(k) == v for k, v in wanted.items())
    ]


def charging(stack: EverestSil) -> bool:
    return any(e["transactionInfo"].get("chargingState") == "Charging" for e in events(stack))


def status_seen(stack: EverestSil, status: str) -> None:
    stack.csms.wait_until(
        lambda: any(
            c.payload["connectorStatus"] == status for c in stack.csms.received("StatusNotification")
        ),
        30,
        f"an {status} connector",
    )


def ready(stack: EverestSil) -> None:
    """Available, and the car plugged in (Occupied): an authorization that reaches the EvseManager while
    it still starts up (right after Available) can be dropped by it, which is not what is tested here."""
    status_seen(stack, "Available")
    stack.car(1, CHARGE)
    status_seen(stack, "Occupied")


def test_an_rfid_swipe_is_authorized_by_the_csms_and_starts_a_transaction(
    everest: Callable[..., EverestSil],
) -> None:
    stack = everest("2.0.1")
    ready(stack)
    stack.swipe("SIL-CARD-1")
    stack.csms.wait_until(lambda: stack.csms.received("Authorize"), 30, "an Authorize")
    assert stack.csms.received("Authorize")[0].payload == {
        "idToken": {"idToken": "SIL-CARD-1", "type": "ISO14443"}
    }
    stack.csms.wait_until(lambda: events(stack, eventType="Started"), 60, "TransactionEvent Started")
    started = events(stack, eventType="Started")[0]
    assert started["idToken"] == {"idToken": "SIL-CARD-1", "type": "ISO14443"}
    stack.csms.wait_until(lambda: charging(stack), 60, "charging")


def test_a_remote_start_charges_the_car(everest: Callable[..., EverestSil]) -> None:
    stack = everest("2.0.1")
    ready(stack)
    answer = stack.csms.send(
        "RequestStartTransaction",
        {"idToken": {"idToken": "SIL-REMOTE", "type": "ISO14443"}, "remoteStartId": 77, "evseId": 1},
    )
    assert answer == {"status": "Accepted"}
    # AuthCtrlr.AuthorizeRemoteStart (true in the shipped component config): Auth validates the token with us
    stack.csms.wait_until(lambda: stack.csms.received("Authorize"), 30, "an Authorize")
    assert stack.csms.received("Authorize")[0].payload == {
        "idToken": {"idToken": "SIL-REMOTE", "type": "ISO14443"}
    }
    stack.csms.wait_until(lambda: events(stack, eventType="Started"), 60, "TransactionEvent Started")
    started = events(stack, eventType="Started")[0]
    assert started["triggerReason"] == "RemoteStart"
    assert started["transactionInfo"]["remoteStartId"] == 77
    assert started["idToken"] == {"idToken": "SIL-REMOTE", "type": "ISO14443"}
    stack.csms.wait_until(lambda: charging(stack), 60, "charging")
    transaction_id = started["transactionInfo"]["transactionId"]
    assert stack.csms.send("RequestStopTransaction", {"transactionId": transaction_id}) == {
        "status": "Accepted"
    }
    stack.csms.wait_until(lambda: events(stack, eventType="Ended"), 60, "TransactionEvent Ended")
    ended = events(stack, eventType="Ended")[0]
    assert (ended["triggerReason"], ended["transactionInfo"]["stoppedReason"]) == ("RemoteStop", "Remote")


# ---- OCPP 1.6 (the same assertions hold for the C++ module) ----------------------------------------------
def statuses16(stack: EverestSil) -> list[str]:
    return [c.payload["status"] for c in stack.csms.received("StatusNotification")]


def plugged16(stack: EverestSil) -> None:
    """The car is plugged in and waits for power (the EvseManager is settled: a token given before its
    start-up ends may be withdrawn again)."""
    stack.csms.wait_until(lambda: "Available" in statuses16(stack), 30, "an Available connector")
    stack.car(1, CHARGE)
    stack.csms.wait_until(lambda: "Preparing" in statuses16(stack), 30, "the car plugged in")


@pytest.mark.parametrize("implementation", ["python", "cpp"])
def test_an_rfid_swipe_is_authorized_by_the_csms_and_starts_a_1_6_transaction(
    everest: Callable[..., EverestSil], implementation: str
) -> None:
    stack = everest("1.6", implementation)
    plugged16(stack)
    stack.swipe("SIL-CARD-16")
    stack.csms.wait_until(lambda: stack.csms.received("Authorize"), 30, "an Authorize")
    assert stack.csms.received("Authorize")[0].payload == {"idTag": "SIL-CARD-16"}
    stack.csms.wait_until(lambda: stack.csms.received("StartTransaction"), 60, "a StartTransaction")
    started = stack.csms.received("StartTransaction")[0].payload
    assert (started["connectorId"], started["idTag"]) == (1, "SIL-CARD-16")
    stack.csms.wait_until(lambda: "Charging" in statuses16(stack), 60, "charging")


@pytest.mark.parametrize("implementation", ["python", "cpp"])
def test_a_1_6_remote_start_charges_the_car_and_a_remote_stop_ends_it(
    everest: Callable[..., EverestSil], implementation: str
) -> None:
    stack = everest("1.6", implementation)
    plugged16(stack)
    answer = stack.csms.send("RemoteStartTransaction", {"idTag": "SIL-REMOTE-16", "connectorId": 1})
    assert answer == {"status": "Accepted"}
    # AuthorizeRemoteTxRequests (true in the test config): Auth validates the token with us
    stack.csms.wait_until(lambda: stack.csms.received("Authorize"), 30, "an Authorize")
    assert stack.csms.received("Authorize")[0].payload == {"idTag": "SIL-REMOTE-16"}
    stack.csms.wait_until(lambda: stack.csms.received("StartTransaction"), 60, "a StartTransaction")
    started = stack.csms.received("StartTransaction")[0].payload
    assert (started["connectorId"], started["idTag"]) == (1, "SIL-REMOTE-16")
    stack.csms.wait_until(lambda: "Charging" in statuses16(stack), 60, "charging")
    transaction_id = 1  # the test CSMS's StartTransaction.conf
    assert stack.csms.send("RemoteStopTransaction", {"transactionId": transaction_id}) == {
        "status": "Accepted"
    }
    stack.csms.wait_until(lambda: stack.csms.received("StopTransaction"), 60, "a StopTransaction")
    stopped = stack.csms.received("StopTransaction")[0].payload
    assert (stopped["transactionId"], stopped["reason"]) == (transaction_id, "Remote")
