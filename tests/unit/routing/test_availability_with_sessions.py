"""ChangeAvailability and the firmware installation gate while charging sessions run: a station-wide
Inoperative is Scheduled for the busy connectors and carried out at once for the free ones (as
libocpp); on 2.0.1 what the availability block and the installation gate took out of service stays
out until the one that took it brings it back."""

from __future__ import annotations

import asyncio
from pathlib import Path

from .interplay_rig import calls, firmware_status, start_wired
from .session_probe import NOW, charging, plugged, session_finished, tx_finished, tx_started

UPDATE_201 = {"requestId": 7, "firmware": {"location": "http://x/fw.bin", "retrieveDateTime": NOW}}


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


def test_201_station_operative_during_pending_install_keeps_idle_evses_unavailable(
    tmp_path: Path,
) -> None:
    """L01.FR.07: while the station waits for transactions to end before installing, connectors not in
    use are Unavailable until the firmware is installed: a ChangeAvailability Operative for the
    station (already Operative: Accepted) leaves the installation gate's EVSE 2 out of service."""

    async def go():
        p = await start_wired(tmp_path, "2.0.1")
        p.event(plugged())
        p.event(tx_started())
        await p.drain()
        await p.rig.request("UpdateFirmware", UPDATE_201)
        firmware_status(p, "Downloaded", 7)
        await p.drain()
        before = [c["connectorStatus"] for c in p.calls("StatusNotification") if c["evseId"] == 2][-1]
        answer = await p.rig.request("ChangeAvailability", {"operationalStatus": "Operative"})
        await p.drain()
        evse2 = [c["connectorStatus"] for c in p.calls("StatusNotification") if c["evseId"] == 2]
        states = enable_states(p, 1)
        fw = [c["status"] for c in p.calls("FirmwareStatusNotification")]
        await p.rig.close()
        return before, answer, evse2, states, fw

    before, answer, evse2, states, fw = asyncio.run(go())
    assert before == "Unavailable" and fw[-1] == "InstallScheduled"
    assert answer[2] == {"status": "Accepted"}
    assert evse2[-1] == "Unavailable" and states[-1] == "Disable", (
        f"EVSE 2 StatusNotifications {evse2}, enable_disable {states}"
    )


def test_201_failed_firmware_update_keeps_a_scheduled_station_inoperative_in_force(tmp_path: Path) -> None:
    """A station-wide Inoperative is Scheduled (EVSE 1 charges) and takes idle EVSE 2 out of service;
    a firmware update that ends meanwhile (InstallationFailed) does not bring EVSE 2 back."""

    async def go():
        p = await start_wired(tmp_path, "2.0.1")
        p.event(plugged())
        p.event(tx_started())
        await p.drain()
        answer = await p.rig.request("ChangeAvailability", {"operationalStatus": "Inoperative"})
        await p.drain()
        await p.rig.request("UpdateFirmware", UPDATE_201)
        firmware_status(p, "Downloaded", 7)
        await p.drain()
        firmware_status(p, "InstallationFailed", 7)
        await p.drain()
        evse2 = [c["connectorStatus"] for c in p.calls("StatusNotification") if c["evseId"] == 2]
        states = enable_states(p, 1)
        await p.rig.close()
        return answer, evse2, states

    answer, evse2, states = asyncio.run(go())
    assert answer[2] == {"status": "Scheduled"}
    assert evse2[-1] == "Unavailable" and states[-1] == "Disable", (
        f"EVSE 2 StatusNotifications {evse2}, enable_disable {states}"
    )
