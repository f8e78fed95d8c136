"""How the evse_managers' session events become 2.0.1 transactions, as the C++ OCPP201 module reads them.

Per EVSE a :class:`.session_facts.SessionData` collects what a TransactionEvent needs (session id =
transaction id, trigger reason, charging state, id token, reservation, remote start id, stop reason)
from SessionStarted on; each event also feeds the EVSE's :class:`TxConditions`, and a fulfilled start or
stop point makes the :class:`TransactionSink` open or close the OCPP transaction. Charging state
changes, late authorization and connector facts (plugged, reserved, enabled) are passed on as well.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol

from ..timestamps import rfc3339
from .session_facts import (
    REASONS,
    STOP_TRIGGERS,
    Event,
    SessionData,
    authorized_token,
    event_reading,
    event_time,
    fact_of_reason,
    ocpp_id_token,
)
from .tx_points import DEFAULT_START, DEFAULT_STOP, TxConditions, TxFact, TxPoint, parse_points

log = logging.getLogger(__name__)


class TransactionSink(Protocol):
    def start_transaction(
        self, evse_id: int, data: SessionData, meter_start: tuple[dict[str, Any], Any]
    ) -> None:
        """Open the OCPP transaction; ``meter_start`` = (powermeter, signed meter value or None)."""

    def finish_transaction(
        self, evse_id: int, data: SessionData, meter_stop: tuple[dict[str, Any], Any]
    ) -> None:
        """Close the OCPP transaction with ``data``'s stop reason, trigger, id token and state."""

    def charging_state_changed(self, evse_id: int, state: str, trigger: str) -> None: ...

    def authorized(self, evse_id: int, id_token: dict[str, Any]) -> None: ...

    def session_finished(self, evse_id: int) -> None:
        """The EV left: per-session values (the EV's SoC) are no longer valid."""


class ConnectorSink(Protocol):
    def plugged(self, evse_id: int, connector_id: int, plugged: bool) -> None: ...

    def reserved(self, evse_id: int, connector_id: int, reserved: bool) -> None: ...

    def enabled(self, evse_id: int, connector_id: int, enabled: bool) -> None: ...


class SessionInterpreter:
    def __init__(
        self,
        evse_ids: list[int],
        transactions: TransactionSink,
        connectors: ConnectorSink,
        start_points: Callable[[], str | None],
        stop_points: Callable[[], str | None],
    ) -> None:
        self._tx = transactions
        self._connectors = connectors
        self._start_points = start_points
        self._stop_points = stop_points
        self.conditions = {e: TxConditions() for e in evse_ids}
        self.sessions: dict[int, SessionData | None] = dict.fromkeys(evse_ids)
        # AuthRequired, PrepareCharging, StoppingCharging, ChargingFinished, PluginTimeout and
        # SwitchingPhases change nothing (as in the C++ module); Authorized is read from the
        # SessionStarted / TransactionStarted that carry the token
        self._handlers: dict[str, Callable[[int, int, Event], None]] = {
            "SessionStarted": self._on_session_started,
            "SessionFinished": self._on_session_finished,
            "TransactionStarted": self._on_transaction_started,
            "TransactionFinished": self._on_transaction_finished,
            "SessionResumed": self._on_session_resumed,
            "ChargingStarted": self._on_charging_started,
            "ChargingPausedEV": self._on_charging_paused_ev,
            "ChargingPausedEVSE": self._on_charging_paused_evse,
            "Deauthorized": self._on_deauthorized,
            "Enabled": self._on_enabled,
            "Disabled": self._on_disabled,
            "ReservationStart": self._on_reservation_start,
            "ReservationEnd": self._on_reservation_end,
        }

    # ---- start / stop decisions ----------------------------------------------------------------------
    def _submit(self, evse_id: int, fact: TxFact, event: Event) -> None:
        conditions = self.conditions.setdefault(evse_id, TxConditions())
        conditions.apply(fact)
        data = self.sessions.get(evse_id)
        if data is None:
            return
        if not data.started:
            points = _points(self._start_points(), DEFAULT_START)
            if conditions.any_start(points):
                data.started = True
                data.timestamp = event_time(event)
                self._tx.start_transaction(evse_id, data, event_reading(event))
            return
        if conditions.any_stop(_points(self._stop_points(), DEFAULT_STOP)):
            data.timestamp = event_time(event)
            self._tx.finish_transaction(evse_id, data, event_reading(event))
            self.sessions[evse_id] = None

    def end_now(self, evse_id: int, trigger: str, reason: str, reading: tuple[dict[str, Any], Any]) -> bool:
        """End the EVSE's open transaction now, whatever the stop points say (UnlockConnector)."""
        data = self.sessions.get(evse_id)
        if data is None or not data.started:
            return False
        data.trigger_reason, data.stop_reason, data.timestamp, data.id_token = (
            trigger,
            reason,
            rfc3339(),
            None,
        )
        self._tx.finish_transaction(evse_id, data, reading)
        self.sessions[evse_id] = None
        return True

    def resume(self, evse_id: int, data: SessionData, ev_connected: bool, authorized: bool) -> None:
        """A transaction still open from before a restart: later events continue it."""
        data.started = True
        self.sessions[evse_id] = data
        self.conditions[evse_id] = TxConditions(authorized=authorized, ev_connected=ev_connected)

    # ---- events ----------------------------------------------------------------------------------------
    def on_session_event(self, evse_id: int, event: Event) -> None:
        kind = str(event.get("event", ""))
        connector_id = int(event.get("connector_id") or 1)
        handler = self._handlers.get(kind)
        if handler is not None:
            handler(evse_id, connector_id, event)
        token = authorized_token(event)
        if token is not None:
            self._tx.authorized(evse_id, token)

    def _on_session_started(self, evse_id: int, connector_id: int, event: Event) -> None:
        current = self.sessions.get(evse_id)
        if current is not None and current.session_id == str(event.get("uuid", "")):
            log.warning("EVSE %d: SessionStarted of running session %s ignored", evse_id, current.session_id)
            return
        started = event.get("session_started") or {}
        data = SessionData(connector_id, str(event.get("uuid", "")), event_time(event), "Authorized", "Idle")
        fact = TxFact.AUTHORIZED
        id_tag = started.get("id_tag")
        if started.get("reason") == "EVConnected":
            fact, data.trigger_reason, data.charging_state = (
                TxFact.EV_CONNECTED,
                "CablePluggedIn",
                "EVConnected",
            )
        elif not isinstance(id_tag, dict):
            log.warning("EVSE %d: session started by authorization without an id_tag", evse_id)
        else:
            data.id_token = ocpp_id_token(id_tag.get("id_token") or {})
            data.remote_start_id = id_tag.get("request_id")
            if id_tag.get("authorization_type") == "OCPP":
                data.trigger_reason = "RemoteStart"
        data.reservation_id = started.get("reservation_id")
        self.sessions[evse_id] = data  # the first event of a session: always new data
        self._submit(evse_id, fact, event)
        if fact is TxFact.EV_CONNECTED:
            self._connectors.plugged(evse_id, connector_id, True)

    def _on_session_finished(self, evse_id: int, connector_id: int, event: Event) -> None:
        self._tx.session_finished(evse_id)
        data = self.sessions.get(evse_id)
        if data is not None:
            data.charging_state, data.stop_reason, data.trigger_reason = (
                "Idle",
                "EVDisconnected",
                "EVCommunicationLost",
            )
        self._submit(evse_id, TxFact.EV_DISCONNECTED, event)
        self._connectors.plugged(evse_id, connector_id, False)

    def _on_transaction_started(self, evse_id: int, connector_id: int, event: Event) -> None:
        started = event.get("transaction_started") or {}
        data = self.sessions.get(evse_id)
        if data is None:  # e.g. a stop point was fulfilled before the EVerest transaction started
            log.warning(
                "EVSE %d: TransactionStarted without session data; treating it as plug-in + auth", evse_id
            )
            self._connectors.plugged(evse_id, connector_id, True)
            self._submit(evse_id, TxFact.AUTHORIZED, event)
            self._submit(evse_id, TxFact.EV_CONNECTED, event)
            return
        id_tag = started.get("id_tag") or {}
        if started.get("reservation_id") is not None:
            data.reservation_id = started["reservation_id"]
        data.remote_start_id = id_tag.get("request_id")
        data.id_token = ocpp_id_token(id_tag.get("id_token") or {})
        fact, trigger = TxFact.AUTHORIZED, "Authorized"
        if data.trigger_reason in ("Authorized", "RemoteStart"):  # authorized first: this is the plug-in
            trigger, data.charging_state, fact = "CablePluggedIn", "EVConnected", TxFact.EV_CONNECTED
            self._connectors.plugged(evse_id, connector_id, True)
        if id_tag.get("authorization_type") == "OCPP":
            trigger = "RemoteStart"
        data.trigger_reason = trigger
        self._submit(evse_id, fact, event)

    def _on_transaction_finished(self, evse_id: int, connector_id: int, event: Event) -> None:
        finished = event.get("transaction_finished") or {}
        reason, fact = "Other", TxFact.NONE
        if finished.get("reason") is not None:
            reason = REASONS.get(str(finished["reason"]), "Other")
            fact = fact_of_reason(reason)
        data = self.sessions.get(evse_id)
        if data is not None:
            id_tag = finished.get("id_tag")
            state = data.charging_state
            if reason == "EVDisconnected":
                state = "Idle"
            elif (reason == "ImmediateReset" and state != "Idle") or fact is TxFact.DEAUTHORIZED:
                state = "EVConnected"
            data.trigger_reason = STOP_TRIGGERS.get(reason, "AbnormalCondition")
            data.stop_reason = reason
            data.id_token = ocpp_id_token(id_tag.get("id_token") or {}) if isinstance(id_tag, dict) else None
            data.charging_state = state
        self._submit(evse_id, fact, event)
        if fact is TxFact.DEAUTHORIZED:
            trigger = "RemoteStop" if reason == "Remote" else "StopAuthorized"
            self._tx.charging_state_changed(evse_id, "EVConnected", trigger)
        else:  # the authorization always ends with the EVerest transaction
            self._submit(evse_id, TxFact.DEAUTHORIZED, event)

    def _on_session_resumed(self, evse_id: int, connector_id: int, event: Event) -> None:
        # after a power loss the evse_manager resumes the session only to finish it (PowerLoss)
        data = SessionData(
            connector_id, str(event.get("uuid", "")), event_time(event), "AbnormalCondition", "Idle"
        )
        data.started = True
        self.sessions[evse_id] = data

    def _on_charging_started(self, evse_id: int, connector_id: int, event: Event) -> None:
        data = self.sessions.get(evse_id)
        if data is not None:
            data.trigger_reason, data.charging_state = "ChargingStateChanged", "Charging"
        self._submit(evse_id, TxFact.ENERGY_TRANSFER_STARTED, event)
        self._tx.charging_state_changed(evse_id, "Charging", "ChargingStateChanged")

    def _on_charging_paused_ev(self, evse_id: int, connector_id: int, event: Event) -> None:
        data = self.sessions.get(evse_id)
        if data is not None:
            data.charging_state, data.trigger_reason, data.stop_reason = (
                "SuspendedEV",
                "ChargingStateChanged",
                "StoppedByEV",
            )
        self._submit(evse_id, TxFact.ENERGY_TRANSFER_STOPPED, event)
        self._tx.charging_state_changed(evse_id, "SuspendedEV", "ChargingStateChanged")

    def _on_charging_paused_evse(self, evse_id: int, connector_id: int, event: Event) -> None:
        data = self.sessions.get(evse_id)
        trigger = "ChargingStateChanged"
        if data is not None:
            data.charging_state = "SuspendedEVSE"
            if data.stop_reason == "Remote":
                trigger, data.trigger_reason = "RemoteStop", "ChargingStateChanged"
        self._submit(evse_id, TxFact.ENERGY_TRANSFER_STOPPED, event)
        self._tx.charging_state_changed(evse_id, "SuspendedEVSE", trigger)

    def _on_deauthorized(self, evse_id: int, connector_id: int, event: Event) -> None:
        data = self.sessions.get(evse_id)
        if data is not None:
            data.trigger_reason = "StopAuthorized"
        self._submit(evse_id, TxFact.DEAUTHORIZED, event)

    def _on_enabled(self, evse_id: int, connector_id: int, event: Event) -> None:
        self._connectors.enabled(evse_id, connector_id, True)

    def _on_disabled(self, evse_id: int, connector_id: int, event: Event) -> None:
        self._connectors.enabled(evse_id, connector_id, False)

    def _on_reservation_start(self, evse_id: int, connector_id: int, event: Event) -> None:
        self._connectors.reserved(evse_id, connector_id, True)

    def _on_reservation_end(self, evse_id: int, connector_id: int, event: Event) -> None:
        self._connectors.reserved(evse_id, connector_id, False)


def _points(value: str | None, default: frozenset[TxPoint]) -> frozenset[TxPoint]:
    return parse_points(value, default)
