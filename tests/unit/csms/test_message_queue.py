"""The persistent queue's sender: order, retries of transaction messages, rewriting, answers."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from ocpp.exceptions import InternalError
from ocpp.v16 import call, call_result

from everest_ocpp.csms.message_queue import PersistentQueue, QueuedMessage, QueueSender, RetryPolicy
from everest_ocpp.csms.outbox import NotConnected


class FakeOutbox:
    """Answers calls from a script: a call result, an exception to raise, or "offline"."""

    def __init__(self, script: list[Any]) -> None:
        self.script = script
        self.sent: list[Any] = []

    async def call(self, payload: Any) -> Any:
        self.sent.append(payload)
        step = self.script.pop(0) if self.script else call_result.StopTransaction()
        if step == "offline":
            raise NotConnected("offline")
        if isinstance(step, Exception):
            raise step
        return step


async def drain(sender: QueueSender, until: int, timeout: float = 5.0) -> None:
    sender.online.set()
    sender.start()
    try:
        async with asyncio.timeout(timeout):
            while len(sender.queue) > until:
                await asyncio.sleep(0.01)
    finally:
        await sender.stop()


def make(tmp_path: Path, script: list[Any], attempts: int = 3) -> tuple[QueueSender, FakeOutbox]:
    outbox = FakeOutbox(script)
    policy = RetryPolicy(attempts=lambda: attempts, interval_s=lambda: 0.01)
    return QueueSender(PersistentQueue(tmp_path / "q.db"), outbox, call, retry=policy), outbox  # type: ignore[arg-type]


def stop(tx: int) -> dict[str, Any]:
    return {"meter_stop": 10, "timestamp": "2026-01-01T00:00:00Z", "transaction_id": tx}


def test_transaction_message_is_retried_then_dropped_after_the_last_attempt(tmp_path: Path) -> None:
    sender, outbox = make(tmp_path, [TimeoutError(), InternalError(), TimeoutError()], attempts=3)
    sender.push("StopTransaction", stop(1), transactional=True)
    sender.push("StopTransaction", stop(2), transactional=True)
    asyncio.run(drain(sender, 0))
    assert [c.transaction_id for c in outbox.sent] == [1, 1, 1, 2]


def test_other_messages_are_dropped_on_a_callerror(tmp_path: Path) -> None:
    sender, outbox = make(tmp_path, [InternalError()])
    sender.push(
        "SecurityEventNotification", {"type": "A", "timestamp": "2026-01-01T00:00:00Z", "tech_info": None}
    )
    sender.push(
        "SecurityEventNotification", {"type": "B", "timestamp": "2026-01-01T00:00:00Z", "tech_info": None}
    )
    asyncio.run(drain(sender, 0))
    assert [c.type for c in outbox.sent] == ["A", "B"]


def test_offline_keeps_the_message_and_attempts_survive_a_restart(tmp_path: Path) -> None:
    sender, _ = make(tmp_path, [TimeoutError(), "offline"], attempts=5)
    sender.push("StopTransaction", stop(7), transactional=True)

    async def run() -> None:
        sender.online.set()
        sender.start()
        async with asyncio.timeout(5):
            while sender.online.is_set():
                await asyncio.sleep(0.01)
        await sender.stop()

    asyncio.run(run())
    sender.queue.close()
    reopened = PersistentQueue(tmp_path / "q.db")
    item = reopened.head()
    assert item is not None and (item.action, item.attempts, item.transactional) == (
        "StopTransaction",
        1,
        True,
    )


def test_before_send_rewrites_and_on_response_hears_the_answer(tmp_path: Path) -> None:
    sender, outbox = make(tmp_path, [call_result.StopTransaction(), call_result.StopTransaction()])
    ids = {-1: 42}
    seen: list[tuple[str, Any]] = []

    def rewrite(item: QueuedMessage) -> dict[str, Any] | None:
        tx = item.payload["transaction_id"]
        if tx == -2:
            return None  # e.g. a transaction the CSMS never confirmed
        return {**item.payload, "transaction_id": ids.get(tx, tx)}

    sender.before_send.append(rewrite)
    sender.on_response.append(lambda item, res: seen.append((item.action, item.payload["transaction_id"])))
    for tx in (-1, -2, 5):
        sender.push("StopTransaction", stop(tx), transactional=True)
    asyncio.run(drain(sender, 0))
    assert [c.transaction_id for c in outbox.sent] == [42, 5]
    assert seen == [("StopTransaction", 42), ("StopTransaction", 5)]


def test_queue_of_an_older_version_is_migrated(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "old.db")
    db.execute(
        "CREATE TABLE queue (id INTEGER PRIMARY KEY AUTOINCREMENT, action TEXT, payload TEXT NOT NULL)"
    )
    db.execute(
        "INSERT INTO queue (action, payload) VALUES ('SecurityEventNotification', '{\"type\": \"X\"}')"
    )
    db.commit()
    db.close()
    item = PersistentQueue(tmp_path / "old.db").head()
    assert item is not None and (item.payload, item.transactional, item.attempts) == ({"type": "X"}, False, 0)


@pytest.mark.parametrize("action", ["NoSuchAction", "StopTransaction"])
def test_unsendable_messages_are_dropped(tmp_path: Path, action: str) -> None:
    sender, outbox = make(tmp_path, [])
    sender.push(action, {"bogus": 1}, transactional=True)
    asyncio.run(drain(sender, 0))
    assert outbox.sent == []


STAMP = "2026-01-01T00:00:00Z"


def meter(n: int) -> dict[str, Any]:
    value = {"timestamp": STAMP, "sampled_value": [{"value": str(n)}]}
    return {"connector_id": 1, "transaction_id": 1, "meter_value": [value]}


def test_a_long_queue_drains_in_order_across_link_drops_and_new_pushes(tmp_path: Path) -> None:
    """Every message reaches the CSMS once answered, in queue order: the link drops twice during
    the drain (the message then in flight goes again) and more messages are queued meanwhile."""
    count, extra = 2000, 100
    script: list[Any] = [call_result.MeterValues()] * 3000
    script[300] = script[1200] = "offline"
    plan = list(script)  # the outbox consumes the script
    sender, outbox = make(tmp_path, script)
    for n in range(count):
        sender.push("MeterValues", meter(n), transactional=True)

    async def run() -> None:
        sender.online.set()
        sender.start()
        pushed = False
        async with asyncio.timeout(30):
            while len(sender.queue) > 0 or not pushed:
                if not sender.online.is_set():
                    await asyncio.sleep(0.01)
                    sender.online.set()  # the link is back
                if not pushed and len(outbox.sent) > 500:
                    for n in range(count, count + extra):
                        sender.push("MeterValues", meter(n), transactional=True)
                    pushed = True
                await asyncio.sleep(0.005)
        await sender.stop()

    asyncio.run(run())
    sent = [int(c.meter_value[0]["sampled_value"][0]["value"]) for c in outbox.sent]
    assert len(sent) == count + extra + 2  # the two messages in flight at the drops went twice
    delivered = [n for n, step in zip(sent, plan[: len(sent)], strict=True) if step != "offline"]
    assert delivered == list(range(count + extra))
    assert len(sender.queue) == 0


def test_a_queue_file_that_cannot_be_written_keeps_new_calls_in_memory(tmp_path: Path) -> None:
    queue = PersistentQueue(tmp_path / "q.db")
    stored = queue.push("A", {"n": 1})
    queue._db.close()
    queue._db = sqlite3.connect(f"file:{tmp_path / 'q.db'}?mode=ro", uri=True)  # as on a read-only flash
    unstored = queue.push("B", {"n": 2}, transactional=True)
    assert unstored < 0 < stored
    assert [(m.action, m.payload) for m in queue.items()] == [("A", {"n": 1}), ("B", {"n": 2})]
    assert len(queue) == 2
    queue.count_attempt(unstored)
    queue.update(unstored, {"n": 3})
    queue.remove(stored)  # cannot be deleted: skipped from now on
    head = queue.head()
    assert head == QueuedMessage(unstored, "B", {"n": 3}, True, 1)
    queue.remove(unstored)
    assert (queue.head(), len(queue)) == (None, 0)
    queue.close()
