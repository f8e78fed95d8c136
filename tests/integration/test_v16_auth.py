"""Security profile 1 on the wire: basic auth header with ChargePointId and AuthorizationKey."""

from __future__ import annotations

import base64

from harness.stack import Stack


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_basic_auth_and_key_rotation(make_stack) -> None:
    stack: Stack = make_stack(
        ocpp_config={"Security": {"SecurityProfile": 1, "AuthorizationKey": "AABBCCDDEEFFGGHH"}}
    )
    stack.start()
    assert stack.csms.connections[0]["authorization"] == _basic("cp001", "AABBCCDDEEFFGGHH")
    assert stack.csms.send(
        "ChangeConfiguration", {"key": "AuthorizationKey", "value": "0011223344556677"}
    ) == {"status": "Accepted"}
    stack.csms.wait_until(lambda: len(stack.csms.connections) >= 2, 10, "a second connection")
    assert stack.csms.connections[1]["authorization"] == _basic("cp001", "0011223344556677")
    log = (stack.workdir / "module.log").read_text()
    assert "AABBCCDDEEFFGGHH" not in log and "0011223344556677" not in log


def test_profile_0_sends_no_credentials(make_stack) -> None:
    stack: Stack = make_stack()
    stack.start()
    assert stack.csms.connections[0]["authorization"] is None
    assert stack.csms.connections[0]["path"] == "/cp001"
