"""ChangeAvailability while charging sessions run (1.6): a station-wide Inoperative is Scheduled for
the busy connectors and carried out at once for the free ones (as libocpp), so no new transaction can
start there and postpone it."""

from __future__ import annotations

import asyncio
from pathlib import Path

from .interplay_rig import calls, start_wired
from .session_probe import charging, plugged, session_finished, tx_finished, tx_started


def enable_states(p, index: int) -> list[str]:
    return [
        a["cmd_source"]["enable_state"] for i, a in calls(p, "evse_manager", "enable_disable") if i == index
    ]


def test_16_station_inoperative_scheduled_takes_the_idle_connectors_out_at_once(tmp_path: Path) -> None:
    async def go():
        p = await start_wired(tmp_path, "1.6")
        p.event(plugged())
        p.event(tx_started())
        p.event(charging())
        await p.drain()
        answer = await p.rig.request("ChangeAvailability", {"connectorId": 0, "type": "Inoperative"})
        await p.drain()
        c2_now = [c["status"] for c in p.calls("StatusNotification") if c["connectorId"] == 2]
        states_now = (enable_states(p, 0), enable_states(p, 1))
        p.event(tx_finished())
        p.event(session_finished())
        await p.drain()
        c1 = [c["status"] for c in p.calls("StatusNotification") if c["connectorId"] == 1]
        c0 = [c["status"] for c in p.calls("StatusNotification") if c["connectorId"] == 0]
        states_after = (enable_states(p, 0), enable_states(p, 1))
        await p.rig.close()
        return answer, c2_now, states_now, c1, c0, states_after

    answer, c2_now, states_now, c1, c0, states_after = asyncio.run(go())
    assert answer[2] == {"status": "Scheduled"}
    assert (c2_now[-1], states_now) == ("Unavailable", ([], ["Disable"]))
    # connector 1 and the station follow once the transaction ended
    assert (c1[-1], c0[-1], states_after[0]) == ("Unavailable", "Unavailable", ["Disable"])
