"""Reset (1.6 Hard/Soft, 2.0.1 Immediate/OnIdle) while charging sessions run: transactions are
stopped before the reset (also one that starts while a reset waits), and one reset request leads to
one system.reset, however many the CSMS sends."""

from __future__ import annotations

import asyncio
from pathlib import Path

from .interplay_rig import calls, start_wired
from .session_probe import charging, plugged, session_finished, tx_finished, tx_started


def test_201_immediate_reset_ends_the_running_transaction_before_resetting(tmp_path: Path) -> None:
    """B12.FR.04: Reset Immediate with a transaction in progress: the station stops it first (EVerest
    reason HardReset, which the C++ module maps from ImmediateReset), then resets."""

    async def go():
        p = await start_wired(tmp_path, "2.0.1")
        p.event(plugged())
        p.event(tx_started())
        p.event(charging())
        await p.drain()
        answer = await p.rig.request("Reset", {"type": "Immediate"})
        await p.drain()
        stops = calls(p, "evse_manager", "stop_transaction")
        timeline = list(p.timeline)
        await p.rig.close()
        return answer, stops, timeline

    answer, stops, timeline = asyncio.run(go())
    assert answer[2] == {"status": "Accepted"}
    assert stops == [(0, {"request": {"reason": "HardReset"}})], (
        f"stop_transaction calls: {stops}; station did: {timeline[-4:]}"
    )


def test_201_onidle_reset_takes_the_idle_evses_out_of_service(tmp_path: Path) -> None:
    """A Scheduled OnIdle reset takes every EVSE without a transaction out of service until the reset
    (as libocpp; not persisted), so no new session postpones it."""

    async def go():
        p = await start_wired(tmp_path, "2.0.1")
        p.event(plugged())
        p.event(tx_started())
        await p.drain()
        answer = await p.rig.request("Reset", {"type": "OnIdle"})
        await p.drain()
        evse2 = [c["connectorStatus"] for c in p.calls("StatusNotification") if c["evseId"] == 2]
        disabled = [
            i
            for i, a in calls(p, "evse_manager", "enable_disable")
            if a["cmd_source"]["enable_state"] == "Disable"
        ]
        await p.rig.close()
        return answer, evse2, disabled

    answer, evse2, disabled = asyncio.run(go())
    assert answer[2] == {"status": "Scheduled"}
    assert evse2[-1] == "Unavailable" and disabled == [1], (
        f"EVSE 2 statuses {evse2}, enable_disable Disable on connections {disabled}"
    )


def test_201_immediate_reset_after_a_scheduled_onidle_resets_once(tmp_path: Path) -> None:
    """An OnIdle reset is Scheduled, then the CSMS sends Immediate: one system.reset, not a second one
    when the transaction ends."""

    async def go():
        p = await start_wired(tmp_path, "2.0.1")
        p.event(plugged())
        p.event(tx_started())
        await p.drain()
        first = await p.rig.request("Reset", {"type": "OnIdle"})
        second = await p.rig.request("Reset", {"type": "Immediate"})
        await p.drain()
        p.event(tx_finished(reason="ImmediateReset"))
        p.event(session_finished())
        await p.drain()
        resets = calls(p, "system", "reset")
        await p.rig.close()
        return first, second, resets

    first, second, resets = asyncio.run(go())
    assert (first[2], second[2]) == ({"status": "Scheduled"}, {"status": "Accepted"})
    assert len(resets) == 1, f"system.reset calls: {resets}"


def test_16_transaction_started_while_a_reset_waits_is_stopped_before_the_reset(tmp_path: Path) -> None:
    """1.6 Core 5.14 Reset: "After receipt of a Reset.req, The Charge Point SHALL send a
    StopTransaction.req for any ongoing transaction before performing the reset." A Soft reset
    waits for transaction 91 to end; a transaction that starts meanwhile on connector 2 (92) is
    stopped too, and both StopTransactions go out before system.reset."""

    async def go():
        p = await start_wired(tmp_path, "1.6")
        await p.rig.request(
            "ChangeConfiguration", {"key": "WaitForStopTransactionsOnResetTimeout", "value": "1"}
        )
        p.event(plugged())
        p.event(tx_started())
        p.event(charging())
        await p.drain()
        answer = await p.rig.request("Reset", {"type": "Soft"})
        await p.drain()
        p.event(plugged("s2"), 1)
        p.event(tx_started("s2"), 1)
        await p.drain()
        assert (1, {"request": {"reason": "SoftReset"}}) in calls(p, "evse_manager", "stop_transaction")
        p.event(tx_finished(reason="SoftReset"))
        p.event(tx_finished("s2", reason="SoftReset"), 1)  # what its evse_manager does when stopped
        await p.drain()
        await asyncio.sleep(0.2)
        await p.drain()
        stops = calls(p, "evse_manager", "stop_transaction")
        stopped = [c["transactionId"] for c in p.calls("StopTransaction")]
        resets = calls(p, "system", "reset")
        timeline = list(p.timeline)
        await p.rig.close()
        return answer, stops, stopped, resets, timeline

    answer, stops, stopped, resets, timeline = asyncio.run(go())
    assert answer[2] == {"status": "Accepted"}
    assert len(resets) == 1
    before_reset = timeline[: timeline.index("system.reset")]
    assert (1, {"request": {"reason": "SoftReset"}}) in stops, f"stop_transaction calls: {stops}"
    assert sorted(stopped) == [91, 92] and before_reset.count(">StopTransaction") == 2, (
        f"StopTransaction for {stopped}; before system.reset: {before_reset}"
    )


def test_16_second_reset_while_the_first_waits_resets_once(tmp_path: Path) -> None:
    """Reset Hard accepted, waiting for the StopTransaction; a Reset Soft arrives meanwhile (Accepted):
    the reset under way goes on, system.reset is called once."""

    async def go():
        p = await start_wired(tmp_path, "1.6")
        p.event(plugged())
        p.event(tx_started())
        p.event(charging())
        await p.drain()
        await p.rig.request("Reset", {"type": "Hard"})
        await p.rig.request("Reset", {"type": "Soft"})
        await p.drain()
        p.event(tx_finished(reason="HardReset"))
        await p.drain()
        await asyncio.sleep(0.3)
        resets = calls(p, "system", "reset")
        stops = calls(p, "evse_manager", "stop_transaction")
        await p.rig.close()
        return resets, stops

    resets, stops = asyncio.run(go())
    assert len(resets) == 1, f"system.reset calls: {resets}; stop_transaction calls: {stops}"
