"""Outgoing flow control: never more unacknowledged QoS 1/2 publishes than the broker accepts.

A broker announces how many unacknowledged QoS 1/2 messages it takes from us (MQTT 5 Receive
Maximum in CONNACK; mosquitto's default is 20) and silently drops the excess. paho neither reads
that limit nor keeps to its own one after a reconnect (it re-sends everything at once), so paho is
handed at most ``limit`` such messages; the rest waits here, first in first out (order per topic
is kept), until PUBACK/PUBCOMP frees a slot. Nothing is ever dropped, however long the wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable
from typing import NamedTuple

log = logging.getLogger(__name__)

BACKLOG_WARNING = 10_000  # logged each time the backlog grows by this much (a long outage)


class Outgoing(NamedTuple):
    topic: str
    payload: bytes
    qos: int
    retain: bool


# hands one message to the client; returns the packet id to wait for (QoS 1/2) or None
Send = Callable[[Outgoing], int | None]


class PublishWindow:
    def __init__(self, send: Send, limit: int) -> None:
        self._send = send
        self.limit = limit
        self._open = False  # connected: messages may go out
        self._inflight: set[int] = set()
        self._backlog: deque[Outgoing] = deque()
        self._drain_scheduled = False
        self._warned_at = 0
        self._idle = asyncio.Event()  # nothing queued, nothing unacknowledged
        self._idle.set()

    @property
    def pending(self) -> int:
        """Messages queued or not yet acknowledged."""
        return len(self._backlog) + len(self._inflight)

    def submit(self, message: Outgoing) -> None:
        if self._open and not self._backlog and (not message.qos or len(self._inflight) < self.limit):
            self._hand_over(message)
            return
        self._backlog.append(message)
        self._idle.clear()
        if len(self._backlog) >= self._warned_at + BACKLOG_WARNING:
            self._warned_at = len(self._backlog)
            log.warning("%d MQTT messages waiting for the broker", len(self._backlog))

    def acknowledged(self, mid: int) -> bool:
        """A PUBACK/PUBCOMP (or QoS 0 send) for ``mid``; True if it was one of ours in flight."""
        if mid not in self._inflight:
            return False
        self._inflight.discard(mid)
        if self._backlog:
            self._schedule_drain()
        elif not self._inflight:
            self._idle.set()
        return True

    def opened(self, limit: int) -> None:
        """Connected (CONNACK) with the broker's limit."""
        self.limit = max(1, limit)
        self._open = True
        if self._backlog:
            self._schedule_drain()

    def closed(self) -> None:
        """Disconnected: queue everything. What paho holds stays in flight (it re-sends it)."""
        self._open = False

    async def wait_idle(self, timeout: float) -> bool:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), timeout)
        return self._idle.is_set()

    def _hand_over(self, message: Outgoing) -> None:
        mid = self._send(message)
        if mid is not None:
            self._inflight.add(mid)
            self._idle.clear()

    def _schedule_drain(self) -> None:
        # Not from inside paho's callback: paho finishes its own bookkeeping first and, after a
        # reconnect, re-sends what it still holds (older messages) before we hand it newer ones.
        if not self._drain_scheduled:
            self._drain_scheduled = True
            asyncio.get_running_loop().call_soon(self._drain)

    def _drain(self) -> None:
        self._drain_scheduled = False
        backlog, inflight = self._backlog, self._inflight
        while backlog and self._open and (len(inflight) < self.limit or not backlog[0].qos):
            self._hand_over(backlog.popleft())
        if not backlog:
            self._warned_at = 0
            if not inflight:
                self._idle.set()
