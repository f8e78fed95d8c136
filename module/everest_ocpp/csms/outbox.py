"""Sending calls to the CSMS through whatever session is current."""

from __future__ import annotations

import logging
from typing import Any

import websockets
from ocpp.exceptions import OCPPError

log = logging.getLogger(__name__)


class NotConnected(ConnectionError):
    """No websocket session to the CSMS right now."""


class InvalidAnswer(OCPPError):
    """The CSMS answered with a CALLRESULT that fails the action's schema: it processed the call (a
    queue takes it as delivered, as libocpp does), but nothing in the answer can be used."""

    code = "InvalidAnswer"  # ours: never sent, only raised to callers


class Outbox:
    """The blocks' single way to send a call; the link swaps the session on every (re)connect."""

    def __init__(self) -> None:
        self.session: Any = None

    @property
    def online(self) -> bool:
        return self.session is not None

    async def when_idle(self) -> None:
        """Until no call of ours is waiting for the CSMS's answer (returns at once when offline)."""
        session = self.session
        if session is not None:
            await session.when_idle()

    async def call(self, payload: Any) -> Any:
        """Send ``payload`` (an ``ocpp.vXX.call`` dataclass) and return the call result dataclass.

        Raises NotConnected, TimeoutError, OCPPError for a CALLERROR (GenericError for a code the
        ``ocpp`` package does not know), or InvalidAnswer for a CALLRESULT that fails its schema.
        """
        session = self.session
        if session is None:
            raise NotConnected(f"cannot send {type(payload).__name__}: not connected")
        try:
            return await session.call(payload, suppress=False)
        except websockets.ConnectionClosed:
            raise NotConnected(f"{type(payload).__name__} not sent: the connection closed") from None
        except InvalidAnswer as exc:
            log.error(
                "CSMS answered %s with a CALLRESULT that fails its schema: %s", type(payload).__name__, exc
            )
            raise
        except OCPPError as exc:
            log.warning("CSMS answered %s with CALLERROR %s", type(payload).__name__, exc)
            raise
