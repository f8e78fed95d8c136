"""TriggerMessage and its kin, both versions: the answer says whether the message will be sent; an
accepted one is sent after the answer went out. A lost connection drops it silently (the CSMS asks
again); any other failure is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from ..csms.call_state import CallState
from ..csms.outbox import NotConnected

log = logging.getLogger(__name__)


class TriggeredSends:
    def __init__(self, action: str) -> None:
        self._action = action  # the request's name, for the log
        self._accepted: CallState[bool] = CallState()

    def answered(self, call_id: str, requested_message: str, status: str) -> str:
        """Note the answer to a request for ``requested_message``; returns ``status``."""
        if status == "Accepted":
            self._accepted.put(call_id, True)
        log.info("%s %s: %s", self._action, requested_message, status)
        return status

    async def send_after_answer(
        self, call_id: str, requested_message: str, send: Callable[[], Awaitable[None]]
    ) -> None:
        """From the request's ``@after``: ``send`` when the answer was Accepted."""
        if not self._accepted.pop(call_id):
            return
        try:
            await send()
        except NotConnected:
            pass
        except Exception as exc:
            log.warning("triggered %s failed: %s", requested_message, exc)
