"""The demo's configuration files: the EVerest runtime config and the OCPP configuration of each version."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).resolve().parents[1] / "data"
SAMPLE_16 = DATA / "v16" / "config.json"
COMPONENTS_201 = DATA / "v201" / "component_config"
IDENTITY = "cp001"


def write_configs(workdir: Path, version: str, broker_port: int, csms_port: int, prefix: str) -> Path:
    """Everything the module needs in ``workdir``; returns the EVerest runtime config's path."""
    module_config: dict[str, Any] = {
        "OcppVersion": version,
        "DatabaseDir": "data",
        "PublishChargingScheduleIntervalS": 0,
    }
    if version == "1.6":
        config = json.loads(SAMPLE_16.read_text())
        config["Internal"]["ChargePointId"] = IDENTITY
        config["Internal"]["CentralSystemURI"] = f"127.0.0.1:{csms_port}/{IDENTITY}"
        (workdir / "ocpp-config.json").write_text(json.dumps(config, indent=2))
        module_config["ChargePointConfigPath"] = "ocpp-config.json"
    else:
        _write_components(workdir / "component_config", csms_port)
        module_config["DeviceModelConfigPath"] = "component_config"
    everest = {
        "settings": {
            "mqtt_everest_prefix": prefix,
            "mqtt_broker_host": "127.0.0.1",
            "mqtt_broker_port": broker_port,
        },
        "active_modules": {
            "ocpp": {
                "module": "EverestOcpp",
                "config_module": module_config,
                "connections": {
                    "evse_manager": [{"module_id": "charger", "implementation_id": "evse_manager"}]
                },
            },
            "charger": {"module": "DemoCharger"},  # the stand-in, so the connection has a target
        },
    }
    path = workdir / "everest-config.yaml"
    path.write_text(yaml.safe_dump(everest, sort_keys=False))
    return path


def _write_components(target: Path, csms_port: int) -> None:
    """The shipped 2.0.1 component set, pointed at the local CSMS without security (profile 0)."""
    shutil.copytree(COMPONENTS_201, target)
    profiles = [
        {
            "configurationSlot": 1,
            "connectionData": {
                "messageTimeout": 30,
                "ocppCsmsUrl": f"ws://127.0.0.1:{csms_port}/{IDENTITY}",
                "ocppInterface": "Wired0",
                "ocppTransport": "JSON",
                "ocppVersion": "OCPP20",
                "securityProfile": 0,
            },
        }
    ]
    _set(target, "InternalCtrlr", "NetworkConnectionProfiles", json.dumps(profiles))
    _set(target, "InternalCtrlr", "AllowSecurityLevelZeroConnections", True)
    _set(target, "SecurityCtrlr", "SecurityProfile", 0)
    _set(target, "SecurityCtrlr", "Identity", IDENTITY)


def _set(folder: Path, component: str, variable: str, value: Any) -> None:
    for path in folder.rglob("*.json"):
        data = json.loads(path.read_text())
        if data.get("name") != component:
            continue
        for prop in data["properties"].values():
            if prop.get("variable_name") == variable and not prop.get("instance"):
                actual = next(a for a in prop["attributes"] if a.get("type", "Actual") == "Actual")
                actual["value"] = value
                path.write_text(json.dumps(data, indent=2))
                return
    raise ValueError(f"the shipped component config has no {component}.{variable}")
