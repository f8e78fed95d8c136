"""2.0.1: a session event naming a connector the EVSE does not have (connector_id 2 on EVSE 1, which
get_evse reported with connector 1 only) is ignored with a warning, as on 1.6."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from .session_probe import plugged, session_finished, start, tx_finished, tx_started


def on_connector_2(event: dict[str, Any]) -> dict[str, Any]:
    return {**event, "connector_id": 2}


def test_no_transaction_event_names_a_connector_the_evse_does_not_have(tmp_path: Path) -> None:
    async def go() -> list[Any]:
        p = await start(tmp_path, "2.0.1")
        try:
            for event in (plugged(), tx_started(), tx_finished(), session_finished()):
                p.event(on_connector_2(event))
            await p.drain()
            return [c["evse"] for c in p.calls("TransactionEvent") if "evse" in c]
        finally:
            await p.rig.close()

    evses = asyncio.run(go())
    # EVSE 1 has connector 1 only (rig.EVSES); the module sent [{'id': 1, 'connectorId': 2}]
    assert all(e.get("connectorId", 1) == 1 for e in evses), evses
