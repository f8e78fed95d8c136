"""A charge point session on top of the python `ocpp` package, shared by both versions.

Differences from the package's own ``ChargePoint.start``: incoming calls are handled concurrently
(a handler that waits for an EVerest module must not block the CSMS's answers to our own calls),
handlers come from several functional blocks, and messages are logged with secrets redacted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

import websockets
from ocpp.charge_point import ChargePoint as _PackageChargePoint
from ocpp.routing import create_route_map

from ..tasks import spawn
from .handler_guard import guard_routes
from .message_queue import QueueSender
from .outbox import Outbox
from .redaction import redacted

log = logging.getLogger("everest_ocpp.ocpp_j")

# The package logs every frame at INFO and failed requests with their payload; payloads may carry
# secrets, so its own logger is silenced: we log redacted frames ourselves, and handler failures
# through the guard around every handler (handler_guard.py).
_package_log = logging.getLogger("everest_ocpp.ocpp_package")
_package_log.setLevel(logging.CRITICAL)


class DuplicateRouteError(ValueError):
    """Two functional blocks handle the same action: only one of them would ever be called."""


def routes_of(blocks: list[object]) -> dict[str, dict[str, Any]]:
    """The route map of all blocks; refuses an action routed by more than one block."""
    routes: dict[str, dict[str, Any]] = {}
    owner: dict[str, str] = {}
    for block in blocks:
        name = type(block).__name__
        for action, handlers in create_route_map(block).items():
            if action in routes:
                raise DuplicateRouteError(
                    f"OCPP action {action} is routed by both {owner[action]} and {name}"
                )
            routes[action] = handlers
            owner[action] = name
    return routes


class ChargePointSession(_PackageChargePoint):
    """One websocket connection's OCPP-J session; routes come from the given blocks."""

    def __init__(
        self, identity: str, connection: Any, blocks: list[object], response_timeout: float = 30
    ) -> None:
        super().__init__(identity, connection, response_timeout=response_timeout, logger=_package_log)
        routes = routes_of([self, *blocks])
        guard_routes(routes, log)
        self.route_map = routes
        self._handler_tasks: set[asyncio.Task[Any]] = set()

    async def start(self) -> None:
        try:
            while True:
                message = await self._connection.recv()
                if log.isEnabledFor(logging.DEBUG):
                    log.debug("%s <- %s", self.id, redacted(message))
                spawn(self._route(message), "ocpp-message", logger=log, keep=self._handler_tasks)
        finally:
            for task in list(self._handler_tasks):
                task.cancel()

    async def _route(self, message: str | bytes) -> None:
        # an answer that cannot go out because the connection is gone: the CSMS will ask again
        with contextlib.suppress(websockets.ConnectionClosed):
            await self.route_message(message)

    async def _send(self, message: str) -> None:
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s -> %s", self.id, redacted(message))
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
    reader = asyncio.create_task(session.start(), name="ocpp-reader")  # awaited below
    registration = spawn(registering, "ocpp-registration", logger=log)
    try:
        await reader
    finally:
        outbox.session = None
        sender.online.clear()
        registration.cancel()
        on_end()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await registration
