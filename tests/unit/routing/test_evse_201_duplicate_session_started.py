"""2.0.1: the evse_manager's SessionStarted delivered a second time while its transaction runs (same
uuid) is ignored: one Started per transactionId, seqNo counting on (E01/E02)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from .session_probe import charging, plugged, session_finished, start, tx_finished, tx_started


def test_a_repeated_session_started_does_not_end_and_restart_the_transaction(tmp_path: Path) -> None:
    async def go() -> list[tuple[str, int, str]]:
        p = await start(tmp_path, "2.0.1")
        try:
            p.event(plugged())
            p.event(tx_started())
            p.event(charging())
            p.event(plugged())  # the same SessionStarted again
            p.event(tx_finished())
            p.event(session_finished())
            await p.drain()
            return [
                (c["eventType"], c["seqNo"], c["transactionInfo"]["transactionId"])
                for c in p.calls("TransactionEvent")
            ]
        finally:
            await p.rig.close()

    events = asyncio.run(go())
    started = [e for e in events if e[0] == "Started"]
    assert len(started) == 1, events
    seq = [n for _kind, n, tid in events if tid == "s1"]
    assert seq == list(range(len(seq))), events
