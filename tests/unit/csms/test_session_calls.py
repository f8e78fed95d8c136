"""Our calls to the CSMS: built and validated as the ``ocpp`` package does, inline, one at a time.

The CSMS must never receive an invalid message: an invalid request raises before anything is sent,
an invalid answer raises instead of reaching a block, and neither needs an executor thread.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest
import websockets
from ocpp.charge_point import remove_nones, serialize_as_dict, snake_to_camel_case
from ocpp.exceptions import FormatViolationError, GenericError
from ocpp.routing import on
from ocpp.v16 import ChargePoint as V16ChargePoint
from ocpp.v16 import call, call_result
from ocpp.v16.enums import Action

from everest_ocpp.csms.charge_point import ChargePointSession
from everest_ocpp.csms.ocpp_validation import COMPILE_AFTER, compiled_actions
from everest_ocpp.csms.outbox import InvalidAnswer

STAMP = "2026-01-01T00:00:00Z"
Answer = Callable[[list[Any]], str]


class Session16(ChargePointSession, V16ChargePoint):
    pass


class Availability:
    @on(Action.change_availability)
    def on_change_availability(self, connector_id: int, type: str) -> call_result.ChangeAvailability:
        return call_result.ChangeAvailability(status="Accepted")


def result(payload: dict[str, Any]) -> Answer:
    return lambda frame: json.dumps([3, frame[1], payload])


class ScriptedCsms:
    """Answers every CALL frame the session sends with ``answer(frame)``."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.sent: list[str] = []
        self._inbox: asyncio.Queue[str] = asyncio.Queue()

    async def send(self, message: str) -> None:
        self.sent.append(message)
        frame = json.loads(message)
        if frame[0] == 2:
            self._inbox.put_nowait(self.answer(frame))

    async def recv(self) -> str:
        return await self._inbox.get()


def no_executor(loop: asyncio.AbstractEventLoop) -> None:
    def refuse(*_a: Any, **_k: Any) -> Any:
        raise AssertionError("validation went through an executor thread")

    loop.run_in_executor = refuse  # type: ignore[method-assign]


async def session_with(csms: ScriptedCsms) -> tuple[Session16, asyncio.Task[None]]:
    no_executor(asyncio.get_running_loop())
    session = Session16("cp", csms, [Availability()], response_timeout=5)
    return session, asyncio.create_task(session.start())


def test_requests_are_sent_as_the_package_builds_them_and_answers_arrive_as_dataclasses() -> None:
    payload = call.MeterValues(
        connector_id=1,
        transaction_id=3,
        meter_value=[{"timestamp": STAMP, "sampled_value": [{"value": "1.00", "unit": "Wh", "phase": None}]}],
    )

    async def main() -> list[Any]:
        csms = ScriptedCsms(result({}))
        session, reader = await session_with(csms)
        answers = [await session.call(payload, suppress=False) for _ in range(COMPILE_AFTER + 2)]
        reader.cancel()
        assert ("1.6", 2, "MeterValues") in compiled_actions()
        expected = remove_nones(snake_to_camel_case(serialize_as_dict(payload)))
        for text in csms.sent:
            kind, _id, action, sent = json.loads(text)
            assert (kind, action, sent) == (2, "MeterValues", expected)
        return answers

    assert asyncio.run(main()) == [call_result.MeterValues()] * (COMPILE_AFTER + 2)


def test_an_invalid_request_raises_and_nothing_is_sent() -> None:
    async def main() -> None:
        csms = ScriptedCsms(result({}))
        session, reader = await session_with(csms)
        good = call.StatusNotification(connector_id=1, error_code="NoError", status="Available")
        for _ in range(COMPILE_AFTER + 1):  # the compiled check is in use
            await session.call(good, suppress=False)
        sent = len(csms.sent)
        with pytest.raises(FormatViolationError):  # an unknown enum value
            await session.call(
                call.StatusNotification(connector_id=1, error_code="Bogus", status="Available")
            )
        with pytest.raises(FormatViolationError):
            await session.call(call.StatusNotification(connector_id=1, error_code="NoError", status="Busy"))
        assert len(csms.sent) == sent  # neither went out
        await session.call(good, suppress=False)
        assert len(csms.sent) == sent + 1
        reader.cancel()

    asyncio.run(main())


def test_an_invalid_answer_raises() -> None:
    async def main() -> None:
        answers = iter([{"currentTime": STAMP}] * (COMPILE_AFTER + 1) + [{"time": STAMP}, {}])
        csms = ScriptedCsms(lambda frame: json.dumps([3, frame[1], next(answers)]))
        session, reader = await session_with(csms)
        for _ in range(COMPILE_AFTER + 1):
            assert await session.call(call.Heartbeat(), suppress=False) == call_result.Heartbeat(STAMP)
        with pytest.raises(InvalidAnswer, match=r"Heartbeat: .*time"):  # an unknown field
            await session.call(call.Heartbeat(), suppress=False)
        with pytest.raises(InvalidAnswer, match=r"Heartbeat: .*incomplete"):  # currentTime missing
            await session.call(call.Heartbeat(), suppress=False)
        reader.cancel()

    asyncio.run(main())


def test_a_callerror_raises_or_is_suppressed_as_asked() -> None:
    async def main() -> None:
        csms = ScriptedCsms(lambda frame: json.dumps([4, frame[1], "GenericError", "no", {}]))
        session, reader = await session_with(csms)
        assert await session.call(call.Heartbeat()) is None
        with pytest.raises(GenericError):
            await session.call(call.Heartbeat(), suppress=False)
        reader.cancel()

    asyncio.run(main())


def test_a_callerror_code_the_package_does_not_know_is_a_generic_error() -> None:
    async def main() -> None:
        csms = ScriptedCsms(lambda frame: json.dumps([4, frame[1], "RpcFrameworkError", "bad frame", {}]))
        session, reader = await session_with(csms)
        with pytest.raises(GenericError, match="RpcFrameworkError: bad frame"):
            await session.call(call.Heartbeat(), suppress=False)
        reader.cancel()

    asyncio.run(main())


def test_incoming_calls_are_validated_inline() -> None:
    async def main() -> list[Any]:
        csms = ScriptedCsms(result({}))
        session, reader = await session_with(csms)
        await session.route_message(json.dumps([2, "a", "ChangeAvailability", {"connectorId": "x"}]))
        request = {"connectorId": 1, "type": "Operative"}
        await session.route_message(json.dumps([2, "b", "ChangeAvailability", request]))
        reader.cancel()
        return [json.loads(m) for m in csms.sent]

    refused, answered = asyncio.run(main())
    assert refused[:3] == [4, "a", "TypeConstraintViolation"]
    assert answered == [3, "b", {"status": "Accepted"}]


def test_no_answer_times_out_without_the_frame_in_the_message() -> None:
    class Silent(ScriptedCsms):
        async def send(self, message: str) -> None:
            self.sent.append(message)

    async def main() -> None:
        csms = Silent(result({}))
        session, reader = await session_with(csms)
        session._response_timeout = 0.05
        with pytest.raises(TimeoutError) as raised:
            await session.call(call.DataTransfer(vendor_id="v", data="secret-ish"), suppress=False)
        assert "DataTransfer" in str(raised.value) and "secret-ish" not in str(raised.value)
        reader.cancel()
        with pytest.raises((asyncio.CancelledError, websockets.ConnectionClosed)):
            await reader

    asyncio.run(main())
