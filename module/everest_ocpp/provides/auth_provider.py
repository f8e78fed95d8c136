"""``auth_provider`` (interface ``auth_token_provider``): tokens from the CSMS for the Auth module.

The interface has no commands, only the var ``provided_token``: every token the backend's
authorization provides (2.0.1 RequestStartTransaction, 1.6 RemoteStartTransaction) is published as an
EVerest ``ProvidedIdToken``. Without a backend that provides tokens nothing is published, as by the
C++ modules while their charge point is not initialised.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..generic.authorization import TokenRequest
from ..generic.backend import OcppBackend
from .auth_conversions import token_request_to_everest

Publish = Callable[[str, Any], object]  # (var name, value)


class AuthProvider:
    def __init__(self, publish: Publish) -> None:
        self._publish = publish
        self.backend: OcppBackend | None = None

    def attach(self, backend: OcppBackend) -> None:
        self.backend = backend
        authorization = getattr(backend, "authorization", None)
        if authorization is not None:
            authorization.events.provided_token_listeners.append(self._on_token)

    def commands(self) -> dict[str, Callable[..., Any]]:
        return {}

    def _on_token(self, token: TokenRequest) -> None:
        self._publish("provided_token", token_request_to_everest(token))
