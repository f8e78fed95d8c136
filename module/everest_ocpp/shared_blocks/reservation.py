"""Reservations, both versions: ReserveNow and CancelReservation handed to the module behind the
``reservation`` requirement (EVerest's Auth module), which holds, matches and expires them. What the
version checks first and how it names the EVSE is its own.
"""

from __future__ import annotations

import logging
from typing import Any, Generic, TypeVar

from ..bridge.services import ReservationService
from ..everest.errors import CmdError

log = logging.getLogger(__name__)

Config = TypeVar("Config")  # the version's configuration: 1.6 keys or the 2.0.1 device model
RESULTS = frozenset({"Accepted", "Faulted", "Occupied", "Rejected", "Unavailable"})  # ReserveNowStatus


class ReservationBlock(Generic[Config]):
    """What the reservation blocks of both versions share; a subclass adds its rules and messages."""

    def __init__(self, config: Config, service: ReservationService) -> None:
        self._config = config
        self._service = service

    async def _reserve(self, request: dict[str, Any]) -> str:
        """An EVerest Reservation to the module: the ReserveNowStatus to answer."""
        try:
            result = await self._service.reserve_now(request)
        except CmdError as exc:
            log.warning("reservation.reserve_now failed (%s): Rejected", exc)
            result = "Rejected"
        return result if result in RESULTS else "Rejected"

    async def _cancel(self, reservation_id: int, allowed: bool) -> str:
        """The CancelReservationStatus: Accepted when the module cancelled (asked only if ``allowed``
        and connected)."""
        cancelled = False
        if allowed and self._service.available:
            try:
                cancelled = await self._service.cancel_reservation(reservation_id)
            except CmdError as exc:
                log.warning("reservation.cancel_reservation failed: %s", exc)
        status = "Accepted" if cancelled else "Rejected"
        log.info("CancelReservation %d: %s", reservation_id, status)
        return status
