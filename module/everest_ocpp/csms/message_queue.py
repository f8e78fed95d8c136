"""Calls that must reach the CSMS even across offline periods and restarts, in order.

Queued calls are stored in SQLite (committed before ``push`` returns) and sent one at a time once
the charge point is registered; a call leaves the queue only when the CSMS answered it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3
from pathlib import Path
from types import ModuleType
from typing import Any

from ocpp.exceptions import OCPPError

from .outbox import NotConnected, Outbox

log = logging.getLogger(__name__)

RETRY_S = 5.0


class PersistentQueue:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS queue (id INTEGER PRIMARY KEY AUTOINCREMENT, action TEXT NOT NULL,"
            " payload TEXT NOT NULL)"
        )
        self._db.commit()

    def push(self, action: str, payload: dict[str, Any]) -> None:
        with self._db:
            self._db.execute(
                "INSERT INTO queue (action, payload) VALUES (?, ?)", (action, json.dumps(payload))
            )

    def head(self) -> tuple[int, str, dict[str, Any]] | None:
        row = self._db.execute("SELECT id, action, payload FROM queue ORDER BY id LIMIT 1").fetchone()
        return None if row is None else (row[0], row[1], json.loads(row[2]))

    def remove(self, item_id: int) -> None:
        with self._db:
            self._db.execute("DELETE FROM queue WHERE id = ?", (item_id,))

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM queue").fetchone()[0])

    def close(self) -> None:
        self._db.close()


class QueueSender:
    """Drains a :class:`PersistentQueue` through the outbox while ``online`` is set."""

    def __init__(
        self, queue: PersistentQueue, outbox: Outbox, call_module: ModuleType, resume_delay_s: float = 0.0
    ) -> None:
        self.queue = queue
        self._outbox = outbox
        self._calls = call_module
        self._resume_delay_s = resume_delay_s  # MessageQueueResumeDelay: let the CSMS speak first
        self.online = asyncio.Event()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def push(self, action: str, payload: dict[str, Any]) -> None:
        self.queue.push(action, payload)
        self._wake.set()

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
            item_id, action, payload = item
            try:
                await self._outbox.call(getattr(self._calls, action)(**payload))
            except NotConnected:
                self.online.clear()
                continue
            except OCPPError as exc:
                log.warning("CSMS refused queued %s (%s); dropping it", action, exc)
            except (TimeoutError, ConnectionError) as exc:
                log.info("queued %s not delivered (%s); retrying", action, exc)
                await asyncio.sleep(RETRY_S)
                continue
            except (TypeError, ValueError) as exc:
                log.error("queued %s cannot be sent (%s); dropping it", action, exc)
            self.queue.remove(item_id)
