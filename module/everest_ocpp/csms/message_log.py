"""The OCPP message log (MessageLogPath): every frame to and from the CSMS, secrets masked.

Like libocpp's ``.log`` file: one file per start of the module, named by its start time, one line
per frame with the time and the direction. Logging to disk must never stop OCPP: a folder that
cannot be written is reported once and the log is switched off.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from ..timestamps import rfc3339
from .redaction import redacted

log = logging.getLogger(__name__)


class MessageLog:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H-%M-%S")
        self.path = folder / f"{stamp}.log"
        self._file: IO[str] | None = None
        self._failed = False

    def __call__(self, direction: str, frame: str | bytes) -> None:
        """``direction`` is "<-" (from the CSMS) or "->" (to the CSMS)."""
        if self._failed:
            return
        try:
            if self._file is None:
                self.folder.mkdir(parents=True, exist_ok=True)
                self._file = self.path.open("a", encoding="utf-8")
                log.info("logging OCPP messages to %s", self.path)
            self._file.write(f"{rfc3339()} {direction} {redacted(frame)}\n")
            self._file.flush()
        except OSError as exc:
            self._failed = True
            log.error("cannot write the OCPP message log %s (%s); message logging is off", self.path, exc)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
