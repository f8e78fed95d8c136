"""``auth_validator`` (interface ``auth_token_validator``): token validation by OCPP.

Placeholder until authorization (Authorize, local list, cache) is implemented: every token gets the
answer the C++ OCPP and OCPP201 modules give while their charge point is not initialised
(``auth_validator/auth_token_validatorImpl.cpp``): status Unknown, no tariff messages. The auth
module then falls back to its other validators.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from ..generic.backend import OcppBackend

log = logging.getLogger(__name__)

Publish = Callable[[str, Any], object]  # (var name, value)


class AuthValidator:
    def __init__(self, publish: Publish) -> None:
        self._publish = publish  # validate_result_update, once transactions report token updates
        self.backend: OcppBackend | None = None
        self._warned = False

    def attach(self, backend: OcppBackend) -> None:
        self.backend = backend

    def commands(self) -> dict[str, Callable[..., Any]]:
        return {"validate_token": self.validate_token}

    def validate_token(self, provided_token: dict[str, Any]) -> dict[str, Any]:
        if not self._warned:
            self._warned = True
            log.warning("auth_validator: token validation by OCPP is not implemented; every token is Unknown")
        return {"authorization_status": "Unknown", "tariff_messages": []}
