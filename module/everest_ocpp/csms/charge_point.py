"""A charge point session on top of the python `ocpp` package, shared by both versions.

Differences from the package's own ``ChargePoint.start``: incoming calls are handled concurrently
(a handler that waits for an EVerest module must not block the CSMS's answers to our own calls),
handlers come from several functional blocks, and messages are logged with secrets redacted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from ocpp.charge_point import ChargePoint as _PackageChargePoint
from ocpp.routing import create_route_map

from .message_queue import QueueSender
from .outbox import NotConnected, Outbox
from .redaction import redacted

log = logging.getLogger("everest_ocpp.ocpp_j")

FrameLog = Callable[[str, str | bytes], None]  # (direction "<-" / "->", frame)

# The package logs every frame at INFO and failed requests with their payload; payloads may carry
# secrets, so its own logger only reports warnings without payloads (we log redacted frames ourselves).
_package_log = logging.getLogger("everest_ocpp.ocpp_package")
_package_log.setLevel(logging.CRITICAL)

_CLOSED = object()  # put into the response queue when the connection ends: no answer will come


class ChargePointSession(_PackageChargePoint):
    """One websocket connection's OCPP-J session; routes come from the given blocks."""

    def __init__(
        self,
        identity: str,
        connection: Any,
        blocks: list[object],
        response_timeout: float = 30,
        frame_log: FrameLog | None = None,
    ) -> None:
        super().__init__(identity, connection, response_timeout=response_timeout, logger=_package_log)
        for block in blocks:
            self.route_map.update(create_route_map(block))
        self._handler_tasks: set[asyncio.Task[Any]] = set()
        self._frame_log = frame_log

    async def when_idle(self) -> None:
        """Until no call of ours waits for its answer (the package sends one call at a time)."""
        async with self._call_lock:
            pass

    async def start(self) -> None:
        try:
            while True:
                message = await self._connection.recv()
                if log.isEnabledFor(logging.DEBUG):
                    log.debug("%s <- %s", self.id, redacted(message))
                if self._frame_log is not None:
                    self._frame_log("<-", message)
                task = asyncio.create_task(self.route_message(message))
                self._handler_tasks.add(task)
                task.add_done_callback(self._handler_tasks.discard)
        finally:
            self._response_queue.put_nowait(_CLOSED)
            for task in list(self._handler_tasks):
                task.cancel()

    async def _get_specific_response(self, unique_id: str, timeout: float) -> Any:
        """The package's wait for our call's answer, which also ends when the connection does (the
        package would hold its call lock until the response timeout, blocking every later call)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            response = await asyncio.wait_for(self._response_queue.get(), left)
            if response is _CLOSED:
                self._response_queue.put_nowait(_CLOSED)  # for whoever waits next
                raise NotConnected("the connection closed before the CSMS answered")
            if response.unique_id == unique_id:
                return response
            log.warning("ignoring an answer to an unknown call (id %s)", str(response.unique_id)[:40])

    async def _send(self, message: str) -> None:
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s -> %s", self.id, redacted(message))
        if self._frame_log is not None:
            self._frame_log("->", message)
        await self._connection.send(message)


async def serve_session(
    session: ChargePointSession,
    outbox: Outbox,
    sender: QueueSender,
    registering: Coroutine[Any, Any, None],
    on_end: Callable[[], None],
) -> None:
    """Run one connection: read until it closes while ``registering`` (boot or resume) runs beside."""
    outbox.session = session
    reader = asyncio.create_task(session.start(), name="ocpp-reader")
    registration = asyncio.create_task(registering, name="ocpp-registration")
    try:
        await reader
    finally:
        outbox.session = None
        sender.online.clear()
        registration.cancel()
        on_end()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await registration
