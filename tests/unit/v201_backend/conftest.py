from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from everest_ocpp.v201.device_model import DeviceModel, default_config_path

SLOT = {
    "configurationSlot": 1,
    "connectionData": {
        "messageTimeout": 20,
        "ocppCsmsUrl": "ws://127.0.0.1:9000/cp001",
        "ocppInterface": "Wired0",
        "ocppTransport": "JSON",
        "ocppVersion": "OCPP20",
        "securityProfile": 1,
    },
}


def set_file_value(
    folder: Path, component: str, variable: str, value: Any, instance: str | None = None
) -> Path:
    """Set the Actual value of one variable in a component config file of ``folder``."""
    for path in sorted(folder.rglob("*.json")):
        data = json.loads(path.read_text())
        if data.get("name") != component:
            continue
        for prop in data["properties"].values():
            if prop["variable_name"] == variable and prop.get("instance") == instance:
                actual = next(a for a in prop["attributes"] if a.get("type", "Actual") == "Actual")
                actual["value"] = value
                path.write_text(json.dumps(data, indent=2))
                return path
    raise KeyError(f"{component}.{variable}")


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    target = tmp_path / "component_config"
    shutil.copytree(default_config_path(), target)
    return target


@pytest.fixture
def open_dm(config_dir: Path, tmp_path: Path) -> Iterator[Callable[..., DeviceModel]]:
    opened: list[DeviceModel] = []

    def make(**values: Any) -> DeviceModel:
        """values: {"Component.Variable": value} written to the files before opening."""
        for name, value in values.items():
            component, variable = name.split(".", 1)
            instance = None
            if "[" in variable:
                variable, instance = variable.rstrip("]").split("[")
            set_file_value(config_dir, component, variable, value, instance)
        dm = DeviceModel.open(config_dir, tmp_path / f"dm{len(opened)}.db", evses=[(1, [1]), (2, [1, 2])])
        opened.append(dm)
        return dm

    yield make
    for dm in opened:
        dm.close()
