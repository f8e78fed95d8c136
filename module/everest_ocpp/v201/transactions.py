"""2.0.1 transactions (E01-E15, J02): TransactionEvent Started / Updated / Ended and GetTransactionStatus.

The session interpreter decides when a session becomes a transaction and when it ends; this block
owns the open transactions (one per EVSE, id = the EVerest session id, seqNo from 0, persisted with
their meter values), sends their TransactionEvents through the persistent queue (ordered, retried
per MessageAttempts/MessageAttemptInterval[TransactionEvent], kept across restarts) with the
``offline`` flag of the moment they happened, samples meter values per SampledDataCtrlr, publishes
``ocpp_transaction_event`` / ``ocpp_transaction_event_response``, and acts on an idTokenInfo that is
not Accepted (TxCtrlr.StopTxOnInvalidId / MaxEnergyOnInvalidId).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from ocpp.routing import on
from ocpp.v201 import call_result
from ocpp.v201.enums import Action

from ..bridge.evse import EvseManagers
from ..csms.message_queue import QueueSender
from ..csms.metering import energy_wh
from ..csms.outbox import Outbox
from ..generic.backend import BackendEvents
from ..smart_charging import ActiveTransaction
from ..timestamps import rfc3339
from ..variables import VariableRef
from .connector_status import ConnectorStates
from .device_model import DeviceModel
from .device_model import well_known as wk
from .meter_format import TRANSACTION_BEGIN, TRANSACTION_END, MeterValue, filtered, measurand_list
from .meter_values import Readings
from .session_events import SessionData, SessionInterpreter
from .tx_answers import TransactionAnswers, var_event
from .tx_sampling import TransactionSampling, moment
from .tx_store import OpenTransaction, TransactionStore

log = logging.getLogger(__name__)

RESUME_ON_BOOT = VariableRef("InternalCtrlr", "ResumeTransactionsOnBoot")

Spawn = Callable[[Coroutine[Any, Any, Any]], Any]


class Transactions201:
    def __init__(
        self,
        dm: DeviceModel,
        sender: QueueSender,
        outbox: Outbox,
        evse: EvseManagers,
        readings: Readings,
        connectors: ConnectorStates,
        events: BackendEvents,
        store: TransactionStore,
        link_running: Callable[[], bool],
        spawn: Spawn,
    ) -> None:
        self._dm = dm
        self._sender = sender
        self._outbox = outbox
        self._evse = evse
        self.readings = readings
        self._connectors = connectors
        self._events = events
        self.store = store
        self._link_running = link_running
        self.evse_ids = [e.id for e in evse.evses]
        self.open: dict[int, OpenTransaction] = {}
        self._remote_starts: dict[int, tuple[str, int]] = {}  # EVSE (0: any) -> (id token, remoteStartId)
        self.ended_listeners: list[Callable[[int, str], None]] = []  # (EVSE id, transaction id)
        # a RequestStartTransaction's token reached its transaction: (EVSE id, transaction id, remoteStartId)
        self.remote_start_listeners: list[Callable[[int, str, int], None]] = []
        # ... or a transaction of its token on its EVSE started without it: the request is void
        self.remote_start_void_listeners: list[Callable[[int, str, int], None]] = []
        self.interpreter = SessionInterpreter(
            self.evse_ids,
            self,
            connectors,
            lambda: dm.value(wk.TX_START_POINT),
            lambda: dm.value(wk.TX_STOP_POINT),
        )
        self.answers = TransactionAnswers(
            dm, evse, events, self.open, lambda e: self.readings.of(e).powermeter, spawn
        )
        sender.on_response.append(self.answers.on_response)
        self.sampling = TransactionSampling(dm, readings, store, self.open, self._send_values)

    # ---- what other blocks ask ---------------------------------------------------------------------
    def active(self, evse_id: int) -> bool:
        return evse_id in self.open

    def transaction_id(self, evse_id: int) -> str | None:
        tx = self.open.get(evse_id)
        return None if tx is None else tx.transaction_id

    def smart_charging_view(self) -> dict[int, ActiveTransaction]:
        """Running transactions by EVSE: TxProfiles bind to their id, Relative schedules start with them."""
        return {e: ActiveTransaction(tx.transaction_id, moment(tx.started_at)) for e, tx in self.open.items()}

    def set_remote_start_id(self, evse_id: int, id_token: str, remote_start_id: int) -> None:
        """RequestStartTransaction accepted: the transaction this token starts says RemoteStart (F01)."""
        self._remote_starts[evse_id] = (id_token, remote_start_id)

    def is_authorized(self, evse_id: int) -> bool:
        """An authorized transaction runs on the EVSE: an OCPP one that carried its idToken, or the
        evse_manager's (EVerest starts its transaction only once authorized)."""
        tx = self.open.get(evse_id)
        return (tx is not None and tx.id_token_sent) or self._evse.transaction_running(evse_id)

    def evse_of(self, transaction_id: str) -> int | None:
        return next((e for e, tx in self.open.items() if tx.transaction_id == transaction_id), None)

    def end_unauthorized(self, evse_id: int, trigger: str, reason: str = "Other") -> bool:
        """End the EVSE's open transaction that was never authorized (UnlockConnector, RequestStopTransaction:
        there is no EVerest transaction to stop); False when there is none."""
        tx = self.open.get(evse_id)
        if tx is None or self.is_authorized(evse_id):
            return False
        powermeter = self.readings.of(evse_id).powermeter or {}
        return self.interpreter.end_now(evse_id, trigger, reason, (powermeter, None))

    # ---- SessionListener (EvseSessions) -----------------------------------------------------------
    def on_session_event(self, evse_id: int, event: dict[str, Any]) -> None:
        connector_id = event.get("connector_id")
        known = next((e.connectors for e in self._evse.evses if e.id == evse_id), ())
        if isinstance(connector_id, int) and connector_id not in (0, *known):
            log.warning(
                "session event %s for unknown connector %d of EVSE %d ignored",
                event.get("event"),
                connector_id,
                evse_id,
            )
            return
        self.interpreter.on_session_event(evse_id, event)

    def on_powermeter(self, evse_id: int, powermeter: dict[str, Any]) -> None:
        self.readings.on_powermeter(evse_id, powermeter)
        self.answers.on_powermeter(evse_id, powermeter)

    # ---- TransactionSink (session interpreter) ----------------------------------------------------
    def start_transaction(
        self, evse_id: int, data: SessionData, meter_start: tuple[dict[str, Any], Any]
    ) -> None:
        old = self.open.get(evse_id)
        if old is not None:  # never finished (a lost session event): end it rather than lose it
            log.warning(
                "EVSE %d: transaction %s starts while %s is open; ending that one",
                evse_id,
                data.session_id,
                old.transaction_id,
            )
            self.sampling.stop(evse_id)
            old.stopped_reason = "Other"
            self._end(old, "AbnormalCondition", data.timestamp, None)
        powermeter, signed = meter_start
        begin = self.readings.event_value(evse_id, powermeter, signed, TRANSACTION_BEGIN)
        tx = OpenTransaction(
            transaction_id=data.session_id,
            evse_id=evse_id,
            connector_id=data.connector_id,
            started_at=data.timestamp,
            charging_state=data.charging_state,
            id_token_sent=data.id_token is not None,
            remote_start_id=data.remote_start_id,
            start_energy_wh=_first_known(
                energy_wh(powermeter), lambda: energy_wh(self.readings.of(evse_id).powermeter)
            ),
        )
        self.store.open(tx)
        if begin["sampled_value"]:
            self.store.add_meter_value(tx.transaction_id, begin)
        self.open[evse_id] = tx
        log.info("EVSE %d: transaction %s started (%s)", evse_id, tx.transaction_id, data.trigger_reason)
        self._connectors.reserved(evse_id, data.connector_id, False)  # a reservation ends in a transaction
        started = filtered(begin, measurand_list(self._dm.value(wk.SAMPLED_DATA_TX_STARTED_MEASURANDS)))
        self._send(
            tx,
            "Started",
            data.trigger_reason,
            timestamp=data.timestamp,
            meter_values=None if started is None else [started],
            evse={"id": evse_id, "connector_id": data.connector_id},
            id_token=data.id_token,
            reservation_id=data.reservation_id,
        )
        self.sampling.start(tx)

    def finish_transaction(
        self, evse_id: int, data: SessionData, meter_stop: tuple[dict[str, Any], Any]
    ) -> None:
        tx = self.open.get(evse_id)
        if tx is None:
            log.warning("EVSE %d: session %s ended but no transaction is open", evse_id, data.session_id)
            return
        self.sampling.stop(evse_id)
        powermeter, signed = meter_stop
        end = self.readings.event_value(evse_id, powermeter, signed, TRANSACTION_END)
        if end["sampled_value"]:
            self.store.add_meter_value(tx.transaction_id, end)
        tx.charging_state, tx.stopped_reason = data.charging_state, data.stop_reason
        # E07.FR.02: the id token only when it ended the authorization
        id_token = data.id_token if data.trigger_reason == "StopAuthorized" else None
        self._end(tx, data.trigger_reason, data.timestamp, id_token)

    def charging_state_changed(self, evse_id: int, state: str, trigger: str) -> None:
        tx = self.open.get(evse_id)
        if tx is None or tx.charging_state == state:
            return
        tx.charging_state = state
        self._send(tx, "Updated", trigger)

    def authorized(self, evse_id: int, id_token: dict[str, Any]) -> None:
        tx = self.open.get(evse_id)
        if tx is None or tx.id_token_sent:
            return
        tx.id_token_sent = True
        self._send(tx, "Updated", "Authorized", id_token=id_token)

    def session_finished(self, evse_id: int) -> None:
        self.readings.session_finished(evse_id)

    # ---- meter values in a transaction (tx_sampling.py) --------------------------------------------
    def intervals_changed(self) -> None:
        self.sampling.intervals_changed()

    def clock_value(self, evse_id: int, value: MeterValue) -> None:
        self.sampling.clock_value(evse_id, value)

    def store_clock_value(self, evse_id: int, value: MeterValue) -> None:
        self.sampling.store_clock_value(evse_id, value)

    def _send_values(
        self, tx: OpenTransaction, event_type: str, trigger: str, values: list[MeterValue]
    ) -> None:
        self._send(tx, event_type, trigger, meter_values=values)

    # ---- sending -----------------------------------------------------------------------------------
    def _send(
        self,
        tx: OpenTransaction,
        event_type: str,
        trigger: str,
        *,
        timestamp: str | None = None,
        meter_values: list[MeterValue] | None = None,
        evse: dict[str, int] | None = None,
        id_token: dict[str, Any] | None = None,
        reservation_id: int | None = None,
    ) -> None:
        payload: dict[str, Any] = {
            "event_type": event_type,
            "timestamp": timestamp or rfc3339(),
            "trigger_reason": trigger,
            "seq_no": tx.seq_no,
            "transaction_info": tx.info(),
            "offline": not self._outbox.online,
        }
        for key, value in (
            ("meter_value", meter_values),
            ("evse", evse),
            ("id_token", id_token),
            ("reservation_id", reservation_id),
        ):
            if value is not None:
                payload[key] = value
        self._apply_remote_start(payload, tx)
        tx.seq_no += 1
        if event_type != "Ended":
            self.store.update(tx)
        if self._link_running():
            self._sender.push("TransactionEvent", payload, transactional=True)
        else:  # the `stop` command's promise: nothing stored for a later restart
            log.info("OCPP stopped: TransactionEvent(%s) of %s dropped", event_type, tx.transaction_id)
        self._events.transaction_event(var_event(payload))

    def _apply_remote_start(self, payload: dict[str, Any], tx: OpenTransaction) -> None:
        """An accepted RequestStartTransaction for this token and EVSE is used up by the first event
        carrying the token: a remote start when EVerest's session names its remoteStartId (the
        token's ``request_id``, as the C++ module reads it), else void (e.g. the driver's card at the
        reader after the Auth module dropped the remote token): neither its remoteStartId nor its
        TxProfile then belongs to this transaction."""
        token = (payload.get("id_token") or {}).get("id_token")
        if token is None:
            return
        session = self.interpreter.sessions.get(tx.evse_id)
        request_id = tx.remote_start_id if session is None else session.remote_start_id
        for evse_id in (tx.evse_id, 0):
            remote = self._remote_starts.get(evse_id)
            if remote is None or remote[0] != token:
                continue
            del self._remote_starts[evse_id]
            used = request_id == remote[1]
            if used:
                payload["trigger_reason"] = "RemoteStart"
                payload["transaction_info"]["remote_start_id"] = tx.remote_start_id = remote[1]
            else:
                log.info(
                    "EVSE %d: transaction %s not started by RequestStartTransaction %d: request void",
                    tx.evse_id,
                    tx.transaction_id,
                    remote[1],
                )
            listeners = self.remote_start_listeners if used else self.remote_start_void_listeners
            for listener in listeners:
                try:
                    listener(tx.evse_id, tx.transaction_id, remote[1])
                except Exception:
                    log.exception("remote start listener failed")
            return

    def _end(
        self, tx: OpenTransaction, trigger: str, timestamp: str, id_token: dict[str, Any] | None
    ) -> None:
        self._send(
            tx,
            "Ended",
            trigger,
            timestamp=timestamp,
            meter_values=self.sampling.ended_values(tx),
            id_token=id_token,
        )
        self.store.close(tx.transaction_id)
        self.open.pop(tx.evse_id, None)
        self.answers.forget(tx.evse_id)
        log.info("EVSE %d: transaction %s ended (%s)", tx.evse_id, tx.transaction_id, tx.stopped_reason)
        for listener in self.ended_listeners:
            try:
                listener(tx.evse_id, tx.transaction_id)
            except Exception:
                log.exception("transaction end listener failed")

    # ---- restart -----------------------------------------------------------------------------------
    def restore(self) -> None:
        """Transactions open when the module stopped: resumed with InternalCtrlr.ResumeTransactionsOnBoot,
        else ended at once (stoppedReason PowerLoss) so the CSMS can close them."""
        resume = self._dm.get_bool(RESUME_ON_BOOT, default=False)
        for tx in self.store.all():
            if tx.evse_id not in self.evse_ids:
                log.error("open transaction %s on unknown EVSE %d dropped", tx.transaction_id, tx.evse_id)
                self.store.close(tx.transaction_id)
            elif resume:
                log.info(
                    "EVSE %d: resuming transaction %s (seqNo %d)", tx.evse_id, tx.transaction_id, tx.seq_no
                )
                self.open[tx.evse_id] = tx
                data = SessionData(
                    tx.connector_id, tx.transaction_id, tx.started_at, "AbnormalCondition", tx.charging_state
                )
                data.remote_start_id = tx.remote_start_id
                self.interpreter.resume(tx.evse_id, data, tx.charging_state != "Idle", tx.id_token_sent)
                self.sampling.start(tx)
            else:
                log.info(
                    "EVSE %d: ending transaction %s left open before the restart",
                    tx.evse_id,
                    tx.transaction_id,
                )
                tx.stopped_reason = "PowerLoss"
                self._end(tx, "AbnormalCondition", rfc3339(), None)

    def stop(self) -> None:
        self.sampling.stop_all()

    # ---- CSMS requests ------------------------------------------------------------------------------
    @on(Action.get_transaction_status)
    def on_get_transaction_status(self, transaction_id: str | None = None, **_: Any) -> Any:
        queued = [m for m in self._sender.queue.items() if m.transactional and m.action == "TransactionEvent"]
        if transaction_id is None:
            return call_result.GetTransactionStatus(messages_in_queue=bool(queued))
        in_queue = any(m.payload["transaction_info"]["transaction_id"] == transaction_id for m in queued)
        ongoing = any(tx.transaction_id == transaction_id for tx in self.open.values())
        return call_result.GetTransactionStatus(messages_in_queue=in_queue, ongoing_indicator=ongoing)

    def _targets(self, evse_id: int | None) -> list[int]:
        return [e for e in ([evse_id] if evse_id is not None else self.evse_ids) if e in self.open]

    def can_trigger(self, evse_id: int | None) -> bool:
        return bool(self._targets(evse_id))

    def trigger(self, evse_id: int | None) -> None:
        """TriggerMessage TransactionEvent: Updated (Trigger) for the EVSE's (or every) transaction."""
        for e in self._targets(evse_id):
            self._send(self.open[e], "Updated", "Trigger", meter_values=self.sampling.triggered(e))


def _first_known(value: float | None, otherwise: Callable[[], float | None]) -> float | None:
    """``value`` unless absent (a register at 0 Wh is a reading, not a missing one)."""
    return otherwise() if value is None else value
