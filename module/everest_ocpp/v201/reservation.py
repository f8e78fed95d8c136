"""2.0.1 Reservation (H01-H04): ReserveNow, CancelReservation, ReservationStatusUpdate.

The reservations themselves live in the module behind the ``reservation`` requirement (EVerest's Auth
module): it holds them, matches tokens and group ids, expires them and makes the EVSE announce
ReservationStart / ReservationEnd (the connector turns Reserved and back, see ``connector_status``).
This block checks a request as libocpp does and forwards it: without ReservationCtrlr.Available the
requests are not implemented (CALLERROR NotImplemented); with ReservationCtrlr.Enabled false, without
an evseId unless ReservationCtrlr.NonEvseSpecific (H01.FR.19), for an unknown EVSE or a connector type
the EVSE does not have, the answer is Rejected; without the requirement connected too (as the C++
OCPP201 module answers). The module's ``reservation_update`` Expired / Removed becomes a
ReservationStatusUpdate (H01.FR.16/17), queued so it survives offline periods and restarts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from ocpp.exceptions import NotImplementedError as OcppNotImplemented
from ocpp.routing import on
from ocpp.v201 import call_result
from ocpp.v201.enums import Action

from ..bridge.services import ReservationService
from ..csms.message_queue import QueueSender
from ..shared_blocks.reservation import ReservationBlock
from ..variables import VariableRef
from .device_model import DeviceModel

log = logging.getLogger(__name__)

AVAILABLE = VariableRef("ReservationCtrlr", "Available")
ENABLED = VariableRef("ReservationCtrlr", "Enabled")
NON_EVSE_SPECIFIC = VariableRef("ReservationCtrlr", "NonEvseSpecific")
REPORTED_UPDATES = frozenset({"Expired", "Removed"})  # what OCPP's ReservationUpdateStatusEnum knows


def everest_connector_type(ocpp_type: str) -> str:
    """OCPP ConnectorEnumType -> EVerest ConnectorTypeEnum (``s309-1P-16A`` -> ``s309_1P_16A``)."""
    return ocpp_type.replace("-", "_")


class Reservation201(ReservationBlock[DeviceModel]):
    def __init__(
        self,
        dm: DeviceModel,
        service: ReservationService,
        sender: QueueSender,
        evses: Callable[[], Iterable[tuple[int, Iterable[int]]]],
    ) -> None:
        super().__init__(dm, service)
        self._sender = sender
        self._evses = evses  # (EVSE id, connector ids)
        service.update_listeners.append(self.on_reservation_update)

    def _require_available(self) -> None:
        if not self._config.get_bool(AVAILABLE, default=False):
            raise OcppNotImplemented(description="ReservationCtrlr.Available is false")

    def _connector_types(self, evse_id: int) -> list[str]:
        connectors = dict(self._evses()).get(evse_id, ())
        return [
            self._config.value(VariableRef("Connector", "ConnectorType", evse=evse_id, connector=c))
            or "Unknown"
            for c in connectors
        ]

    def _has_connector(self, evse_id: int, connector_type: str | None) -> bool:
        types = self._connector_types(evse_id)
        if not types:
            return False
        wanted = connector_type or "Unknown"
        return wanted == "Unknown" or any(t in ("Unknown", wanted) for t in types)

    def _check(self, evse_id: int | None, connector_type: str | None) -> str | None:
        """Why the request is refused before it reaches the reservation module (None: it is not)."""
        if not self._config.get_bool(ENABLED, default=False):
            return "ReservationCtrlr.Enabled is false"
        known = [e for e, _ in self._evses()]
        if evse_id is None:
            if not self._config.get_bool(NON_EVSE_SPECIFIC, default=False):
                return "an evseId is needed: ReservationCtrlr.NonEvseSpecific is false"  # H01.FR.19
            if not any(self._has_connector(e, connector_type) for e in known):
                return f"no EVSE has a {connector_type} connector"
            return None
        if evse_id not in known:
            return f"EVSE {evse_id} does not exist"
        if not self._has_connector(evse_id, connector_type):
            return f"EVSE {evse_id} has no {connector_type} connector"
        return None

    @on(Action.reserve_now)
    async def on_reserve_now(
        self,
        id: int,
        expiry_date_time: str,
        id_token: dict[str, Any],
        evse_id: int | None = None,
        connector_type: str | None = None,
        group_id_token: dict[str, Any] | None = None,
        **_: Any,
    ) -> Any:
        self._require_available()
        refused = self._check(evse_id, connector_type)
        if refused is not None:
            log.info("ReserveNow %d rejected: %s", id, refused)
            return call_result.ReserveNow(
                status="Rejected", status_info={"reason_code": "InvalidValue", "additional_info": refused}
            )
        if not self._service.available:
            log.info("ReserveNow %d rejected: no reservation module connected", id)
            return call_result.ReserveNow(status="Rejected")
        request: dict[str, Any] = {
            "reservation_id": id,
            "id_token": str(id_token.get("id_token", "")),
            "expiry_time": expiry_date_time,
        }
        if evse_id is not None:
            request["evse_id"] = evse_id
        if isinstance(group_id_token, dict):
            request["parent_id_token"] = str(group_id_token.get("id_token", ""))
        if connector_type is not None:
            request["connector_type"] = everest_connector_type(connector_type)
        status = await self._reserve(request)
        log.info("ReserveNow %d (EVSE %s, until %s): %s", id, evse_id, expiry_date_time, status)
        return call_result.ReserveNow(status=status)

    @on(Action.cancel_reservation)
    async def on_cancel_reservation(self, reservation_id: int, **_: Any) -> Any:
        self._require_available()
        enabled = self._config.get_bool(ENABLED, default=False)
        return call_result.CancelReservation(status=await self._cancel(reservation_id, allowed=enabled))

    def on_reservation_update(self, update: dict[str, Any]) -> None:
        status = update.get("reservation_status")
        if status not in REPORTED_UPDATES:
            return  # Placed, Cancelled, Used: the CSMS knows (it asked, or the TransactionEvent says)
        payload = {"reservation_id": int(update["reservation_id"]), "reservation_update_status": status}
        self._sender.push("ReservationStatusUpdate", payload)
