"""1.6 provisioning requests from the CSMS: Get/ChangeConfiguration, Reset, TriggerMessage.

TriggerMessage answers BootNotification, Heartbeat, FirmwareStatusNotification and
DiagnosticsStatusNotification itself; StatusNotification and MeterValues belong to the blocks that own
them, handed in as :class:`TriggerTarget`s (they decide Accepted/Rejected and send after the answer).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

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
from ..csms.call_state import CallState
from ..csms.outbox import Outbox
from ..shared_blocks.trigger import TriggeredSends
from .configuration import ChargePointConfiguration
from .registration import Registration16

log = logging.getLogger(__name__)

OWN_TRIGGERS = {
    MessageTrigger.boot_notification,
    MessageTrigger.heartbeat,
    MessageTrigger.firmware_status_notification,
    MessageTrigger.diagnostics_status_notification,
}


class TriggerTarget(Protocol):
    def trigger_accepts(self, connector_id: int | None) -> bool:
        """Whether the message can be sent for this connector (None: every connector)."""
        ...

    async def trigger(self, connector_id: int | None) -> None: ...


class Provisioning16:
    def __init__(
        self,
        config: ChargePointConfiguration,
        outbox: Outbox,
        registration: Registration16,
        triggers: Mapping[str, TriggerTarget],
        system: SystemService,
        after_change: Callable[[str], None],
        before_reset: Callable[[str], Awaitable[None]] | None = None,
    ) -> None:
        self._config = config
        self._outbox = outbox
        self._registration = registration
        self._triggers = triggers  # MessageTrigger -> owning block
        self._system = system
        self._after_change = after_change
        self._before_reset = before_reset  # e.g. end running transactions (reason Hard/SoftReset)
        self._changed: CallState[str] = CallState()  # the canonical name of an accepted key
        self._resets: CallState[bool] = CallState()  # accepted resets
        self._resetting = False  # a reset is being carried out (one at a time)
        self.reset_done: Callable[[], None] = lambda: None  # e.g. let transactions run again
        # set by the backend: checks that need fresh facts first; the real status of triggered reports
        self.before_change: Callable[[str], Awaitable[Any]] = _nothing
        self.send_firmware_status: Callable[[], Awaitable[None]] = self._idle_firmware_status
        self.send_diagnostics_status: Callable[[], Awaitable[None]] = self._idle_diagnostics_status
        self._sends = TriggeredSends("TriggerMessage")

    @on(Action.get_configuration)
    def on_get_configuration(self, key: list[str] | None = None) -> call_result.GetConfiguration:
        result = self._config.get_configuration(key)
        known = [
            {"key": kv.key, "readonly": kv.readonly, **({"value": kv.value} if kv.value is not None else {})}
            for kv in result.known
        ]
        return call_result.GetConfiguration(configuration_key=known, unknown_key=list(result.unknown) or None)

    @on(Action.change_configuration)
    async def on_change_configuration(
        self, key: str, value: str, call_unique_id: str
    ) -> call_result.ChangeConfiguration:
        await self.before_change(key)
        status = self._config.change_configuration(key, value)
        changed = self._config.canonical_name(key) if status == "Accepted" else None
        if changed is not None:
            self._changed.put(call_unique_id, changed)
        log.info("ChangeConfiguration %s -> %s", key, status)
        return call_result.ChangeConfiguration(status=str(status))

    @after(Action.change_configuration)
    def after_change_configuration(self, key: str, value: str, call_unique_id: str) -> None:
        # side effects that must not overtake the response (e.g. reconnecting with a new key)
        changed = self._changed.pop(call_unique_id)
        if changed:
            self._after_change(changed)

    @on(Action.reset)
    async def on_reset(self, type: str, call_unique_id: str) -> call_result.Reset:
        allowed = await self._system.is_reset_allowed(type)
        log.info("Reset %s requested by the CSMS: %s", type, "accepted" if allowed else "rejected")
        if allowed:
            self._resets.put(call_unique_id, True)
        return call_result.Reset(status=ResetStatus.accepted if allowed else ResetStatus.rejected)

    @after(Action.reset)
    async def after_reset(self, type: str, call_unique_id: str) -> None:
        if self._resets.pop(call_unique_id):
            if self._resetting:
                log.info("Reset %s: a reset is already under way; it goes on", type)
                return
            self._resetting = True
            if self._before_reset is not None:
                try:
                    await self._before_reset(type)
                except Exception as exc:
                    log.error("preparing the %s reset failed: %s", type, exc)
            try:
                await self._system.reset(type, False)
            except Exception as exc:
                log.error("system.reset(%s) failed: %s", type, exc)
            finally:  # handed over (or failed): while the station is still up, it runs as before
                self._resetting = False
                self.reset_done()

    def _trigger_status(self, requested_message: str, connector_id: int | None) -> TriggerMessageStatus:
        if requested_message not in OWN_TRIGGERS and requested_message not in self._triggers:
            return TriggerMessageStatus.not_implemented
        if connector_id is not None and not 0 <= connector_id <= self._config.number_of_connectors:
            return TriggerMessageStatus.rejected
        target = self._triggers.get(requested_message)
        if target is not None and not target.trigger_accepts(connector_id):
            return TriggerMessageStatus.rejected
        return TriggerMessageStatus.accepted

    @on(Action.trigger_message)
    def on_trigger_message(
        self, requested_message: str, call_unique_id: str, connector_id: int | None = None
    ) -> call_result.TriggerMessage:
        status = self._trigger_status(requested_message, connector_id)
        what = (
            requested_message if connector_id is None else f"{requested_message} (connector {connector_id})"
        )
        return call_result.TriggerMessage(status=self._sends.answered(call_unique_id, what, status))

    @after(Action.trigger_message)
    async def after_trigger_message(
        self, requested_message: str, call_unique_id: str, connector_id: int | None = None
    ) -> None:
        await self._sends.send_after_answer(
            call_unique_id, requested_message, lambda: self._send_triggered(requested_message, connector_id)
        )

    async def _send_triggered(self, requested_message: str, connector_id: int | None) -> None:
        target = self._triggers.get(requested_message)
        if target is not None:
            await target.trigger(connector_id)
        elif requested_message == MessageTrigger.boot_notification:
            await self._registration.boot_once("Triggered")
        elif requested_message == MessageTrigger.heartbeat:
            await self._registration.send_heartbeat()
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
