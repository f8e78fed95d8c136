"""The publish window: never more unacknowledged QoS 1/2 messages than the broker allows, FIFO, no loss."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from everest_ocpp.everest.outgoing import Outgoing, PublishWindow


class FakeClient:
    """Stands in for paho: records what it was handed, gives packet ids for QoS 1/2."""

    def __init__(self) -> None:
        self.sent: list[Outgoing] = []
        self._mid = 0

    def send(self, message: Outgoing) -> int | None:
        self.sent.append(message)
        if not message.qos:
            return None
        self._mid += 1
        return self._mid

    def topics(self) -> list[str]:
        return [m.topic for m in self.sent]


def run(test: Callable[[], Awaitable[Any]]) -> Any:
    return asyncio.run(test())  # type: ignore[arg-type]


def msg(topic: str, qos: int = 2) -> Outgoing:
    return Outgoing(topic, b"x", qos, False)


async def turn() -> None:
    for _ in range(3):
        await asyncio.sleep(0)


def test_at_most_limit_in_flight_and_fifo_order() -> None:
    async def scenario() -> None:
        client = FakeClient()
        window = PublishWindow(client.send, limit=20)
        window.opened(3)
        for i in range(10):
            window.submit(msg(f"t{i}"))
        assert client.topics() == ["t0", "t1", "t2"] and window.pending == 10
        assert window.acknowledged(2)
        assert not window.acknowledged(2) and not window.acknowledged(99)  # not ours (any more)
        await turn()
        assert client.topics() == ["t0", "t1", "t2", "t3"]
        for mid in (1, 3, 4):
            window.acknowledged(mid)
        await turn()
        assert client.topics() == [f"t{i}" for i in range(7)]
        for mid in range(5, 11):
            window.acknowledged(mid)
            await turn()
        assert client.topics() == [f"t{i}" for i in range(10)] and window.pending == 0
        assert await window.wait_idle(0.1)

    run(scenario)


def test_nothing_goes_out_while_closed_and_everything_after() -> None:
    async def scenario() -> None:
        client = FakeClient()
        window = PublishWindow(client.send, limit=2)
        window.submit(msg("before-connect"))
        window.opened(2)
        await turn()
        window.submit(msg("a"))
        assert client.topics() == ["before-connect", "a"]
        window.closed()
        window.submit(msg("during-outage", qos=0))
        window.submit(msg("b"))
        await turn()
        assert client.topics() == ["before-connect", "a"]
        assert not await window.wait_idle(0.01)
        window.opened(5)  # a new broker, another limit; what paho holds (mids 1, 2) is still in flight
        await turn()
        assert client.topics() == ["before-connect", "a", "during-outage", "b"]
        for mid in (1, 2, 3):
            window.acknowledged(mid)
        assert await window.wait_idle(0.1)

    run(scenario)


def test_qos0_does_not_take_a_slot_but_keeps_its_place() -> None:
    async def scenario() -> None:
        client = FakeClient()
        window = PublishWindow(client.send, limit=1)
        window.opened(1)
        window.submit(msg("q2-first"))
        window.submit(msg("q0", qos=0))  # behind a queued message? no: nothing queued, it goes
        window.submit(msg("q2-second"))
        window.submit(msg("q0-after", qos=0))  # behind q2-second: waits, order per topic kept
        assert client.topics() == ["q2-first", "q0"]
        window.acknowledged(1)
        await turn()
        assert client.topics() == ["q2-first", "q0", "q2-second", "q0-after"]

    run(scenario)
