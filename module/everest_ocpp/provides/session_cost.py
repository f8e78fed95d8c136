"""``session_cost`` (interface ``session_cost``): tariff texts, default price and session costs.

The interface has no commands, only vars (``tariff_message``, ``session_cost``, ``default_price``)
that the CSMS's California Pricing messages feed. Placeholder until those are implemented: nothing
is published, as by the C++ modules without pricing information from the CSMS.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..generic.backend import OcppBackend

Publish = Callable[[str, Any], object]  # (var name, value)


class SessionCost:
    def __init__(self, publish: Publish) -> None:
        self._publish = publish
        self.backend: OcppBackend | None = None

    def attach(self, backend: OcppBackend) -> None:
        self.backend = backend

    def commands(self) -> dict[str, Callable[..., Any]]:
        return {}
