"""The OCPP 2.0.1 backend: device model + CSMS link + functional blocks, behind OcppBackend."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from ocpp.v201 import ChargePoint as V201ChargePoint
from ocpp.v201 import call as v201_call
from websockets.asyncio.client import ClientConnection

from ..bridge.services import Services
from ..csms.charge_point import ChargePointSession, serve_session
from ..csms.connection import CsmsConnection
from ..csms.message_queue import PersistentQueue, QueueSender
from ..csms.outbox import Outbox
from ..csms.schedule_publisher import SchedulePublisher
from ..generic.backend import AvailabilityResult, BackendEvents, SecurityEventRequest
from ..settings import ModuleSettings
from ..smart_charging import OcppVersion, SqliteProfileStore
from ..variables import Attribute, Source, VariableChange, VariableRef
from .after_response import AfterResponse
from .availability import Availability201
from .device_model import DeviceModel
from .device_model import well_known as wk
from .message_limits import note_message_size
from .monitoring import Monitoring201
from .network import NetworkPlan, NetworkSelector, check_profiles_value, priority_check
from .operative_state import OperativeState
from .provisioning import Provisioning201
from .registration import Registration201
from .reports import Reports201
from .security import Security201
from .smart_charging import SmartCharging201
from .trigger import Trigger201

log = logging.getLogger(__name__)


class Session201(ChargePointSession, V201ChargePoint):
    async def route_message(self, raw_msg: str) -> None:
        note_message_size(raw_msg)  # for BytesPerMessage checks in this handler's task
        await super().route_message(raw_msg)


def _key(ref: VariableRef) -> tuple[str, str, str | None]:
    return (ref.component, ref.variable, ref.variable_instance)


HEARTBEAT, PASSWORD = _key(wk.HEARTBEAT_INTERVAL), _key(wk.BASIC_AUTH_PASSWORD)
EV_CONNECTION_TIMEOUT, MASTER_PASS_GROUP = _key(wk.EV_CONNECTION_TIMEOUT), _key(wk.MASTER_PASS_GROUP_ID)


class Backend201:
    version = "2.0.1"

    def __init__(
        self,
        dm: DeviceModel,
        plan: NetworkPlan,
        services: Services,
        events: BackendEvents,
        settings: ModuleSettings,
    ) -> None:
        self.variables = dm
        self._dm = dm
        self._services = services
        self._events = events
        database_dir = settings.database_dir
        dm.add_validator(wk.NETWORK_CONNECTION_PROFILES, check_profiles_value)
        dm.add_validator(wk.NETWORK_CONFIGURATION_PRIORITY, priority_check(dm))
        self.outbox = Outbox()
        self.effects = AfterResponse()
        self.sender = QueueSender(PersistentQueue(database_dir / "queue201.db"), self.outbox, v201_call)
        self.network = NetworkSelector(dm, plan)
        self.state = OperativeState(
            [(e.id, e.connectors) for e in services.evse.evses], database_dir / "availability201.json"
        )
        self.registration = Registration201(
            self.outbox, dm, events.boot_notification_response, self._on_accepted
        )
        self.availability = Availability201(self.state, services.evse, self.outbox, dm)
        self.security = Security201(self.sender, services.security, events.internal_security_event)
        self.provisioning = Provisioning201(dm, self.effects, services.system, services.evse)
        self.reports = Reports201(dm, self.outbox)
        self.monitoring = Monitoring201(dm, self.sender, self.effects, self._online)
        self.trigger = Trigger201(self.outbox, self.registration, self.availability, self.state)
        self.smart_charging = SmartCharging201(
            dm,
            SqliteProfileStore(database_dir / "charging_profiles201.db", OcppVersion("2.0.1")),
            services.evse,
            self.outbox,
            self._schedules_changed,
        )
        unit = settings.composite_schedule_unit
        if unit not in ("A", "W"):
            log.warning("RequestCompositeScheduleUnit %r is neither A nor W; using A", unit)
            unit = "A"
        self.publisher = SchedulePublisher(
            lambda: self.smart_charging.all_schedules(settings.publish_schedule_duration_s, unit),
            events.charging_schedules,
            settings.publish_schedule_interval_s,
        )
        self.blocks: list[object] = [
            self.provisioning,
            self.reports,
            self.monitoring,
            self.availability,
            self.trigger,
            self.security,
            self.smart_charging,
        ]
        self.connection = CsmsConnection(self.network.settings, self._session, self._connection_changed)
        self._disconnected_at: float | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        dm.add_listener(self._on_variable_change)

    # ---- connection ------------------------------------------------------------------------------
    def _online(self) -> bool:
        return self.outbox.online and self.registration.accepted

    def _connection_changed(self, connected: bool) -> None:
        if connected:
            profile = self.network.connected()
            self._write_internal(wk.ACTIVE_NETWORK_PROFILE, str(profile.slot))
            self._write_internal(wk.SECURITY_PROFILE, str(profile.security_profile))
        else:
            self._disconnected_at = time.monotonic()
        self._events.connection_changed(connected)

    async def _session(self, ws: ClientConnection) -> None:
        session = Session201(
            self.network.identity, ws, self.blocks, response_timeout=self.network.current.message_timeout_s
        )
        registering = self._resume() if self.registration.accepted else self.registration.boot()
        await serve_session(session, self.outbox, self.sender, registering, self.registration.stop_heartbeat)

    async def _resume(self) -> None:
        """Reconnected while registered: no new BootNotification (B04), statuses as B04.FR.01/02 say."""
        self.registration.start_heartbeat()
        offline_s = time.monotonic() - (self._disconnected_at or time.monotonic())
        if offline_s > self._dm.get_int(wk.OFFLINE_THRESHOLD, default=0):
            await self.availability.send_all_status()
        else:
            await self.availability.send_changed_status()
        self.sender.online.set()

    def _on_accepted(self) -> None:
        self._spawn(self.availability.send_all_status())
        self.sender.online.set()

    # ---- lifecycle -------------------------------------------------------------------------------
    async def start(self) -> None:
        await self.availability.apply_persisted()
        await self._apply_auth_settings()
        self._start_link("PowerUp")

    def _start_link(self, reason: str) -> None:
        self.registration.reset(reason)
        self.publisher.start()
        self.sender.start()
        self.monitoring.start()
        firmware = self._dm.value(wk.FIRMWARE_VERSION) or "unknown"
        if reason == "PowerUp":
            self.security.raise_internal("StartupOfTheDevice", f"OCPP started, firmware {firmware}")
        else:
            self.security.raise_internal("ResetOrReboot", f"OCPP restarted ({reason}), firmware {firmware}")
        self.connection.start()

    async def stop(self) -> bool:
        stopped = await self.connection.stop()
        if stopped:
            self.publisher.stop()
            self.monitoring.stop()
            self.registration.stop_heartbeat()
            await self.sender.stop()
            log.info("OCPP stopped")
        return stopped

    async def restart(self) -> bool:
        if self.connection.running:
            return False
        log.info("OCPP restarting")
        self._start_link("ApplicationReset")
        return True

    async def shutdown(self) -> None:
        self.publisher.stop()
        self.monitoring.stop()
        await self.connection.stop()
        await self.sender.stop()
        self.sender.queue.close()
        self._dm.close()

    def _schedules_changed(self) -> None:
        self.publisher.publish_now()

    # ---- OcppBackend -----------------------------------------------------------------------------
    def security_event(self, event: SecurityEventRequest) -> None:
        self.security.report(event)

    async def change_availability(
        self, operative: bool, evse_id: int | None, connector_id: int | None
    ) -> AvailabilityResult:
        return await self.availability.change_internal(operative, evse_id, connector_id)

    def monitor_trigger(self, change: VariableChange) -> str | None:
        """event_data: every change of an Actual value, whoever wrote it."""
        return "Delta" if change.attribute is Attribute.ACTUAL and change.changed else None

    # ---- variable side effects -------------------------------------------------------------------
    def _on_variable_change(self, change: VariableChange) -> None:
        self.monitoring.on_change(change)
        if change.attribute is not Attribute.ACTUAL or not change.changed:
            return
        key = _key(change.ref)
        if key == HEARTBEAT:
            self.registration.interval_changed()
        elif key == PASSWORD and self.network.current.security_profile in (1, 2):
            self.effects.run_once(self._reconnect)
        elif key in (EV_CONNECTION_TIMEOUT, MASTER_PASS_GROUP):
            self._spawn(self._apply_auth_settings())

    def _reconnect(self) -> None:
        log.info("BasicAuthPassword changed: reconnecting with the new credentials")
        self._spawn(self._reconnect_when_quiet())

    async def _reconnect_when_quiet(self) -> None:
        """Let a call in flight be answered first: a CSMS that handles messages one by one would
        otherwise lose what it had not read yet (e.g. our SetVariablesResponse) when we close."""
        lock = getattr(self.outbox.session, "_call_lock", None)  # held by the package while a call waits
        if lock is None:
            await self.connection.reconnect()
            return
        async with lock:
            await self.connection.reconnect()

    async def _apply_auth_settings(self) -> None:
        auth = self._services.auth
        try:
            timeout = self._dm.value(wk.EV_CONNECTION_TIMEOUT)
            if timeout:
                await auth.set_connection_timeout(int(timeout))
            group = self._dm.value(wk.MASTER_PASS_GROUP_ID)
            if group:
                await auth.set_master_pass_group_id(group)
        except Exception as exc:
            log.warning("passing TxCtrlr/AuthCtrlr settings to auth failed: %s", exc)

    def _write_internal(self, ref: VariableRef, value: str) -> None:
        if self._dm.variable(ref) is not None and self._dm.value(ref) != value:
            self._dm.set(ref, value, source=Source.INTERNAL, allow_read_only=True)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
