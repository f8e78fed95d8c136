"""``auth_provider`` (interface ``auth_token_provider``): tokens from the CSMS for the auth module.

The interface has no commands, only the var ``provided_token`` (RemoteStartTransaction /
RequestStartTransaction). Placeholder until remote start is implemented: nothing is published, as by
the C++ modules while their charge point is not initialised.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..generic.backend import OcppBackend

Publish = Callable[[str, Any], object]  # (var name, value)


class AuthProvider:
    def __init__(self, publish: Publish) -> None:
        self._publish = publish
        self.backend: OcppBackend | None = None

    def attach(self, backend: OcppBackend) -> None:
        self.backend = backend

    def commands(self) -> dict[str, Callable[..., Any]]:
        return {}
