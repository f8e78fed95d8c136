"""1.6 provisioning requests from the CSMS: Get/ChangeConfiguration, Reset, TriggerMessage."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from ocpp.routing import after, on
from ocpp.v16 import call, call_result
from ocpp.v16.enums import (
    Action,
    DiagnosticsStatus,
    FirmwareStatus,
    MessageTrigger,
    ResetStatus,
    TriggerMessageStatus,
)

from ..bridge.services import SystemService
from ..csms.outbox import NotConnected, Outbox
from .availability import Availability16
from .configuration import ChargePointConfiguration
from .registration import Registration16

log = logging.getLogger(__name__)

SUPPORTED_TRIGGERS = {
    MessageTrigger.boot_notification,
    MessageTrigger.heartbeat,
    MessageTrigger.status_notification,
    MessageTrigger.firmware_status_notification,
    MessageTrigger.diagnostics_status_notification,
}


class Provisioning16:
    def __init__(
        self,
        config: ChargePointConfiguration,
        outbox: Outbox,
        registration: Registration16,
        availability: Availability16,
        system: SystemService,
        after_change: Callable[[str], None],
    ) -> None:
        self._config = config
        self._outbox = outbox
        self._registration = registration
        self._availability = availability
        self._system = system
        self._after_change = after_change
        self._changed: str | None = None
        self._reset_accepted = False
        # set by the backend: checks that need fresh facts first; the real status of triggered reports
        self.before_change: Callable[[str], Awaitable[Any]] = _nothing
        self.send_firmware_status: Callable[[], Awaitable[None]] = self._idle_firmware_status
        self.send_diagnostics_status: Callable[[], Awaitable[None]] = self._idle_diagnostics_status

    @on(Action.get_configuration)
    def on_get_configuration(self, key: list[str] | None = None) -> call_result.GetConfiguration:
        result = self._config.get_configuration(key)
        known = [
            {"key": kv.key, "readonly": kv.readonly, **({"value": kv.value} if kv.value is not None else {})}
            for kv in result.known
        ]
        return call_result.GetConfiguration(configuration_key=known, unknown_key=list(result.unknown) or None)

    @on(Action.change_configuration)
    async def on_change_configuration(self, key: str, value: str) -> call_result.ChangeConfiguration:
        await self.before_change(key)
        status = self._config.change_configuration(key, value)
        self._changed = self._config.canonical_name(key) if status == "Accepted" else None
        log.info("ChangeConfiguration %s -> %s", key, status)
        return call_result.ChangeConfiguration(status=str(status))

    @after(Action.change_configuration)
    def after_change_configuration(self, key: str, value: str) -> None:
        # side effects that must not overtake the response (e.g. reconnecting with a new key)
        changed, self._changed = self._changed, None
        if changed:
            self._after_change(changed)

    @on(Action.reset)
    async def on_reset(self, type: str) -> call_result.Reset:
        allowed = await self._system.is_reset_allowed(type)
        log.info("Reset %s requested by the CSMS: %s", type, "accepted" if allowed else "rejected")
        self._reset_accepted = allowed
        return call_result.Reset(status=ResetStatus.accepted if allowed else ResetStatus.rejected)

    @after(Action.reset)
    async def after_reset(self, type: str) -> None:
        if self._reset_accepted:
            self._reset_accepted = False
            try:
                await self._system.reset(type, False)
            except Exception as exc:
                log.error("system.reset(%s) failed: %s", type, exc)

    @on(Action.trigger_message)
    def on_trigger_message(
        self, requested_message: str, connector_id: int | None = None
    ) -> call_result.TriggerMessage:
        if requested_message not in SUPPORTED_TRIGGERS:
            return call_result.TriggerMessage(status=TriggerMessageStatus.not_implemented)
        if connector_id is not None and not 0 <= connector_id <= self._config.number_of_connectors:
            return call_result.TriggerMessage(status=TriggerMessageStatus.rejected)
        return call_result.TriggerMessage(status=TriggerMessageStatus.accepted)

    @after(Action.trigger_message)
    async def after_trigger_message(self, requested_message: str, connector_id: int | None = None) -> None:
        if requested_message not in SUPPORTED_TRIGGERS:
            return
        if connector_id is not None and not 0 <= connector_id <= self._config.number_of_connectors:
            return
        with contextlib.suppress(NotConnected, TimeoutError):
            if requested_message == MessageTrigger.boot_notification:
                await self._registration.boot_once("Triggered")
            elif requested_message == MessageTrigger.heartbeat:
                await self._registration.send_heartbeat()
            elif requested_message == MessageTrigger.status_notification:
                if connector_id is None:
                    await self._availability.send_all_status()
                else:
                    await self._availability.send_status(connector_id)
            elif requested_message == MessageTrigger.firmware_status_notification:
                await self.send_firmware_status()
            elif requested_message == MessageTrigger.diagnostics_status_notification:
                await self.send_diagnostics_status()

    async def _idle_firmware_status(self) -> None:
        await self._outbox.call(call.FirmwareStatusNotification(status=FirmwareStatus.idle))

    async def _idle_diagnostics_status(self) -> None:
        await self._outbox.call(call.DiagnosticsStatusNotification(status=DiagnosticsStatus.idle))


async def _nothing(_key: str) -> None:
    return None
