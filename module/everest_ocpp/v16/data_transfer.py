"""1.6 DataTransfer, both ways, through the shared :class:`..shared_blocks.data_transfer.DataTransferBlock`
(the rules are there); ``data`` is a string in 1.6 and in EVerest, handed on as it is.
"""

from __future__ import annotations

from typing import Any

from ocpp.routing import on
from ocpp.v16 import call, call_result
from ocpp.v16.enums import Action

from ..shared_blocks.data_transfer import DataTransferBlock


class DataTransfer16(DataTransferBlock):
    @on(Action.data_transfer)
    async def on_data_transfer(
        self, vendor_id: str, message_id: str | None = None, data: str | None = None, **_: Any
    ) -> call_result.DataTransfer:
        request: dict[str, Any] = {"vendor_id": vendor_id}
        if message_id is not None:
            request["message_id"] = message_id
        if data is not None:
            request["data"] = data
        status, answer = await self._ask_handler(request)
        reply = answer.get("data")
        return call_result.DataTransfer(status=status, data=reply if isinstance(reply, str) else None)

    async def send(self, request: dict[str, Any]) -> dict[str, Any]:
        """An EVerest DataTransferRequest to the CSMS; returns the DataTransferResponse."""
        payload = call.DataTransfer(
            vendor_id=str(request.get("vendor_id", "")),
            message_id=request.get("message_id"),
            data=request.get("data"),
        )
        result = await self._send(payload)
        if isinstance(result, dict):
            return result
        answer: dict[str, Any] = {"status": str(result.status)}
        if result.data is not None:
            answer["data"] = str(result.data)
        return answer
