"""Handler failures reach the module log (secrets masked); one block per action."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest
from ocpp.exceptions import NotSupportedError
from ocpp.routing import after, on
from ocpp.v16 import ChargePoint as V16ChargePoint
from ocpp.v16 import call_result
from ocpp.v16.enums import Action

from everest_ocpp.csms.charge_point import ChargePointSession, DuplicateRouteError

SECRET = "SECRET-key-0123456789"


class FakeConnection:
    def __init__(self) -> None:
        self.sent: list[Any] = []

    async def send(self, message: str) -> None:
        self.sent.append(json.loads(message))

    async def recv(self) -> str:
        await asyncio.Event().wait()
        return ""


class Session(ChargePointSession, V16ChargePoint):
    pass


class Failing:
    def __init__(self) -> None:
        self.after_ran = asyncio.Event()

    @on(Action.change_configuration)
    def on_change_configuration(self, key: str, value: str) -> Any:
        if key == "HeartbeatInterval":
            return call_result.ChangeConfiguration(status="Accepted")
        raise RuntimeError(f"cannot store {key}={value}")

    @after(Action.change_configuration)
    async def after_change_configuration(self, key: str, value: str) -> None:
        self.after_ran.set()
        raise ValueError(f"after failed for {value}")

    @on(Action.get_configuration)
    def on_get_configuration(self, **_: Any) -> Any:
        raise NotSupportedError("not today")


class SameAction:
    @on(Action.get_configuration)
    def on_get_configuration(self, **_: Any) -> Any:
        return call_result.GetConfiguration()


def _call(action: str, payload: dict[str, Any]) -> str:
    return json.dumps([2, "id-1", action, payload])


async def _route(message: str) -> tuple[FakeConnection, Failing]:
    conn = FakeConnection()
    block = Failing()
    session = Session("cp001", conn, [block])
    await session.route_message(message)
    return conn, block


def test_a_failing_handler_is_answered_internal_error_and_logged_without_secrets(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="everest_ocpp")
    conn, _ = asyncio.run(_route(_call("ChangeConfiguration", {"key": "AuthorizationKey", "value": SECRET})))
    assert conn.sent[0][:3] == [4, "id-1", "InternalError"]
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    text = errors[0].getMessage()
    assert "ChangeConfiguration handler failed; answered with CALLERROR InternalError" in text
    assert "RuntimeError: cannot store AuthorizationKey=***" in text
    assert "Traceback" in text and "on_change_configuration" in text
    assert SECRET not in caplog.text


def test_a_failing_after_handler_is_logged_and_does_not_escape(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="everest_ocpp")

    async def run() -> FakeConnection:
        conn, block = await _route(_call("ChangeConfiguration", {"key": "HeartbeatInterval", "value": "60"}))
        await asyncio.wait_for(block.after_ran.wait(), 2)
        for _ in range(5):  # let the after-answer task finish
            await asyncio.sleep(0)
        return conn

    conn = asyncio.run(run())
    assert conn.sent[0] == [3, "id-1", {"status": "Accepted"}]
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "ChangeConfiguration after-answer handler failed: ValueError" in errors[0]


def test_every_callerror_sent_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="everest_ocpp")

    async def route_all() -> FakeConnection:
        conn = FakeConnection()
        session = Session("cp001", conn, [Failing()])
        await session._route(_call("GetConfiguration", {}))  # the handler refuses on purpose
        await session._route(json.dumps([2, "id-2", "Reset", {"type": "Hard"}]))  # no handler
        await session._route(json.dumps([2, "id-3", "ChangeConfiguration", {"key": 1, "value": "x"}]))
        return conn

    conn = asyncio.run(route_all())
    assert [m[2] for m in conn.sent] == ["NotSupported", "NotImplemented", "TypeConstraintViolation"]
    logged = [(r.levelno, r.getMessage()) for r in caplog.records if "CALLERROR" in r.getMessage()]
    assert [level for level, _ in logged] == [logging.INFO, logging.INFO, logging.WARNING]
    assert logged[0][1] == "answered GetConfiguration from the CSMS with CALLERROR NotSupported: not today"
    assert logged[1][1].startswith("answered Reset from the CSMS with CALLERROR NotImplemented: ")
    assert logged[2][1].startswith(
        "answered ChangeConfiguration from the CSMS with CALLERROR TypeConstraintViolation"
    )


def test_two_blocks_routing_one_action_are_refused() -> None:
    expected = "GetConfiguration is routed by both Failing and SameAction"
    with pytest.raises(DuplicateRouteError, match=expected):
        Session("cp001", FakeConnection(), [Failing(), SameAction()])
