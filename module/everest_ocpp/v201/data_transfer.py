"""2.0.1 DataTransfer (P01/P02), both ways, with the vendor's JSON untouched.

``data`` and ``customData`` are any JSON, while EVerest carries them as strings (``data``; ``custom_data``
as {vendor_id, data}). The python ``ocpp`` package rewrites every key of a payload between camelCase
and snake_case and drops nulls, which would change a vendor's JSON; :class:`ExactJsonSession` gives
the blocks the exact JSON of what arrives and puts their exact JSON into what leaves.

From the CSMS: handed to the required ``data_transfer`` module when one is connected (Offline
becomes UnknownVendorId, a failed call Rejected); without one UnknownVendorId. A reply ``data`` that
is not JSON text is sent as a JSON string. To the CSMS: as in 1.6 (Offline, Rejected on CALLERROR); the
rules both versions share are in :class:`..shared_blocks.data_transfer.DataTransferBlock`.
"""

from __future__ import annotations

import contextvars
import json
import logging
import math
from typing import Any

from ocpp.routing import on
from ocpp.v201 import call, call_result
from ocpp.v201.enums import Action

from ..everest import json_limits
from ..shared_blocks.data_transfer import DataTransferBlock

log = logging.getLogger(__name__)
CUSTOM_VENDOR_MAX = 255  # CustomDataType.vendorId maxLength

# exact payload of the DataTransfer call being handled (set for the handler's task)
_INCOMING: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("incoming", default=None)
# fields to set exactly in the next frame this task sends (a request or an answer)
_OUTGOING: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("outgoing", default=None)
# exact payload of the answer to this task's last call
_ANSWER: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("answer", default=None)


class ExactJsonSession:
    """Mixin for the 2.0.1 session (before ChargePointSession in the bases)."""

    async def route_message(self, raw_msg: str) -> None:
        if '"DataTransfer"' in raw_msg:  # cheap test first: most frames are something else
            try:
                frame = json.loads(raw_msg)
                if frame[0] == 2 and frame[2] == "DataTransfer" and isinstance(frame[3], dict):
                    _INCOMING.set(frame[3])
            except (ValueError, TypeError, IndexError, KeyError):
                pass
        await super().route_message(raw_msg)  # type: ignore[misc]

    async def _send(self, message: str) -> None:
        exact = _OUTGOING.get()
        if exact is not None:
            _OUTGOING.set(None)
            frame = json.loads(message)
            if frame[0] in (2, 3) and isinstance(frame[-1], dict):
                frame[-1].update(exact)
                message = json.dumps(frame, separators=(",", ":"), ensure_ascii=False)
        await super()._send(message)  # type: ignore[misc]

    async def _get_specific_response(self, unique_id: str, timeout: float) -> Any:
        response = await super()._get_specific_response(unique_id, timeout)  # type: ignore[misc]
        payload = getattr(response, "payload", None)
        _ANSWER.set(payload if isinstance(payload, dict) else None)
        return response


def json_value(text: str) -> Any:
    """EVerest's string as the JSON value it holds; text that is not strict JSON (NaN, 1e999, nested
    beyond 64 levels, or no JSON at all) stays a string, so every frame sent is JSON."""
    try:
        value = json_limits.loads(text.encode())
    except ValueError:
        return text
    return value if _finite(value) else text


def _finite(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    return True


def custom_data_out(custom: Any) -> dict[str, Any] | None:
    """EVerest CustomData {vendor_id, data} as OCPP customData (vendorId added when missing); raises
    ValueError when the result would fail the schema (vendorId: a string of at most 255 characters)."""
    if not isinstance(custom, dict):
        return None
    value = json_value(str(custom.get("data", "")))
    value = value if isinstance(value, dict) else {}
    value.setdefault("vendorId", str(custom.get("vendor_id", "")))
    vendor = value["vendorId"]
    if not isinstance(vendor, str) or len(vendor) > CUSTOM_VENDOR_MAX:
        raise ValueError(f"customData.vendorId must be a string of at most {CUSTOM_VENDOR_MAX} characters")
    return value


def custom_data_in(custom: Any) -> dict[str, Any] | None:
    if not isinstance(custom, dict):
        return None
    return {"vendor_id": str(custom.get("vendorId", "")), "data": json.dumps(custom, ensure_ascii=False)}


class DataTransfer201(DataTransferBlock):
    @on(Action.data_transfer)
    async def on_data_transfer(self, vendor_id: str, message_id: str | None = None, **_: Any) -> Any:
        exact = _INCOMING.get() or {}
        request: dict[str, Any] = {"vendor_id": vendor_id}
        if message_id is not None:
            request["message_id"] = message_id
        if "data" in exact:
            request["data"] = json.dumps(exact["data"], ensure_ascii=False)
        custom = custom_data_in(exact.get("customData"))
        if custom is not None:
            request["custom_data"] = custom
        status, answer = await self._ask_handler(request)
        reply: dict[str, Any] = {}
        if isinstance(answer.get("data"), str):
            reply["data"] = json_value(answer["data"])
        try:
            custom_reply = custom_data_out(answer.get("custom_data"))
        except ValueError as exc:
            log.warning("DataTransfer from the CSMS: customData of the answer left out: %s", exc)
            custom_reply = None
        if custom_reply is not None:
            reply["customData"] = custom_reply
        _OUTGOING.set(reply or None)
        return call_result.DataTransfer(status=status)

    async def send(self, request: dict[str, Any]) -> dict[str, Any]:
        """An EVerest DataTransferRequest to the CSMS; returns the DataTransferResponse."""
        exact: dict[str, Any] = {}
        if isinstance(request.get("data"), str):
            exact["data"] = json_value(request["data"])
        try:
            custom = custom_data_out(request.get("custom_data"))
        except ValueError as exc:
            log.warning("DataTransfer not sent: %s", exc)
            return {"status": "Rejected"}
        if custom is not None:
            exact["customData"] = custom
        payload = call.DataTransfer(
            vendor_id=str(request.get("vendor_id", "")), message_id=request.get("message_id")
        )
        token = _OUTGOING.set(exact or None)
        try:
            result = await self._send(payload)
        finally:
            _OUTGOING.reset(token)
        if isinstance(result, dict):
            return result
        raw = _ANSWER.get() or {}
        answer: dict[str, Any] = {"status": str(result.status)}
        if "data" in raw:
            answer["data"] = json.dumps(raw["data"], ensure_ascii=False)
        custom_answer = custom_data_in(raw.get("customData"))
        if custom_answer is not None:
            answer["custom_data"] = custom_answer
        return answer
