"""The queue file of the calls that must reach the CSMS (SQLite, write-ahead log).

A push is committed before it returns, so a kill -9 loses nothing (a power cut may lose the last
commits, which SQLite syncs at checkpoints). When the file cannot be written (a read-only or full
flash), nothing is dropped: a call that cannot be stored is kept in memory, behind the stored ones,
and still sent (lost only if the module stops first), and a sent call that cannot be deleted is
skipped from then on; each such failure is logged as an error naming the file.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections import deque
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..storage import sqlite_file

log = logging.getLogger("everest_ocpp.csms.message_queue")

_COLUMNS = "id, action, payload, transactional, attempts"


@dataclass(frozen=True, slots=True)
class QueuedMessage:
    id: int  # negative: kept in memory only (the file could not take it)
    action: str
    payload: dict[str, Any]
    transactional: bool
    attempts: int  # sending attempts already made


class PersistentQueue:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite_file(path, "message queue"):
            self._db = sqlite3.connect(path)
            # WAL: a commit is written to the log before push() returns; the fsync waits for
            # checkpoints instead of blocking the event loop on every message
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS queue (id INTEGER PRIMARY KEY AUTOINCREMENT,"
                " action TEXT NOT NULL, payload TEXT NOT NULL)"
            )
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(queue)")}
            if "transactional" not in columns:  # queues written by earlier versions
                self._db.execute("ALTER TABLE queue ADD COLUMN transactional INTEGER NOT NULL DEFAULT 0")
            if "attempts" not in columns:
                self._db.execute("ALTER TABLE queue ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0")
            self._db.commit()
        self._unstored: deque[QueuedMessage] = deque()
        self._gone: set[int] = set()  # sent, but still in the file (its delete failed)

    def _failed(self, what: str, exc: sqlite3.Error) -> None:
        log.error("message queue %s: %s failed (%s)", self.path, what, exc)

    def _write(self, what: str, sql: str, params: tuple[Any, ...]) -> bool:
        """One committed statement; False (logged, rolled back) when the file cannot take it."""
        try:
            with self._db:
                self._db.execute(sql, params)
        except sqlite3.Error as exc:
            self._failed(what, exc)
            return False
        return True

    def push(self, action: str, payload: dict[str, Any], transactional: bool = False) -> int:
        try:
            with self._db:
                cur = self._db.execute(
                    "INSERT INTO queue (action, payload, transactional) VALUES (?, ?, ?)",
                    (action, json.dumps(payload), int(transactional)),
                )
            return int(cur.lastrowid or 0)
        except sqlite3.Error as exc:
            self._failed(f"storing {action}", exc)
            log.error("%s kept in memory only: sent when its turn comes, lost if the module stops", action)
            item_id = min((m.id for m in self._unstored), default=0) - 1
            self._unstored.append(QueuedMessage(item_id, action, payload, transactional, 0))
            return item_id

    def head(self) -> QueuedMessage | None:
        if self._gone:
            stored = next(iter(self._stored()), None)
        else:
            row = self._db.execute(f"SELECT {_COLUMNS} FROM queue ORDER BY id LIMIT 1").fetchone()
            stored = None if row is None else _message(row)
        if stored is not None:
            return stored
        return self._unstored[0] if self._unstored else None

    def items(self) -> list[QueuedMessage]:
        return [*self._stored(), *self._unstored]

    def _stored(self) -> list[QueuedMessage]:
        rows = self._db.execute(f"SELECT {_COLUMNS} FROM queue ORDER BY id").fetchall()
        return [m for m in map(_message, rows) if m.id not in self._gone]

    def update(self, item_id: int, payload: dict[str, Any]) -> None:
        if item_id < 0:
            self._replace(item_id, payload=payload)
            return
        # on failure the hooks that rewrite a payload do so again before each send
        self._write(
            f"updating #{item_id}",
            "UPDATE queue SET payload = ? WHERE id = ?",
            (json.dumps(payload), item_id),
        )

    def count_attempt(self, item_id: int) -> None:
        if item_id < 0:
            item = next((m for m in self._unstored if m.id == item_id), None)
            if item is not None:
                self._replace(item_id, attempts=item.attempts + 1)
            return
        self._write(
            f"counting an attempt of #{item_id}",
            "UPDATE queue SET attempts = attempts + 1 WHERE id = ?",
            (item_id,),
        )

    def remove(self, item_id: int) -> None:
        if item_id < 0:
            self._unstored = deque(m for m in self._unstored if m.id != item_id)
            return
        if not self._write(f"deleting sent #{item_id}", "DELETE FROM queue WHERE id = ?", (item_id,)):
            self._gone.add(item_id)

    def _replace(self, item_id: int, **changes: Any) -> None:
        self._unstored = deque(replace(m, **changes) if m.id == item_id else m for m in self._unstored)

    def clear(self) -> int:
        dropped = len(self._unstored)
        self._unstored.clear()
        with self._db:
            return dropped + self._db.execute("DELETE FROM queue").rowcount

    def __len__(self) -> int:
        if self._gone:
            return len(self._stored()) + len(self._unstored)
        return int(self._db.execute("SELECT COUNT(*) FROM queue").fetchone()[0]) + len(self._unstored)

    def close(self) -> None:
        self._db.close()


def _message(row: tuple[Any, ...]) -> QueuedMessage:
    return QueuedMessage(row[0], row[1], json.loads(row[2]), bool(row[3]), int(row[4]))
