"""1.6 transactions from the evse_managers' TransactionStarted / TransactionFinished: which transaction
runs where, its sampled MeterValues and StopTransaction data, and what the module does about answers
and restarts (the messages themselves: :mod:`.transaction_ledger`).

A StartTransaction.conf whose idTagInfo is not Accepted pauses charging and, with
StopTransactionOnInvalidId, stops the transaction (reason DeAuthorized), as libocpp. After a restart
the open transactions the evse_manager resumed (SessionResumed) go on; every other one is ended with
reason PowerLoss and its last sampled reading.
"""

from __future__ import annotations

import asyncio
import logging
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
from .transaction_ledger import TransactionEvent, TransactionLedger, transaction_event
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


def _timestamp(event: dict[str, Any]) -> str:
    value = event.get("timestamp")
    return normalized(value) if isinstance(value, str) and parse(value) else rfc3339()


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
        self._meter = meter_values
        self._on_ended = on_ended  # connector: clear its TxProfiles
        self._store = store
        self.ledger = TransactionLedger(config, sender, store, publish, self._answered)
        self._publish = publish
        self._open: dict[int, OpenTransaction] = {}  # OCPP connector -> running transaction
        self._reset_reason: str | None = None  # Hard/SoftReset while an accepted Reset is carried out
        # (EVSE, idTag, idTagInfo) of every StartTransaction.conf: the authorization's cache and updates
        self.start_answer_listeners: list[Callable[[int | None, str, dict[str, Any]], None]] = []
        self.tasks = TaskGroup("transaction")
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

    def connector_of(self, transaction_id: int) -> int | None:
        """The connector of the running transaction with this id (the CSMS's once known, else ours)."""
        return next((c for c, tx in self._open.items() if tx.record.ocpp_id == transaction_id), None)

    # ---- from the evse_manager -------------------------------------------------------------------
    def started(self, evse_id: int, connector: int, event: dict[str, Any]) -> None:
        details = event.get("transaction_started")
        session_id = str(event.get("uuid", ""))
        if not isinstance(details, dict):
            log.error("EVSE %d: TransactionStarted without transaction details; no StartTransaction", evse_id)
            return
        if connector in self._open:
            old = self._open[connector]
            if old.record.session_id == session_id:  # the same event delivered again
                log.warning("connector %d: TransactionStarted of running %s ignored", connector, session_id)
                return
            log.warning(
                "connector %d: TransactionStarted while %s runs; ending that one (Other)",
                connector,
                old.record.session_id,
            )
            del self._open[connector]
            self._stop_sampling(old)
            self._end(old.record, old.record.meter_last, old.record.meter_last_time, "Other")
        timestamp = _timestamp(event)
        meter_start = metering.energy_wh(details.get("meter_value")) or 0
        reservation = details.get("reservation_id")
        record = TransactionRecord(
            session_id=session_id,
            connector=connector,
            local_id=self.ledger.new_local_id(),
            id_tag=_id_token(details.get("id_tag")) or "",
            meter_start=meter_start,
            time_start=timestamp,
            reservation_id=reservation if isinstance(reservation, int) else None,
            meter_last=meter_start,
            meter_last_time=timestamp,
        )
        self.ledger.add(record)
        self.ledger.queue_start(record)
        tx = OpenTransaction(record, evse_id, parse(timestamp) or datetime.now(UTC))
        signed = details.get("signed_meter_value")
        begin = metering.signed_meter_value(signed, metering.TRANSACTION_BEGIN, timestamp)
        if begin is not None:
            tx.data.append(begin)
            tx.signed_begin = True
        self._open[connector] = tx
        self._start_sampling(tx)
        if self._reset_reason is not None:  # started while a reset waits: stopped too (1.6 §5.14)
            log.info("connector %d: transaction started during a reset; stopping it", connector)
            self.tasks.spawn(self._evse.stop_transaction(evse_id, self._reset_reason), name="stop for reset")
        log.info(
            "connector %d: transaction of session %s started (id %d)", connector, session_id, record.local_id
        )
        self._publish(transaction_event("Started", record, with_id=False))

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
        timestamp = _timestamp(event)
        meter_stop = metering.energy_wh(details.get("meter_value"))
        if not tx.signed_begin:  # the start's signed reading may only come now
            start_signed = details.get("start_signed_meter_value")
            begin = metering.signed_meter_value(
                start_signed, metering.TRANSACTION_BEGIN, tx.record.time_start
            )
            if begin is not None:
                tx.data.insert(0, begin)
        end = metering.signed_meter_value(
            details.get("signed_meter_value"), metering.TRANSACTION_END, timestamp
        )
        if end is not None:
            tx.data.append(end)
        reason = ocpp_reason(details.get("reason"))
        if reason == "EVDisconnected" and self._config.unlock_connector_on_ev_side_disconnect:
            self.tasks.spawn(self._unlock(evse_id, connector), name="force_unlock")
        self._end(
            tx.record,
            tx.record.meter_last if meter_stop is None else meter_stop,
            timestamp,
            reason,
            _id_token(details.get("id_tag")),
            tx.data,
        )

    def _end(
        self,
        record: TransactionRecord,
        meter_stop: int,
        timestamp: str,
        reason: str,
        id_tag: str | None = None,
        data: list[dict[str, Any]] | None = None,
    ) -> None:
        self.ledger.queue_stop(record, meter_stop, timestamp, reason, id_tag, data)
        self._on_ended(record.connector)

    async def _unlock(self, evse_id: int, connector: int) -> None:
        pair = self._map.by_ocpp.get(connector)
        try:
            await self._evse.force_unlock(evse_id, pair[1] if pair else 1)
        except Exception as exc:
            log.warning("force_unlock on EVSE %d failed: %s", evse_id, exc)

    # ---- answers ---------------------------------------------------------------------------------
    def _answered(self, record: TransactionRecord, info: dict[str, Any]) -> None:
        """StartTransaction.conf: an id not Accepted pauses (and maybe stops) the running transaction."""
        tx = self._open.get(record.connector)
        if str(info.get("status", "Accepted")) != "Accepted" and tx is not None and tx.record is record:
            self.tasks.spawn(self._deauthorized(tx.evse_id), name="deauthorize")
        for listener in self.start_answer_listeners:
            try:
                listener(self._map.evse_of(record.connector), record.id_tag, info)
            except Exception:
                log.exception("StartTransaction answer listener failed")

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
        value, kept = metering.meter_values(
            reading,
            [self._meter.measurands("MeterValuesSampledData"), self._meter.measurands("StopTxnSampledData")],
            metering.SAMPLE_PERIODIC,
        )
        if value is not None:
            self._meter.send(connector, value, tx.record.ocpp_id)
        if kept is not None:
            metering.keep_for_stop(tx.data, kept)
        energy = metering.energy_wh(reading.powermeter)
        if energy is not None:
            self.ledger.update(tx.record, meter_last=energy, meter_last_time=reading.timestamp)

    def _on_clock(self, connector: int, reading: metering.Reading) -> None:
        tx = self._open.get(connector)
        if tx is not None:
            measurands = self._meter.measurands("StopTxnAlignedData")
            kept = metering.meter_value(reading, measurands, metering.SAMPLE_CLOCK)
            if kept is not None:
                metering.keep_for_stop(tx.data, kept)

    # ---- restarts --------------------------------------------------------------------------------
    def recover(self, resumed: set[str], queued: list[QueuedMessage]) -> None:
        """At start: resume the transactions the evse_managers resumed, end the others (PowerLoss)."""
        for record in self.ledger.stored():
            ids = {record.local_id, record.transaction_id} - {None}
            stop_queued = any(
                q.action == "StopTransaction" and q.payload.get("transaction_id") in ids for q in queued
            )
            if record.stopped or stop_queued:
                if not stop_queued:  # answered or given up before the process ended
                    self.ledger.forget(record)
                elif not record.stopped:
                    self.ledger.update(record, stopped=True)
                continue
            if not record.start_queued and not any(
                q.action == "StartTransaction"
                and q.payload.get("connector_id") == record.connector
                and q.payload.get("timestamp") == record.time_start
                for q in queued
            ):
                log.info(
                    "connector %d: StartTransaction of %s queued again", record.connector, record.session_id
                )
                self.ledger.queue_start(record)
            evse_id = self._map.evse_of(record.connector)
            if record.session_id in resumed and evse_id is not None and record.connector not in self._open:
                log.info("connector %d: resuming transaction %d", record.connector, record.ocpp_id)
                tx = OpenTransaction(record, evse_id, parse(record.time_start) or datetime.now(UTC))
                self._open[record.connector] = tx
                self._start_sampling(tx)
            else:
                log.info(
                    "connector %d: transaction %d not resumed: PowerLoss", record.connector, record.ocpp_id
                )
                self._end(record, record.meter_last, record.meter_last_time, "PowerLoss")

    def end_all_for_restart(self) -> None:
        """The link restarts after ``stop``: the transactions open then end as after a power loss."""
        for connector in list(self._open):
            tx = self._open.pop(connector)
            self._stop_sampling(tx)
            self._end(tx.record, tx.record.meter_last, tx.record.meter_last_time, "PowerLoss")

    async def stop_all(self, reason: str = "Other", sampling: bool = False) -> None:
        """Every running transaction is stopped at its EVSE with ``reason`` (``stop``: Other, and no
        more samples)."""
        if not sampling:
            for tx in self._open.values():
                self._stop_sampling(tx)
        for connector, tx in list(self._open.items()):
            try:
                await self._evse.stop_transaction(tx.evse_id, reason)
            except Exception as exc:
                log.warning("connector %d: stop_transaction failed: %s", connector, exc)

    async def end_for_reset(self, reset_type: str) -> None:
        """An accepted Reset (libocpp): stop every transaction with reason Hard/SoftReset and wait, at
        most WaitForStopTransactionsOnResetTimeout, until they ended and the CSMS has their
        StopTransaction."""
        self._reset_reason = "SoftReset" if reset_type == "Soft" else "HardReset"
        if not self._open:
            return
        await self.stop_all(self._reset_reason, sampling=True)
        deadline = time.monotonic() + self._config.wait_for_stop_transactions_on_reset_timeout
        while (self._open or self.ledger.stopping()) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        if self._open or self.ledger.stopping():
            log.warning("reset: transactions still open or unconfirmed after the wait; resetting anyway")

    def reset_done(self) -> None:
        """The reset is with the system module: transactions starting from now on may run."""
        self._reset_reason = None

    async def close(self) -> None:
        for tx in self._open.values():
            self._stop_sampling(tx)
        await self.tasks.cancel_all()

    def close_storage(self) -> None:
        self._store.close()
