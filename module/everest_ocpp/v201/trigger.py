"""2.0.1 TriggerMessage (F06): the requested message follows the response.

BootNotification only while not yet accepted (F06.FR.17); StatusNotification needs an EVSE and
connector (F06.FR.12); MeterValues needs a reading with an AlignedDataCtrlr.Measurands measurand
(of the EVSE, or of any EVSE); TransactionEvent needs a running transaction (on the EVSE, or on any)
and sends Updated with trigger reason Trigger; Heartbeat always. Other blocks add what they send
(``senders``: firmware and log status, the signing requests) and may decide the answer
(``deciders``); without them firmware and log status report Idle. Other messages are NotImplemented.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from ocpp.routing import after, on
from ocpp.v201 import call, call_result
from ocpp.v201.enums import Action

from ..csms.outbox import Outbox
from ..shared_blocks.trigger import TriggeredSends
from .availability import Availability201
from .meter_values import MeterValues201
from .operative_state import OperativeState
from .registration import Registration201
from .transactions import Transactions201

log = logging.getLogger(__name__)

IMPLEMENTED = {
    "BootNotification",
    "MeterValues",
    "TransactionEvent",
    "Heartbeat",
    "StatusNotification",
    "FirmwareStatusNotification",
    "LogStatusNotification",
}


class Trigger201:
    def __init__(
        self,
        outbox: Outbox,
        registration: Registration201,
        availability: Availability201,
        state: OperativeState,
        transactions: Transactions201 | None = None,
        meter_values: MeterValues201 | None = None,
    ) -> None:
        self._outbox = outbox
        self._registration = registration
        self._availability = availability
        self._state = state
        self._transactions = transactions
        self._meter_values = meter_values
        self._sends = TriggeredSends("TriggerMessage")
        self.senders: dict[str, Callable[[], Awaitable[None]]] = {}  # requested message -> send it
        self.deciders: dict[str, Callable[[], str]] = {}  # requested message -> the answer

    def _status(self, requested_message: str, evse: dict[str, Any] | None) -> str:
        if requested_message in self.deciders:
            return self.deciders[requested_message]()
        if requested_message not in IMPLEMENTED and requested_message not in self.senders:
            return "NotImplemented"
        if requested_message == "BootNotification":
            return "Rejected" if self._registration.accepted else "Accepted"
        if requested_message == "StatusNotification":
            if evse is None or evse.get("connector_id") is None:
                return "Rejected"
            return "Accepted" if self._state.exists(evse["id"], evse["connector_id"]) else "Rejected"
        evse_id = None if evse is None else int(evse["id"])
        if requested_message == "MeterValues":
            readings = self._meter_values is not None and bool(self._meter_values.triggered(evse_id))
            return "Accepted" if readings else "Rejected"
        if requested_message == "TransactionEvent":
            running = self._transactions is not None and self._transactions.can_trigger(evse_id)
            return "Accepted" if running else "Rejected"
        return "Accepted"

    @on(Action.trigger_message)
    def on_trigger_message(
        self, requested_message: str, call_unique_id: str, evse: dict[str, Any] | None = None, **_: Any
    ) -> Any:
        status = self._status(requested_message, evse)
        return call_result.TriggerMessage(
            status=self._sends.answered(call_unique_id, requested_message, status)
        )

    @after(Action.trigger_message)
    async def after_trigger_message(
        self, requested_message: str, call_unique_id: str, evse: dict[str, Any] | None = None, **_: Any
    ) -> None:
        await self._sends.send_after_answer(
            call_unique_id, requested_message, lambda: self._send(requested_message, evse)
        )

    async def _send(self, requested_message: str, evse: dict[str, Any] | None) -> None:
        if requested_message in self.senders:
            await self.senders[requested_message]()
        elif requested_message == "BootNotification":
            await self._registration.boot_once("Triggered")
        elif requested_message == "Heartbeat":
            await self._registration.send_heartbeat()
        elif requested_message == "MeterValues" and self._meter_values is not None:
            for evse_id, value in self._meter_values.triggered(None if evse is None else int(evse["id"])):
                await self._meter_values.send(evse_id, value, triggered=True)
        elif requested_message == "TransactionEvent" and self._transactions is not None:
            self._transactions.trigger(None if evse is None else int(evse["id"]))
        elif requested_message == "StatusNotification" and evse is not None:
            await self._availability.send_status((evse["id"], evse["connector_id"]))
        elif requested_message == "FirmwareStatusNotification":
            await self._outbox.call(call.FirmwareStatusNotification(status="Idle"))
        elif requested_message == "LogStatusNotification":
            await self._outbox.call(call.LogStatusNotification(status="Idle"))
