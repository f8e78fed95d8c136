"""Choosing and preparing the OCPP backend of the configured version.

Preparing (reading and validating the version's configuration files) happens before anything
connects, so a standalone start with a bad file fails at once with a message naming the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .bridge.services import Services
    from .generic.backend import BackendEvents
    from .settings import ModuleSettings

DATA = Path(__file__).parent / "data"


class BackendConfigError(Exception):
    """An OCPP configuration file is missing or invalid (the message names file, key and problem)."""


class PreparedBackend(Protocol):
    def build(self, services: Services, events: BackendEvents) -> Any: ...


class Prepared16:
    """The 1.6 configuration, loaded and validated (before anything connects)."""

    def __init__(self, settings: ModuleSettings) -> None:
        from .v16.configuration import ChargePointConfiguration, ConfigError

        self.settings = settings
        self.config_path = settings.charge_point_config or DATA / "v16" / "config.json"
        try:
            settings.database_dir.mkdir(parents=True, exist_ok=True)
            settings.user_config.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BackendConfigError(f"{exc.filename}: cannot create the directory: {exc.strerror}") from None
        try:
            ChargePointConfiguration.load(self.config_path, settings.user_config)
        except ConfigError as exc:
            raise BackendConfigError(str(exc)) from None

    def build(self, services: Services, events: BackendEvents) -> Any:
        from .v16.backend import Backend16
        from .v16.configuration import ChargePointConfiguration

        connectors = sum(len(e.connectors) for e in services.evse.evses)
        config = ChargePointConfiguration.load(
            self.config_path, self.settings.user_config, number_of_connectors=connectors
        )
        return Backend16(config, services, events, self.settings)


def prepare_backend(settings: ModuleSettings) -> PreparedBackend:
    if settings.ocpp_version == "1.6":
        return Prepared16(settings)
    raise BackendConfigError(f"OCPP {settings.ocpp_version} is not implemented yet")
