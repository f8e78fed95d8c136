"""Background tasks whose failure is never silent.

asyncio only reports an exception of a task nobody awaits when the task is garbage collected, if
ever; a connection loop that dies that way leaves the module running offline without a word.
Tasks started through :func:`spawn` log their exception (with traceback) the moment they fail.
"""

from __future__ import annotations

import asyncio
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


def _finished(task: asyncio.Task[Any], holder: set[asyncio.Task[Any]], logger: logging.Logger) -> None:
    holder.discard(task)
    if task.cancelled():
        return
    exc = task.exception()
    if exc is not None:
        logger.error(
            "background task %s failed: %s: %s", task.get_name(), type(exc).__name__, exc, exc_info=exc
        )
