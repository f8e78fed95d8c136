"""Waiting on a condition variable for something recorded by another thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any


def wait_until(cond: threading.Condition, predicate: Callable[[], Any], timeout: float, what: str) -> Any:
    """The first truthy value of ``predicate`` within ``timeout``; re-checked on every notify and at
    least every 50 ms (for states no notify announces)."""
    deadline = time.monotonic() + timeout
    with cond:
        while True:
            value = predicate()
            if value:
                return value
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{what} not seen within {timeout}s")
            cond.wait(min(remaining, 0.05))
