"""A tiny local CSMS for the demo (python `ocpp` package): accepts the charger and pokes it a little."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from ocpp.routing import on
from ocpp.v16 import ChargePoint as Cp16
from ocpp.v16 import call as call16
from ocpp.v16 import call_result as result16
from websockets.asyncio.server import serve

logging.getLogger("ocpp").setLevel(logging.WARNING)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class _Csms16(Cp16):
    say: Callable[[str], None]

    @on("BootNotification")
    def on_boot(self, charge_point_vendor: str, charge_point_model: str, **_: Any) -> Any:
        self.say(f"BootNotification from {self.id}: {charge_point_vendor} {charge_point_model} -> Accepted")
        return result16.BootNotification(current_time=_now(), interval=60, status="Accepted")

    @on("Heartbeat")
    def on_heartbeat(self) -> Any:
        self.say("Heartbeat")
        return result16.Heartbeat(current_time=_now())

    @on("StatusNotification")
    def on_status(self, connector_id: int, status: str, **_: Any) -> Any:
        self.say(f"StatusNotification connector {connector_id}: {status}")
        return result16.StatusNotification()

    @on("SecurityEventNotification")
    def on_security_event(self, type: str, **_: Any) -> Any:
        self.say(f"SecurityEventNotification {type}")
        return result16.SecurityEventNotification()


class DemoCsms:
    def __init__(self, port: int, say: Callable[[str], None]) -> None:
        self.port = port
        self._say = say
        self.charge_point: Any = None
        self.connected = asyncio.Event()

    async def start(self) -> None:
        self._server = await serve(self._on_connection, "127.0.0.1", self.port, subprotocols=["ocpp1.6"])  # type: ignore[list-item]

    async def _on_connection(self, ws: Any) -> None:
        cp = _Csms16(ws.request.path.strip("/").split("/")[-1], ws)
        cp.say = self._say
        self.charge_point = cp
        self.connected.set()
        try:
            await cp.start()
        except Exception:
            self._say(f"{cp.id} disconnected")

    async def poke(self) -> None:
        """Read and change a key the way a CSMS operator would."""
        cp = self.charge_point
        res = await cp.call(call16.GetConfiguration(key=["HeartbeatInterval", "NoSuchKey"]))
        known = ", ".join(f"{k['key']}={k.get('value')}" for k in res.configuration_key)
        self._say(f"GetConfiguration -> {known}; unknown: {res.unknown_key}")
        res = await cp.call(call16.ChangeConfiguration(key="HeartbeatInterval", value="30"))
        self._say(f"ChangeConfiguration HeartbeatInterval=30 -> {res.status}")

    async def stop(self) -> None:
        self._server.close()
        await self._server.wait_closed()
