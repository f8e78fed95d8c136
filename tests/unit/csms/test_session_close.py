"""A call waiting for its answer ends as soon as the connection does (not after the response timeout),
so the next connection's calls are not blocked behind it."""

from __future__ import annotations

import asyncio
import time

import pytest
import websockets
from ocpp.v16 import ChargePoint as V16ChargePoint
from ocpp.v16 import call

from everest_ocpp.csms.charge_point import ChargePointSession
from everest_ocpp.csms.outbox import NotConnected, Outbox


class Session16(ChargePointSession, V16ChargePoint):
    pass


class DroppingConnection:
    """Takes frames; the peer goes away once ``drop`` is set."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.drop = asyncio.Event()

    async def send(self, message: str) -> None:
        self.sent.append(message)
        self.drop.set()

    async def recv(self) -> str:
        await self.drop.wait()
        raise websockets.ConnectionClosed(None, None)


def test_an_unanswered_call_fails_with_not_connected_when_the_link_drops() -> None:
    async def main() -> float:
        connection = DroppingConnection()
        session = Session16("cp", connection, [], response_timeout=30)
        outbox = Outbox()
        outbox.session = session
        reader = asyncio.create_task(session.start())
        started = time.monotonic()
        with pytest.raises(NotConnected):
            await outbox.call(call.Heartbeat())
        with pytest.raises(NotConnected):  # a later caller is not left waiting either
            await outbox.call(call.Heartbeat())
        with pytest.raises(websockets.ConnectionClosed):
            await reader
        return time.monotonic() - started

    assert asyncio.run(main()) < 5
