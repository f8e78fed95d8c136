"""2.0.1: a transaction whose TransactionStarted timestamp lies ahead of the station's clock (an
evse_manager clock ahead, a local time read as UTC) still gets its TxUpdatedInterval meter values:
the sampling is anchored at the start, but never later than the station's clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from everest_ocpp.timestamps import rfc3339

from .session_probe import meter, plugged, start, tx_started


async def periodic_updates(tmp_path: Path, ahead: timedelta) -> int:
    p = await start(tmp_path, "2.0.1")
    try:
        set_interval = {
            "setVariableData": [
                {
                    "component": {"name": "SampledDataCtrlr"},
                    "variable": {"name": "TxUpdatedInterval"},
                    "attributeValue": "1",
                }
            ]
        }
        assert (await p.rig.request("SetVariables", set_interval))[2]["setVariableResult"][0][
            "attributeStatus"
        ] == "Accepted"
        when = rfc3339(datetime.now(UTC) + ahead)
        p.event(plugged(ts=when))
        p.event(tx_started(ts=when))
        for i in range(6):  # 3 s of readings, one every 0.5 s
            p.publish("powermeter", meter(100 + i, rfc3339()))
            await asyncio.sleep(0.5)
        await p.drain()
        return sum(1 for c in p.calls("TransactionEvent") if c["triggerReason"] == "MeterValuePeriodic")
    finally:
        await p.rig.close()


@pytest.mark.parametrize("ahead_s", [0, 3600], ids=["start-now", "start-1h-ahead"])
def test_periodic_meter_values_flow_whatever_the_start_timestamp(tmp_path: Path, ahead_s: int) -> None:
    # start-now: 2-3 updates; start-1h-ahead: 0
    assert asyncio.run(periodic_updates(tmp_path, timedelta(seconds=ahead_s))) >= 2
