"""The module's own configuration (manifest ``config`` keys), with paths resolved."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class ModuleSettings:
    """The module's own config keys (manifest ``config``), paths resolved."""

    ocpp_version: str
    charge_point_config: Path | None  # None: the shipped sample
    user_config: Path
    device_model_config: Path | None  # None: the shipped component set
    device_model_database: Path
    publish_schedule_interval_s: int
    publish_schedule_duration_s: int
    composite_schedule_unit: str
    database_dir: Path

    @classmethod
    def from_config(cls, values: dict[str, Any], base_dir: Path, module_id: str) -> ModuleSettings:
        def path(key: str) -> Path | None:
            raw = str(values.get(key) or "")
            if not raw:
                return None
            p = Path(os.path.expanduser(raw))
            return p if p.is_absolute() else base_dir / p

        db_dir = path("DatabaseDir") or Path.home() / ".local" / "state" / "everest-ocpp" / module_id
        return cls(
            ocpp_version=str(values["OcppVersion"]),
            charge_point_config=path("ChargePointConfigPath"),
            user_config=path("UserConfigPath") or db_dir / "user_config.json",
            device_model_config=path("DeviceModelConfigPath"),
            device_model_database=path("DeviceModelDatabasePath") or db_dir / "device_model.db",
            publish_schedule_interval_s=int(values["PublishChargingScheduleIntervalS"]),
            publish_schedule_duration_s=int(values["PublishChargingScheduleDurationS"]),
            composite_schedule_unit=str(values["RequestCompositeScheduleUnit"]),
            database_dir=db_dir,
        )
