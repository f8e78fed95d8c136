"""The OCPP 1.6 backend: configuration keys + CSMS link + functional blocks, behind OcppBackend."""

from __future__ import annotations

import logging
from typing import Any

from ocpp.v16 import ChargePoint as V16ChargePoint
from ocpp.v16 import call as v16_call

from ..authorization import AuthCache, LocalList
from ..backend_base import BackendBase
from ..bridge.services import Services
from ..csms.backoff import BackoffPolicy
from ..csms.charge_point import ChargePointSession
from ..csms.connection import ConnectionSettings
from ..csms.message_queue import RetryPolicy
from ..csms.registration import RegistrationStatus
from ..csms.tls import TlsOptions
from ..generic.backend import BackendEvents
from ..generic.views import KeyView
from ..settings import ModuleSettings
from ..shared_blocks.install_gate import InstallGate
from ..smart_charging import OcppVersion, SqliteProfileStore
from ..variables import VariableChange
from .authorization import Authorization16
from .availability import Availability16
from .certificates import Certificates16
from .charging_sessions import ChargingSessions16
from .configuration import ChargePointConfiguration
from .connectors import ConnectorMap
from .csms_address import csms_url_16
from .data_transfer import DataTransfer16
from .diagnostics import Diagnostics16
from .extended_trigger import ExtendedTrigger16
from .firmware import Firmware16, startup_event
from .link_security import LinkSecurity16
from .local_list import LocalAuthList16
from .meter_values import MeterValues16
from .provisioning import Provisioning16
from .registration import Registration16, apply_charger_information
from .remote_control import RemoteControl16
from .reservation import Reservation16
from .security import Security16
from .smart_charging import SmartCharging16
from .status import ConnectorStatus16
from .status_machine import Status
from .transaction_store import TransactionStore
from .transactions import Transactions16

log = logging.getLogger(__name__)

METER_PUBLIC_KEY = "powermeter_public_key_ocmf"  # evse_manager var


class Session16(ChargePointSession, V16ChargePoint):
    pass


class Backend16(BackendBase):
    version = "1.6"
    session_class = Session16
    authorization: Authorization16

    def __init__(
        self,
        config: ChargePointConfiguration,
        services: Services,
        events: BackendEvents,
        settings: ModuleSettings,
    ) -> None:
        self.view = KeyView()
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
            self.outbox,
            lambda: self.connectors.count,  # the engine's EVSEs are 1.6 connectors
            lambda: self.transactions.active(),
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
        self.security.link_stopped = lambda: self.stopped_by_command
        self.provisioning = Provisioning16(
            config,
            self.outbox,
            self.registration,
            {"StatusNotification": self.status, "MeterValues": self.meter_values},
            services.system,
            self._after_config_change,
            self.transactions.end_for_reset,
        )
        self.provisioning.reset_done = self.transactions.reset_done
        self.blocks = [self.provisioning, self.availability, self.security, self.smart_charging]
        self._stopped = False  # by the stop command, until restart
        config.add_listener(self._on_config_change)
        self._add_authorization_blocks(config, services)
        self._add_system_blocks(config, services)

    def _add_authorization_blocks(self, config: ChargePointConfiguration, services: Services) -> None:
        """Authorize, the local list and cache, remote start/stop, UnlockConnector, reservations."""
        database_dir = self.settings.database_dir
        self.authorization = Authorization16(
            config,
            self.outbox,
            self._registered,
            AuthCache(database_dir / "auth_cache16.db"),
            LocalList(database_dir / "local_list16.db"),
        )
        self.transactions.start_answer_listeners.append(self.authorization.start_answered)
        self.transactions.ledger.stop_answer_listeners.append(self.authorization.stop_answered)
        self.local_list = LocalAuthList16(config, self.authorization.local_list)
        self.remote_control = RemoteControl16(
            config,
            self.connectors,
            services.evse,
            self.status,
            self.transactions,
            self.smart_charging,
            services.reservation,
            self.authorization.events,
        )
        self.reservation = Reservation16(config, self.connectors, self.status, services.reservation)
        self.blocks += [self.authorization, self.local_list, self.remote_control, self.reservation]

    def _add_system_blocks(self, config: ChargePointConfiguration, services: Services) -> None:
        """Firmware, diagnostics, certificates, data transfer, ExtendedTriggerMessage, profile safety."""
        security = self.security
        state_file = self.settings.database_dir / "connection16.json"
        self.link_security = LinkSecurity16(config, self.tls, state_file)
        config.add_listener(self.link_security.on_config_change)
        gate = InstallGate(
            services.evse,
            self._take_out_of_service,
            self._back_in_service,
            services.system.allow_firmware_installation,
            self.tasks,
        )
        self.firmware = Firmware16(
            self.sender, self.outbox, services.system, services.security, security.raise_internal, gate
        )
        self.diagnostics = Diagnostics16(self.sender, self.outbox, services.system)
        self.certificates = Certificates16(
            config, self.outbox, services.security, security.raise_internal, self.tls.refresh, self.tasks
        )
        self.data_transfer = DataTransfer16(self.outbox, self._registered, services.data_transfer)
        extended = ExtendedTrigger16(
            self.provisioning,
            self.firmware,
            self.diagnostics,
            self.certificates,
            lambda: config.number_of_connectors,
        )
        self.provisioning.before_change = self.link_security.before_change
        self.provisioning.send_firmware_status = self.firmware.send_status
        self.provisioning.send_diagnostics_status = self.diagnostics.send_diagnostics_status
        security.certificate_signed = self._certificate_signed
        events = services.system_events
        events.firmware_listeners.append(
            lambda report: self.tasks.spawn(self.firmware.on_status(report), name="firmware status")
        )
        events.log_listeners.append(self.diagnostics.on_status)
        self.blocks += [self.firmware, self.diagnostics, self.certificates, self.data_transfer, extended]

    # ---- hooks -----------------------------------------------------------------------------------
    def connection_settings(self) -> ConnectionSettings:
        c = self._config
        profile = c.security_profile
        return ConnectionSettings(
            url=csms_url_16(c),
            subprotocol="ocpp1.6",
            identity=c.charge_point_id,
            password=c.authorization_key if profile in (1, 2) else None,
            security_profile=profile,
            ping_interval_s=float(c.websocket_ping_interval) or None,
            backoff=BackoffPolicy(
                c.retry_backoff_wait_minimum, c.retry_backoff_random_range, c.retry_backoff_repeat_times
            ),
        )

    def tls_options(self) -> TlsOptions:
        return self.link_security.tls_options()

    def before_connection_attempt(self) -> None:
        self.link_security.fallback.before_attempt()

    def after_connection_failure(self) -> bool:
        return self.link_security.fallback.after_failure()

    def on_connection_changed(self, connected: bool) -> None:
        if connected:
            self.link_security.fallback.connected()

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
        self.certificates.start_renewal()

    def _registered(self) -> bool:
        return self.outbox.online and self.registration.accepted

    async def initialise(self) -> None:
        await super().initialise()
        await self.availability.apply_persisted()
        await self._apply_connection_timeout()
        sessions, errors = self._services.sessions, self._services.errors
        self.status.load_errors(errors.active())
        errors.listeners.append(self.status.on_error)
        self.transactions.recover(set(sessions.resumed_session_ids), self.sender.queue.items())
        sessions.listeners.append(self.charging_sessions)
        for evse in self._services.evse.evses:
            self._evse_value(evse.id, METER_PUBLIC_KEY, sessions.latest(evse.id, METER_PUBLIC_KEY))
        sessions.latest_listeners.append(self._evse_value)

    def apply_charger_information(self, info: dict[str, Any]) -> None:
        apply_charger_information(self._config, info)

    def on_link_start(self, reason: str) -> None:
        self.security.raise_internal(*startup_event(reason))
        if self._stopped:  # restart after stop: what was open then ends as after a power loss
            self._stopped = False
            self.transactions.end_all_for_restart()
            self.charging_sessions.stopped = False
        self.meter_values.start_clock()

    def on_link_stop(self) -> None:
        self.meter_values.stop_clock()
        self.certificates.stop_renewal()

    def _evse_value(self, evse_id: int, var: str, value: Any) -> None:
        """The EVSE's powermeter public key becomes MeterPublicKey<n> of its connectors (as the C++
        module hands ``powermeter_public_key_ocmf`` to libocpp)."""
        if var != METER_PUBLIC_KEY or not isinstance(value, str) or not value:
            return
        for connector in self.connectors.connectors_of_evse(evse_id):
            if self._config.set_meter_public_key(connector, value):
                log.info("EVSE %d: powermeter public key stored as MeterPublicKey%d", evse_id, connector)

    # ---- system blocks -----------------------------------------------------------------------------
    def _certificate_signed(self, accepted: bool) -> None:
        if accepted and self._config.security_profile == 3:
            self.reconnect_when_quiet("new charging station certificate")

    async def _take_out_of_service(self, evse_ids: list[int]) -> None:
        for evse_id in evse_ids:
            try:
                await self._services.evse.enable_disable(evse_id, 0, False)
            except Exception as exc:
                log.warning("enable_disable on EVSE %d failed: %s", evse_id, exc)

    async def _back_in_service(self, evse_ids: list[int]) -> None:
        """Only EVSEs whose connectors ChangeAvailability left Operative."""
        for evse_id in evse_ids:
            connectors = self.connectors.connectors_of_evse(evse_id)
            if any(self.availability.initial_status(c) is Status.UNAVAILABLE for c in connectors):
                continue
            try:
                await self._services.evse.enable_disable(evse_id, 0, True)
            except Exception as exc:
                log.warning("enable_disable on EVSE %d failed: %s", evse_id, exc)

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
        sessions = self._services.sessions
        if self.charging_sessions in sessions.listeners:
            sessions.listeners.remove(self.charging_sessions)
        if self._evse_value in sessions.latest_listeners:
            sessions.latest_listeners.remove(self._evse_value)
        if self.status.on_error in self._services.errors.listeners:
            self._services.errors.listeners.remove(self.status.on_error)
        await self.transactions.close()  # no more samples into the queue
        await self.meter_values.close()
        await super().shutdown()  # closes the link before anything waits for a send in flight
        await self.status.close()

    def close_storage(self) -> None:
        self.transactions.close_storage()
        self.authorization.close()

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
