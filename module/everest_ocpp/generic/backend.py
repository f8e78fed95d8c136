"""What the `ocpp` interface needs from an OCPP backend (1.6 or 2.0.1), and what it hears back.

The interface layer (``ocpp_interface.py``) translates EVerest types to these calls; each version's
backend implements :class:`OcppBackend` and reports through :class:`BackendEvents`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from ..variables import VariableChange, VariableStore
from .authorization import Authorization
from .views import VariableView


@dataclass(frozen=True, slots=True)
class AvailabilityResult:
    status: str  # Accepted | Rejected | Scheduled
    reason_code: str | None = None
    additional_info: str | None = None


@dataclass(frozen=True, slots=True)
class SecurityEventRequest:
    type: str
    info: str | None = None
    critical: bool | None = None  # None: the version's default list decides
    timestamp: datetime | None = None


class OcppBackend(Protocol):
    version: str  # "1.6" | "2.0.1"
    variables: VariableStore
    view: VariableView  # how the `ocpp` interface addresses variables in this version
    # token validation and CSMS-provided tokens (auth_validator / auth_provider); None: not handled
    authorization: Authorization | None

    async def stop(self) -> bool: ...

    async def restart(self) -> bool: ...

    def security_event(self, event: SecurityEventRequest) -> None: ...

    async def change_availability(
        self, operative: bool, evse_id: int | None, connector_id: int | None
    ) -> AvailabilityResult: ...

    def monitor_trigger(self, change: VariableChange) -> str | None:
        """The EventData trigger for a store change of a monitored variable, or None to skip it."""
        ...


class BackendEvents(Protocol):
    """Reported by a backend; the interface layer turns these into vars."""

    def connection_changed(self, connected: bool) -> None: ...

    def boot_notification_response(self, response: dict[str, Any]) -> None: ...

    def internal_security_event(self, type: str, info: str | None) -> None: ...

    def charging_schedules(self, schedules: list[dict[str, Any]]) -> None: ...

    def transaction_event(self, event: dict[str, Any]) -> None:
        """An EVerest ``OcppTransactionEvent`` (Started/Updated/Ended, evse, session_id, transaction_id)."""
        ...

    def transaction_event_response(self, response: dict[str, Any]) -> None:
        """An EVerest ``OcppTransactionEventResponse`` (original event + what the CSMS answered)."""
        ...
