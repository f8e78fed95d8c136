"""Background tasks whose failure is never silent.

asyncio only reports an exception of a task nobody awaits when the task is garbage collected, if
ever; a connection loop that dies that way leaves the module running offline without a word.
Tasks started through :func:`spawn` (or a :class:`TaskGroup`) log their exception, with traceback,
the moment they fail.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar

log = logging.getLogger("everest_ocpp.tasks")

T = TypeVar("T")

# asyncio keeps only weak references to tasks: without these a running task may vanish
_RUNNING: set[asyncio.Task[Any]] = set()


def spawn(
    coro: Coroutine[Any, Any, T],
    name: str,
    *,
    logger: logging.Logger | None = None,
    keep: set[asyncio.Task[Any]] | None = None,
) -> asyncio.Task[T]:
    """Start ``coro`` as a task named ``name``; an exception ending it is logged at ERROR.

    ``keep`` holds the task while it runs (default: a module-wide set), so callers that cancel
    their tasks on shutdown can pass their own set.
    """
    task = asyncio.get_running_loop().create_task(coro, name=name)
    holder = _RUNNING if keep is None else keep
    holder.add(task)
    task.add_done_callback(lambda done: _finished(done, holder, logger or log))
    return task


def log_failure(task: asyncio.Task[Any], what: str = "") -> None:
    """Done-callback for tasks started elsewhere: log the exception (cancellation is no failure)."""
    if not task.cancelled() and task.exception() is not None:
        exc = task.exception()
        log.error("%s failed: %s: %s", what or task.get_name(), type(exc).__name__, exc, exc_info=exc)


def _finished(task: asyncio.Task[Any], holder: set[asyncio.Task[Any]], logger: logging.Logger) -> None:
    holder.discard(task)
    if task.cancelled():
        return
    exc = task.exception()
    if exc is not None:
        logger.error(
            "background task %s failed: %s: %s", task.get_name(), type(exc).__name__, exc, exc_info=exc
        )


class TaskGroup:
    """Owns fire-and-forget tasks: keeps them referenced, logs failures, cancels them on close."""

    def __init__(self, what: str = "background task") -> None:
        self._what = what
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Coroutine[Any, Any, T], name: str | None = None) -> asyncio.Task[T]:
        return spawn(coro, name or self._what, keep=self._tasks)

    def __len__(self) -> int:
        return len(self._tasks)

    async def cancel_all(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
