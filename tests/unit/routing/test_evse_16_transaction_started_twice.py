"""1.6: a TransactionStarted on a connector whose transaction is still open: the same event delivered
twice is ignored; a new session (the open one's TransactionFinished was lost) first ends the open
transaction (StopTransaction, reason Other), as the 2.0.1 side does. No transaction stays open at the
CSMS, not even across a restart."""

from __future__ import annotations

import asyncio
from pathlib import Path

from .session_probe import plugged, session_finished, start, tx_finished, tx_started


def started_and_stopped(probe) -> tuple[list[int], list[int]]:
    """(CSMS transaction ids given to the StartTransactions (91, 92, ...), ids of the StopTransactions)."""
    started = [91 + i for i in range(len(probe.calls("StartTransaction")))]
    stopped = [c["transactionId"] for c in probe.calls("StopTransaction")]
    return started, stopped


async def scenario(tmp_path: Path, second_uuid: str, restart: bool) -> tuple[list[int], list[int]]:
    p = await start(tmp_path, "1.6")
    p.event(plugged())
    p.event(tx_started())
    # s1 again: the very same event delivered twice; s2: the open one's TransactionFinished was lost
    p.event(tx_started() if second_uuid == "s1" else tx_started(uuid=second_uuid, ts="2026-01-01T10:00:05Z"))
    await p.drain()
    p.event(tx_finished(uuid=second_uuid, ts="2026-01-01T11:00:00Z"))
    p.event(session_finished(uuid=second_uuid, ts="2026-01-01T11:00:01Z"))
    await p.drain()
    started, stopped = started_and_stopped(p)
    await p.rig.close()
    if restart:  # a restart ends every transaction still recorded as open (PowerLoss)
        p2 = await start(tmp_path, "1.6")
        await p2.drain()
        stopped += [c["transactionId"] for c in p2.calls("StopTransaction")]
        await p2.rig.close()
    return started, stopped


def test_a_duplicated_transaction_started_leaves_no_transaction_open_at_the_csms(tmp_path: Path) -> None:
    started, stopped = asyncio.run(scenario(tmp_path, second_uuid="s1", restart=False))
    # either the duplicate is ignored (one StartTransaction) or the first is stopped
    assert sorted(stopped) == started, f"CSMS transactions {started}, StopTransaction for {stopped}"


def test_a_duplicated_transaction_started_is_not_left_open_even_after_a_restart(tmp_path: Path) -> None:
    started, stopped = asyncio.run(scenario(tmp_path, second_uuid="s1", restart=True))
    assert set(stopped) == set(started), f"CSMS transactions {started}, StopTransaction for {stopped}"


def test_a_new_transaction_on_the_connector_ends_the_open_one(tmp_path: Path) -> None:
    started, stopped = asyncio.run(scenario(tmp_path, second_uuid="s2", restart=False))
    assert sorted(stopped) == started, f"CSMS transactions {started}, StopTransaction for {stopped}"


def test_a_session_finished_with_its_transaction_open_ends_the_transaction(tmp_path: Path) -> None:
    """TransactionFinished lost: SessionFinished ends the transaction (Other, its reading) before the
    connector becomes Available, instead of leaving it open at the CSMS."""

    async def go() -> tuple[list[dict[str, object]], list[str]]:
        p = await start(tmp_path, "1.6")
        p.event(plugged())
        p.event(tx_started(wh=10))
        p.event(session_finished(wh=25, ts="2026-01-01T11:00:01Z"))
        await p.drain()
        stops = p.calls("StopTransaction")
        statuses = [c["status"] for c in p.calls("StatusNotification") if c["connectorId"] == 1]
        await p.rig.close()
        return stops, statuses

    stops, statuses = asyncio.run(go())
    assert [(s["transactionId"], s["reason"], s["meterStop"], s["timestamp"]) for s in stops] == [
        (91, "Other", 25, "2026-01-01T11:00:01.000Z")
    ]
    assert statuses[-1] == "Available"
