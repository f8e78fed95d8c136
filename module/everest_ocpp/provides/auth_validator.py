"""``auth_validator`` (interface ``auth_token_validator``): token validation by OCPP.

``validate_token`` hands the token to the backend's :class:`~..generic.authorization.Authorization`
(local list, cache, the CSMS, offline rules: the version decides) and answers its verdict as an
EVerest ``ValidationResult``; ``validate_result_update`` is published whenever the backend reports
that the CSMS changed what it says about a token in use. Without a backend that authorizes (before
OCPP runs, or a version without authorization) every token is answered as the C++ modules answer
while their charge point is not initialised (``auth_validator/auth_token_validatorImpl.cpp``): status
Unknown, no tariff messages, so the Auth module falls back to its other validators.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from ..generic.authorization import UNKNOWN, ValidationUpdate
from ..generic.backend import OcppBackend
from .auth_conversions import token_request_from_everest, validation_to_everest, validation_update_to_everest

log = logging.getLogger(__name__)

Publish = Callable[[str, Any], object]  # (var name, value)


class AuthValidator:
    def __init__(self, publish: Publish) -> None:
        self._publish = publish
        self.backend: OcppBackend | None = None
        self._warned = False

    def attach(self, backend: OcppBackend) -> None:
        self.backend = backend
        authorization = getattr(backend, "authorization", None)
        if authorization is not None:
            authorization.events.validation_update_listeners.append(self._on_update)

    def commands(self) -> dict[str, Callable[..., Any]]:
        return {"validate_token": self.validate_token}

    async def validate_token(self, provided_token: dict[str, Any]) -> dict[str, Any]:
        authorization = getattr(self.backend, "authorization", None)
        if authorization is None:
            if not self._warned:
                self._warned = True
                why = "OCPP is not running" if self.backend is None else f"not on OCPP {self.backend.version}"
                log.warning("auth_validator: tokens are not validated by OCPP (%s); answering Unknown", why)
            return validation_to_everest(UNKNOWN)
        try:
            request = token_request_from_everest(provided_token)
            result = await authorization.validate(request)
        except Exception:
            log.exception("validate_token failed; answering Unknown")
            return validation_to_everest(UNKNOWN)
        log.info(
            "validate_token %s (%s): %s",
            request.id_token.value,
            request.id_token.type,
            result.status,
        )
        return validation_to_everest(result)

    def _on_update(self, update: ValidationUpdate) -> None:
        self._publish("validate_result_update", validation_update_to_everest(update))
