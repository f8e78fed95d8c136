"""Open 2.0.1 transactions on disk: what a restart needs to resume or end them.

One row per EVSE with an open transaction (id, connector, next seqNo, charging state, ...) and the
meter values collected for its TransactionEvent(Ended). Every change is committed at once, so a
kill -9 loses at most the change being made.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..storage import sqlite_file

log = logging.getLogger(__name__)


@dataclass(slots=True)
class OpenTransaction:
    transaction_id: str
    evse_id: int
    connector_id: int
    started_at: str  # RFC 3339
    seq_no: int = 0  # the seqNo of the next TransactionEvent
    charging_state: str = "Idle"
    id_token_sent: bool = False
    remote_start_id: int | None = None
    stopped_reason: str | None = None
    start_energy_wh: float | None = None  # for MaxEnergyOnInvalidId
    key_sent: bool = False  # PublicKeyWithSignedMeterValue OncePerTransaction

    def info(self) -> dict[str, Any]:
        """OCPP TransactionType of this transaction."""
        out: dict[str, Any] = {"transaction_id": self.transaction_id, "charging_state": self.charging_state}
        if self.stopped_reason is not None:
            out["stopped_reason"] = self.stopped_reason
        if self.remote_start_id is not None:
            out["remote_start_id"] = self.remote_start_id
        return out


COLUMNS = (
    "transaction_id",
    "evse_id",
    "connector_id",
    "started_at",
    "seq_no",
    "charging_state",
    "id_token_sent",
    "remote_start_id",
    "start_energy_wh",
)
PLACEHOLDERS = ", ".join("?" * len(COLUMNS))


class TransactionStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite_file(path, "2.0.1 transaction store"):
            self._db = sqlite3.connect(path)
            with self._db:
                self._db.execute(
                    "CREATE TABLE IF NOT EXISTS open_transactions (transaction_id TEXT PRIMARY KEY,"
                    " evse_id INTEGER UNIQUE NOT NULL, connector_id INTEGER NOT NULL,"
                    " started_at TEXT NOT NULL, seq_no INTEGER NOT NULL, charging_state TEXT NOT NULL,"
                    " id_token_sent INTEGER NOT NULL, remote_start_id INTEGER, start_energy_wh REAL)"
                )
                self._db.execute(
                    "CREATE TABLE IF NOT EXISTS meter_values (id INTEGER PRIMARY KEY AUTOINCREMENT,"
                    " transaction_id TEXT NOT NULL, meter_value TEXT NOT NULL)"
                )

    def open(self, tx: OpenTransaction) -> None:
        with self._db:  # a transaction still recorded for the EVSE is replaced, with its values
            self._db.execute(
                "DELETE FROM meter_values WHERE transaction_id IN"
                " (SELECT transaction_id FROM open_transactions WHERE evse_id = ?)",
                (tx.evse_id,),
            )
            self._db.execute("DELETE FROM open_transactions WHERE evse_id = ?", (tx.evse_id,))
            self._db.execute(
                f"INSERT OR REPLACE INTO open_transactions ({', '.join(COLUMNS)}) VALUES ({PLACEHOLDERS})",
                (
                    tx.transaction_id,
                    tx.evse_id,
                    tx.connector_id,
                    tx.started_at,
                    tx.seq_no,
                    tx.charging_state,
                    int(tx.id_token_sent),
                    tx.remote_start_id,
                    tx.start_energy_wh,
                ),
            )

    def update(self, tx: OpenTransaction) -> None:
        """seqNo, charging state and id token flag after an event."""
        with self._db:
            self._db.execute(
                "UPDATE open_transactions SET seq_no = ?, charging_state = ?, id_token_sent = ?,"
                " remote_start_id = ? WHERE transaction_id = ?",
                (tx.seq_no, tx.charging_state, int(tx.id_token_sent), tx.remote_start_id, tx.transaction_id),
            )

    def add_meter_value(self, transaction_id: str, value: dict[str, Any]) -> None:
        with self._db:
            self._db.execute(
                "INSERT INTO meter_values (transaction_id, meter_value) VALUES (?, ?)",
                (transaction_id, json.dumps(value)),
            )

    def meter_values(self, transaction_id: str) -> list[dict[str, Any]]:
        rows = self._db.execute(
            "SELECT meter_value FROM meter_values WHERE transaction_id = ? ORDER BY id", (transaction_id,)
        ).fetchall()
        return [json.loads(r[0]) for r in rows]

    def close(self, transaction_id: str) -> None:
        """The transaction ended: forget it and its meter values."""
        with self._db:
            self._db.execute("DELETE FROM open_transactions WHERE transaction_id = ?", (transaction_id,))
            self._db.execute("DELETE FROM meter_values WHERE transaction_id = ?", (transaction_id,))

    def all(self) -> list[OpenTransaction]:
        rows = self._db.execute(
            f"SELECT {', '.join(COLUMNS)} FROM open_transactions ORDER BY evse_id"
        ).fetchall()
        return [
            OpenTransaction(
                transaction_id=r[0],
                evse_id=int(r[1]),
                connector_id=int(r[2]),
                started_at=r[3],
                seq_no=int(r[4]),
                charging_state=r[5],
                id_token_sent=bool(r[6]),
                remote_start_id=r[7],
                start_energy_wh=r[8],
            )
            for r in rows
        ]

    def shutdown(self) -> None:
        self._db.close()
