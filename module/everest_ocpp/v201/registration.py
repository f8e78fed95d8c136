"""2.0.1 registration (B01-B03): BootNotification until Accepted, then the Heartbeat.

Unlike 1.6, an accepted station does not boot again when only the websocket reconnects; a new
BootNotification follows a (re)start of the OCPP link or a TriggerMessage while not accepted.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from ocpp.v201 import call

from ..csms.heartbeat import HeartbeatTimer
from ..csms.outbox import NotConnected, Outbox
from ..timestamps import normalized
from ..variables import Source, VariableRef
from .device_model import DeviceModel
from .device_model import well_known as wk

log = logging.getLogger(__name__)

RETRY_DEFAULT_S = 30  # Pending/Rejected with interval 0, or no answer
ICCID = VariableRef("InternalCtrlr", "ICCID")
IMSI = VariableRef("InternalCtrlr", "IMSI")


class RegistrationStatus(StrEnum):
    NONE = "None"
    PENDING = "Pending"
    ACCEPTED = "Accepted"
    REJECTED = "Rejected"


def boot_request(dm: DeviceModel, reason: str) -> call.BootNotification:
    station: dict[str, Any] = {
        "model": dm.get_str(wk.CHARGE_POINT_MODEL),
        "vendor_name": dm.get_str(wk.CHARGE_POINT_VENDOR),
        "serial_number": dm.value(wk.CHARGE_BOX_SERIAL_NUMBER) or None,
        "firmware_version": dm.value(wk.FIRMWARE_VERSION) or None,
    }
    modem = {
        "iccid": dm.value(ICCID) or None,
        "imsi": dm.value(IMSI) or None,
    }
    if any(modem.values()):
        station["modem"] = {k: v for k, v in modem.items() if v}
    return call.BootNotification(
        charging_station={k: v for k, v in station.items() if v is not None}, reason=reason
    )


class Registration201:
    def __init__(
        self,
        outbox: Outbox,
        dm: DeviceModel,
        on_boot_response: Callable[[dict[str, Any]], None],
        on_accepted: Callable[[], None],
    ) -> None:
        self._outbox = outbox
        self._dm = dm
        self._on_boot_response = on_boot_response
        self._on_accepted = on_accepted
        self.status = RegistrationStatus.NONE
        self.reason = "PowerUp"
        self.heartbeat = HeartbeatTimer(self.heartbeat_interval, lambda: self._outbox.call(call.Heartbeat()))

    @property
    def accepted(self) -> bool:
        return self.status is RegistrationStatus.ACCEPTED

    def reset(self, reason: str) -> None:
        """A new start of the OCPP link: register again with this reason."""
        self.status = RegistrationStatus.NONE
        self.reason = reason
        self.stop_heartbeat()

    async def boot(self) -> None:
        """Send BootNotification until Accepted (Pending/Rejected wait the interval the CSMS gave)."""
        while not self.accepted:
            try:
                interval = await self.boot_once(self.reason)
            except NotConnected:
                return
            except Exception as exc:
                log.warning("BootNotification failed (%s); retrying in %d s", exc, RETRY_DEFAULT_S)
                await asyncio.sleep(RETRY_DEFAULT_S)
                continue
            if self.accepted:
                return
            retry = interval if interval > 0 else RETRY_DEFAULT_S
            log.info("BootNotification %s; next attempt in %d s", self.status, retry)
            await asyncio.sleep(retry)

    async def boot_once(self, reason: str) -> int:
        """One BootNotification; returns the interval the CSMS gave."""
        res = await self._outbox.call(boot_request(self._dm, reason))
        self.status = RegistrationStatus(res.status)
        interval = int(res.interval)
        if self.accepted and interval > 0:
            self._dm.set(wk.HEARTBEAT_INTERVAL, str(interval), source=Source.INTERNAL)
        response: dict[str, Any] = {
            "status": str(res.status),
            "current_time": normalized(res.current_time),
            "interval": interval,
        }
        if res.status_info:
            response["status_info"] = {
                k: v for k, v in res.status_info.items() if k in ("reason_code", "additional_info")
            }
        self._on_boot_response(response)
        if self.accepted:
            log.info("BootNotification accepted (heartbeat %d s)", self.heartbeat_interval())
            self.start_heartbeat()
            self._on_accepted()
        return interval

    # ---- heartbeat -------------------------------------------------------------------------------
    def heartbeat_interval(self) -> int:
        return self._dm.get_int(wk.HEARTBEAT_INTERVAL, default=0)

    def start_heartbeat(self) -> None:
        self.heartbeat.start()

    def stop_heartbeat(self) -> None:
        self.heartbeat.stop()

    def interval_changed(self) -> None:
        """HeartbeatInterval changed: restart the wait with the new interval."""
        self.heartbeat.interval_changed()

    async def send_heartbeat(self) -> None:
        await self.heartbeat.send()
