"""Publishing the composite schedules on `charging_schedules`: at start, every interval, on change."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)


class SchedulePublisher:
    """``compute()`` gives the EVerest ChargingSchedule list; ``publish(list)`` sends it.

    With ``interval_s`` 0 the schedules are only published at start and on change.
    """

    def __init__(
        self,
        compute: Callable[[], list[dict[str, Any]]],
        publish: Callable[[list[dict[str, Any]]], None],
        interval_s: int,
    ) -> None:
        self._compute = compute
        self._publish = publish
        self._interval = interval_s
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Publish now and then every interval (restarting the timer if it ran)."""
        self.stop()
        self.publish_now()
        if self._interval > 0:
            self._task = asyncio.create_task(self._periodic(), name="schedule-publisher")

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    def publish_now(self) -> None:
        try:
            schedules = self._compute()
        except Exception:
            log.exception("computing the composite schedules failed; nothing published")
            return
        self._publish(schedules)

    async def _periodic(self) -> None:
        with contextlib.suppress(asyncio.CancelledError):
            while True:
                await asyncio.sleep(self._interval)
                self.publish_now()
