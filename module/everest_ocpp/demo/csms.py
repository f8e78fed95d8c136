"""A tiny local CSMS for the demo (python `ocpp` package, 1.6 or 2.0.1): accepts the charger, reads
and changes a configuration value and sends a charging profile, as a CSMS operator would."""

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
from ocpp.v201 import ChargePoint as Cp201
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as result201
from websockets.asyncio.server import serve

logging.getLogger("ocpp").setLevel(logging.WARNING)

# the demo's charging profile: (seconds from now, limit in A)
PROFILE_PERIODS = ((0, 32.0), (120, 16.0), (300, 24.0))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _periods() -> list[dict[str, Any]]:
    return [{"start_period": start, "limit": limit} for start, limit in PROFILE_PERIODS]


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

    async def poke(self) -> None:
        res = await self.call(call16.GetConfiguration(key=["HeartbeatInterval", "NoSuchKey"]))
        known = ", ".join(f"{k['key']}={k.get('value')}" for k in res.configuration_key)
        self.say(f"GetConfiguration -> {known}; unknown: {res.unknown_key}")
        res = await self.call(call16.ChangeConfiguration(key="HeartbeatInterval", value="30"))
        self.say(f"ChangeConfiguration HeartbeatInterval=30 -> {res.status}")

    async def send_profile(self) -> None:
        profile = {
            "charging_profile_id": 1,
            "stack_level": 0,
            "charging_profile_purpose": "ChargePointMaxProfile",
            "charging_profile_kind": "Absolute",
            "charging_schedule": {
                "charging_rate_unit": "A",
                "start_schedule": _now(),
                "charging_schedule_period": _periods(),
            },
        }
        res = await self.call(call16.SetChargingProfile(connector_id=0, cs_charging_profiles=profile))
        self.say(f"SetChargingProfile ChargePointMaxProfile {_describe()} -> {res.status}")


class _Csms201(Cp201):
    say: Callable[[str], None]

    @on("BootNotification")
    def on_boot(self, charging_station: dict[str, Any], reason: str, **_: Any) -> Any:
        who = f"{charging_station.get('vendor_name')} {charging_station.get('model')}"
        self.say(f"BootNotification from {self.id}: {who} ({reason}) -> Accepted")
        return result201.BootNotification(current_time=_now(), interval=60, status="Accepted")

    @on("Heartbeat")
    def on_heartbeat(self, **_: Any) -> Any:
        self.say("Heartbeat")
        return result201.Heartbeat(current_time=_now())

    @on("StatusNotification")
    def on_status(self, evse_id: int, connector_id: int, connector_status: str, **_: Any) -> Any:
        self.say(f"StatusNotification EVSE {evse_id} connector {connector_id}: {connector_status}")
        return result201.StatusNotification()

    @on("SecurityEventNotification")
    def on_security_event(self, type: str, **_: Any) -> Any:
        self.say(f"SecurityEventNotification {type}")
        return result201.SecurityEventNotification()

    @on("NotifyEvent")
    def on_notify_event(self, event_data: list[dict[str, Any]], **_: Any) -> Any:
        for event in event_data:
            name = f"{event['component']['name']}.{event['variable']['name']}"
            self.say(f"NotifyEvent {name} = {event.get('actual_value')}")
        return result201.NotifyEvent()

    async def poke(self) -> None:
        hb = {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}}
        none = {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "NoSuchVariable"}}
        res = await self.call(call201.GetVariables(get_variable_data=[hb, none]))
        shown = ", ".join(
            f"{r['variable']['name']}: {r['attribute_status']} {r.get('attribute_value', '')}".rstrip()
            for r in res.get_variable_result
        )
        self.say(f"GetVariables -> {shown}")
        res = await self.call(call201.SetVariables(set_variable_data=[{**hb, "attribute_value": "30"}]))
        self.say(f"SetVariables HeartbeatInterval=30 -> {res.set_variable_result[0]['attribute_status']}")

    async def send_profile(self) -> None:
        profile = {
            "id": 1,
            "stack_level": 0,
            "charging_profile_purpose": "ChargingStationMaxProfile",
            "charging_profile_kind": "Absolute",
            "charging_schedule": [
                {
                    "id": 1,
                    "start_schedule": _now(),
                    "charging_rate_unit": "A",
                    "charging_schedule_period": _periods(),
                }
            ],
        }
        res = await self.call(call201.SetChargingProfile(evse_id=0, charging_profile=profile))
        self.say(f"SetChargingProfile ChargingStationMaxProfile {_describe()} -> {res.status}")


def _describe() -> str:
    return ", ".join(f"{start} s: {limit:g} A" for start, limit in PROFILE_PERIODS)


class DemoCsms:
    def __init__(self, port: int, version: str, say: Callable[[str], None]) -> None:
        self.port = port
        self.version = version
        self._say = say
        self.charge_point: Any = None
        self.connected = asyncio.Event()

    async def start(self) -> None:
        subprotocol = "ocpp1.6" if self.version == "1.6" else "ocpp2.0.1"
        self._server = await serve(
            self._on_connection,
            "127.0.0.1",
            self.port,
            subprotocols=[subprotocol],  # type: ignore[list-item]
        )

    async def _on_connection(self, ws: Any) -> None:
        kind = _Csms16 if self.version == "1.6" else _Csms201
        cp = kind(ws.request.path.strip("/").split("/")[-1], ws)
        cp.say = self._say
        self.charge_point = cp
        self.connected.set()
        try:
            await cp.start()
        except Exception:
            self._say(f"{cp.id} disconnected")

    async def poke(self) -> None:
        """Read and change a configuration value the way a CSMS operator would."""
        await self.charge_point.poke()

    async def send_profile(self) -> None:
        """Cap the station with a three-step absolute profile starting now."""
        await self.charge_point.send_profile()

    async def stop(self) -> None:
        self._server.close()
        await self._server.wait_closed()
