"""The connection loop with settings from a coroutine and a failure hook that restores working
settings: the next attempt starts at once, without the back-off."""

from __future__ import annotations

import asyncio
import socket
import time
from typing import Any

from websockets.asyncio.server import ServerConnection, serve

from everest_ocpp.csms.backoff import BackoffPolicy
from everest_ocpp.csms.connection import ConnectionSettings, CsmsConnection


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _hold(ws: ServerConnection) -> None:
    await ws.wait_closed()


def test_a_failed_attempt_that_falls_back_retries_at_once() -> None:
    good, bad = _free_port(), _free_port()  # nothing listens on ``bad``
    url = {"value": f"ws://127.0.0.1:{bad}/cp001"}
    failures: list[str] = []

    async def settings() -> ConnectionSettings:
        await asyncio.sleep(0)  # settings may need EVerest (TLS files from the security module)
        slow = BackoffPolicy(wait_minimum_s=30, random_range_s=0, repeat_times=0)
        return ConnectionSettings(url=url["value"], subprotocol="ocpp1.6", identity="cp001", backoff=slow)

    def after_failure() -> bool:
        failures.append(url["value"])
        url["value"] = f"ws://127.0.0.1:{good}/cp001"  # back to what worked
        return True

    async def run() -> float:
        connected = asyncio.Event()

        async def session(ws: Any) -> None:
            connected.set()
            await ws.wait_closed()

        async with serve(_hold, "127.0.0.1", good, subprotocols=["ocpp1.6"]):  # type: ignore[list-item]
            conn = CsmsConnection(settings, session, lambda _connected: None)
            conn.after_failure = after_failure
            started = time.monotonic()
            conn.start()
            await asyncio.wait_for(connected.wait(), 10)
            took = time.monotonic() - started
            await conn.stop()
        return took

    took = asyncio.run(run())
    assert failures == [f"ws://127.0.0.1:{bad}/cp001"]  # called once, for the failed attempt only
    assert took < 10  # not the 30 s back-off
