"""Calls that must reach the CSMS even across offline periods and restarts, in order.

Queued calls are stored in SQLite (:mod:`.persistent_queue`: committed before ``push`` returns,
so a kill -9 loses nothing) and sent one at a time once the charge point is registered; a call
leaves the queue only when the CSMS answered it, or when it has used up its attempts.

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
import logging
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from ocpp.exceptions import OCPPError

from .outbox import InvalidAnswer, NotConnected, Outbox
from .persistent_queue import PersistentQueue, QueuedMessage

__all__ = ["PersistentQueue", "QueueSender", "QueuedMessage", "RetryPolicy"]

log = logging.getLogger(__name__)

RETRY_S = 5.0  # non-transaction messages after a timeout


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how far apart a transaction message is tried (read before every retry)."""

    attempts: Callable[[], int] = lambda: 3
    interval_s: Callable[[], float] = lambda: 10.0


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
            try:
                done = await self._send(item)
            except Exception:  # a bug or a surprise must not stop every later message
                log.exception("sending queued %s failed; trying again in %.0f s", item.action, RETRY_S)
                await asyncio.sleep(RETRY_S)
                continue
            if done:
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
        except InvalidAnswer:  # processed by the CSMS: sending it again would duplicate it
            log.error("%s taken as delivered (its answer is unusable); not sent again", item.action)
            return True
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
