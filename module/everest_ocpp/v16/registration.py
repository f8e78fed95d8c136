"""1.6 registration: BootNotification until Accepted, then the Heartbeat."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from ocpp.v16 import call

from ..csms.heartbeat import HeartbeatTimer
from ..csms.outbox import NotConnected, Outbox
from ..timestamps import normalized
from .configuration import ChargePointConfiguration

log = logging.getLogger(__name__)

PENDING_RETRY_DEFAULT_S = 30  # when the CSMS gives interval 0 with Pending/Rejected


class RegistrationStatus(StrEnum):
    NONE = "None"
    PENDING = "Pending"
    ACCEPTED = "Accepted"
    REJECTED = "Rejected"


def boot_info(config: ChargePointConfiguration) -> call.BootNotification:
    return call.BootNotification(
        charge_point_vendor=config.charge_point_vendor,
        charge_point_model=config.charge_point_model,
        charge_point_serial_number=config.charge_point_serial_number,
        charge_box_serial_number=config.charge_box_serial_number or None,
        firmware_version=config.firmware_version or None,
        iccid=config.iccid,
        imsi=config.imsi,
        meter_serial_number=config.meter_serial_number,
        meter_type=config.meter_type,
    )


class Registration16:
    """Registers with the CSMS on every connection and keeps the heartbeat going."""

    def __init__(
        self,
        outbox: Outbox,
        config: ChargePointConfiguration,
        on_boot_response: Callable[[dict[str, Any]], None],
        on_accepted: Callable[[], None],
    ) -> None:
        self._outbox = outbox
        self._config = config
        self._on_boot_response = on_boot_response
        self._on_accepted = on_accepted
        self.registration = RegistrationStatus.NONE
        self.heartbeat = HeartbeatTimer(
            lambda: self._config.heartbeat_interval, lambda: self._outbox.call(call.Heartbeat())
        )

    async def boot(self) -> None:
        """Send BootNotification until Accepted (Pending/Rejected wait the interval the CSMS gave)."""
        self.registration = RegistrationStatus.NONE
        while True:
            try:
                interval = await self.boot_once()
            except NotConnected:
                return
            except Exception as exc:
                log.warning("BootNotification failed (%s); retrying in %d s", exc, PENDING_RETRY_DEFAULT_S)
                await asyncio.sleep(PENDING_RETRY_DEFAULT_S)
                continue
            if self.registration is RegistrationStatus.ACCEPTED:
                return
            retry = interval or PENDING_RETRY_DEFAULT_S
            log.info("BootNotification %s; next attempt in %d s", self.registration, retry)
            await asyncio.sleep(retry)

    async def boot_once(self) -> int:
        """One BootNotification (also for TriggerMessage); returns the interval the CSMS gave."""
        res = await self._outbox.call(boot_info(self._config))
        was_accepted = self.registration is RegistrationStatus.ACCEPTED
        self.registration = RegistrationStatus(res.status)
        interval = int(res.interval)
        if self.registration is RegistrationStatus.ACCEPTED and interval > 0:
            self._config.set_heartbeat_interval(interval)
            self.interval_changed()
        self._on_boot_response(
            {"status": str(res.status), "current_time": normalized(res.current_time), "interval": interval}
        )
        if self.registration is RegistrationStatus.ACCEPTED and not was_accepted:
            log.info("BootNotification accepted (heartbeat %d s)", self._config.heartbeat_interval)
            self.start_heartbeat()
            self._on_accepted()
        return interval

    # ---- heartbeat -------------------------------------------------------------------------------
    def start_heartbeat(self) -> None:
        self.heartbeat.start()

    def stop_heartbeat(self) -> None:
        self.heartbeat.stop()

    def interval_changed(self) -> None:
        """HeartbeatInterval changed: restart the wait with the new interval."""
        self.heartbeat.interval_changed()

    async def send_heartbeat(self) -> None:
        await self.heartbeat.send()
