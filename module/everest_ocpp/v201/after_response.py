"""Side effects that must not overtake the answer to the CSMS request that caused them.

A SetVariables can change the password (reconnect) or trip a monitor (NotifyEvent); both must
follow the SetVariablesResponse. While a handler runs inside :meth:`AfterResponse.hold`, actions
are kept per request and run by :meth:`release` from the handler's ``@after`` hook. Outside a
hold (changes from EVerest or the module itself) actions run at once.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator

log = logging.getLogger(__name__)

Action = Callable[[], None]


class AfterResponse:
    def __init__(self) -> None:
        self._current: str | None = None
        self._held: dict[str, list[Action]] = {}

    @contextlib.contextmanager
    def hold(self, request_id: str) -> Iterator[None]:
        """Keep actions triggered inside the block until ``release(request_id)``."""
        previous, self._current = self._current, request_id
        self._held.setdefault(request_id, [])
        try:
            yield
        finally:
            self._current = previous

    def run(self, action: Action) -> None:
        if self._current is not None:
            self._held[self._current].append(action)
        else:
            self._call(action)

    def run_once(self, action: Action) -> None:
        """Like run, but an action already held for the current request is not added twice."""
        if self._current is not None and action in self._held[self._current]:
            return
        self.run(action)

    def release(self, request_id: str) -> None:
        for action in self._held.pop(request_id, []):
            self._call(action)

    @staticmethod
    def _call(action: Action) -> None:
        try:
            action()
        except Exception:  # one failing side effect must not stop the others
            log.exception("side effect of a variable change failed")
