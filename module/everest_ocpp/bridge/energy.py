"""Charging limits to the hardware: composite schedules become ``set_external_limits`` calls.

Each ``evse_energy_sink`` connection serves the EVSE its module is mapped to (``mapping: {module:
{evse: N}}`` in the EVerest config; EVSE 0 is the whole station), as in the C++ modules. A schedule
for an EVSE without a sink is skipped with a warning (once per EVSE, not on every publication).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from ..everest.runtime import Runtime
from ..tasks import TaskGroup
from ..timestamps import rfc3339

log = logging.getLogger(__name__)

REQ = "evse_energy_sink"


def external_limits(schedule: dict[str, Any], source: str, now: datetime) -> dict[str, Any]:
    """An EVerest ``ChargingSchedule`` (as published on ``charging_schedules``) as ``ExternalLimits``.

    Every period becomes an import entry at now + startPeriod limiting the leaves: A schedules limit
    the phase current (and the phase count when the period has one), W schedules the total power.
    """
    in_amps = schedule.get("charging_rate_unit") == "A"
    entries = []
    for period in schedule.get("charging_schedule_period") or []:
        limits: dict[str, Any] = {}
        if in_amps:
            limits["ac_max_current_A"] = {"value": float(period["limit"]), "source": source}
            if schedule.get("min_charging_rate") is not None:
                limits["ac_min_current_A"] = {"value": float(schedule["min_charging_rate"]), "source": source}
        else:
            limits["total_power_W"] = {"value": float(period["limit"]), "source": source}
        if period.get("number_phases") is not None:
            limits["ac_max_phase_count"] = {"value": int(period["number_phases"]), "source": source}
        entries.append(
            {
                "timestamp": rfc3339(now + timedelta(seconds=int(period.get("start_period", 0)))),
                "limits_to_root": {},
                "limits_to_leaves": limits,
            }
        )
    return {"schedule_import": entries, "schedule_export": [], "schedule_setpoints": []}


class EnergySinks:
    """The ``evse_energy_sink`` connections, by the EVSE id they are mapped to."""

    def __init__(self, runtime: Runtime, source: str, clock: Callable[[], datetime] | None = None) -> None:
        self._rt = runtime
        self.source = source  # "<module id>/OCPP_set_external_limits", as upstream
        self._clock = clock or (lambda: datetime.now(UTC))
        self._tasks = TaskGroup("external limits")
        self.by_evse: dict[int, int] = {}  # EVSE id -> connection index
        self._warned: set[int] = set()
        if not runtime.connections(REQ):  # the C++ modules repeat this every publication
            log.warning(
                "no evse_energy_sink connected: charging profiles from the CSMS will not limit charging"
            )
        for index, conn in enumerate(runtime.connections(REQ)):
            evse = (conn.mapping or {}).get("evse")
            if not isinstance(evse, int):
                log.error(
                    "evse_energy_sink %s/%s has no EVSE mapping (mapping: {module: {evse: N}} in the EVerest "
                    "config); no limits will be sent to it",
                    conn.module_id,
                    conn.implementation_id,
                )
                continue
            self.by_evse[evse] = index

    def apply(self, schedules: list[dict[str, Any]]) -> None:
        """Send each schedule's limits to the sink of its EVSE (calls run in the background)."""
        if not self._rt.connections(REQ):
            return
        now = self._clock()
        for schedule in schedules:
            evse = int(schedule.get("evse", -1))
            index = self.by_evse.get(evse)
            if index is None:
                if evse not in self._warned:
                    self._warned.add(evse)
                    log.warning("cannot apply external limits: no evse_energy_sink mapped to EVSE %d", evse)
                continue
            limits = external_limits(schedule, self.source, now)
            self._tasks.spawn(self._rt.call(REQ, index, "set_external_limits", {"value": limits}))

    async def close(self) -> None:
        await self._tasks.cancel_all()
