"""Where identity, broker, config and connections come from: runtime YAML, environment, manager reply."""

from __future__ import annotations

from pathlib import Path

import pytest

from everest_ocpp.everest.bootstrap import module_config
from everest_ocpp.everest.definitions import Definitions
from everest_ocpp.everest.mqtt import BrokerAddress
from everest_ocpp.everest.setup import (
    Connection,
    SetupError,
    load_runtime_config,
    settings_from_environment,
    setup_from_manager_response,
)
from harness.manager import module_config_response

CONFIG = """
settings:
  mqtt_everest_prefix: everest_abc
  mqtt_broker_host: broker.local
  mqtt_broker_port: 1884
active_modules:
  ocpp:
    module: EverestOcpp
    config_module:
      OcppVersion: "1.6"
      ChargePointConfigPath: cp.json
      PublishChargingScheduleIntervalS: 0
    connections:
      evse_manager:
        - module_id: evse_a
          implementation_id: evse
        - module_id: evse_b
          implementation_id: evse
    mapping: {module: {evse: 1}}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    return path


def test_runtime_config(tmp_path: Path) -> None:
    rt, setup = load_runtime_config(write(tmp_path, CONFIG), "ocpp")
    assert rt.prefix == "everest_abc/"
    assert rt.broker == BrokerAddress("broker.local", 1884)
    assert setup.module_name == "EverestOcpp"
    assert setup.config == {
        "OcppVersion": "1.6",
        "ChargePointConfigPath": "cp.json",
        "PublishChargingScheduleIntervalS": 0,
    }
    assert setup.connections == {"evse_manager": [Connection("evse_a", "evse"), Connection("evse_b", "evse")]}
    assert setup.mapping == {"module": {"evse": 1}}
    assert setup.base_dir == tmp_path.resolve()


def test_runtime_config_overrides_and_defaults(tmp_path: Path) -> None:
    rt, _ = load_runtime_config(
        write(tmp_path, CONFIG), "ocpp", mqtt_host="127.0.0.1", mqtt_port=2000, prefix="x"
    )
    assert (rt.prefix, rt.broker) == ("x/", BrokerAddress("127.0.0.1", 2000))
    rt, setup = load_runtime_config(write(tmp_path, "active_modules: {ocpp: {module: M}}"), "ocpp")
    assert (rt.prefix, rt.broker) == ("everest/", BrokerAddress("localhost", 1883))
    assert (setup.config, setup.connections) == ({}, {})


def test_unix_socket_broker(tmp_path: Path) -> None:
    rt, _ = load_runtime_config(
        write(
            tmp_path, "settings: {mqtt_broker_socket_path: /run/mqtt.sock}\nactive_modules: {m: {module: M}}"
        ),
        "m",
    )
    assert rt.broker.socket_path == "/run/mqtt.sock"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("active_modules: [", "not valid YAML"),
        ("- a list", "expected a mapping"),
        ("settings: {}", "'active_modules' is missing"),
        ("active_modules: {other: {module: M}}", "module id 'ocpp' is not in active_modules (known: other)"),
        ("active_modules: {ocpp: {module: M, config_module: [1]}}", "config_module must be a mapping"),
        (
            "active_modules: {ocpp: {module: M, connections: {evse_manager: [{module_id: x}]}}}",
            "need module_id and implementation_id",
        ),
    ],
)
def test_runtime_config_errors(tmp_path: Path, text: str, problem: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SetupError) as err:
        load_runtime_config(path, "ocpp")
    assert str(err.value).startswith(str(path))
    assert problem in str(err.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SetupError, match="cannot read"):
        load_runtime_config(tmp_path / "nope.yaml", "ocpp")


def test_environment() -> None:
    module_id, rt = settings_from_environment(
        {
            "EV_MODULE": "ocpp",
            "EV_MQTT_EVEREST_PREFIX": "everest_x",
            "EV_MQTT_BROKER_HOST": "h",
            "EV_MQTT_BROKER_PORT": "1999",
        }
    )
    assert (module_id, rt.prefix, rt.broker) == ("ocpp", "everest_x/", BrokerAddress("h", 1999))
    _, rt = settings_from_environment({"EV_MODULE": "m", "EV_MQTT_BROKER_SOCKET_PATH": "/s"})
    assert (rt.prefix, rt.broker.socket_path) == ("everest/", "/s")
    with pytest.raises(SetupError, match="EV_MODULE"):
        settings_from_environment({})
    with pytest.raises(SetupError, match="EV_MQTT_BROKER"):
        settings_from_environment({"EV_MODULE": "m"})
    with pytest.raises(SetupError, match="not a number"):
        settings_from_environment({"EV_MODULE": "m", "EV_MQTT_BROKER_HOST": "h", "EV_MQTT_BROKER_PORT": "x"})


def test_manager_response(tmp_path: Path) -> None:
    data = module_config_response(
        "ocpp",
        {"OcppVersion": "2.0.1", "PublishChargingScheduleIntervalS": 5, "Flag": True},
        {"evse_manager": [{"module_id": "e", "implementation_id": "evse"}]},
    )
    setup = setup_from_manager_response(data, "ocpp", tmp_path)
    assert setup.config == {"OcppVersion": "2.0.1", "PublishChargingScheduleIntervalS": 5, "Flag": True}
    assert setup.connections == {"evse_manager": [Connection("e", "evse")]}
    assert (setup.module_name, setup.base_dir) == ("EverestOcpp", tmp_path)
    with pytest.raises(SetupError, match="status='Error'"):
        setup_from_manager_response({"status": "Error"}, "ocpp", tmp_path)
    with pytest.raises(SetupError, match="module_config"):
        setup_from_manager_response({"status": "Ok", "response": {}}, "ocpp", tmp_path)


def test_module_config_defaults_and_checks() -> None:
    defs = Definitions()
    values = module_config(defs, {"OcppVersion": "2.0.1", "Unknown": 1}, "here")
    assert values["OcppVersion"] == "2.0.1"
    assert values["PublishChargingScheduleIntervalS"] == 30
    assert values["PublishChargingScheduleDurationS"] == 600
    assert values["RequestCompositeScheduleUnit"] == "A"
    assert "Unknown" not in values
    with pytest.raises(SetupError, match="OcppVersion"):
        module_config(defs, {"OcppVersion": 1.6}, "here")
    with pytest.raises(SetupError, match="RequestCompositeScheduleUnit"):
        module_config(defs, {"RequestCompositeScheduleUnit": "kW"}, "here")
    with pytest.raises(SetupError, match="PublishChargingScheduleIntervalS"):
        module_config(defs, {"PublishChargingScheduleIntervalS": -1}, "here")
