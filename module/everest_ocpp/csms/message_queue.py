"""Calls that must reach the CSMS even across offline periods and restarts, in order.

Queued calls are stored in SQLite (committed to its write-ahead log before ``push`` returns, so a
kill -9 loses nothing; a power cut may lose the last commits, which SQLite syncs at checkpoints)
and sent one at a time once the charge point is registered; a call leaves the queue only when the
CSMS answered it, or when it has used up its attempts.

Transaction messages (StartTransaction, MeterValues of a transaction, StopTransaction,
TransactionEvent) are retried as the version's configuration says (1.6 TransactionMessageAttempts /
TransactionMessageRetryInterval, 2.0.1 MessageAttemptsTransactionEvent /
MessageAttemptIntervalTransactionEvent): after a CALLERROR or no answer, wait attempt times interval and
send again; after the last attempt the message is dropped with an error in the log. Other queued
messages (security events, NotifyEvent) are dropped on a CALLERROR and retried on a timeout.

A version can rewrite a message just before it is sent (``before_send``: e.g. the transaction id
the CSMS assigned after the message was queued) and hear every answer (``on_response``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from ocpp.exceptions import OCPPError

from .outbox import NotConnected, Outbox

log = logging.getLogger(__name__)

RETRY_S = 5.0  # non-transaction messages after a timeout


@dataclass(frozen=True, slots=True)
class QueuedMessage:
    id: int
    action: str
    payload: dict[str, Any]
    transactional: bool
    attempts: int  # sending attempts already made


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how far apart a transaction message is tried (read before every retry)."""

    attempts: Callable[[], int] = lambda: 3
    interval_s: Callable[[], float] = lambda: 10.0


class PersistentQueue:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path)
        # WAL: a commit is written to the log before push() returns, so a killed process loses nothing;
        # the fsync waits for checkpoints instead of blocking the event loop on every message
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS queue (id INTEGER PRIMARY KEY AUTOINCREMENT, action TEXT NOT NULL,"
            " payload TEXT NOT NULL)"
        )
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(queue)")}
        if "transactional" not in columns:  # queues written by earlier versions
            self._db.execute("ALTER TABLE queue ADD COLUMN transactional INTEGER NOT NULL DEFAULT 0")
        if "attempts" not in columns:
            self._db.execute("ALTER TABLE queue ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0")
        self._db.commit()

    def push(self, action: str, payload: dict[str, Any], transactional: bool = False) -> int:
        with self._db:
            cur = self._db.execute(
                "INSERT INTO queue (action, payload, transactional) VALUES (?, ?, ?)",
                (action, json.dumps(payload), int(transactional)),
            )
        return int(cur.lastrowid or 0)

    def head(self) -> QueuedMessage | None:
        row = self._db.execute(
            "SELECT id, action, payload, transactional, attempts FROM queue ORDER BY id LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        return QueuedMessage(row[0], row[1], json.loads(row[2]), bool(row[3]), int(row[4]))

    def items(self) -> list[QueuedMessage]:
        rows = self._db.execute(
            "SELECT id, action, payload, transactional, attempts FROM queue ORDER BY id"
        ).fetchall()
        return [QueuedMessage(r[0], r[1], json.loads(r[2]), bool(r[3]), int(r[4])) for r in rows]

    def update(self, item_id: int, payload: dict[str, Any]) -> None:
        with self._db:
            self._db.execute("UPDATE queue SET payload = ? WHERE id = ?", (json.dumps(payload), item_id))

    def count_attempt(self, item_id: int) -> None:
        with self._db:
            self._db.execute("UPDATE queue SET attempts = attempts + 1 WHERE id = ?", (item_id,))

    def remove(self, item_id: int) -> None:
        with self._db:
            self._db.execute("DELETE FROM queue WHERE id = ?", (item_id,))

    def clear(self) -> int:
        with self._db:
            return self._db.execute("DELETE FROM queue").rowcount

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM queue").fetchone()[0])

    def close(self) -> None:
        self._db.close()


BeforeSend = Callable[[QueuedMessage], dict[str, Any] | None]  # payload to send; None: drop it
OnResponse = Callable[[QueuedMessage, Any], None]  # (message as sent, call result dataclass)


class QueueSender:
    """Drains a :class:`PersistentQueue` through the outbox while ``online`` is set."""

    def __init__(
        self,
        queue: PersistentQueue,
        outbox: Outbox,
        call_module: ModuleType,
        resume_delay_s: float = 0.0,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.queue = queue
        self._outbox = outbox
        self._calls = call_module
        self._resume_delay_s = resume_delay_s  # MessageQueueResumeDelay: let the CSMS speak first
        self.retry = retry or RetryPolicy()
        self.before_send: list[BeforeSend] = []
        self.on_response: list[OnResponse] = []
        self.online = asyncio.Event()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def push(self, action: str, payload: dict[str, Any], transactional: bool = False) -> int:
        """Store the call (durably) and wake the sender; returns the queue id."""
        item_id = self.queue.push(action, payload, transactional)
        self._wake.set()
        return item_id

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="queue-sender")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            if not self.online.is_set():
                await self.online.wait()
                if self._resume_delay_s > 0:
                    log.info(
                        "resuming the message queue in %.0f s (MessageQueueResumeDelay)", self._resume_delay_s
                    )
                    await asyncio.sleep(self._resume_delay_s)
                    continue  # the link may have dropped meanwhile
            item = self.queue.head()
            if item is None:
                self._wake.clear()
                await self._wake.wait()
                continue
            if not await self._send(item):
                continue  # not done with it: offline, or waiting to retry
            self.queue.remove(item.id)

    def _prepared(self, item: QueuedMessage) -> QueuedMessage | None:
        payload = item.payload
        for hook in self.before_send:
            rewritten = hook(QueuedMessage(item.id, item.action, payload, item.transactional, item.attempts))
            if rewritten is None:
                return None
            payload = rewritten
        if payload != item.payload:
            self.queue.update(item.id, payload)
        return QueuedMessage(item.id, item.action, payload, item.transactional, item.attempts)

    async def _send(self, queued: QueuedMessage) -> bool:
        """True when the message is done with (answered, refused for good, or unsendable)."""
        item = self._prepared(queued)
        if item is None:
            log.info("queued %s #%d dropped before sending", queued.action, queued.id)
            return True
        try:
            request = getattr(self._calls, item.action)(**item.payload)
        except (AttributeError, TypeError, ValueError) as exc:
            log.error("queued %s cannot be sent (%s); dropping it", item.action, exc)
            return True
        try:
            response = await self._outbox.call(request)
        except NotConnected:
            self.online.clear()
            return False
        except (OCPPError, TimeoutError, ConnectionError) as exc:
            return await self._failed(item, exc)
        for hook in self.on_response:
            try:
                hook(item, response)
            except Exception:
                log.exception("handling the answer to %s failed", item.action)
        return True

    async def _failed(self, item: QueuedMessage, exc: Exception) -> bool:
        refused = isinstance(exc, OCPPError)
        if not item.transactional:
            if refused:
                log.warning("CSMS refused queued %s (%s); dropping it", item.action, exc)
                return True
            log.info("queued %s not delivered (%s); retrying in %.0f s", item.action, exc, RETRY_S)
            await asyncio.sleep(RETRY_S)
            return False
        attempt = item.attempts + 1
        allowed = max(1, self.retry.attempts())
        if attempt >= allowed:
            log.error(
                "%s not delivered after %d attempt(s) (%s); dropping it",
                item.action,
                attempt,
                exc or "no answer",
            )
            return True
        self.queue.count_attempt(item.id)
        wait = self.retry.interval_s() * attempt
        log.warning(
            "%s not delivered (%s), attempt %d of %d; next try in %.0f s",
            item.action,
            exc or "no answer",
            attempt,
            allowed,
            wait,
        )
        await asyncio.sleep(wait)
        return False
