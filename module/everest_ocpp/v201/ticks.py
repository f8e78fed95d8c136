"""Wall-clock ticks at a configurable interval, counted from an anchor (J01/J02 intervals).

Sampled data ticks from the start of the transaction, clock-aligned data from midnight UTC. The
interval is read again before every tick and after :meth:`Ticker.changed`, so a SetVariables
takes effect at once; an interval of 0 (or less) pauses the ticker until it changes.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

log = logging.getLogger(__name__)


def midnight_utc() -> float:
    now = datetime.now(UTC)
    return now.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()


def next_tick(anchor: float, interval: float, now: float) -> float:
    """The first ``anchor + k * interval`` after ``now``."""
    steps = math.floor((now - anchor) / interval) + 1
    return anchor + max(steps, 0) * interval if now >= anchor else anchor


class Ticker:
    def __init__(
        self,
        name: str,
        interval_s: Callable[[], float],
        anchor: Callable[[], float],
        action: Callable[[float], Awaitable[None] | None],
    ) -> None:
        self.name = name
        self._interval = interval_s
        self._anchor = anchor
        self._action = action  # gets the tick's epoch time
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(self._run())

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    def changed(self) -> None:
        self._changed.set()

    async def _run(self) -> None:
        last_due = 0.0
        while True:
            try:
                interval = float(self._interval())
            except Exception as exc:
                log.warning("%s: unusable interval (%s); paused", self.name, exc)
                interval = 0
            if interval <= 0:
                await self._changed.wait()
                self._changed.clear()
                continue
            now = time.time()
            due = next_tick(self._anchor(), interval, max(now, last_due))  # never the same tick twice
            try:
                await asyncio.wait_for(self._changed.wait(), max(due - now, 0))
                self._changed.clear()
                continue  # the interval changed: compute the next tick again
            except TimeoutError:
                pass
            last_due = due
            try:
                result = self._action(due)
                if result is not None:
                    await result
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("%s tick failed", self.name)
