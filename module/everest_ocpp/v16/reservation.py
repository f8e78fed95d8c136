"""1.6 Reservation: ReserveNow and CancelReservation through the ``reservation`` requirement.

The reservations live in the module behind the requirement (EVerest's Auth module): it holds them, matches
idTags and parentIdTags, expires them and makes the EVSE announce ReservationStart / ReservationEnd (the
connector turns Reserved and back through the status machine). This block answers as libocpp: a connector
outside 0..NumberOfConnectors is Rejected, a Faulted one Faulted, one in Preparing Occupied; without the
Reservation profile, for connector 0 without ReserveConnectorZeroSupported, or without the requirement
connected the answer is Rejected; otherwise the module's ReservationResult (connector 0 is passed on
without an EVSE). CancelReservation is Accepted when the module cancelled.
"""

from __future__ import annotations

import logging
from typing import Any

from ocpp.routing import on
from ocpp.v16 import call_result
from ocpp.v16.enums import Action

from ..bridge.services import ReservationService
from ..shared_blocks.reservation import ReservationBlock
from ..timestamps import normalized
from .configuration import ChargePointConfiguration
from .connectors import ConnectorMap
from .status import ConnectorStatus16
from .status_machine import Status

log = logging.getLogger(__name__)


class Reservation16(ReservationBlock[ChargePointConfiguration]):
    def __init__(
        self,
        config: ChargePointConfiguration,
        connectors: ConnectorMap,
        status: ConnectorStatus16,
        service: ReservationService,
    ) -> None:
        super().__init__(config, service)
        self._map = connectors
        self._status = status

    def _refusal(self, connector: int) -> tuple[str, str] | None:
        """(status, why) when the request does not reach the reservation module."""
        if connector != 0 and connector not in self._map.by_ocpp:
            return "Rejected", f"connector {connector} does not exist"
        state = self._status.state(connector)
        if state is Status.FAULTED:
            return "Faulted", "the connector is Faulted"
        if state is Status.PREPARING:
            return "Occupied", "the connector is in use (Preparing)"
        if not self._config.reservation_supported:
            return "Rejected", "the Reservation profile is not supported"
        if connector == 0 and not self._config.reserve_connector_zero_supported:
            return "Rejected", "ReserveConnectorZeroSupported is false"
        if not self._service.available:
            return "Rejected", "no reservation module connected"
        return None

    @on(Action.reserve_now)
    async def on_reserve_now(
        self,
        connector_id: int,
        expiry_date: str,
        id_tag: str,
        reservation_id: int,
        parent_id_tag: str | None = None,
        **_: Any,
    ) -> Any:
        refused = self._refusal(connector_id)
        if refused is not None:
            log.info("ReserveNow %d on connector %d: %s (%s)", reservation_id, connector_id, *refused)
            return call_result.ReserveNow(status=refused[0])
        request: dict[str, Any] = {
            "reservation_id": reservation_id,
            "id_token": id_tag,
            "expiry_time": normalized(expiry_date),
        }
        if parent_id_tag is not None:
            request["parent_id_token"] = parent_id_tag
        evse_id = self._map.evse_of(connector_id)
        if evse_id is not None:
            request["evse_id"] = evse_id
        status = await self._reserve(request)
        log.info(
            "ReserveNow %d on connector %d until %s: %s", reservation_id, connector_id, expiry_date, status
        )
        return call_result.ReserveNow(status=status)

    @on(Action.cancel_reservation)
    async def on_cancel_reservation(self, reservation_id: int, **_: Any) -> Any:
        return call_result.CancelReservation(status=await self._cancel(reservation_id, allowed=True))
