"""The OCPP 2.0.1 backend: device model + CSMS link + functional blocks, behind OcppBackend."""

from __future__ import annotations

import logging
import time
from typing import Any

from ocpp.v201 import ChargePoint as V201ChargePoint
from ocpp.v201 import call as v201_call

from ..authorization import AuthCache, LocalList
from ..backend_base import BackendBase
from ..bridge.services import Services
from ..csms.after_response import AfterResponse
from ..csms.charge_point import ChargePointSession
from ..csms.connection import ConnectionSettings
from ..csms.message_queue import RetryPolicy
from ..csms.tls import TlsOptions
from ..generic.backend import BackendEvents
from ..generic.views import DeviceModelView
from ..settings import ModuleSettings
from ..shared_blocks.install_gate import InstallGate
from ..smart_charging import OcppVersion, SqliteProfileStore
from ..variables import Attribute, Source, VariableChange, VariableRef
from .authorization import Authorization201
from .availability import Availability201
from .certificates import Certificates201
from .connector_status import ConnectorStates
from .data_transfer import DataTransfer201, ExactJsonSession
from .device_model import DeviceModel
from .device_model import well_known as wk
from .diagnostics import LogUpload201
from .firmware import Firmware201
from .local_list import LocalAuthList201
from .message_limits import note_message_size
from .meter_values import MeterValues201, Readings
from .monitoring import Monitoring201
from .network import NetworkPlan, NetworkSelector, check_profiles_value, priority_check, tls_options
from .network_profile import NetworkProfiles201
from .operative_state import OperativeState
from .provisioning import Provisioning201
from .registration import Registration201, apply_charger_information
from .remote_control import RemoteControl201
from .reports import Reports201
from .reservation import Reservation201
from .security import Security201
from .smart_charging import SmartCharging201
from .transactions import Transactions201
from .trigger import Trigger201
from .tx_store import TransactionStore

log = logging.getLogger(__name__)


class Session201(ExactJsonSession, ChargePointSession, V201ChargePoint):
    async def route_message(self, raw_msg: str) -> None:
        note_message_size(raw_msg)  # for BytesPerMessage checks in this handler's task
        await super().route_message(raw_msg)


def _key(ref: VariableRef) -> tuple[str, str, str | None]:
    return (ref.component, ref.variable, ref.variable_instance)


HEARTBEAT, PASSWORD = _key(wk.HEARTBEAT_INTERVAL), _key(wk.BASIC_AUTH_PASSWORD)
EV_CONNECTION_TIMEOUT, MASTER_PASS_GROUP = _key(wk.EV_CONNECTION_TIMEOUT), _key(wk.MASTER_PASS_GROUP_ID)
LOG_MESSAGES = VariableRef("InternalCtrlr", "LogMessages")
ALIGNED_INTERVALS = {_key(wk.ALIGNED_DATA_INTERVAL), _key(wk.ALIGNED_DATA_TX_ENDED_INTERVAL)}
SAMPLED_INTERVALS = {_key(wk.SAMPLED_DATA_TX_UPDATED_INTERVAL), _key(wk.SAMPLED_DATA_TX_ENDED_INTERVAL)}


class Backend201(BackendBase):
    version = "2.0.1"
    session_class = Session201
    authorization: Authorization201

    def __init__(
        self,
        dm: DeviceModel,
        plan: NetworkPlan,
        services: Services,
        events: BackendEvents,
        settings: ModuleSettings,
    ) -> None:
        self.view = DeviceModelView()
        self.variables = dm
        self._dm = dm
        dm.add_validator(wk.NETWORK_CONNECTION_PROFILES, check_profiles_value)
        certificates_for = priority_check(dm, lambda profile: self.tls.profile_problem(profile))
        dm.add_validator(wk.NETWORK_CONFIGURATION_PRIORITY, certificates_for)
        self.network = NetworkSelector(dm, plan, settings.database_dir / "network201.json")
        super().__init__(services, events, settings, "queue201.db", v201_call)
        database_dir = settings.database_dir
        self.effects = AfterResponse()
        self.state = OperativeState(
            [(e.id, e.connectors) for e in services.evse.evses], database_dir / "availability201.json"
        )
        self.registration = Registration201(
            dm, self.outbox, events.boot_notification_response, self._on_accepted, self.set_system_time
        )
        self.connectors = ConnectorStates(self.state.connector)
        self.connectors.apply_active(services.errors.active())
        services.errors.listeners.append(self.connectors.on_error)
        self.availability = Availability201(
            self.state, services.evse, self.outbox, dm, self.connectors, self._online
        )
        self.sender.retry = RetryPolicy(
            attempts=lambda: dm.get_int(wk.MESSAGE_ATTEMPTS_TRANSACTION_EVENT, default=3),
            interval_s=lambda: dm.get_int(wk.MESSAGE_ATTEMPT_INTERVAL_TRANSACTION_EVENT, default=10),
        )
        readings = Readings(services.sessions, dm)
        self.transactions = Transactions201(
            dm,
            self.sender,
            self.outbox,
            services.evse,
            readings,
            self.connectors,
            events,
            TransactionStore(database_dir / "transactions201.db"),
            lambda: self._link_up,
            self.tasks.spawn,
        )
        services.sessions.listeners.append(self.transactions)
        self.meter_values = MeterValues201(
            dm,
            readings,
            self.transactions,
            [e.id for e in services.evse.evses],
            self.outbox,
            self.sender,
            self._online,
        )
        self.security = Security201(self.sender, services.security, events.internal_security_event)
        self.security.link_stopped = lambda: self.stopped_by_command
        self.provisioning = Provisioning201(dm, self.effects, services.system, services.evse)
        self.provisioning.messages_pending = lambda: any(m.transactional for m in self.sender.queue.items())
        self.provisioning.out_of_service = lambda evses, out: self.availability.set_blocked(
            evses, out, owner="reset"
        )
        self.reports = Reports201(dm, self.outbox)
        self.monitoring = Monitoring201(dm, self.sender, self.effects, self._online)
        self.trigger = Trigger201(
            self.outbox,
            self.registration,
            self.availability,
            self.state,
            self.transactions,
            self.meter_values,
        )
        self.smart_charging = SmartCharging201(
            dm,
            SqliteProfileStore(database_dir / "charging_profiles201.db", OcppVersion("2.0.1")),
            self.outbox,
            lambda: len(services.evse.evses),
            self.transactions.smart_charging_view,
            self.schedules_changed,
        )
        self.transactions.ended_listeners.append(self.smart_charging.transaction_ended)
        self.authorization = Authorization201(
            dm,
            self.outbox,
            self._online,
            AuthCache(database_dir / "auth_cache201.db"),
            LocalList(database_dir / "local_list201.db"),
            services.security,
        )
        self.transactions.answers.id_token_listeners.append(self.authorization.transaction_answer)
        self.local_list = LocalAuthList201(dm, self.authorization.local_list)
        self.remote_control = RemoteControl201(
            dm,
            services.evse,
            self.transactions,
            self.availability.connector_status,
            self.smart_charging,
            services.reservation,
            self.authorization.events,
        )
        self.reservation = Reservation201(
            dm, services.reservation, self.sender, lambda: [(e.id, e.connectors) for e in services.evse.evses]
        )
        self._restored = False
        self._link_up = False  # between a start of the OCPP link and `stop` (not a websocket drop)
        self.blocks = [
            self.provisioning,
            self.reports,
            self.monitoring,
            self.availability,
            self.trigger,
            self.security,
            self.smart_charging,
            self.transactions,
            self.authorization,
            self.local_list,
            self.remote_control,
            self.reservation,
        ]
        self._disconnected_at: float | None = None
        dm.add_listener(self._on_variable_change)
        self._add_system_blocks(dm, services)

    def _add_system_blocks(self, dm: DeviceModel, services: Services) -> None:
        """Firmware, log upload, certificates, data transfer, SetNetworkProfile and their triggers."""
        raise_event = self.security.raise_internal
        gate = InstallGate(
            services.evse,
            lambda evses: self.availability.set_blocked(evses, True),
            lambda evses: self.availability.set_blocked(evses, False),
            services.system.allow_firmware_installation,
            self.tasks,
        )
        self.firmware = Firmware201(
            self.sender, self.outbox, services.system, services.security, raise_event, gate
        )
        self.firmware.firmware_version = lambda: dm.value(wk.FIRMWARE_VERSION) or "unknown"
        self.logs = LogUpload201(self.sender, self.outbox, services.system)
        self.certificates = Certificates201(
            dm, self.outbox, services.security, raise_event, self.tls.refresh, self.tasks
        )
        self.data_transfer = DataTransfer201(self.outbox, self._online, services.data_transfer)
        network_profiles = NetworkProfiles201(dm, lambda: self.network.identity, raise_event)
        certificates = self.certificates
        self.trigger.senders.update(
            {
                "FirmwareStatusNotification": self.firmware.send_status,
                "LogStatusNotification": self.logs.send_status,
                "SignChargingStationCertificate": certificates.sign,
                "SignV2GCertificate": lambda: certificates.sign("V2GCertificate"),
            }
        )
        self.trigger.deciders["SignV2GCertificate"] = lambda: (
            "Accepted" if certificates.v2g_installation_enabled() else "Rejected"
        )
        self.security.certificate_signed = self._certificate_signed
        events = services.system_events
        events.firmware_listeners.append(
            lambda report: self.tasks.spawn(self.firmware.on_status(report), name="firmware status")
        )
        events.log_listeners.append(self.logs.on_status)
        self.blocks += [self.firmware, self.logs, certificates, self.data_transfer, network_profiles]

    def _certificate_signed(self, leaf: str, accepted: bool) -> None:
        self.certificates.certificate_signed()
        if accepted and leaf == "CSMS" and self.network.current.security_profile == 3:
            info = "Changed charging station certificate"
            self.security.raise_internal("ReconfigurationOfSecurityParameters", info)
            self.reconnect_when_quiet("new charging station certificate")

    # ---- hooks -----------------------------------------------------------------------------------
    def connection_settings(self) -> ConnectionSettings:
        return self.network.settings()

    def identity(self) -> str:
        return self.network.identity

    def response_timeout_s(self) -> float:
        return float(self.network.current.message_timeout_s)

    def tls_options(self) -> TlsOptions:
        return tls_options(self._dm)

    def log_messages(self) -> bool:
        return (self._dm.value(LOG_MESSAGES) or "true").lower() != "false"

    def composite_schedules(self) -> list[dict[str, Any]]:
        return self.smart_charging.all_schedules(
            self.settings.publish_schedule_duration_s, self.settings.composite_schedule_unit
        )

    def _online(self) -> bool:
        return self.outbox.online and self.registration.accepted

    def on_connection_changed(self, connected: bool) -> None:
        if connected:
            profile = self.network.connected()
            self._write_internal(wk.ACTIVE_NETWORK_PROFILE, str(profile.slot))
            self._write_internal(wk.SECURITY_PROFILE, str(profile.security_profile))
        else:
            self._disconnected_at = time.monotonic()

    async def registering(self) -> None:
        if self.registration.accepted:
            await self._resume()
        else:
            await self.registration.boot()

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
        self.tasks.spawn(self.availability.send_all_status(), name="StatusNotification after boot")
        self.sender.online.set()
        self.certificates.start_renewal()

    async def initialise(self) -> None:
        await super().initialise()
        await self.availability.apply_persisted()
        await self._apply_auth_settings()
        self.authorization.start()
        self.local_list.start()
        self.smart_charging.drop_unbound_tx_profiles()

    def apply_charger_information(self, info: dict[str, Any]) -> None:
        apply_charger_information(self._dm, info)

    def on_link_start(self, reason: str) -> None:
        self._link_up = True
        self.monitoring.start()
        self.meter_values.start()
        if not self._restored:  # transactions left open by the previous run (queued before its boot)
            self._restored = True
            self.transactions.restore()
        firmware = self._dm.value(wk.FIRMWARE_VERSION) or "unknown"
        if reason in ("PowerUp", "Unknown"):
            self.security.raise_internal("StartupOfTheDevice", f"OCPP started, firmware {firmware}")
        elif reason == "FirmwareUpdate":
            info = f"Charging station reboot after firmware update. Firmware version: {firmware}"
            self.security.raise_internal("FirmwareUpdated", info)
        else:
            self.security.raise_internal("ResetOrReboot", f"OCPP restarted ({reason}), firmware {firmware}")

    def on_link_stop(self) -> None:
        self._link_up = False
        self.monitoring.stop()
        self.meter_values.stop()
        self.certificates.stop_renewal()

    def close_storage(self) -> None:
        self.transactions.stop()
        self.transactions.store.shutdown()
        self.authorization.close()
        self._dm.close()

    # ---- OcppBackend -----------------------------------------------------------------------------
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
            self.effects.run_once(self._password_changed)
        elif key in (EV_CONNECTION_TIMEOUT, MASTER_PASS_GROUP):
            self.tasks.spawn(self._apply_auth_settings(), name="auth settings")
        elif key in ALIGNED_INTERVALS:
            self.meter_values.aligned.changed()
            self.meter_values.aligned_tx_ended.changed()
        elif key in SAMPLED_INTERVALS:
            self.transactions.intervals_changed()

    def _password_changed(self) -> None:
        self.reconnect_when_quiet("BasicAuthPassword changed")

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
