"""What a CSMS request's ``@on`` handler leaves for its ``@after`` handler, keyed by the call id.

The ``ocpp`` package passes ``call_unique_id`` to handlers that declare it and runs ``@after`` only
once the answer went out. Requests are handled concurrently, so a single field would be overwritten
by the next request of the same kind before its ``@after`` ran. When the answer cannot go out (the
connection closed, or it failed its schema) ``@after`` never runs: beyond a small bound the oldest
entries are dropped, so such leftovers cannot pile up.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

# far more than a CSMS has requests in flight at once (they are answered within a response timeout)
DEFAULT_LIMIT = 64


class CallState(Generic[T]):
    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self._limit = max(limit, 1)
        self._values: OrderedDict[str, T] = OrderedDict()

    def put(self, call_id: str, value: T) -> None:
        self._values[call_id] = value
        self._values.move_to_end(call_id)
        while len(self._values) > self._limit:
            dropped, _ = self._values.popitem(last=False)
            log.debug("dropping what call %s left for after its answer: that answer never went out", dropped)

    def get(self, call_id: str) -> T | None:
        return self._values.get(call_id)

    def pop(self, call_id: str) -> T | None:
        """The value left for ``call_id`` (None when there is none), forgotten from now on."""
        return self._values.pop(call_id, None)

    def __contains__(self, call_id: object) -> bool:
        return call_id in self._values

    def __len__(self) -> int:
        return len(self._values)
