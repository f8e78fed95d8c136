"""1.6 transactions: StartTransaction, sampled MeterValues and StopTransaction from the evse_managers'
TransactionStarted / TransactionFinished, and what the CSMS answers.

Every transaction gets a local (negative) id at once; messages are queued with it and the persistent
queue swaps in the CSMS's id from StartTransaction.conf just before sending (``before_send``), so a
transaction started offline is reported in order and with the right id once the link is back. A
StartTransaction.conf whose idTagInfo is not Accepted pauses charging and, with
StopTransactionOnInvalidId, stops the transaction (reason DeAuthorized), as libocpp. Open
transactions are kept in :class:`TransactionStore`: after a restart the ones the evse_manager
resumed (SessionResumed) go on, every other one is ended with reason PowerLoss and its last meter
reading.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..bridge.evse import EvseManagers
from ..csms.message_queue import QueuedMessage, QueueSender
from ..smart_charging import ActiveTransaction
from ..tasks import TaskGroup
from ..timestamps import normalized, parse, rfc3339
from . import metering
from .configuration import ChargePointConfiguration
from .connectors import ConnectorMap
from .meter_values import MeterValues16
from .transaction_store import TransactionRecord, TransactionStore

log = logging.getLogger(__name__)

# EVerest StopTransactionReason -> 1.6 Reason (the C++ module's to_ocpp_reason); the rest is Other
OCPP_REASONS = {
    "EmergencyStop",
    "EVDisconnected",
    "HardReset",
    "Local",
    "PowerLoss",
    "Reboot",
    "Remote",
    "SoftReset",
    "UnlockCommand",
    "DeAuthorized",
}
ID_TAG_MAX = 20

TransactionEvent = Callable[[dict[str, Any]], None]


def ocpp_reason(everest_reason: object) -> str:
    return everest_reason if isinstance(everest_reason, str) and everest_reason in OCPP_REASONS else "Other"


def _id_token(value: object) -> str | None:
    token = (value or {}).get("id_token") if isinstance(value, dict) else None
    text = token.get("value") if isinstance(token, dict) else None
    if not isinstance(text, str):
        return None
    if len(text) > ID_TAG_MAX:
        log.warning("id token %r... is longer than 1.6's 20 characters; truncated", text[:ID_TAG_MAX])
    return text[:ID_TAG_MAX]


@dataclass
class OpenTransaction:
    record: TransactionRecord
    evse_id: int
    started_at: datetime
    data: list[dict[str, Any]] = field(default_factory=list)  # StopTransaction.transactionData
    signed_begin: bool = False
    sampler: asyncio.Task[None] | None = None
    no_reading_logged: bool = False


class Transactions16:
    def __init__(
        self,
        config: ChargePointConfiguration,
        connectors: ConnectorMap,
        evse: EvseManagers,
        sender: QueueSender,
        store: TransactionStore,
        meter_values: MeterValues16,
        publish: TransactionEvent,
        on_ended: Callable[[int], None],
    ) -> None:
        self._config = config
        self._map = connectors
        self._evse = evse
        self._sender = sender
        self._store = store
        self._meter = meter_values
        self._publish = publish
        self._on_ended = on_ended  # connector: clear its TxProfiles
        self._open: dict[int, OpenTransaction] = {}  # OCPP connector -> running transaction
        self._records: dict[str, TransactionRecord] = {}  # session id -> record (open or stopping)
        self.tasks = TaskGroup("transaction")
        sender.before_send.append(self._resolve_id)
        sender.on_response.append(self._on_response)
        meter_values.clock_listeners.append(self._on_clock)

    # ---- queries ---------------------------------------------------------------------------------
    def transaction_of(self, connector: int) -> int | None:
        tx = self._open.get(connector)
        return None if tx is None else tx.record.ocpp_id

    def active(self) -> dict[int, ActiveTransaction]:
        """Running transactions by connector, for smart charging (id None until the CSMS gave one)."""
        return {
            c: ActiveTransaction(
                None if tx.record.transaction_id is None else str(tx.record.transaction_id), tx.started_at
            )
            for c, tx in self._open.items()
        }

    def running(self, connector: int) -> bool:
        return connector in self._open

    # ---- from the evse_manager -------------------------------------------------------------------
    def started(self, evse_id: int, connector: int, event: dict[str, Any]) -> None:
        details = event.get("transaction_started")
        session_id = str(event.get("uuid", ""))
        if not isinstance(details, dict):
            log.error("EVSE %d: TransactionStarted without transaction details; no StartTransaction", evse_id)
            return
        if connector in self._open:
            log.warning(
                "connector %d: TransactionStarted while transaction %s runs; the new one replaces it",
                connector,
                self._open[connector].record.session_id,
            )
            self._stop_sampling(self._open.pop(connector))
        timestamp = normalized(event["timestamp"]) if parse(event.get("timestamp")) else rfc3339()
        meter_start = metering.energy_wh(details.get("meter_value")) or 0
        reservation = details.get("reservation_id")
        record = TransactionRecord(
            session_id=session_id,
            connector=connector,
            local_id=self._new_local_id(),
            id_tag=_id_token(details.get("id_tag")) or "",
            meter_start=meter_start,
            time_start=timestamp,
            reservation_id=reservation if isinstance(reservation, int) else None,
            meter_last=meter_start,
            meter_last_time=timestamp,
        )
        self._store.insert(record)  # first, so a crash right after still knows the transaction
        self._remember(record)
        self._queue_start(record)
        tx = OpenTransaction(record, evse_id, parse(timestamp) or datetime.now(UTC))
        begin = metering.signed_meter_value(
            details.get("signed_meter_value"), metering.TRANSACTION_BEGIN, timestamp
        )
        if begin is not None:
            tx.data.append(begin)
            tx.signed_begin = True
        self._open[connector] = tx
        self._start_sampling(tx)
        log.info(
            "connector %d: transaction started (session %s, local id %d)",
            connector,
            session_id,
            record.local_id,
        )
        self._publish(
            {
                "transaction_event": "Started",
                "evse": {"id": connector, "connector_id": 1},
                "session_id": session_id,
            }
        )

    def finished(self, evse_id: int, connector: int, event: dict[str, Any]) -> None:
        tx = self._open.pop(connector, None)
        if tx is None:
            log.error(
                "connector %d: TransactionFinished for no known transaction; no StopTransaction", connector
            )
            return
        self._stop_sampling(tx)
        details = event.get("transaction_finished")
        details = details if isinstance(details, dict) else {}
        timestamp = normalized(event["timestamp"]) if parse(event.get("timestamp")) else rfc3339()
        meter_stop = metering.energy_wh(details.get("meter_value"))
        if not tx.signed_begin:
            begin = metering.signed_meter_value(
                details.get("start_signed_meter_value"), metering.TRANSACTION_BEGIN, tx.record.time_start
            )
            if begin is not None:
                tx.data.insert(0, begin)
        end = metering.signed_meter_value(
            details.get("signed_meter_value"), metering.TRANSACTION_END, timestamp
        )
        if end is not None:
            tx.data.append(end)
        self._queue_stop(
            tx.record,
            tx.record.meter_last if meter_stop is None else meter_stop,
            timestamp,
            ocpp_reason(details.get("reason")),
            _id_token(details.get("id_tag")),
            tx.data,
            evse_id,
        )

    # ---- messages --------------------------------------------------------------------------------
    def _new_local_id(self) -> int:
        while True:
            candidate = random.randint(-(2**31), -1)
            if all(r.local_id != candidate for r in self._records.values()):
                return candidate

    def _remember(self, record: TransactionRecord) -> None:
        self._records[record.session_id] = record

    def _forget(self, record: TransactionRecord) -> None:
        self._records.pop(record.session_id, None)
        self._store.delete(record.session_id)

    def _queue_start(self, record: TransactionRecord) -> None:
        payload: dict[str, Any] = {
            "connector_id": record.connector,
            "id_tag": record.id_tag,
            "meter_start": record.meter_start,
            "timestamp": record.time_start,
        }
        if record.reservation_id is not None:
            payload["reservation_id"] = record.reservation_id
        self._sender.push("StartTransaction", payload, transactional=True)
        record.start_queued = True
        self._store.update(record.session_id, start_queued=1)

    def _queue_stop(
        self,
        record: TransactionRecord,
        meter_stop: int,
        timestamp: str,
        reason: str,
        id_tag: str | None,
        data: list[dict[str, Any]],
        evse_id: int | None,
    ) -> None:
        if (
            reason == "EVDisconnected"
            and evse_id is not None
            and self._config.unlock_connector_on_ev_side_disconnect
        ):
            self.tasks.spawn(self._unlock(evse_id, record.connector), name="force_unlock")
        payload: dict[str, Any] = {
            "meter_stop": meter_stop,
            "timestamp": timestamp,
            "transaction_id": record.ocpp_id,
            "reason": reason,
        }
        if id_tag is not None:
            payload["id_tag"] = id_tag
        if data:
            payload["transaction_data"] = data
            if metering.fit_transaction_data(payload, self._config.max_message_size):
                log.warning("StopTransaction too large for MaxMessageSize: transaction data thinned out")
        self._sender.push("StopTransaction", payload, transactional=True)
        record.stopped, record.meter_last, record.meter_last_time = True, meter_stop, timestamp
        self._store.update(record.session_id, stopped=1, meter_last=meter_stop, meter_last_time=timestamp)
        log.info(
            "connector %d: transaction %d stopped (%s, meter %d Wh)",
            record.connector,
            record.ocpp_id,
            reason,
            meter_stop,
        )
        self._publish(
            {
                "transaction_event": "Ended",
                "evse": {"id": record.connector, "connector_id": 1},
                "session_id": record.session_id,
                "transaction_id": str(record.ocpp_id),
            }
        )
        self._on_ended(record.connector)

    async def _unlock(self, evse_id: int, connector: int) -> None:
        pair = self._map.by_ocpp.get(connector)
        try:
            await self._evse.force_unlock(evse_id, pair[1] if pair else 1)
        except Exception as exc:
            log.warning("force_unlock on EVSE %d failed: %s", evse_id, exc)

    def _record_by_ocpp_id(self, transaction_id: object) -> TransactionRecord | None:
        return next(
            (r for r in self._records.values() if transaction_id in (r.local_id, r.transaction_id)), None
        )

    def _resolve_id(self, item: QueuedMessage) -> dict[str, Any] | None:
        """before_send: our local id becomes the CSMS's. A StartTransaction that was never answered
        leaves MeterValues without a transaction id and StopTransaction with ours (as libocpp)."""
        if item.action not in ("MeterValues", "StopTransaction"):
            return item.payload
        local = item.payload.get("transaction_id")
        record = next((r for r in self._records.values() if r.local_id == local), None)
        if record is None:
            return item.payload
        if record.transaction_id is not None:
            return {**item.payload, "transaction_id": record.transaction_id}
        if item.action == "MeterValues":
            return {k: v for k, v in item.payload.items() if k != "transaction_id"}
        return item.payload

    def _on_response(self, item: QueuedMessage, response: Any) -> None:
        if item.action == "StartTransaction":
            self._start_answered(item.payload, response)
        elif item.action == "StopTransaction":
            record = self._record_by_ocpp_id(item.payload.get("transaction_id"))
            if record is not None and record.stopped:
                self._forget(record)

    def _start_answered(self, payload: dict[str, Any], response: Any) -> None:
        record = next(
            (
                r
                for r in self._records.values()
                if r.connector == payload.get("connector_id") and r.time_start == payload.get("timestamp")
            ),
            None,
        )
        if record is None:
            log.warning("StartTransaction.conf for a transaction that is not known any more")
            return
        record.transaction_id = int(response.transaction_id)
        self._store.update(record.session_id, transaction_id=record.transaction_id)
        info = response.id_tag_info if isinstance(response.id_tag_info, dict) else {}
        status = str(info.get("status", "Accepted"))
        log.info("connector %d: CSMS transaction id %d (%s)", record.connector, record.transaction_id, status)
        tx = self._open.get(record.connector)
        if status != "Accepted" and tx is not None and tx.record is record:
            self.tasks.spawn(self._deauthorized(tx.evse_id), name="deauthorize")
        self._publish(
            {
                "transaction_event": "Updated",
                "evse": {"id": record.connector, "connector_id": 1},
                "session_id": record.session_id,
                "transaction_id": str(record.transaction_id),
            }
        )

    async def _deauthorized(self, evse_id: int) -> None:
        try:
            await self._evse.pause_charging(evse_id)
            if self._config.stop_transaction_on_invalid_id:
                await self._evse.stop_transaction(evse_id, "DeAuthorized")
        except Exception as exc:
            log.warning("EVSE %d: pausing/stopping a transaction with an invalid id failed: %s", evse_id, exc)

    # ---- sampled meter values --------------------------------------------------------------------
    def _start_sampling(self, tx: OpenTransaction) -> None:
        interval = self._config.meter_value_sample_interval
        if interval > 0:
            tx.sampler = self.tasks.spawn(self._sample_loop(tx, interval), name="sampled meter values")

    def _stop_sampling(self, tx: OpenTransaction) -> None:
        if tx.sampler is not None:
            tx.sampler.cancel()
            tx.sampler = None

    def sample_interval_changed(self) -> None:
        for tx in self._open.values():
            self._stop_sampling(tx)
            self._start_sampling(tx)

    async def _sample_loop(self, tx: OpenTransaction, interval: int) -> None:
        due = time.monotonic()
        while True:
            due += interval
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            self.sample(tx.record.connector)

    def sample(self, connector: int) -> None:
        """One Sample.Periodic value of the transaction on ``connector``."""
        tx = self._open.get(connector)
        if tx is None:
            return
        reading = self._meter.reading(connector)
        if reading is None:
            if not tx.no_reading_logged:
                tx.no_reading_logged = True
                log.warning("connector %d: no powermeter reading yet; no sampled meter values", connector)
            return
        value = metering.meter_value(
            reading, self._meter.measurands("MeterValuesSampledData"), metering.SAMPLE_PERIODIC
        )
        if value is not None:
            self._meter.send(connector, value, tx.record.ocpp_id)
        kept = metering.meter_value(
            reading, self._meter.measurands("StopTxnSampledData"), metering.SAMPLE_PERIODIC
        )
        if kept is not None:
            tx.data.append(kept)
        energy = metering.energy_wh(reading.powermeter)
        if energy is not None:
            tx.record.meter_last, tx.record.meter_last_time = energy, reading.timestamp
            self._store.update(tx.record.session_id, meter_last=energy, meter_last_time=reading.timestamp)

    def _on_clock(self, connector: int, reading: metering.Reading) -> None:
        tx = self._open.get(connector)
        if tx is not None:
            kept = metering.meter_value(
                reading, self._meter.measurands("StopTxnAlignedData"), metering.SAMPLE_CLOCK
            )
            if kept is not None:
                tx.data.append(kept)

    # ---- restarts --------------------------------------------------------------------------------
    def recover(self, resumed: set[str], queued: list[QueuedMessage]) -> None:
        """At start: resume the transactions the evse_managers resumed, end the others (PowerLoss)."""
        for record in self._store.all():
            self._remember(record)
            ids = {record.local_id, record.transaction_id} - {None}
            stop_queued = any(
                q.action == "StopTransaction" and q.payload.get("transaction_id") in ids for q in queued
            )
            if record.stopped or stop_queued:
                if not stop_queued:  # answered or given up before the process ended
                    self._forget(record)
                elif not record.stopped:
                    record.stopped = True
                    self._store.update(record.session_id, stopped=1)
                continue
            if not record.start_queued and not any(
                q.action == "StartTransaction"
                and q.payload.get("connector_id") == record.connector
                and q.payload.get("timestamp") == record.time_start
                for q in queued
            ):
                log.info(
                    "connector %d: StartTransaction of session %s queued again",
                    record.connector,
                    record.session_id,
                )
                self._queue_start(record)
            evse_id = self._map.evse_of(record.connector)
            if record.session_id in resumed and evse_id is not None and record.connector not in self._open:
                log.info(
                    "connector %d: resuming transaction %d (session %s)",
                    record.connector,
                    record.ocpp_id,
                    record.session_id,
                )
                tx = OpenTransaction(record, evse_id, parse(record.time_start) or datetime.now(UTC))
                self._open[record.connector] = tx
                self._start_sampling(tx)
            else:
                log.info(
                    "connector %d: transaction %d was not resumed; ending it (PowerLoss)",
                    record.connector,
                    record.ocpp_id,
                )
                self._queue_stop(
                    record, record.meter_last, record.meter_last_time, "PowerLoss", None, [], None
                )

    def end_all_for_restart(self) -> None:
        """The link restarts after ``stop``: the transactions open then end as after a power loss."""
        for connector in list(self._open):
            tx = self._open.pop(connector)
            self._stop_sampling(tx)
            self._queue_stop(
                tx.record, tx.record.meter_last, tx.record.meter_last_time, "PowerLoss", None, [], None
            )

    async def stop_all(self) -> None:
        """``stop``: no more samples, and every running transaction is stopped at its EVSE (Other)."""
        for tx in self._open.values():
            self._stop_sampling(tx)
        for connector, tx in list(self._open.items()):
            try:
                await self._evse.stop_transaction(tx.evse_id, "Other")
            except Exception as exc:
                log.warning("connector %d: stop_transaction failed: %s", connector, exc)

    async def close(self) -> None:
        for tx in self._open.values():
            self._stop_sampling(tx)
        await self.tasks.cancel_all()

    def close_storage(self) -> None:
        self._store.close()
