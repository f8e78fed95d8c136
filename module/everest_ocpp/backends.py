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
        from .v16.csms_address import check_csms_address

        self.settings = settings
        self.config_path = settings.charge_point_config or DATA / "v16" / "config.json"
        try:
            settings.database_dir.mkdir(parents=True, exist_ok=True)
            settings.user_config.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BackendConfigError(f"{exc.filename}: cannot create the directory: {exc.strerror}") from None
        try:
            config = ChargePointConfiguration.load(self.config_path, settings.user_config)
        except ConfigError as exc:
            raise BackendConfigError(str(exc)) from None
        problem = check_csms_address(config, self.config_path, settings.user_config)
        if problem is not None:
            raise BackendConfigError(problem)

    def build(self, services: Services, events: BackendEvents) -> Any:
        from .v16.backend import Backend16
        from .v16.configuration import ChargePointConfiguration

        connectors = sum(len(e.connectors) for e in services.evse.evses)
        config = ChargePointConfiguration.load(
            self.config_path, self.settings.user_config, number_of_connectors=connectors
        )
        return Backend16(config, services, events, self.settings)


class Prepared201:
    """The 2.0.1 component config files, loaded and checked (before anything connects).

    The check builds a throw-away in-memory device model from the files, so a bad file, a missing
    required variable or an unusable network profile fails the start with the file and variable
    named. The real database is opened in :meth:`build`, once the EVSEs are known.
    """

    def __init__(self, settings: ModuleSettings) -> None:
        from .v201.device_model import (
            DeviceModel,
            DeviceModelConfigError,
            DiscardingStorage,
            default_config_path,
            load_component_configs,
        )
        from .v201.network import NetworkConfigError, network_plan

        self.settings = settings
        self.config_path = settings.device_model_config or default_config_path()
        self._configs: list[Any] | None = None  # the checked files, reused by build()
        try:
            settings.database_dir.mkdir(parents=True, exist_ok=True)
            settings.device_model_database.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BackendConfigError(f"{exc.filename}: cannot create the directory: {exc.strerror}") from None
        try:
            configs = load_component_configs(self.config_path)
            with DeviceModel(DiscardingStorage(), configs) as dm:
                network_plan(dm)
        except DeviceModelConfigError as exc:
            raise BackendConfigError(str(exc)) from None
        except NetworkConfigError as exc:
            component = str(exc).split(".", 1)[0]
            files = [str(c.file) for c in configs if c.key.name == component and c.file is not None]
            where = files[0] if files else str(self.config_path)
            raise BackendConfigError(f"{where}: variable {exc}") from None
        self._configs = configs

    def build(self, services: Services, events: BackendEvents) -> Any:
        from .v201.backend import Backend201
        from .v201.device_model import DeviceModel, DeviceModelError, EvseSpec
        from .v201.device_model import well_known as wk
        from .v201.network import NetworkConfigError, network_plan
        from .variables import Source

        evses = [EvseSpec(e.id, e.connectors) for e in services.evse.evses]
        try:
            dm = DeviceModel.open(
                self.config_path, self.settings.device_model_database, evses, file_configs=self._configs
            )
            self._configs = None  # a restart of OCPP reads the files again
        except DeviceModelError as exc:
            raise BackendConfigError(f"{self.settings.device_model_database}: {exc}") from None
        try:
            connectors = sum(len(e.connector_ids) for e in evses)
            dm.set(wk.NUMBER_OF_CONNECTORS, str(connectors), source=Source.INTERNAL, allow_read_only=True)
            plan = network_plan(dm)
        except NetworkConfigError as exc:
            dm.close()
            raise BackendConfigError(f"{self.settings.device_model_database}: variable {exc}") from None
        return Backend201(dm, plan, services, events, self.settings)


def prepare_backend(settings: ModuleSettings) -> PreparedBackend:
    if settings.ocpp_version == "1.6":
        return Prepared16(settings)
    if settings.ocpp_version == "2.0.1":
        return Prepared201(settings)
    raise BackendConfigError(f"OCPP {settings.ocpp_version} is not implemented yet")
