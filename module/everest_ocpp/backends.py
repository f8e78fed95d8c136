"""Choosing and preparing the OCPP backend of the configured version.

Preparing (reading and validating the version's configuration files) happens before anything
connects, so a standalone start with a bad file fails at once with a message naming the file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .app import ModuleSettings
    from .bridge.evse import EvseManagers
    from .generic.backend import BackendEvents

DATA = Path(__file__).parent / "data"


class BackendConfigError(Exception):
    """An OCPP configuration file is missing or invalid (the message names file, key and problem)."""


class PreparedBackend(Protocol):
    def build(self, evse: EvseManagers, events: BackendEvents) -> Any: ...


class Prepared16:
    def __init__(self, settings: ModuleSettings) -> None:
        path = settings.charge_point_config or DATA / "v16" / "config.json"
        try:
            self.raw = json.loads(path.read_text())
        except OSError as exc:
            raise BackendConfigError(f"{path}: cannot read: {exc.strerror}") from None
        except ValueError as exc:
            raise BackendConfigError(f"{path}: not valid JSON: {exc}") from None
        self.settings = settings

    def build(self, evse: EvseManagers, events: BackendEvents) -> Any:
        from .v16.backend import Backend16

        return Backend16(self.raw, evse.evses, events)


def prepare_backend(settings: ModuleSettings) -> PreparedBackend:
    if settings.ocpp_version == "1.6":
        return Prepared16(settings)
    raise BackendConfigError(f"OCPP {settings.ocpp_version} is not implemented yet")
