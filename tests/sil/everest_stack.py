"""A real EVerest SIL stack (manager, EvseManager, YetiSimulator, EvManager, Auth, ...) for opt-in tests.

``EVEREST_SIL_PREFIX`` names an EVerest installation (``bin/manager`` and the SIL modules, e.g. the
prebuilt stack unpacked to /opt/everest). The stack runs the manager on a private mosquitto with a
config written here (modelled on EVerest's own OCPP SIL configs), the OCPP module being either the
installed C++ module or this repository linked in its place, exactly as an integrator installs it:
an overlay prefix whose ``libexec/everest/modules/<name>`` points at the checkout.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
import yaml
from paho.mqtt.enums import CallbackAPIVersion

from harness.broker import Mosquitto
from harness.csms import Csms
from harness.stack import base_v16_config, write_v201_config

REPO = Path(__file__).resolve().parents[2]
ENV = "EVEREST_SIL_PREFIX"


class _NoAliases(yaml.SafeDumper):
    """The manager's YAML parser does not take anchors/aliases: write repeated lists out."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def sil_prefix() -> Path | None:
    raw = os.environ.get(ENV, "")
    prefix = Path(raw) if raw else None
    return prefix if prefix is not None and (prefix / "bin" / "manager").exists() else None


def overlay(prefix: Path, target: Path, replace: dict[str, Path]) -> Path:
    """A prefix that is ``prefix`` except for the modules in ``replace`` (name -> module folder)."""
    target.mkdir(parents=True)
    for entry in prefix.iterdir():
        if entry.name != "libexec":
            (target / entry.name).symlink_to(entry)
    modules = target / "libexec" / "everest" / "modules"
    modules.mkdir(parents=True)
    for entry in (prefix / "libexec" / "everest").iterdir():
        if entry.name != "modules":
            (target / "libexec" / "everest" / entry.name).symlink_to(entry)
    for entry in (prefix / "libexec").iterdir():
        if entry.name != "everest":
            (target / "libexec" / entry.name).symlink_to(entry)
    for entry in (prefix / "libexec" / "everest" / "modules").iterdir():
        if entry.name not in replace:
            (modules / entry.name).symlink_to(entry)
    for name, folder in replace.items():
        (modules / name).symlink_to(folder)
    return target


def _evse(index: int) -> dict[str, Any]:
    """EvseManager + YetiSimulator + EvManager for EVSE ``index`` (1-based)."""
    n = str(index)
    return {
        f"connector_{n}": {
            "module": "EvseManager",
            "mapping": {"module": {"evse": index}},
            "config_module": {
                "connector_id": index,
                "evse_id": n,
                "has_ventilation": True,
                "external_ready_to_start_charging": True,
            },
            "connections": {
                "bsp": [{"module_id": f"yeti_{n}", "implementation_id": "board_support"}],
                "powermeter_grid_side": [{"module_id": f"yeti_{n}", "implementation_id": "powermeter"}],
                "connector_lock": [{"module_id": f"yeti_{n}", "implementation_id": "connector_lock"}],
            },
        },
        f"yeti_{n}": {
            "module": "YetiSimulator",
            "mapping": {"module": {"evse": index}},
            "config_module": {"connector_id": index},
        },
        f"car_{n}": {
            "module": "EvManager",
            "config_module": {"auto_enable": True, "auto_exec": False, "connector_id": index},
            "connections": {
                "ev_board_support": [{"module_id": f"yeti_{n}", "implementation_id": "ev_board_support"}]
            },
        },
    }


def sil_config(
    ocpp_module: str, config_module: dict[str, Any], evses: int, validator: str = "ocpp"
) -> dict[str, Any]:
    """``validator``: "ocpp" (Auth asks the OCPP module's auth_validator, as in EVerest's SIL configs)
    or "dummy" (DummyTokenValidator accepts every token)."""
    modules: dict[str, Any] = {}
    for index in range(1, evses + 1):
        modules.update(_evse(index))
    evse_conns = [{"module_id": f"connector_{i}", "implementation_id": "evse"} for i in range(1, evses + 1)]
    modules.update(
        {
            "ocpp": {
                "module": ocpp_module,
                "config_module": config_module,
                "connections": {
                    "evse_manager": evse_conns,
                    "reservation": [{"module_id": "auth", "implementation_id": "reservation"}],
                    "auth": [{"module_id": "auth", "implementation_id": "main"}],
                    "system": [{"module_id": "system", "implementation_id": "main"}],
                    "security": [{"module_id": "evse_security", "implementation_id": "main"}],
                },
            },
            "evse_security": {"module": "EvseSecurity"},
            "auth": {
                "module": "Auth",
                "config_module": {"connection_timeout": 30},
                "connections": {
                    "token_provider": [
                        {"module_id": "token_provider", "implementation_id": "main"},
                        {"module_id": "ocpp", "implementation_id": "auth_provider"},
                    ],
                    "token_validator": [
                        {"module_id": "ocpp", "implementation_id": "auth_validator"}
                        if validator == "ocpp"
                        else {"module_id": "token_validator", "implementation_id": "main"}
                    ],
                    "evse_manager": evse_conns,
                },
            },
            "token_provider": {
                "module": "DummyTokenProviderManual",
                "config_implementation": {
                    "main": {"mqtt_topic": "everest_api/dummy_token_provider/cmd/provide"}
                },
            },
            "energy_manager": {
                "module": "EnergyManager",
                "connections": {
                    "energy_trunk": [
                        {"module_id": "grid_connection_point", "implementation_id": "energy_grid"}
                    ]
                },
            },
            "grid_connection_point": {
                "module": "EnergyNode",
                "config_module": {"fuse_limit_A": 63.0, "phase_count": 3},
                "connections": {
                    "price_information": [],
                    "energy_consumer": [
                        {"module_id": f"connector_{i}", "implementation_id": "energy_grid"}
                        for i in range(1, evses + 1)
                    ],
                    "powermeter": [{"module_id": "yeti_1", "implementation_id": "powermeter"}],
                },
            },
            "system": {"module": "System"},
        }
    )
    if validator != "ocpp":
        modules["token_validator"] = {
            "module": "DummyTokenValidator",
            "config_implementation": {"main": {"validation_result": "Accepted", "sleep": 0.1}},
        }
    return {"active_modules": modules}


class EverestSil:
    """One SIL run: broker, CSMS, manager with the chosen OCPP implementation."""

    def __init__(
        self, prefix: Path, workdir: Path, version: str, implementation: str, validator: str = "ocpp"
    ) -> None:
        self.prefix, self.workdir, self.version = prefix, workdir, version
        self.validator = validator
        self.implementation = implementation  # "python" (this repository) or "cpp" (the installed module)
        self.broker = Mosquitto(workdir)
        self.csms = Csms()
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = workdir / "everest.log"
        self._mqtt: paho.Client | None = None

    def _ocpp_config(self) -> tuple[str, dict[str, Any], dict[str, Path]]:
        """(module name, config_module, modules replaced in the overlay)."""
        state = self.workdir / "state"
        if self.version == "1.6":
            config = base_v16_config(self.csms)
            config["Core"]["MeterValueSampleInterval"] = 2
            (self.workdir / "ocpp-config.json").write_text(json.dumps(config, indent=2))
            module_config: dict[str, Any] = {
                "ChargePointConfigPath": str(self.workdir / "ocpp-config.json"),
                "UserConfigPath": str(self.workdir / "user_config.json"),
                "DatabasePath": str(state),
                "MessageLogPath": str(self.workdir / "messages"),
            }
            name = "OCPP"
        else:
            # the installation's own libocpp component files (the C++ module checks them for every variable
            # it requires), with the CSMS address changed
            installed = self.prefix / "share" / "everest" / "modules" / "OCPP201" / "component_config"
            if installed.is_dir():
                # profile 1 (basic auth with the installed password): those files allow no profile 0
                overrides = {
                    "SecurityCtrlr": {"SecurityProfile": 1},
                    "SampledDataCtrlr": {"TxUpdatedInterval": 2},
                }
                write_v201_config(self.workdir / "component_config", self.csms, overrides, installed)
            else:
                write_v201_config(self.workdir / "component_config", self.csms, {})
            module_config = {
                "DeviceModelConfigPath": str(self.workdir / "component_config"),
                "CoreDatabasePath": str(state),
                "DeviceModelDatabasePath": str(state / "device_model.db"),
                "EverestDeviceModelDatabasePath": str(state / "everest_device_model.db"),
                "MessageLogPath": str(self.workdir / "messages"),
            }
            name = "OCPP201"
        replace = {name: REPO} if self.implementation == "python" else {}
        return name, module_config, replace

    def start(self, evses: int = 1, timeout: float = 60.0) -> None:
        self.broker.start()
        self.csms.start()
        name, module_config, replace = self._ocpp_config()
        run_prefix = overlay(self.prefix, self.workdir / "prefix", replace)
        config = self.workdir / "everest-config.yaml"
        config.write_text(
            yaml.dump(
                sil_config(name, module_config, evses, self.validator), Dumper=_NoAliases, sort_keys=False
            )
        )
        env = dict(os.environ, MQTT_SERVER_ADDRESS="127.0.0.1", MQTT_SERVER_PORT=str(self.broker.port))
        env["EVEREST_OCPP_LOG_LEVEL"] = "info"
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [str(self.prefix / "bin" / "manager"), "--prefix", str(run_prefix), "--config", str(config)],
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=self.workdir,
                env=env,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while not self.csms.connected:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"the EVerest manager ended ({self.proc.returncode}):\n{self.log_text()[-4000:]}"
                )
            if time.monotonic() > deadline:
                raise TimeoutError(f"no OCPP connection within {timeout} s:\n{self.log_text()[-4000:]}")
            time.sleep(0.2)

    def publish(self, topic: str, payload: str) -> None:
        """A raw MQTT message (the SIL simulators' external topics), confirmed by the broker."""
        if self._mqtt is None:
            self._mqtt = paho.Client(
                CallbackAPIVersion.VERSION2, client_id=f"sil-test-{uuid.uuid4().hex[:8]}"
            )
            self._mqtt.connect("127.0.0.1", self.broker.port)
            self._mqtt.loop_start()
        self._mqtt.publish(topic, payload, qos=1).wait_for_publish(10)

    def car(self, connector: int, commands: str) -> None:
        self.publish(f"everest_external/nodered/{connector}/carsim/cmd/execute_charging_session", commands)

    def swipe(self, token: str, connector: int = 1) -> None:
        provided = {
            "id_token": {"value": token, "type": "ISO14443"},
            "authorization_type": "RFID",
            "connectors": [connector],
        }
        self.publish("everest_api/dummy_token_provider/cmd/provide", json.dumps(provided))

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> int:
        code = 0
        if self._mqtt is not None:
            self._mqtt.loop_stop()
            self._mqtt.disconnect()
        if self.proc is not None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            deadline = time.monotonic() + 15
            while self.proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.1)
            if self.proc.poll() is None:
                os.killpg(self.proc.pid, signal.SIGKILL)
            code = self.proc.wait(5)
        self.csms.stop()
        self.broker.stop()
        return code
