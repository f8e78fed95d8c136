"""Background tasks that never fail silently.

asyncio keeps the exception of a task nobody awaits until the task is garbage-collected and then
prints it, if at all; a dead reconnect loop or a failed side effect must show in the log at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)


def log_failure(task: asyncio.Task[Any], what: str = "") -> None:
    """Done-callback: log the task's exception (cancellation is not a failure)."""
    if task.cancelled():
        return
    exc = task.exception()
    if exc is not None:
        log.error("%s failed: %s", what or task.get_name(), exc, exc_info=exc)


class TaskGroup:
    """Owns fire-and-forget tasks: keeps them referenced, logs failures, cancels them on close."""

    def __init__(self, what: str = "") -> None:
        self._what = what
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str | None = None) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        label = str(name or self._what or getattr(coro, "__qualname__", "background task"))
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(lambda t: log_failure(t, label))
        return task

    def __len__(self) -> int:
        return len(self._tasks)

    async def cancel_all(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
