"""The Heartbeat timer of both versions: every HeartbeatInterval seconds, re-armed when it changes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from .outbox import NotConnected

log = logging.getLogger(__name__)


class HeartbeatTimer:
    def __init__(self, interval: Callable[[], int], send: Callable[[], Awaitable[object]]) -> None:
        self._interval = interval  # read before every wait: the configured value may change
        self._send = send
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

    def start(self) -> None:
        self.stop()
        self._task = asyncio.create_task(self._loop(), name="heartbeat")

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    def interval_changed(self) -> None:
        """Start counting again with the new interval (0 or less: no heartbeats)."""
        self._wake.set()

    async def send(self) -> None:
        with contextlib.suppress(NotConnected):
            await self._send()

    async def _loop(self) -> None:
        while True:
            interval = self._interval()
            self._wake.clear()
            if interval <= 0:
                await self._wake.wait()
                continue
            try:
                await asyncio.wait_for(self._wake.wait(), interval)
                continue  # interval changed
            except TimeoutError:
                pass
            try:
                await self.send()
            except Exception as exc:
                log.warning("Heartbeat failed: %s", exc)
