"""The queue side of 1.6 transactions: their records, StartTransaction / StopTransaction.req, the
ids the messages carry and what the CSMS answers.

Every transaction gets a local (negative) id at once; messages are queued with it and the persistent
queue swaps in the CSMS's id from StartTransaction.conf just before sending (``before_send``), so a
transaction started offline is reported in order and with the right id once the link is back. A
StartTransaction that was never answered leaves MeterValues without a transaction id and the
StopTransaction with the local id, as libocpp does. Records live in :class:`TransactionStore` until
the StopTransaction is answered.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from typing import Any

from ..csms.message_queue import QueuedMessage, QueueSender
from . import metering
from .configuration import ChargePointConfiguration
from .transaction_store import TransactionRecord, TransactionStore

log = logging.getLogger(__name__)

TransactionEvent = Callable[[dict[str, Any]], None]
Answered = Callable[[TransactionRecord, dict[str, Any]], None]  # (record, StartTransaction.conf idTagInfo)
StopAnswered = Callable[[str, dict[str, Any]], None]  # (idTag of the StopTransaction.req, idTagInfo)


def transaction_event(kind: str, record: TransactionRecord, with_id: bool = True) -> dict[str, Any]:
    """An EVerest OcppTransactionEvent as the C++ OCPP module fills it (evse = OCPP connector, 1)."""
    event: dict[str, Any] = {
        "transaction_event": kind,
        "evse": {"id": record.connector, "connector_id": 1},
        "session_id": record.session_id,
    }
    if with_id:
        event["transaction_id"] = str(record.ocpp_id)
    return event


class TransactionLedger:
    def __init__(
        self,
        config: ChargePointConfiguration,
        sender: QueueSender,
        store: TransactionStore,
        publish: TransactionEvent,
        answered: Answered,
    ) -> None:
        self._config = config
        self._sender = sender
        self._store = store
        self._publish = publish
        self._answered = answered
        self._records: dict[str, TransactionRecord] = {}  # session id -> record (open or stopping)
        self.stop_answer_listeners: list[StopAnswered] = []
        sender.before_send.append(self._resolve_id)
        sender.on_response.append(self._on_response)

    # ---- records ---------------------------------------------------------------------------------
    def new_local_id(self) -> int:
        while True:
            candidate = random.randint(-(2**31), -1)
            if all(r.local_id != candidate for r in self._records.values()):
                return candidate

    def add(self, record: TransactionRecord) -> None:
        """A new transaction: on disk first, so a crash right after still knows it."""
        self._store.insert(record)
        self._records[record.session_id] = record

    def stored(self) -> list[TransactionRecord]:
        """The records on disk (at start), now known here too."""
        records = self._store.all()
        for record in records:
            self._records[record.session_id] = record
        return records

    def stopping(self) -> bool:
        """Whether a StopTransaction waits for the CSMS's answer."""
        return any(r.stopped for r in self._records.values())

    def forget(self, record: TransactionRecord) -> None:
        self._records.pop(record.session_id, None)
        self._store.delete(record.session_id)

    def update(self, record: TransactionRecord, **fields: Any) -> None:
        for name, value in fields.items():
            setattr(record, name, value)
        self._store.update(record.session_id, **fields)

    # ---- messages --------------------------------------------------------------------------------
    def queue_start(self, record: TransactionRecord) -> None:
        payload: dict[str, Any] = {
            "connector_id": record.connector,
            "id_tag": record.id_tag,
            "meter_start": record.meter_start,
            "timestamp": record.time_start,
        }
        if record.reservation_id is not None:
            payload["reservation_id"] = record.reservation_id
        self._sender.push("StartTransaction", payload, transactional=True)
        self.update(record, start_queued=True)

    def queue_stop(
        self,
        record: TransactionRecord,
        meter_stop: int,
        timestamp: str,
        reason: str,
        id_tag: str | None = None,
        data: list[dict[str, Any]] | None = None,
    ) -> None:
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
        self.update(record, stopped=True, meter_last=meter_stop, meter_last_time=timestamp)
        log.info(
            "connector %d: transaction %d stopped (%s, meter %d Wh)",
            record.connector,
            record.ocpp_id,
            reason,
            meter_stop,
        )
        self._publish(transaction_event("Ended", record))

    # ---- the queue's hooks -----------------------------------------------------------------------
    def _resolve_id(self, item: QueuedMessage) -> dict[str, Any] | None:
        """before_send: our local id becomes the CSMS's."""
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
            sent = item.payload.get("transaction_id")
            record = next((r for r in self._records.values() if sent in (r.local_id, r.transaction_id)), None)
            if record is not None and record.stopped:
                self.forget(record)
            self._stop_answered(item.payload, response)

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
        self.update(record, transaction_id=int(response.transaction_id))
        info = response.id_tag_info if isinstance(response.id_tag_info, dict) else {"status": "Accepted"}
        status = str(info.get("status", "Accepted"))
        log.info("connector %d: CSMS transaction id %s (%s)", record.connector, record.transaction_id, status)
        self._answered(record, info)
        self._publish(transaction_event("Updated", record))

    def _stop_answered(self, payload: dict[str, Any], response: Any) -> None:
        """A StopTransaction.conf's idTagInfo concerns the idTag of the request (none: nothing to say)."""
        id_tag = payload.get("id_tag")
        info = getattr(response, "id_tag_info", None)
        if not isinstance(id_tag, str) or not id_tag or not isinstance(info, dict):
            return
        for listener in self.stop_answer_listeners:
            try:
                listener(id_tag, info)
            except Exception:
                log.exception("StopTransaction answer listener failed")
