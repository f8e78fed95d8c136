"""One backend, several listeners: backend events reach ``ocpp_generic`` and ``main`` alike.

``ocpp`` and ``ocpp_1_6_charge_point`` both declare ``is_connected`` and ``security_event``; a backend
reports each event once, and this fan-out hands it to every implementation that publishes it.
"""

from __future__ import annotations

from typing import Any

from ..generic.backend import BackendEvents


class BackendEventsFanOut:
    """A :class:`BackendEvents` that forwards every event to each sink, in order."""

    def __init__(self, *sinks: BackendEvents) -> None:
        self._sinks = sinks

    def connection_changed(self, connected: bool) -> None:
        for sink in self._sinks:
            sink.connection_changed(connected)

    def boot_notification_response(self, response: dict[str, Any]) -> None:
        for sink in self._sinks:
            sink.boot_notification_response(response)

    def internal_security_event(self, type: str, info: str | None) -> None:
        for sink in self._sinks:
            sink.internal_security_event(type, info)

    def charging_schedules(self, schedules: list[dict[str, Any]]) -> None:
        for sink in self._sinks:
            sink.charging_schedules(schedules)

    def transaction_event(self, event: dict[str, Any]) -> None:
        for sink in self._sinks:
            sink.transaction_event(event)

    def transaction_event_response(self, response: dict[str, Any]) -> None:
        for sink in self._sinks:
            sink.transaction_event_response(response)
