"""The OCPP 1.6 backend: configuration keys + CSMS link + functional blocks behind OcppBackend."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from ocpp.v16 import ChargePoint as V16ChargePoint

from ..bridge.evse import EvseInfo
from ..csms.backoff import BackoffPolicy
from ..csms.charge_point import ChargePointSession
from ..csms.connection import ConnectionSettings, CsmsConnection
from ..csms.outbox import Outbox
from ..generic.backend import AvailabilityResult, BackendEvents, SecurityEventRequest
from ..variables import VariableChange
from .provisioning import BootInfo, Provisioning16

log = logging.getLogger(__name__)


class Session16(ChargePointSession, V16ChargePoint):  # type: ignore[misc]
    pass


class Backend16:
    version = "1.6"

    def __init__(self, raw: dict[str, Any], evses: list[EvseInfo], events: BackendEvents) -> None:
        self._raw = raw
        self.variables: Any = None
        self._events = events
        self._evses = evses
        self.outbox = Outbox()
        internal = self._raw.get("Internal", {})
        self.provisioning = Provisioning16(
            self.outbox,
            boot_info=lambda: BootInfo(
                vendor=internal["ChargePointVendor"], model=internal["ChargePointModel"]
            ),
            heartbeat_interval=lambda: int(self._raw.get("Core", {}).get("HeartbeatInterval", 86400)),
            store_heartbeat_interval=lambda v: None,
            on_boot_response=events.boot_notification_response,
            on_accepted=lambda: None,
        )
        self.connection = CsmsConnection(self._connection_settings, self._session, events.connection_changed)

    def _connection_settings(self) -> ConnectionSettings:
        internal = self._raw["Internal"]
        cp_id = internal["ChargePointId"]
        uri = internal["CentralSystemURI"].rstrip("/")
        url = f"ws://{uri}" if uri.endswith(cp_id) else f"ws://{uri}/{cp_id}"
        return ConnectionSettings(
            url=url, subprotocol="ocpp1.6", identity=cp_id, backoff=BackoffPolicy(1, 1, 3)
        )

    async def _session(self, ws: Any) -> None:
        session = Session16(self._raw["Internal"]["ChargePointId"], ws, [])
        self.outbox.session = session
        reader = asyncio.create_task(session.start())
        boot = asyncio.create_task(self.provisioning.boot())
        try:
            await reader
        finally:
            self.outbox.session = None
            boot.cancel()
            self.provisioning.stop_heartbeat()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await boot

    async def start(self) -> None:
        self.connection.start()

    async def stop(self) -> bool:
        return await self.connection.stop()

    async def restart(self) -> bool:
        if self.connection.running:
            return False
        return self.connection.start()

    async def shutdown(self) -> None:
        await self.connection.stop()

    def security_event(self, event: SecurityEventRequest) -> None:
        raise NotImplementedError("security_event: not implemented")

    async def change_availability(
        self, operative: bool, evse_id: int | None, connector_id: int | None
    ) -> AvailabilityResult:
        raise NotImplementedError("change_availability: not implemented")

    def monitor_trigger(self, change: VariableChange) -> str | None:
        return "Alerting"
