"""Registration with the CSMS, shared by both versions: BootNotification until Accepted, Heartbeat.

A version supplies the request payloads and what an accepted answer changes in its configuration;
the loop, the retry rules, the heartbeat timer and the system clock updates are the same.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import timedelta
from enum import StrEnum
from typing import Any

from ..timestamps import normalized, parse, rfc3339
from .heartbeat import HeartbeatTimer
from .outbox import NotConnected, Outbox

log = logging.getLogger(__name__)

RETRY_DEFAULT_S = 30  # Pending/Rejected with interval 0, or no answer


class RegistrationStatus(StrEnum):
    NONE = "None"
    PENDING = "Pending"
    ACCEPTED = "Accepted"
    REJECTED = "Rejected"


SetTime = Callable[[str], None]


class Registration:
    """Registers on a connection and keeps the heartbeat going; subclasses build the messages."""

    def __init__(
        self,
        outbox: Outbox,
        on_boot_response: Callable[[dict[str, Any]], None],
        on_accepted: Callable[[], None],
        set_system_time: SetTime | None = None,
    ) -> None:
        self._outbox = outbox
        self._on_boot_response = on_boot_response
        self._on_accepted = on_accepted
        self._set_time = set_system_time
        self.status = RegistrationStatus.NONE
        self.reason = "PowerUp"
        self.heartbeat = HeartbeatTimer(self.heartbeat_interval, self._heartbeat)

    # ---- version specifics ---------------------------------------------------------------------
    def boot_request(self, reason: str) -> Any:
        raise NotImplementedError

    def heartbeat_request(self) -> Any:
        raise NotImplementedError

    def heartbeat_interval(self) -> int:
        raise NotImplementedError

    def store_heartbeat_interval(self, interval: int) -> None:
        raise NotImplementedError

    def time_from_csms(self) -> bool:
        """Whether the CSMS's currentTime sets the system clock."""
        return True

    def response_extra(self, response: Any) -> dict[str, Any]:
        """Extra fields of the boot_notification_response var (2.0.1: status_info)."""
        return {}

    # ---- shared ----------------------------------------------------------------------------------
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
        """One BootNotification (also for TriggerMessage); returns the interval the CSMS gave."""
        res = await self._outbox.call(self.boot_request(reason))
        was_accepted = self.accepted
        self.status = RegistrationStatus(res.status)
        interval = int(res.interval)
        if self.accepted and interval > 0:
            self.store_heartbeat_interval(interval)
            self.interval_changed()
        response = {
            "status": str(res.status),
            "current_time": normalized(res.current_time),
            "interval": interval,
        }
        self._on_boot_response({**response, **self.response_extra(res)})
        if self.accepted:
            self._update_clock(res.current_time)
            if not was_accepted:
                log.info("BootNotification accepted (heartbeat %d s)", self.heartbeat_interval())
                self.start_heartbeat()
                self._on_accepted()
        return interval

    async def _heartbeat(self) -> None:
        sent = time.monotonic()
        res = await self._outbox.call(self.heartbeat_request())
        # currentTime is when the CSMS got the request: add half the round trip
        self._update_clock(res.current_time, (time.monotonic() - sent) / 2)

    def _update_clock(self, current_time: str, flight_s: float = 0.0) -> None:
        if self._set_time is None or not self.time_from_csms():
            return
        moment = parse(current_time)
        if moment is None:
            log.warning("CSMS sent an unreadable currentTime %r; system time not set", str(current_time)[:40])
            return
        self._set_time(rfc3339(moment + timedelta(seconds=flight_s)))

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
