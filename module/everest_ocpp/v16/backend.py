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
from ..csms.registration import RegistrationStatus
from ..generic.backend import BackendEvents
from ..generic.views import KeyView
from ..settings import ModuleSettings
from ..smart_charging import OcppVersion, SqliteProfileStore
from ..variables import VariableChange
from .availability import Availability16
from .configuration import ChargePointConfiguration
from .connectors import ConnectorMap
from .csms_address import csms_url_16
from .provisioning import Provisioning16
from .registration import Registration16, apply_charger_information
from .security import Security16
from .smart_charging import SmartCharging16

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
            self.schedules_changed,
        )
        self.blocks = [self.provisioning, self.availability, self.security, self.smart_charging]
        config.add_listener(self._on_config_change)

    # ---- hooks -----------------------------------------------------------------------------------
    def connection_settings(self) -> ConnectionSettings:
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
        self.tasks.spawn(self.availability.send_all_status(), name="StatusNotification after boot")
        self.sender.online.set()

    async def initialise(self) -> None:
        await super().initialise()
        await self.availability.apply_persisted()
        await self._apply_connection_timeout()

    def apply_charger_information(self, info: dict[str, Any]) -> None:
        apply_charger_information(self._config, info)

    def on_link_start(self, reason: str) -> None:
        self.security.raise_internal("StartupOfTheDevice")

    # ---- OcppBackend -----------------------------------------------------------------------------
    def monitor_trigger(self, change: VariableChange) -> str | None:
        return "Alerting"  # every accepted write of a monitored key, changed or not

    # ---- configuration side effects --------------------------------------------------------------
    def _on_config_change(self, change: VariableChange) -> None:
        key = change.ref.variable
        if key == "HeartbeatInterval":
            self.registration.interval_changed()
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
