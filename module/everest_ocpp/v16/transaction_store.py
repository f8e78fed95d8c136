"""Open 1.6 transactions on disk, so a restart (even after kill -9) can resume or end them.

One row per transaction from its start until the CSMS answered its StopTransaction. Every write is
committed before the call returns (WAL, so a crashed process loses nothing it committed).
"""

from __future__ import annotations

import dataclasses
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ..storage import sqlite_file

SCHEMA = """
CREATE TABLE IF NOT EXISTS transactions (
    session_id TEXT PRIMARY KEY,
    connector INTEGER NOT NULL,
    local_id INTEGER NOT NULL,          -- our (negative) id until the CSMS assigns one
    transaction_id INTEGER,             -- the CSMS's id from StartTransaction.conf
    id_tag TEXT NOT NULL,
    meter_start INTEGER NOT NULL,
    time_start TEXT NOT NULL,
    reservation_id INTEGER,
    meter_last INTEGER NOT NULL,
    meter_last_time TEXT NOT NULL,
    start_queued INTEGER NOT NULL DEFAULT 0,
    stopped INTEGER NOT NULL DEFAULT 0  -- StopTransaction is queued
)
"""


@dataclass(slots=True)
class TransactionRecord:
    session_id: str
    connector: int
    local_id: int
    id_tag: str
    meter_start: int
    time_start: str
    reservation_id: int | None = None
    transaction_id: int | None = None
    meter_last: int = 0
    meter_last_time: str = ""
    start_queued: bool = False
    stopped: bool = False

    @property
    def ocpp_id(self) -> int:
        """The id messages carry: the CSMS's once known, else ours."""
        return self.local_id if self.transaction_id is None else self.transaction_id


_COLUMNS = [f.name for f in dataclasses.fields(TransactionRecord)]


class TransactionStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite_file(path, "1.6 transaction store"):
            self._db = sqlite3.connect(path)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(SCHEMA)
            self._db.commit()

    def insert(self, record: TransactionRecord) -> None:
        values = [getattr(record, c) for c in _COLUMNS]
        with self._db:
            self._db.execute(
                f"INSERT OR REPLACE INTO transactions ({', '.join(_COLUMNS)})"
                f" VALUES ({', '.join('?' for _ in _COLUMNS)})",
                values,
            )

    def update(self, session_id: str, **fields: object) -> None:
        unknown = set(fields) - set(_COLUMNS)
        if unknown:
            raise ValueError(f"unknown transaction fields {sorted(unknown)}")
        assignments = ", ".join(f"{name} = ?" for name in fields)
        with self._db:
            self._db.execute(
                f"UPDATE transactions SET {assignments} WHERE session_id = ?", [*fields.values(), session_id]
            )

    def delete(self, session_id: str) -> None:
        with self._db:
            self._db.execute("DELETE FROM transactions WHERE session_id = ?", (session_id,))

    def all(self) -> list[TransactionRecord]:
        rows = self._db.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM transactions ORDER BY time_start, session_id"
        ).fetchall()
        records = []
        for row in rows:
            record = TransactionRecord(**dict(zip(_COLUMNS, row, strict=True)))
            record.start_queued, record.stopped = bool(record.start_queued), bool(record.stopped)
            records.append(record)
        return records

    def close(self) -> None:
        self._db.close()
