"""The CSMS connection loop (csms/connection.py) with its back-off (csms/backoff.py), against a real
websocket server: failed attempts wait per the policy with a growing attempt number, a connection
resets it, ``reconnect()`` cuts a wait short, ``stop()`` ends a wait, and every up and down is
reported once."""

from __future__ import annotations

import asyncio
import logging
import random
import socket
import time
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve

from everest_ocpp.csms.backoff import BackoffPolicy
from everest_ocpp.csms.connection import ConnectionSettings, CsmsConnection


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RecordedBackoff(BackoffPolicy):
    """The attempt numbers the loop asks delays for; waits ``wait_minimum_s`` each time."""

    __slots__ = ()
    asked: list[int] = []

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        RecordedBackoff.asked.append(attempt)
        return self.wait_minimum_s


async def _until(condition: Any, timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.005)


def test_the_attempt_number_grows_while_failing_and_resets_after_a_connection() -> None:
    port = _free_port()
    RecordedBackoff.asked = []
    changes: list[bool] = []
    sessions: list[int] = []

    def settings() -> ConnectionSettings:
        policy = RecordedBackoff(wait_minimum_s=0.02, random_range_s=0, repeat_times=3)
        url = f"ws://127.0.0.1:{port}/cp001"
        return ConnectionSettings(url=url, subprotocol="ocpp1.6", identity="cp001", backoff=policy)

    async def session(ws: Any) -> None:
        sessions.append(1)
        await ws.close()  # the CSMS side stays; this session ends at once

    async def accept(ws: ServerConnection) -> None:
        await ws.wait_closed()

    async def run() -> None:
        conn = CsmsConnection(settings, session, changes.append)
        conn.start()
        await _until(lambda: len(RecordedBackoff.asked) >= 3)  # nothing listens yet
        async with serve(accept, "127.0.0.1", port, subprotocols=["ocpp1.6"]):  # type: ignore[list-item]
            await _until(lambda: 0 in RecordedBackoff.asked[1:])  # a wait after a connection
            await conn.stop()

    asyncio.run(run())
    first_connected = RecordedBackoff.asked.index(0, 1)  # the first wait after the connection
    assert RecordedBackoff.asked[:first_connected] == list(range(first_connected))  # 0, 1, 2, ...
    assert first_connected >= 3
    assert sessions and changes == [True, False] * len(sessions)  # every up reported once, and its down


def test_reconnect_cuts_a_back_off_wait_short_and_stop_ends_one(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="everest_ocpp")
    port = _free_port()

    def waits() -> int:
        return caplog.text.count("reconnecting to CSMS in 60.0 s")

    attempts: list[float] = []

    def settings() -> ConnectionSettings:
        attempts.append(time.monotonic())
        slow = BackoffPolicy(wait_minimum_s=60, random_range_s=0, repeat_times=0)
        url = f"ws://127.0.0.1:{port}/cp001"
        return ConnectionSettings(url=url, subprotocol="ocpp1.6", identity="cp001", backoff=slow)

    async def session(ws: Any) -> None:
        await ws.wait_closed()

    async def run() -> tuple[float, float]:
        conn = CsmsConnection(settings, session, lambda _up: None)
        conn.start()
        await _until(lambda: waits() == 1)  # the first attempt failed: the loop waits 60 s
        started = time.monotonic()
        await conn.reconnect()
        await _until(lambda: len(attempts) == 2)
        cut_short = time.monotonic() - started
        await _until(lambda: waits() == 2)  # failed again: waiting 60 s
        started = time.monotonic()
        assert await conn.stop() is True
        stopped = time.monotonic() - started
        assert not conn.running and await conn.stop() is False
        return cut_short, stopped

    cut_short, stopped = asyncio.run(run())
    assert cut_short < 5 and stopped < 5  # not the 60 s back-off
