"""Never locked out by a connection setting: an unproven change gets one attempt, then the last
settings that connected come back.

The settings in question (1.6: CentralSystemURI and SecurityProfile) are given as a dict by
``current``. Every successful connection records them as *last working*; a later change of them at
runtime (the CSMS, set_variables) makes them *pending*. The first attempt with pending settings is
noted before it starts; when it fails, ``restore`` writes the last working values back (persisted by
the configuration store) and the link reconnects with them at once. The record lives in a file of
the state folder, so a restart in the middle keeps the promise: settings whose attempt had begun are
restored at the next start. Settings changed while the module was not running (an integrator
editing the files) are not touched: they are no runtime change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..storage import atomic_write_json, read_state

log = logging.getLogger(__name__)

Values = dict[str, Any]


class LinkFallback:
    def __init__(
        self, path: Path, current: Callable[[], Values], restore: Callable[[Values], None], what: str
    ) -> None:
        self._path = path
        self._current = current
        self._restore = restore
        self._what = what  # e.g. "CentralSystemURI/SecurityProfile", for the log
        self._restoring = False
        data = read_state(path, "no record of working connection settings")
        self.last_working: Values | None = _values(data.get("last_working"))
        self.pending: Values | None = _values(data.get("pending"))
        self.tried = bool(data.get("tried"))
        if self.pending is not None and self.pending != current():
            log.info("%s changed while the module was not running; dropping the pending switch", what)
            self._set(None, False)
        elif self.pending is not None and self.tried:
            log.warning("%s %s had its connection attempt before the restart", what, self.pending)
            self.after_failure()

    def changed(self) -> None:
        """The settings were written at runtime (called by the configuration listener)."""
        if self._restoring:
            return
        values = self._current()
        if self.last_working is None:
            return  # nothing proven to go back to
        if values == self.last_working:
            if self.pending is not None:
                self._set(None, False)
            return
        log.info(
            "%s changed to %s: one connection attempt, then back to %s if it fails",
            self._what,
            values,
            self.last_working,
        )
        self._set(values, False)

    def before_attempt(self) -> None:
        """A connection attempt is about to start with the current settings."""
        if self.pending is not None and not self.tried and self._current() == self.pending:
            self._set(self.pending, True)

    def after_failure(self) -> bool:
        """The attempt failed: restore the last working settings if the pending ones were tried.

        True when it restored (the caller reconnects at once)."""
        if self.pending is None or not self.tried or self.last_working is None:
            return False
        log.warning(
            "%s %s did not connect; going back to %s, which did", self._what, self.pending, self.last_working
        )
        self._restoring = True
        try:
            self._restore(dict(self.last_working))
        finally:
            self._restoring = False
        self._set(None, False)
        return True

    def connected(self) -> None:
        """The attempt connected: the current settings work."""
        values = self._current()
        if values != self.last_working or self.pending is not None:
            self.last_working = values
            self._set(None, False)

    def _set(self, pending: Values | None, tried: bool) -> None:
        self.pending, self.tried = pending, tried
        data = {"last_working": self.last_working, "pending": pending, "tried": tried}
        try:
            atomic_write_json(self._path, data)
        except OSError as exc:
            log.error("cannot write %s: %s", self._path, exc)


def _values(data: Any) -> Values | None:
    return dict(data) if isinstance(data, dict) else None
