"""A session event whose energy register is the JSON number ``1e400`` (valid JSON that decodes to
infinity, and accepted by the evse_manager interface's var validation) counts as a missing reading:
1.6 still sends its StartTransaction (no OverflowError in the handler) and 2.0.1 never puts
``Infinity`` (not JSON) on the wire."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from everest_ocpp.everest import json_limits
from everest_ocpp.everest.definitions import Definitions

from .session_probe import plugged, start

ROOT = Path(__file__).resolve().parents[3]
WIRE = (
    b'{"uuid":"s1","event":"TransactionStarted","timestamp":"2026-01-01T10:00:00Z",'
    b'"transaction_started":{"id_tag":{"id_token":{"value":"CARD","type":"ISO14443"},'
    b'"authorization_type":"RFID"},"meter_value":{"timestamp":"2026-01-01T10:00:00Z",'
    b'"energy_Wh_import":{"total":1e400}}}}'
)


def test_an_overflowing_energy_reading_does_not_lose_the_transaction(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    event = json_limits.loads(WIRE)  # as the runtime decodes the MQTT payload
    assert Definitions(ROOT).interface("evse_manager").vars["session_event"].error(event) is None

    async def go() -> int:
        p = await start(tmp_path, "1.6")
        try:
            p.event(plugged())
            p.event(event)
            await p.drain()
            return len(p.calls("StartTransaction"))
        finally:
            await p.rig.close()

    starts = asyncio.run(go())
    tracebacks = [r.getMessage() for r in caplog.records if r.exc_info and r.levelno >= logging.ERROR]
    assert (starts, tracebacks) == (1, [])


def test_201_never_puts_infinity_on_the_wire(tmp_path: Path) -> None:
    """2.0.1 with the same event: the TransactionEvents carry no ``Infinity`` (RFC 8259 has none; a
    strict CSMS would refuse the frame)."""
    event = json_limits.loads(WIRE)

    async def go() -> list[str]:
        p = await start(tmp_path, "2.0.1")
        raw: list[str] = []
        original = p.csms.send

        async def send(message: str) -> None:
            raw.append(message)
            await original(message)

        p.csms.send = send  # type: ignore[method-assign]
        try:
            p.event(plugged())
            p.event(event)
            await p.drain()
            return [m for m in raw if "TransactionEvent" in m]
        finally:
            await p.rig.close()

    frames = asyncio.run(go())
    assert frames and not any("Infinity" in m or "NaN" in m for m in frames), frames
