"""1.6 Core provisioning: BootNotification, Heartbeat, registration state."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from ocpp.v16 import call

from ..csms.outbox import NotConnected, Outbox

log = logging.getLogger(__name__)

PENDING_RETRY_DEFAULT_S = 30  # when the CSMS gives interval 0 with Pending/Rejected


class Registration(StrEnum):
    NONE = "None"
    PENDING = "Pending"
    ACCEPTED = "Accepted"
    REJECTED = "Rejected"


@dataclass(frozen=True, slots=True)
class BootInfo:
    vendor: str
    model: str
    charge_point_serial_number: str | None = None
    charge_box_serial_number: str | None = None
    firmware_version: str | None = None
    iccid: str | None = None
    imsi: str | None = None
    meter_serial_number: str | None = None
    meter_type: str | None = None


class Provisioning16:
    """Registers with the CSMS on every connection and keeps the heartbeat going."""

    def __init__(
        self,
        outbox: Outbox,
        boot_info: Callable[[], BootInfo],
        heartbeat_interval: Callable[[], int],
        store_heartbeat_interval: Callable[[int], None],
        on_boot_response: Callable[[dict[str, Any]], None],
        on_accepted: Callable[[], None],
    ) -> None:
        self._outbox = outbox
        self._boot_info = boot_info
        self._heartbeat_interval = heartbeat_interval
        self._store_interval = store_heartbeat_interval
        self._on_boot_response = on_boot_response
        self._on_accepted = on_accepted
        self.registration = Registration.NONE
        self._heartbeat_task: asyncio.Task[None] | None = None
        self._wake_heartbeat = asyncio.Event()

    async def boot(self) -> None:
        """Send BootNotification until Accepted (Pending/Rejected wait the given interval)."""
        self.registration = Registration.NONE
        info = self._boot_info()
        while True:
            payload = call.BootNotification(
                charge_point_vendor=info.vendor,
                charge_point_model=info.model,
                charge_point_serial_number=info.charge_point_serial_number,
                charge_box_serial_number=info.charge_box_serial_number,
                firmware_version=info.firmware_version,
                iccid=info.iccid,
                imsi=info.imsi,
                meter_serial_number=info.meter_serial_number,
                meter_type=info.meter_type,
            )
            try:
                res = await self._outbox.call(payload)
            except NotConnected:
                return
            except Exception as exc:
                log.warning("BootNotification failed (%s); retrying in %d s", exc, PENDING_RETRY_DEFAULT_S)
                await asyncio.sleep(PENDING_RETRY_DEFAULT_S)
                continue
            self.registration = Registration(res.status)
            self._on_boot_response(
                {
                    "status": str(res.status),
                    "current_time": _rfc3339(res.current_time),
                    "interval": int(res.interval),
                }
            )
            if self.registration is Registration.ACCEPTED:
                if res.interval > 0:
                    self._store_interval(int(res.interval))
                log.info("BootNotification accepted (heartbeat %d s)", self._heartbeat_interval())
                self.start_heartbeat()
                self._on_accepted()
                return
            retry = int(res.interval) or PENDING_RETRY_DEFAULT_S
            log.info("BootNotification %s; next attempt in %d s", res.status, retry)
            await asyncio.sleep(retry)

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
            interval = self._heartbeat_interval()
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
