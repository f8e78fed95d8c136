"""The module's own configuration (manifest ``config`` keys): OCPP version, resolved paths, timings.

The keys are the union of the C++ ``OCPP`` and ``OCPP201`` modules' keys plus our own, so an
EVerest config written for either module works unchanged. Relative file names are looked up as the
C++ modules look them up (next to the config / working directory, then the module's share directory
of the EVerest installation), and finally among the files shipped with this package.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"

# keys only one of the C++ modules has: they tell which version a config was written for
V201_ONLY_KEYS = (
    "DeviceModelConfigPath",
    "DeviceModelDatabasePath",
    "CoreDatabasePath",
    "EverestDeviceModelDatabasePath",
    "DeviceModelDatabaseMigrationPath",
    "CompositeScheduleIntervalS",
    "RequestCompositeScheduleDurationS",
)
V16_ONLY_KEYS = ("ChargePointConfigPath", "UserConfigPath", "DatabasePath")
# accepted for compatibility, no effect here (logged at start)
NO_EFFECT_KEYS = ("EverestDeviceModelDatabasePath", "DeviceModelDatabaseMigrationPath")
CPP_MODULE_DIR = {"1.6": "OCPP", "2.0.1": "OCPP201"}
# what the C++ modules read when the key is not given (found in their share directory)
CPP_DEFAULT_CONFIG = {"1.6": "ocpp-config.json", "2.0.1": "component_config"}


class SettingsError(Exception):
    """The module configuration is contradictory or names a file that does not exist."""


def _given(value: Any) -> bool:
    return value not in (None, "", -1)


def choose_version(values: Mapping[str, Any], module_name: str) -> tuple[str, str]:
    """(version, reason): OcppVersion, else the version-specific keys given, else the module name."""
    explicit = str(values.get("OcppVersion") or "")
    v201 = [k for k in V201_ONLY_KEYS if _given(values.get(k))]
    v16 = [k for k in V16_ONLY_KEYS if _given(values.get(k))]
    if explicit:
        return explicit, "OcppVersion"
    if v201 and v16:
        raise SettingsError(
            f"config_module has OCPP 2.0.1 keys ({', '.join(v201)}) and OCPP 1.6 keys ({', '.join(v16)}); "
            "set OcppVersion to say which version to speak"
        )
    if v201:
        return "2.0.1", f"2.0.1-only key {v201[0]} is set"
    if v16:
        return "1.6", f"1.6-only key {v16[0]} is set"
    if module_name.endswith("201"):
        return "2.0.1", f"module name {module_name} ends in 201"
    return "1.6", "no OcppVersion and no version-specific key (default)"


@dataclass(frozen=True, slots=True)
class PathLookup:
    """Where relative file names are searched, in order (the C++ modules' rules, then ours)."""

    search_dirs: tuple[Path, ...]  # standalone: the config's folder; spawned: cwd, module folder
    share_dir: Path | None  # <EV_PREFIX>/share/everest/modules/<OCPP|OCPP201>
    data_dir: Path  # the package's shipped files of this version

    def existing(self, key: str, raw: str) -> Path:
        """A file or folder that must exist (read)."""
        path = Path(os.path.expanduser(raw))
        if path.is_absolute():
            if not path.exists():
                raise SettingsError(f"{key}: {path} does not exist")
            return path
        candidates = [d / path for d in self._dirs()]
        for candidate in candidates:
            if candidate.exists():
                return candidate
        tried = ", ".join(str(c) for c in candidates)
        raise SettingsError(f"{key}: '{raw}' not found (looked in {tried})")

    def installed_default(self, name: str) -> Path | None:
        """The C++ module's default file when the key is empty: found next to us or in its share
        directory (an EVerest installation), never among our shipped files."""
        for directory in (*self.search_dirs, *([self.share_dir] if self.share_dir else [])):
            if (directory / name).exists():
                return directory / name
        return None

    def writable(self, raw: str, state_dir: Path) -> Path:
        """A file this module writes: where it already exists, else where the C++ module would
        create it (its share directory, when EVerest is installed), else in the state folder."""
        path = Path(os.path.expanduser(raw))
        if path.is_absolute():
            return path
        for directory in (*self.search_dirs, *([self.share_dir] if self.share_dir else [])):
            if (directory / path).exists():
                return directory / path
        if self.share_dir is not None and self.share_dir.is_dir():
            return self.share_dir / path
        return state_dir / path

    def _dirs(self) -> list[Path]:
        return [*self.search_dirs, *([self.share_dir] if self.share_dir else []), self.data_dir]


def share_dir(version: str, env: Mapping[str, str]) -> Path | None:
    prefix = env.get("EV_PREFIX")
    if not prefix:
        return None
    return Path(prefix) / "share" / "everest" / "modules" / CPP_MODULE_DIR[version]


@dataclass(frozen=True, slots=True)
class ModuleSettings:
    """The module's own config keys (manifest ``config``), with the version chosen and paths resolved."""

    ocpp_version: str
    version_reason: str
    charge_point_config: Path | None  # None: the shipped sample
    user_config: Path
    device_model_config: Path | None  # None: the shipped component set
    device_model_database: Path
    publish_schedule_interval_s: int
    publish_schedule_duration_s: int
    composite_schedule_unit: str
    database_dir: Path
    message_log_dir: Path | None = None
    external_websocket_control: bool = False
    message_queue_resume_delay_s: float = 0.0
    delay_ocpp_start_s: float = 0.0
    reset_stop_delay_s: float = 0.0
    no_effect_keys: tuple[str, ...] = field(default=())

    @classmethod
    def from_config(
        cls,
        values: dict[str, Any],
        base_dir: Path,
        module_id: str,
        *,
        module_name: str = "",
        search_dirs: Sequence[Path] | None = None,
        env: Mapping[str, str] | None = None,
    ) -> ModuleSettings:
        env = os.environ if env is None else env
        version, reason = choose_version(values, module_name)
        lookup = PathLookup(
            tuple(search_dirs or (base_dir,)),
            share_dir(version, env),
            DATA / ("v16" if version == "1.6" else "v201"),
        )

        def raw(key: str) -> str:
            return str(values.get(key) or "")

        def local(key: str) -> Path | None:  # our own state paths: relative to the base folder
            text = raw(key)
            if not text:
                return None
            p = Path(os.path.expanduser(text))
            return p if p.is_absolute() else base_dir / p

        legacy_db = "DatabasePath" if version == "1.6" else "CoreDatabasePath"
        db_dir = (
            local("DatabaseDir")
            or local(legacy_db)
            or Path.home() / ".local" / "state" / "everest-ocpp" / module_id
        )
        dm_db = raw("DeviceModelDatabasePath")
        dm_db_path = Path(os.path.expanduser(dm_db)) if dm_db else Path("device_model.db")
        interval = int(values.get("PublishChargingScheduleIntervalS", 30))
        if int(values.get("CompositeScheduleIntervalS", -1)) >= 0:
            interval = int(values["CompositeScheduleIntervalS"])
        duration = int(values.get("PublishChargingScheduleDurationS", 600))
        if int(values.get("RequestCompositeScheduleDurationS", -1)) >= 1:
            duration = int(values["RequestCompositeScheduleDurationS"])
        log_dir = raw("MessageLogPath")
        config_key = "ChargePointConfigPath" if version == "1.6" else "DeviceModelConfigPath"
        ocpp_config = (
            lookup.existing(config_key, raw(config_key))
            if raw(config_key)
            else lookup.installed_default(CPP_DEFAULT_CONFIG[version])
        )
        if ocpp_config is None and lookup.share_dir is not None and lookup.share_dir.is_dir():
            # Inside an EVerest installation the C++ module stops here too: the shipped sample (its
            # CSMS address and identity) must not stand in for a config that got lost, e.g. through a
            # misspelt key the manager dropped before we could see it.
            raise SettingsError(
                f"{config_key} is not set and the default '{CPP_DEFAULT_CONFIG[version]}' is not in "
                f"{lookup.share_dir} (a misspelt {config_key} is dropped by the manager): set "
                f"{config_key} to your configuration"
            )
        return cls(
            ocpp_version=version,
            version_reason=reason,
            charge_point_config=ocpp_config if version == "1.6" else None,
            user_config=(
                lookup.writable(raw("UserConfigPath"), db_dir)
                if raw("UserConfigPath")
                else db_dir / "user_config.json"
            ),
            device_model_config=ocpp_config if version == "2.0.1" else None,
            device_model_database=dm_db_path if dm_db_path.is_absolute() else db_dir / dm_db_path,
            publish_schedule_interval_s=interval,
            publish_schedule_duration_s=duration,
            composite_schedule_unit=str(values.get("RequestCompositeScheduleUnit", "A")),
            database_dir=db_dir,
            message_log_dir=Path(os.path.expanduser(log_dir)) if log_dir else None,
            external_websocket_control=bool(values.get("EnableExternalWebsocketControl", False)),
            message_queue_resume_delay_s=float(values.get("MessageQueueResumeDelay", 0)),
            delay_ocpp_start_s=float(values.get("DelayOcppStart", 0)) / 1000.0,
            reset_stop_delay_s=float(values.get("ResetStopDelay", 0)),
            no_effect_keys=tuple(k for k in NO_EFFECT_KEYS if _given(values.get(k))),
        )
