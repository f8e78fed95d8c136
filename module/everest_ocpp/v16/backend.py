"""The OCPP 1.6 backend: configuration keys + CSMS link + functional blocks, behind OcppBackend."""

from __future__ import annotations

import logging
from typing import Any

from ocpp.v16 import ChargePoint as V16ChargePoint
from ocpp.v16 import call as v16_call

from ..backend_base import BackendBase
from ..bridge.services import Services
from ..csms.backoff import BackoffPolicy
from ..csms.charge_point import ChargePointSession
from ..csms.connection import ConnectionSettings
from ..csms.message_queue import RetryPolicy
from ..csms.registration import RegistrationStatus
from ..csms.urls import csms_url
from ..generic.backend import BackendEvents
from ..settings import ModuleSettings
from ..smart_charging import OcppVersion, SqliteProfileStore
from ..variables import VariableChange
from .availability import Availability16
from .charging_sessions import ChargingSessions16
from .configuration import ChargePointConfiguration
from .connectors import ConnectorMap
from .meter_values import MeterValues16
from .provisioning import Provisioning16
from .registration import Registration16, apply_charger_information
from .security import Security16
from .smart_charging import SmartCharging16
from .status import ConnectorStatus16
from .transaction_store import TransactionStore
from .transactions import Transactions16

log = logging.getLogger(__name__)


class Session16(ChargePointSession, V16ChargePoint):
    pass


class Backend16(BackendBase):
    version = "1.6"
    session_class = Session16

    def __init__(
        self,
        config: ChargePointConfiguration,
        services: Services,
        events: BackendEvents,
        settings: ModuleSettings,
    ) -> None:
        self.variables = config
        self._config = config
        super().__init__(services, events, settings, "queue16.db", v16_call)
        database_dir = settings.database_dir
        self.connectors = ConnectorMap.from_evses(services.evse.evses)
        self.registration = Registration16(
            config,
            self.outbox,
            events.boot_notification_response,
            self._on_accepted,
            self.set_system_time,
        )
        self.sender.retry = RetryPolicy(
            attempts=lambda: config.transaction_message_attempts,
            interval_s=lambda: float(config.transaction_message_retry_interval),
        )
        self.availability = Availability16(
            self.connectors, services.evse, database_dir / "availability16.json"
        )
        self.status = ConnectorStatus16(
            config,
            self.connectors,
            self.outbox,
            lambda: self.registration.accepted and self.outbox.online,
            self.availability.initial_status,
        )
        self.availability.status = self.status
        self.meter_values = MeterValues16(
            config,
            self.connectors,
            services.sessions,
            self.sender,
            lambda connector: self.transactions.transaction_of(connector),
        )
        self.smart_charging = SmartCharging16(
            config,
            SqliteProfileStore(database_dir / "charging_profiles16.db", OcppVersion("1.6")),
            self.connectors,
            lambda: self.transactions.active(),
            lambda: self.outbox.online,
            self.schedules_changed,
        )
        self.transactions = Transactions16(
            config,
            self.connectors,
            services.evse,
            self.sender,
            TransactionStore(database_dir / "transactions16.db"),
            self.meter_values,
            events.transaction_event,
            self.smart_charging.transaction_ended,
        )
        self.availability.transaction_running = self.transactions.running
        self.charging_sessions = ChargingSessions16(
            self.connectors, self.status, self.transactions, self.availability, self.meter_values
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
            {"StatusNotification": self.status, "MeterValues": self.meter_values},
            services.system,
            self._after_config_change,
            self.transactions.end_for_reset,
        )
        self.blocks = [self.provisioning, self.availability, self.security, self.smart_charging]
        self._stopped = False  # by the stop command, until restart
        config.add_listener(self._on_config_change)

    # ---- hooks -----------------------------------------------------------------------------------
    def connection_settings(self) -> ConnectionSettings:
        c = self._config
        profile = c.security_profile
        return ConnectionSettings(
            url=csms_url(c.central_system_uri, c.charge_point_id, profile),
            subprotocol="ocpp1.6",
            identity=c.charge_point_id,
            password=c.authorization_key if profile in (1, 2) else None,
            ping_interval_s=float(c.websocket_ping_interval) or None,
            backoff=BackoffPolicy(
                c.retry_backoff_wait_minimum, c.retry_backoff_random_range, c.retry_backoff_repeat_times
            ),
        )

    def identity(self) -> str:
        return self._config.charge_point_id

    def log_messages(self) -> bool:
        return self._config.value("LogMessages") is not False

    def composite_schedules(self) -> list[dict[str, Any]]:
        return self.smart_charging.all_schedules(
            self.settings.publish_schedule_duration_s, self.settings.composite_schedule_unit
        )

    async def registering(self) -> None:
        """1.6 sends a BootNotification on every new connection."""
        self.registration.status = RegistrationStatus.NONE
        await self.registration.boot()

    def _on_accepted(self) -> None:
        self.status.send_all()
        self.sender.online.set()

    async def initialise(self) -> None:
        await super().initialise()
        await self.availability.apply_persisted()
        await self._apply_connection_timeout()
        sessions, errors = self._services.sessions, self._services.errors
        self.status.load_errors(errors.active())
        errors.listeners.append(self.status.on_error)
        self.transactions.recover(set(sessions.resumed_session_ids), self.sender.queue.items())
        sessions.listeners.append(self.charging_sessions)

    def apply_charger_information(self, info: dict[str, Any]) -> None:
        apply_charger_information(self._config, info)

    def on_link_start(self, reason: str) -> None:
        self.security.raise_internal("StartupOfTheDevice")
        if self._stopped:  # restart after stop: what was open then ends as after a power loss
            self._stopped = False
            self.transactions.end_all_for_restart()
            self.charging_sessions.stopped = False
        self.meter_values.start_clock()

    def on_link_stop(self) -> None:
        self.meter_values.stop_clock()

    # ---- lifecycle -------------------------------------------------------------------------------
    async def stop(self) -> bool:
        """``stop``: transaction events are dropped from now on and every running transaction is
        stopped at its EVSE (reason Other), then the link closes (the C++ module's order)."""
        if not self.connection.running:
            return False
        self._stopped = True
        self.charging_sessions.stopped = True
        self.meter_values.stop_clock()
        await self.transactions.stop_all()
        return await super().stop()

    async def shutdown(self) -> None:
        if self.charging_sessions in self._services.sessions.listeners:
            self._services.sessions.listeners.remove(self.charging_sessions)
        if self.status.on_error in self._services.errors.listeners:
            self._services.errors.listeners.remove(self.status.on_error)
        await self.transactions.close()  # no more samples into the queue
        await self.meter_values.close()
        await super().shutdown()  # closes the link before anything waits for a send in flight
        await self.status.close()

    def close_storage(self) -> None:
        self.transactions.close_storage()

    # ---- OcppBackend -----------------------------------------------------------------------------
    def monitor_trigger(self, change: VariableChange) -> str | None:
        return "Alerting"  # every accepted write of a monitored key, changed or not

    # ---- configuration side effects --------------------------------------------------------------
    def _on_config_change(self, change: VariableChange) -> None:
        key = change.ref.variable
        if key == "HeartbeatInterval":
            self.registration.interval_changed()
        elif key == "MeterValueSampleInterval":
            if not self._stopped:
                self.transactions.sample_interval_changed()
        elif key == "ClockAlignedDataInterval":
            if self.connection.running and not self._stopped:
                self.meter_values.start_clock()
        elif key == "ConnectionTimeOut":
            self.tasks.spawn(self._apply_connection_timeout(), name="auth.set_connection_timeout")

    def _after_config_change(self, key: str) -> None:
        """Runs after the ChangeConfiguration response went out."""
        if key == "AuthorizationKey" and self._config.security_profile in (1, 2):
            self.reconnect_when_quiet("AuthorizationKey changed")
        elif key == "SecurityProfile":
            self.reconnect_when_quiet(f"SecurityProfile changed to {self._config.security_profile}")

    async def _apply_connection_timeout(self) -> None:
        try:
            await self._services.auth.set_connection_timeout(self._config.connection_timeout)
        except Exception as exc:
            log.warning("auth.set_connection_timeout failed: %s", exc)
