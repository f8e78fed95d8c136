"""The start-up check's storage keeps nothing, and the checked files are reused by the real open."""

from __future__ import annotations

import shutil
from pathlib import Path

from everest_ocpp.v201.device_model import (
    DeviceModel,
    DiscardingStorage,
    EvseSpec,
    SqliteDeviceModelStorage,
    default_config_path,
    load_component_configs,
)

from .helpers import component, prop, write


def _snapshot(dm: DeviceModel) -> list[tuple[object, ...]]:
    return [
        (c.key, v.key, tuple(sorted((a.type.value, a.value) for a in v.attributes.values())))
        for c in dm.components()
        for v in c.variables.values()
    ]


def test_a_check_with_discarding_storage_sees_the_same_model(tmp_path: Path) -> None:
    folder = tmp_path / "config"
    shutil.copytree(default_config_path(), folder)
    monitor = {"type": "Periodic", "value": 60, "severity": 8, "config_type": "PreconfiguredMonitor"}
    write(
        folder,
        "Meter.json",
        component(
            "Meter", {**prop("Power", "decimal", 0), "monitors": [monitor, {**monitor, "severity": 5}]}
        ),
        level="custom",
    )
    configs = load_component_configs(folder)
    checked = DeviceModel(DiscardingStorage(), configs)
    with DeviceModel(SqliteDeviceModelStorage(tmp_path / "dm.db"), configs) as stored:
        assert _snapshot(checked) == _snapshot(stored)
        ids = sorted(e.monitor.id for e in checked.monitors.entries())
        assert ids == sorted(e.monitor.id for e in stored.monitors.entries()) and len(ids) == 2


def test_open_with_parsed_files_equals_open_from_the_folder(tmp_path: Path) -> None:
    evses = [EvseSpec(1, [1]), EvseSpec(2, [1])]
    parsed = load_component_configs(default_config_path())
    with (
        DeviceModel.open(None, tmp_path / "a.db", evses, file_configs=parsed) as reused,
        DeviceModel.open(None, tmp_path / "b.db", evses) as read,
    ):
        assert _snapshot(reused) == _snapshot(read)
        assert reused.variable_count() == read.variable_count() > 100
