"""DataTransfer, both versions and both ways.

From the CSMS: handed to the required ``data_transfer`` module when one is connected (its status and
data are the answer; a status OCPP cannot carry, such as Offline, becomes UnknownVendorId as in the
C++ modules; a failed call Rejected); without one UnknownVendorId, as libocpp answers.
To the CSMS (the provided ``data_transfer``): sent while registered and connected, the CSMS's answer
handed back; Offline when it cannot be sent or is not answered, Rejected when the CSMS answers with
a CALLERROR or the request cannot be sent as it is (e.g. it fails the version's schema).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from ocpp.exceptions import OCPPError

from ..bridge.services import DataTransferService
from ..csms.outbox import NotConnected, Outbox

log = logging.getLogger(__name__)

OCPP_STATUSES = frozenset({"Accepted", "Rejected", "UnknownMessageId", "UnknownVendorId"})


class DataTransferBlock:
    """What the DataTransfer blocks of both versions do; a version's subclass adds its messages."""

    def __init__(self, outbox: Outbox, online: Callable[[], bool], handler: DataTransferService) -> None:
        self._outbox = outbox
        self._online = online  # connected and registered
        self._handler = handler

    async def _ask_handler(self, request: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """An EVerest DataTransferRequest from the CSMS to the data_transfer module: (the status to
        answer, the module's DataTransferResponse; empty when it gave none)."""
        vendor_id, message_id = request.get("vendor_id"), request.get("message_id")
        if not self._handler.available:
            log.info(
                "DataTransfer from the CSMS (vendor %s, message %s): no data_transfer module",
                vendor_id,
                message_id,
            )
            return "UnknownVendorId", {}
        answer = await self._handler.data_transfer(request)
        if answer is None:
            return "Rejected", {}
        status = str(answer.get("status"))
        log.info("DataTransfer from the CSMS (vendor %s, message %s): %s", vendor_id, message_id, status)
        return (status if status in OCPP_STATUSES else "UnknownVendorId"), answer

    async def _send(self, payload: Any) -> Any:
        """The CSMS's answer to our DataTransfer; when there is none, the EVerest DataTransferResponse
        (a dict) to hand back instead."""
        if not self._online():
            return {"status": "Offline"}
        try:
            return await self._outbox.call(payload)
        except (NotConnected, TimeoutError) as exc:
            log.warning("DataTransfer to the CSMS not answered: %s", exc or "no answer in time")
            return {"status": "Offline"}
        except OCPPError:
            return {"status": "Rejected"}
        except Exception as exc:  # e.g. a request the schema refuses (1.6: vendorId over 255 characters)
            log.warning("DataTransfer to the CSMS not sent: %s", exc)
            return {"status": "Rejected"}
