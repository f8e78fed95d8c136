"""The OCPP 1.6 backend: configuration keys + CSMS link + functional blocks, behind OcppBackend."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from ocpp.v16 import ChargePoint as V16ChargePoint
from ocpp.v16 import call as v16_call
from websockets.asyncio.client import ClientConnection

from ..bridge.services import Services
from ..csms.backoff import BackoffPolicy
from ..csms.charge_point import ChargePointSession, serve_session
from ..csms.connection import ConnectionSettings, CsmsConnection
from ..csms.message_queue import PersistentQueue, QueueSender
from ..csms.outbox import Outbox
from ..csms.schedule_publisher import SchedulePublisher
from ..generic.backend import AvailabilityResult, BackendEvents, SecurityEventRequest
from ..settings import ModuleSettings
from ..smart_charging import OcppVersion, SqliteProfileStore
from ..variables import VariableChange
from .availability import Availability16
from .configuration import ChargePointConfiguration
from .connectors import ConnectorMap
from .csms_address import csms_url_16
from .provisioning import Provisioning16
from .registration import Registration16
from .security import Security16
from .smart_charging import SmartCharging16

log = logging.getLogger(__name__)

RECONNECT_GRACE_S = 0.5


class Session16(ChargePointSession, V16ChargePoint):
    pass


class Backend16:
    version = "1.6"

    def __init__(
        self,
        config: ChargePointConfiguration,
        services: Services,
        events: BackendEvents,
        settings: ModuleSettings,
    ) -> None:
        self.variables = config
        self._config = config
        self._services = services
        self._events = events
        self.outbox = Outbox()
        self.connectors = ConnectorMap.from_evses(services.evse.evses)
        database_dir = settings.database_dir
        self.sender = QueueSender(PersistentQueue(database_dir / "queue16.db"), self.outbox, v16_call)
        self.registration = Registration16(
            self.outbox, config, events.boot_notification_response, self._on_accepted
        )
        self.availability = Availability16(
            self.connectors, services.evse, self.outbox, database_dir / "availability16.json"
        )
        self.security = Security16(
            self.sender,
            services.security,
            lambda: config.disable_security_event_notifications,
            events.internal_security_event,
        )
        self.provisioning = Provisioning16(
            config,
            self.outbox,
            self.registration,
            self.availability,
            services.system,
            self._after_config_change,
        )
        self.smart_charging = SmartCharging16(
            config,
            SqliteProfileStore(database_dir / "charging_profiles16.db", OcppVersion("1.6")),
            self.connectors,
            services.evse,
            lambda: self.outbox.online,
            self._schedules_changed,
        )
        self.publisher = SchedulePublisher(
            lambda: self.smart_charging.all_schedules(
                settings.publish_schedule_duration_s, settings.composite_schedule_unit
            ),
            events.charging_schedules,
            settings.publish_schedule_interval_s,
        )
        self.blocks: list[object] = [self.provisioning, self.availability, self.security, self.smart_charging]
        self.connection = CsmsConnection(self._connection_settings, self._session, events.connection_changed)
        self._tasks: set[asyncio.Task[Any]] = set()
        config.add_listener(self._on_config_change)

    # ---- connection ------------------------------------------------------------------------------
    def _connection_settings(self) -> ConnectionSettings:
        c = self._config
        profile = c.security_profile
        return ConnectionSettings(
            url=csms_url_16(c),
            subprotocol="ocpp1.6",
            identity=c.charge_point_id,
            password=c.authorization_key if profile in (1, 2) else None,
            ping_interval_s=float(c.websocket_ping_interval) or None,
            backoff=BackoffPolicy(
                c.retry_backoff_wait_minimum, c.retry_backoff_random_range, c.retry_backoff_repeat_times
            ),
        )

    async def _session(self, ws: ClientConnection) -> None:
        session = Session16(self._config.charge_point_id, ws, self.blocks)
        await serve_session(
            session, self.outbox, self.sender, self.registration.boot(), self.registration.stop_heartbeat
        )

    def _on_accepted(self) -> None:
        self._spawn(self.availability.send_all_status())
        self.sender.online.set()

    # ---- lifecycle -------------------------------------------------------------------------------
    async def start(self) -> None:
        await self.availability.apply_persisted()
        await self._apply_connection_timeout()
        self._start_link()

    def _schedules_changed(self) -> None:
        self.publisher.publish_now()

    def _start_link(self) -> None:
        self.publisher.start()
        self.sender.start()
        self.security.raise_internal("StartupOfTheDevice")
        self.connection.start()

    async def stop(self) -> bool:
        stopped = await self.connection.stop()
        if stopped:
            self.publisher.stop()
            await self.sender.stop()
            log.info("OCPP stopped")
        return stopped

    async def restart(self) -> bool:
        if self.connection.running:
            return False
        log.info("OCPP restarting")
        self._start_link()
        return True

    async def shutdown(self) -> None:
        self.publisher.stop()
        await self.connection.stop()
        await self.sender.stop()
        self.sender.queue.close()

    # ---- OcppBackend -----------------------------------------------------------------------------
    def security_event(self, event: SecurityEventRequest) -> None:
        self.security.report(event)

    async def change_availability(
        self, operative: bool, evse_id: int | None, connector_id: int | None
    ) -> AvailabilityResult:
        return await self.availability.change_internal(operative, evse_id, connector_id)

    def monitor_trigger(self, change: VariableChange) -> str | None:
        return "Alerting"  # every accepted write of a monitored key, changed or not

    # ---- configuration side effects --------------------------------------------------------------
    def _on_config_change(self, change: VariableChange) -> None:
        key = change.ref.variable
        if key == "HeartbeatInterval":
            self.registration.interval_changed()
        elif key == "ConnectionTimeOut":
            self._spawn(self._apply_connection_timeout())

    def _after_config_change(self, key: str) -> None:
        """Runs after the ChangeConfiguration response went out."""
        if key == "AuthorizationKey" and self._config.security_profile in (1, 2):
            log.info("AuthorizationKey changed: reconnecting with the new credentials")
            self._spawn(self._reconnect_after_grace())
        elif key == "SecurityProfile":
            log.info("SecurityProfile changed to %d: reconnecting", self._config.security_profile)
            self._spawn(self._reconnect_after_grace())

    async def _reconnect_after_grace(self) -> None:
        # A CSMS busy with another frame may not have read our answer yet; closing at once can make
        # it lose the answer, so give it a moment.
        await asyncio.sleep(RECONNECT_GRACE_S)
        await self.connection.reconnect()

    async def _apply_connection_timeout(self) -> None:
        try:
            await self._services.auth.set_connection_timeout(self._config.connection_timeout)
        except Exception as exc:
            log.warning("auth.set_connection_timeout failed: %s", exc)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
