"""2.0.1: TxCtrlr.MaxEnergyOnInvalidId is enforced when the transaction starts at 0 Wh (a register at
0 is a reading, not a missing one)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from .session_probe import ANSWERS_201, meter, plugged, start, tx_started


async def pauses(tmp_path: Path, start_wh: float) -> int:
    answers = {**ANSWERS_201, "TransactionEvent": {"idTokenInfo": {"status": "Invalid"}}}
    p = await start(tmp_path, "2.0.1", csms=answers)
    try:
        request = {
            "setVariableData": [
                {"component": {"name": "TxCtrlr"}, "variable": {"name": name}, "attributeValue": value}
                for name, value in (("StopTxOnInvalidId", "false"), ("MaxEnergyOnInvalidId", "100"))
            ]
        }
        results = (await p.rig.request("SetVariables", request))[2]["setVariableResult"]
        assert {r["attributeStatus"] for r in results} == {"Accepted"}
        p.event(plugged(wh=start_wh))
        p.event(tx_started(wh=start_wh))  # answered: idTokenInfo Invalid
        await p.drain()
        for wh in (50, 150, 300):
            p.publish("powermeter", meter(start_wh + wh))
            await p.drain()
        return len(p.rig.runtime.called("evse_manager", "pause_charging"))
    finally:
        await p.rig.close()


@pytest.mark.parametrize("start_wh", [1, 0])
def test_max_energy_on_invalid_id_pauses_after_100_wh(tmp_path: Path, start_wh: float) -> None:
    assert asyncio.run(pauses(tmp_path, start_wh)) == 1  # start 0 Wh: 0 pauses
