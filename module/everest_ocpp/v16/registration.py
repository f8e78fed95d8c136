"""1.6 registration: BootNotification until Accepted, then the Heartbeat."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from ocpp.v16 import call

from ..csms.outbox import NotConnected, Outbox
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
        self._heartbeat_task: asyncio.Task[None] | None = None
        self._wake_heartbeat = asyncio.Event()

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
            {"status": str(res.status), "current_time": _rfc3339(res.current_time), "interval": interval}
        )
        if self.registration is RegistrationStatus.ACCEPTED and not was_accepted:
            log.info("BootNotification accepted (heartbeat %d s)", self._config.heartbeat_interval)
            self.start_heartbeat()
            self._on_accepted()
        return interval

    # ---- heartbeat -------------------------------------------------------------------------------
    def start_heartbeat(self) -> None:
        self.stop_heartbeat()
        self._heartbeat_task = asyncio.create_task(self._heartbeat_loop(), name="heartbeat")

    def stop_heartbeat(self) -> None:
        if self._heartbeat_task is not None:
            self._heartbeat_task.cancel()
            self._heartbeat_task = None

    def interval_changed(self) -> None:
        """HeartbeatInterval was changed: restart the wait with the new interval."""
        self._wake_heartbeat.set()

    async def send_heartbeat(self) -> None:
        with contextlib.suppress(NotConnected):
            await self._outbox.call(call.Heartbeat())

    async def _heartbeat_loop(self) -> None:
        while True:
            interval = self._config.heartbeat_interval
            self._wake_heartbeat.clear()
            if interval <= 0:
                await self._wake_heartbeat.wait()
                continue
            try:
                await asyncio.wait_for(self._wake_heartbeat.wait(), interval)
                continue  # interval changed: start counting again
            except TimeoutError:
                pass
            try:
                await self.send_heartbeat()
            except Exception as exc:
                log.warning("Heartbeat failed: %s", exc)


def _rfc3339(value: str) -> str:
    """The CSMS's currentTime normalised to RFC 3339 UTC (kept as given if unparsable)."""
    try:
        ts = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=UTC)
    return ts.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
