"""1.6 DataTransfer, both ways.

From the CSMS: handed to the required ``data_transfer`` module when one is connected (its status and
data are the answer; Offline, which 1.6 cannot carry, becomes UnknownVendorId as in the C++
module; a failed call Rejected); without one UnknownVendorId, as libocpp answers.
To the CSMS (the provided ``data_transfer``): sent while registered and connected, the CSMS's
status and data handed back; Offline when it cannot be sent or is not answered, Rejected when the
CSMS answers with a CALLERROR.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from ocpp.exceptions import OCPPError
from ocpp.routing import on
from ocpp.v16 import call, call_result
from ocpp.v16.enums import Action

from ..bridge.services import DataTransferService
from ..csms.outbox import NotConnected, Outbox

log = logging.getLogger(__name__)

OCPP_STATUSES = frozenset({"Accepted", "Rejected", "UnknownMessageId", "UnknownVendorId"})


class DataTransfer16:
    def __init__(self, outbox: Outbox, online: Callable[[], bool], handler: DataTransferService) -> None:
        self._outbox = outbox
        self._online = online  # connected and registered
        self._handler = handler

    @on(Action.data_transfer)
    async def on_data_transfer(
        self, vendor_id: str, message_id: str | None = None, data: str | None = None, **_: Any
    ) -> call_result.DataTransfer:
        if not self._handler.available:
            log.info(
                "DataTransfer from the CSMS (vendor %s, message %s): no data_transfer module",
                vendor_id,
                message_id,
            )
            return call_result.DataTransfer(status="UnknownVendorId")
        request: dict[str, Any] = {"vendor_id": vendor_id}
        if message_id is not None:
            request["message_id"] = message_id
        if data is not None:
            request["data"] = data
        answer = await self._handler.data_transfer(request)
        if answer is None:
            return call_result.DataTransfer(status="Rejected")
        status = str(answer.get("status"))
        reply = answer.get("data")
        log.info("DataTransfer from the CSMS (vendor %s, message %s): %s", vendor_id, message_id, status)
        return call_result.DataTransfer(
            status=status if status in OCPP_STATUSES else "UnknownVendorId",
            data=reply if isinstance(reply, str) else None,
        )

    async def send(self, request: dict[str, Any]) -> dict[str, Any]:
        """An EVerest DataTransferRequest to the CSMS; returns the DataTransferResponse."""
        if not self._online():
            return {"status": "Offline"}
        payload = call.DataTransfer(
            vendor_id=str(request.get("vendor_id", "")),
            message_id=request.get("message_id"),
            data=request.get("data"),
        )
        try:
            result = await self._outbox.call(payload)
        except (NotConnected, TimeoutError) as exc:
            log.warning("DataTransfer to the CSMS not answered: %s", exc)
            return {"status": "Offline"}
        except OCPPError:
            return {"status": "Rejected"}
        except Exception as exc:  # e.g. a request the 1.6 schema refuses (vendorId over 255 characters)
            log.warning("DataTransfer to the CSMS not sent: %s", exc)
            return {"status": "Rejected"}
        answer: dict[str, Any] = {"status": str(result.status)}
        if result.data is not None:
            answer["data"] = str(result.data)
        return answer
