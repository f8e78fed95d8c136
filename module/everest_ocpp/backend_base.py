"""What every OCPP backend (1.6, 2.0.1) shares: the link's lifecycle, the persistent queue, schedule
publication with the external limits, background tasks, and the ocpp-interface pass-throughs.

A version's backend supplies its functional blocks, its connection settings and a few hooks; the
order of start-up, stop, restart and shutdown is the same for both.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from types import ModuleType
from typing import Any

from websockets.asyncio.client import ClientConnection

from .bridge.services import Services
from .csms.charge_point import ChargePointSession, serve_session
from .csms.connection import ConnectionSettings, CsmsConnection
from .csms.message_log import MessageLog
from .csms.message_queue import PersistentQueue, QueueSender
from .csms.outbox import Outbox
from .csms.registration import Registration
from .csms.schedule_publisher import SchedulePublisher
from .csms.tls import TlsOptions, TlsSetup
from .generic.authorization import Authorization
from .generic.backend import AvailabilityResult, BackendEvents, SecurityEventRequest
from .settings import ModuleSettings
from .tasks import TaskGroup

log = logging.getLogger(__name__)

# After answering the request that asks for a reconnect (new password, security profile), a CSMS
# that reads frames one at a time may not have read our answer yet when the socket closes.
RECONNECT_GRACE_S = 0.5


class BackendBase:
    """Subclasses set ``blocks``, ``registration``, ``security``, ``availability`` and implement the hooks."""

    version = ""
    session_class: type[ChargePointSession] = ChargePointSession
    registration: Registration
    security: Any
    availability: Any
    blocks: list[object]
    authorization: Authorization | None = None  # a version that validates tokens sets its own

    def __init__(
        self,
        services: Services,
        events: BackendEvents,
        settings: ModuleSettings,
        queue_file: str,
        call_module: ModuleType,
    ) -> None:
        self._services = services
        self._events = events
        self.settings = settings
        self.tasks = TaskGroup(f"OCPP {self.version} background task")
        self.stopped_by_command = False  # `stop` until `restart`: nothing arising meanwhile is queued
        self.outbox = Outbox()
        self.sender = QueueSender(
            PersistentQueue(settings.database_dir / queue_file),
            self.outbox,
            call_module,
            resume_delay_s=settings.message_queue_resume_delay_s,
        )
        self.publisher = SchedulePublisher(
            self.composite_schedules, self._publish_schedules, settings.publish_schedule_interval_s
        )
        self.tls = TlsSetup(services.security)
        self.connection = CsmsConnection(self._attempt_settings, self._session, self._connection_changed)
        self.connection.after_failure = self.after_connection_failure
        self.message_log: MessageLog | None = None

    # ---- hooks -----------------------------------------------------------------------------------
    def connection_settings(self) -> ConnectionSettings:
        raise NotImplementedError

    def composite_schedules(self) -> list[dict[str, Any]]:
        raise NotImplementedError

    def tls_options(self) -> TlsOptions:
        """The version's TLS settings (cipher list, host name and trust store switches)."""
        return TlsOptions()

    def before_connection_attempt(self) -> None:
        """Runs before every connection attempt (e.g. noting that pending settings get tried)."""

    def after_connection_failure(self) -> bool:
        """An attempt failed; True when the version went back to settings that worked (retry at once)."""
        return False

    def identity(self) -> str:
        raise NotImplementedError

    def response_timeout_s(self) -> float:
        return 30.0

    def log_messages(self) -> bool:
        """The OCPP configuration's LogMessages switch."""
        return False

    async def registering(self) -> None:
        """Runs beside a new session: BootNotification, or resuming a registration."""
        await self.registration.boot()

    def on_connection_changed(self, connected: bool) -> None:
        pass

    async def initialise(self) -> None:
        """Before the EVSEs are told OCPP is ready: e.g. persisted availability, charger identity."""
        info = await self._services.charger_information.get()
        if info is not None:
            log.info("station identity from charger_information: %s", {k: info.get(k) for k in sorted(info)})
            self.apply_charger_information(info)

    def apply_charger_information(self, info: dict[str, Any]) -> None:
        raise NotImplementedError

    def on_link_start(self, reason: str) -> None:
        """The OCPP link (re)starts: ``reason`` is the boot reason (PowerUp, ApplicationReset, ...)."""

    def on_link_stop(self) -> None:
        pass

    def close_storage(self) -> None:
        pass

    # ---- lifecycle -------------------------------------------------------------------------------
    async def start(self, boot_reason: str = "PowerUp") -> None:
        folder = self.settings.message_log_dir
        if folder is not None and self.log_messages():
            self.message_log = MessageLog(folder)
        self._start_link(boot_reason)

    def _start_link(self, reason: str) -> None:
        self.registration.reset(reason)
        self.publisher.start()
        self.sender.start()
        self.on_link_start(reason)
        self.connection.start()

    async def stop(self) -> bool:
        stopped = await self.connection.stop()
        if stopped:
            self.stopped_by_command = True
            self.publisher.stop()
            self.registration.stop_heartbeat()
            self.on_link_stop()
            await self.sender.stop()
            log.info("OCPP stopped")
        return stopped

    async def restart(self) -> bool:
        if self.connection.running:
            return False
        log.info("OCPP restarting")
        self.stopped_by_command = False
        self._start_link("ApplicationReset")
        return True

    async def disconnect_websocket(self) -> None:
        """Close the CSMS connection and stay offline (EnableExternalWebsocketControl)."""
        if await self.connection.stop():
            log.info("websocket disconnected on request; it stays closed until connect")

    async def connect_websocket(self) -> None:
        if self.connection.start():
            log.info("websocket connecting on request")

    async def shutdown(self) -> None:
        self.publisher.stop()
        self.on_link_stop()
        await self.connection.stop()
        await self.sender.stop()
        await self.tasks.cancel_all()
        await self._services.energy.close()
        self.sender.queue.close()
        if self.message_log is not None:
            self.message_log.close()
        self.close_storage()

    # ---- the link --------------------------------------------------------------------------------
    async def _attempt_settings(self) -> ConnectionSettings:
        """The settings of one connection attempt: the version's, plus TLS from the security module."""
        self.before_connection_attempt()
        settings = self.connection_settings()
        await self.tls.refresh()
        if not settings.url.startswith("wss:"):
            return settings
        options = self.tls_options()
        context = await self.tls.context(settings.security_profile, options)
        refuse_wildcards = options.verify_hostname and not options.allow_wildcards
        return dataclasses.replace(settings, ssl_context=context, refuse_wildcard_match=refuse_wildcards)

    async def _session(self, ws: ClientConnection) -> None:
        session = self.session_class(
            self.identity(), ws, self.blocks, self.response_timeout_s(), frame_log=self.message_log
        )
        await serve_session(
            session, self.outbox, self.sender, self.registering(), self.registration.stop_heartbeat
        )

    def _connection_changed(self, connected: bool) -> None:
        self.on_connection_changed(connected)
        self._events.connection_changed(connected)

    def reconnect_when_quiet(self, why: str) -> None:
        """Reconnect once our calls in flight are answered and the CSMS had time to read our answer."""
        log.info("%s: reconnecting", why)
        self.tasks.spawn(self._reconnect_when_quiet(), name="reconnect")

    async def _reconnect_when_quiet(self) -> None:
        await self.outbox.when_idle()
        await asyncio.sleep(RECONNECT_GRACE_S)
        await self.connection.reconnect()

    def set_system_time(self, timestamp: str) -> None:
        self.tasks.spawn(self._services.system.set_system_time(timestamp), name="set_system_time")

    # ---- schedules -------------------------------------------------------------------------------
    def _publish_schedules(self, schedules: list[dict[str, Any]]) -> None:
        self._events.charging_schedules(schedules)
        self._services.energy.apply(schedules)

    def schedules_changed(self) -> None:
        self.publisher.publish_now()

    # ---- OcppBackend pass-throughs ---------------------------------------------------------------
    def security_event(self, event: SecurityEventRequest) -> None:
        self.security.report(event)

    async def change_availability(
        self, operative: bool, evse_id: int | None, connector_id: int | None
    ) -> AvailabilityResult:
        result: AvailabilityResult = await self.availability.change_internal(operative, evse_id, connector_id)
        return result
