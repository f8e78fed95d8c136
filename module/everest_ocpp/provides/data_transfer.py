"""``data_transfer`` (interface ``ocpp_data_transfer``): DataTransfer requests towards the CSMS.

Each request is sent by the running backend's DataTransfer block and answered with what the CSMS
answered. Before OCPP runs the answer is Offline, as the C++ OCPP and OCPP201 modules answer while
their charge point is not initialised (``data_transfer/ocpp_data_transferImpl.cpp``); so is a request
that cannot be sent now (offline, not registered) or gets no answer.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, runtime_checkable

from ..generic.backend import OcppBackend

log = logging.getLogger(__name__)

Publish = Callable[[str, Any], object]  # (var name, value); the interface has no vars


@runtime_checkable
class OutgoingDataTransfer(Protocol):
    def send(self, request: dict[str, Any]) -> Awaitable[dict[str, Any]]: ...


class DataTransfer:
    def __init__(self, publish: Publish) -> None:
        self._publish = publish
        self.backend: OcppBackend | None = None

    def attach(self, backend: OcppBackend) -> None:
        self.backend = backend

    def commands(self) -> dict[str, Callable[..., Any]]:
        return {"data_transfer": self.data_transfer}

    async def data_transfer(self, request: dict[str, Any]) -> dict[str, Any]:
        block = getattr(self.backend, "data_transfer", None)
        if not isinstance(block, OutgoingDataTransfer):
            log.warning("data_transfer: OCPP is not running; answering Offline")
            return {"status": "Offline"}
        return await block.send(request)
