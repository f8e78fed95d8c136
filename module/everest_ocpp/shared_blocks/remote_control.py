"""Remote start, both versions: whether a reservation for another token blocks the EVSE (the
reservation module's ``exists_reservation``), and the token of an accepted remote start going to
the Auth module as ``provided_token`` once the answer is out.
"""

from __future__ import annotations

import logging
from typing import Any, Generic, TypeVar

from ..bridge.evse import EvseManagers
from ..bridge.services import ReservationService
from ..csms.call_state import CallState
from ..everest.errors import CmdError
from ..generic.authorization import AuthorizationEvents, TokenRequest

log = logging.getLogger(__name__)

Config = TypeVar("Config")  # the version's configuration: 1.6 keys or the 2.0.1 device model


class RemoteControlBlock(Generic[Config]):
    """What the remote control blocks of both versions share; a subclass adds its rules and messages."""

    def __init__(
        self, config: Config, evse: EvseManagers, reservation: ReservationService, events: AuthorizationEvents
    ) -> None:
        self._config = config
        self._evse = evse
        self._reservation = reservation
        self._events = events
        self._to_provide: CallState[TokenRequest] = CallState()  # the token, published after answering

    async def _reserved_for_other(self, check: dict[str, Any]) -> bool:
        """An EVerest ReservationCheck: is the EVSE reserved for another token?"""
        if not self._reservation.available:
            return False
        try:
            status = await self._reservation.exists_reservation(check)
        except CmdError as exc:
            log.warning("reservation.exists_reservation failed (%s): assuming no reservation", exc)
            return False
        return status == "ReservedForOtherToken"

    def _provide_after_answer(self, call_id: str, token: TokenRequest) -> None:
        self._to_provide.put(call_id, token)

    def _answered(self, call_id: str) -> None:
        """From the remote start's ``@after``: its token goes to the Auth module."""
        token = self._to_provide.pop(call_id)
        if token is not None:
            self._events.provide_token(token)
