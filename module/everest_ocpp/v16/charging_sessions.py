"""The evse_managers' session events, read as the C++ OCPP module reads them for 1.6.

Each event moves the connector status and, for TransactionStarted / TransactionFinished, the
transaction block. After ``stop`` (until ``restart``) transaction events are dropped, as the C++
module drops every session event then: no message arising while stopped is queued. The status is
still followed, so the notifications after ``restart`` tell the truth.
"""

from __future__ import annotations

import logging
from typing import Any

from .availability import Availability16
from .connectors import ConnectorMap
from .meter_values import MeterValues16
from .status import ConnectorStatus16
from .status_machine import Event, Status
from .transactions import Transactions16

log = logging.getLogger(__name__)

SIMPLE = {
    "ChargingPausedEV": (Event.PAUSE_CHARGING_EV, None),
    "ChargingPausedEVSE": (Event.PAUSE_CHARGING_EVSE, None),
    "SwitchingPhases": (Event.PAUSE_CHARGING_EVSE, "SwitchingPhases"),
    "ChargingStarted": (Event.START_CHARGING, None),
    "ReservationStart": (Event.RESERVE_CONNECTOR, None),
    "ReservationEnd": (Event.RESERVATION_END, None),
    "PluginTimeout": (Event.TRANSACTION_STOPPED_USER_ACTION, "ConnectionTimeout"),
}


class ChargingSessions16:
    """A listener of :class:`~everest_ocpp.bridge.sessions.EvseSessions`."""

    def __init__(
        self,
        connectors: ConnectorMap,
        status: ConnectorStatus16,
        transactions: Transactions16,
        availability: Availability16,
        meter_values: MeterValues16,
    ) -> None:
        self._map = connectors
        self._status = status
        self._transactions = transactions
        self._availability = availability
        self._meter = meter_values
        self.stopped = False

    def on_powermeter(self, evse_id: int, powermeter: dict[str, Any]) -> None:
        """Readings are taken from the latest value when a sample is due."""

    def on_session_event(self, evse_id: int, event: dict[str, Any]) -> None:
        kind = event.get("event")
        connector_id = event.get("connector_id")
        connector = self._map.ocpp_id(evse_id, connector_id if isinstance(connector_id, int) else 1)
        if connector is None:
            log.warning(
                "session event %s for unknown connector %s of EVSE %d ignored", kind, connector_id, evse_id
            )
            return
        status = self._status
        if kind == "Enabled":
            status.submit_evse(evse_id, Event.BECOME_AVAILABLE)
        elif kind == "Disabled":
            status.submit_evse(evse_id, Event.CHANGE_AVAILABILITY_TO_UNAVAILABLE)
        elif kind in SIMPLE:
            transition, info = SIMPLE[kind]
            status.submit(connector, transition, info)
        elif kind == "SessionStarted":
            details = event.get("session_started")
            reason = details.get("reason") if isinstance(details, dict) else None
            reason = reason if reason in ("EVConnected", "Authorized") else "EVConnected"
            # a reserved connector only gets Preparing from the authorization (libocpp)
            if status.state(connector) is not Status.RESERVED or reason == "Authorized":
                status.submit(connector, Event.USAGE_INITIATED, reason)
        elif kind == "TransactionStarted":
            if status.state(connector) is Status.RESERVED:
                status.submit(connector, Event.USAGE_INITIATED)
            if self._dropped(kind, evse_id):
                return
            self._transactions.started(evse_id, connector, event)
        elif kind == "TransactionFinished":
            details = event.get("transaction_finished")
            reason = details.get("reason") if isinstance(details, dict) else None
            if not self._dropped(kind, evse_id):
                self._transactions.finished(evse_id, connector, event)
            if reason != "EVDisconnected":
                status.submit(connector, Event.TRANSACTION_STOPPED_USER_ACTION)
            self._availability.retry_scheduled()
        elif kind == "SessionFinished":
            if self._transactions.running(connector) and not self._dropped(kind, evse_id):
                # its TransactionFinished was lost: end the transaction rather than leave it open
                log.warning("connector %d: session finished with its transaction open; ending it", connector)
                finished = event.get("session_finished")
                reading = finished.get("meter_value") if isinstance(finished, dict) else None
                details = {"reason": "Other", **({"meter_value": reading} if reading else {})}
                self._transactions.finished(evse_id, connector, {**event, "transaction_finished": details})
            self._meter.session_finished(evse_id)
            if status.state(connector) not in (Status.RESERVED, Status.UNAVAILABLE):
                status.submit(connector, Event.BECOME_AVAILABLE)
            self._availability.session_finished(connector)

    def _dropped(self, kind: str, evse_id: int) -> bool:
        if self.stopped:
            log.info("EVSE %d: %s dropped (OCPP is stopped)", evse_id, kind)
        return self.stopped
