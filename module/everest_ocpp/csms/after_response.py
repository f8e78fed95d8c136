"""Side effects that must not overtake the answer to the CSMS request that caused them.

A write of a variable can change the password (reconnect) or trip a monitor (NotifyEvent); both must
follow the answer. While a handler runs inside :meth:`AfterResponse.hold`, actions are kept for that
call (a :class:`.call_state.CallState`) and run by :meth:`release` from the handler's ``@after``
hook. Outside a hold (changes from EVerest or the module itself) actions run at once.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator

from .call_state import CallState

log = logging.getLogger(__name__)

Action = Callable[[], None]


class AfterResponse:
    def __init__(self) -> None:
        self._current: list[Action] | None = None
        self._held: CallState[list[Action]] = CallState()

    @contextlib.contextmanager
    def hold(self, request_id: str) -> Iterator[None]:
        """Keep actions triggered inside the block until ``release(request_id)``."""
        held = self._held.get(request_id)
        if held is None:
            held = []
            self._held.put(request_id, held)
        previous, self._current = self._current, held
        try:
            yield
        finally:
            self._current = previous

    def run(self, action: Action) -> None:
        if self._current is not None:
            self._current.append(action)
        else:
            self._call(action)

    def run_once(self, action: Action) -> None:
        """Like run, but an action already held for the current request is not added twice."""
        if self._current is not None and action in self._current:
            return
        self.run(action)

    def release(self, request_id: str) -> None:
        for action in self._held.pop(request_id) or []:
            self._call(action)

    @staticmethod
    def _call(action: Action) -> None:
        try:
            action()
        except Exception:  # one failing side effect must not stop the others
            log.exception("side effect of a variable change failed")
