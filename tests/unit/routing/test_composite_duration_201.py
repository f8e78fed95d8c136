"""GetCompositeSchedule with a huge (schema-valid: ``integer``, no maximum) duration: both versions
answer a schedule of one year at most (1.6: MaxCompositeScheduleDuration's default), never an
InternalError from a date beyond the calendar."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from .rig import build

NOW = "2026-01-01T10:00:00Z"
CSMS: dict[str, dict[str, Any]] = {
    "BootNotification": {"status": "Accepted", "currentTime": NOW, "interval": 300},
    "Heartbeat": {"currentTime": NOW},
}


async def composite(tmp_path: Path, version: str, request: dict[str, Any]) -> list[Any]:
    rig = await build(tmp_path, version, CSMS)
    try:
        await rig.connect()
        frame = await rig.request("GetCompositeSchedule", request)
        if frame[0] == 3:
            assert rig.schema_valid("GetCompositeSchedule", frame[2])
        return frame
    finally:
        await rig.close()


def test_16_caps_a_huge_duration(tmp_path: Path) -> None:
    frame = asyncio.run(composite(tmp_path, "1.6", {"connectorId": 1, "duration": 2**40}))
    assert frame[0] == 3 and frame[2]["status"] == "Accepted", frame
    assert frame[2]["chargingSchedule"]["duration"] == 31_536_000


@pytest.mark.parametrize("evse_id", [0, 1])
def test_201_caps_a_huge_duration(evse_id: int, tmp_path: Path) -> None:
    frame = asyncio.run(composite(tmp_path, "2.0.1", {"duration": 2**40, "evseId": evse_id}))
    assert frame[0] == 3 and frame[2]["status"] == "Accepted", frame
    assert frame[2]["schedule"]["duration"] == 31_536_000
