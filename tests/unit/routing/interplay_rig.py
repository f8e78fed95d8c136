"""Review helpers (charge-point-wide operations vs. running sessions).

The routing rig builds the backend without two wirings the module makes in app.py: the
evse_managers' transaction tracking (``EvseSessions.early_listeners`` ← ``EvseManagers.on_session_event``,
which Scheduled availability, OnIdle reset and the firmware install gate read) and the system
module's ``firmware_update_status`` subscription. ``start_wired`` adds both, as app.py does."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from .session_probe import Probe, start


async def start_wired(tmp_path: Path, version: str, **kw: Any) -> Probe:
    p = await start(tmp_path, version, **kw)
    services = p.rig.backend._services
    services.sessions.early_listeners.append(services.evse.on_session_event)
    services.system_events.subscribe()
    services.system_events.release()
    _timeline(p)
    return p


def _timeline(p: Probe) -> None:
    """p.timeline: every station call to the CSMS ('>Action') and to EVerest ('requirement.cmd'), in order."""
    p.timeline = []  # type: ignore[attr-defined]
    runtime, csms = p.rig.runtime, p.rig.csms
    call, send = runtime.call, csms.send

    async def recorded_call(requirement: str, index: int, cmd: str, *args: Any, **kw: Any) -> Any:
        p.timeline.append(f"{requirement}.{cmd}")  # type: ignore[attr-defined]
        return await call(requirement, index, cmd, *args, **kw)

    async def recorded_send(message: str) -> None:
        frame = json.loads(message)
        if frame[0] == 2:
            what = frame[2]
            if what == "TransactionEvent":
                what += f" {frame[3]['eventType']}"
            p.timeline.append(f">{what}")  # type: ignore[attr-defined]
        await send(message)

    runtime.call = recorded_call  # type: ignore[method-assign]
    csms.send = recorded_send  # type: ignore[method-assign]


async def restart_wired(old_tmp: Path, new_tmp: Path, version: str) -> Probe:
    """A new module start on the state folder of a previous one."""
    shutil.copytree(old_tmp / "state", new_tmp / "state")
    return await start_wired(new_tmp, version)


def firmware_status(p: Probe, status: str, request_id: int | None = None) -> None:
    value: dict[str, Any] = {"firmware_update_status": status}
    if request_id is not None:
        value["request_id"] = request_id
    p.rig.runtime.publish("system", 0, "firmware_update_status", value)


def calls(p: Probe, requirement: str, cmd: str) -> list[tuple[int, dict[str, Any]]]:
    """(connection index, args) of every call of ``requirement.cmd``."""
    return [(i, a) for r, i, c, a in p.rig.runtime.calls if (r, c) == (requirement, cmd)]
