"""``data_transfer`` (interface ``ocpp_data_transfer``): DataTransfer requests towards the CSMS.

Placeholder until outgoing DataTransfer is implemented: every request gets the answer the C++ OCPP
and OCPP201 modules give while their charge point is not initialised or the message cannot be sent
(``data_transfer/ocpp_data_transferImpl.cpp``): status Offline, nothing sent to the CSMS.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from ..generic.backend import OcppBackend

log = logging.getLogger(__name__)

Publish = Callable[[str, Any], object]  # (var name, value); the interface has no vars


class DataTransfer:
    def __init__(self, publish: Publish) -> None:
        self._publish = publish
        self.backend: OcppBackend | None = None
        self._warned = False

    def attach(self, backend: OcppBackend) -> None:
        self.backend = backend

    def commands(self) -> dict[str, Callable[..., Any]]:
        return {"data_transfer": self.data_transfer}

    def data_transfer(self, request: dict[str, Any]) -> dict[str, Any]:
        if not self._warned:
            self._warned = True
            log.warning("data_transfer: DataTransfer to the CSMS is not implemented; answering Offline")
        return {"status": "Offline"}
