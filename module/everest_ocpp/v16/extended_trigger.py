"""1.6 ExtendedTriggerMessage (security whitepaper): every message it names.

BootNotification, Heartbeat, StatusNotification and MeterValues are answered and sent exactly as a
TriggerMessage for them would be (the provisioning block decides and sends); FirmwareStatusNotification
means the SignedFirmwareStatusNotification, LogStatusNotification the log upload's status, both with
the last status reported; SignChargePointCertificate needs a CpoName and starts a CSR. A connector
id that does not exist is Rejected.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from ocpp.routing import after, on
from ocpp.v16 import call_result
from ocpp.v16.enums import Action

from ..shared_blocks.trigger import TriggeredSends
from .certificates import Certificates16
from .diagnostics import Diagnostics16
from .firmware import Firmware16
from .provisioning import Provisioning16

log = logging.getLogger(__name__)

AS_TRIGGER_MESSAGE = frozenset({"BootNotification", "Heartbeat", "StatusNotification", "MeterValues"})


class ExtendedTrigger16:
    def __init__(
        self,
        provisioning: Provisioning16,
        firmware: Firmware16,
        diagnostics: Diagnostics16,
        certificates: Certificates16,
        connectors: Callable[[], int],
    ) -> None:
        self._provisioning = provisioning
        self._connectors = connectors
        self._certificates = certificates
        self._own: dict[str, Callable[[], Awaitable[None]]] = {
            "FirmwareStatusNotification": firmware.send_signed_status,
            "LogStatusNotification": diagnostics.send_log_status,
            "SignChargePointCertificate": certificates.sign,
        }
        self._sends = TriggeredSends("ExtendedTriggerMessage")

    async def _status(self, requested_message: str, call_unique_id: str, connector_id: int | None) -> str:
        if connector_id is not None and not 0 <= connector_id <= self._connectors():
            return "Rejected"
        if requested_message in AS_TRIGGER_MESSAGE:
            answer: Any = self._provisioning.on_trigger_message(
                requested_message=requested_message, call_unique_id=call_unique_id, connector_id=connector_id
            )
            if inspect.isawaitable(answer):
                answer = await answer
            return str(answer.status)
        if requested_message == "SignChargePointCertificate" and not self._certificates.can_sign():
            log.warning("ExtendedTriggerMessage SignChargePointCertificate rejected: no CpoName configured")
            return "Rejected"
        return "Accepted" if requested_message in self._own else "NotImplemented"

    @on(Action.extended_trigger_message)
    async def on_extended_trigger_message(
        self, requested_message: str, call_unique_id: str, connector_id: int | None = None, **_: Any
    ) -> call_result.ExtendedTriggerMessage:
        status = await self._status(requested_message, call_unique_id, connector_id)
        return call_result.ExtendedTriggerMessage(
            status=self._sends.answered(call_unique_id, requested_message, status)
        )

    @after(Action.extended_trigger_message)
    async def after_extended_trigger_message(
        self, requested_message: str, call_unique_id: str, connector_id: int | None = None, **_: Any
    ) -> None:
        async def send() -> None:
            if requested_message in AS_TRIGGER_MESSAGE:  # the TriggerMessage's own answer decides
                await self._provisioning.after_trigger_message(
                    requested_message=requested_message,
                    call_unique_id=call_unique_id,
                    connector_id=connector_id,
                )
            else:
                await self._own[requested_message]()

        await self._sends.send_after_answer(call_unique_id, requested_message, send)
