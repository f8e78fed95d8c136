"""A whole test stack: CSMS + probe + the module process on a shared mosquitto, with a fresh prefix."""

from __future__ import annotations

import copy
import json
import re
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .csms import Csms
from .manager import FakeManager, module_config_response
from .module_process import REPO, ModuleProcess, write_runtime_config
from .probe import Probe
from .probe_defaults import BY_INTERFACE

MODULE_ID = "ocpp"
CHARGE_POINT_ID = "cp001"

# requirement id -> (probe implementation id, interface)
OPTIONAL_REQUIREMENTS = {
    "security": ("security", "evse_security"),
    "system": ("system", "system"),
    "auth": ("auth", "auth"),
    "reservation": ("reservation", "reservation"),
    "charger_information": ("charger_information", "charger_information"),
    "data_transfer": ("data_transfer", "ocpp_data_transfer"),
    "display_message": ("display_message", "display_message"),
    "extensions_15118": ("extensions_15118", "iso15118_extensions"),
    "evse_energy_sink": ("evse_energy_sink", "external_energy_limits"),
}
# connected unless a test says otherwise (the others only when a test asks for them)
DEFAULT_OPTIONAL = ("security", "system", "auth", "reservation")


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge-patch (None deletes)."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


SAMPLES = REPO / "module" / "everest_ocpp" / "data"


def base_v16_config(csms: Csms) -> dict[str, Any]:
    """The package's equivalent of EVerest's libocpp-config-test.json, pointed at the test CSMS."""
    config = json.loads((SAMPLES / "v16" / "config-test.json").read_text())
    config["Internal"]["CentralSystemURI"] = csms.url(config["Internal"]["ChargePointId"])
    return config


V201_COMPONENTS = SAMPLES / "v201" / "component_config"
_VARIABLE_SPEC = re.compile(r"^(?P<name>[^\[\]]+)(\[(?P<instance>[^\]]+)\])?$")


def write_v201_config(
    target: Path, csms: Csms, overrides: dict[str, Any], source: Path = V201_COMPONENTS
) -> Path:
    """A copy of the shipped component config set pointed at the test CSMS.

    Slot 1 of InternalCtrlr.NetworkConnectionProfiles is ws://127.0.0.1:<port>/cp001 with the
    security profile of ``SecurityCtrlr.SecurityProfile`` in ``overrides`` (default 0, which also
    sets AllowSecurityLevelZeroConnections). ``overrides`` is {Component: {"Variable" or
    "Variable[Instance]": Actual value}}; "$CSMS_URL" in a string value becomes ws://127.0.0.1:<port>.
    """
    shutil.copytree(source, target)
    files = {json.loads(p.read_text())["name"]: p for p in sorted(target.rglob("*.json"))}
    profile = int(overrides.get("SecurityCtrlr", {}).get("SecurityProfile", 0))
    base_url = f"{'wss' if profile >= 2 else 'ws'}://127.0.0.1:{csms.port}"
    network = [
        {
            "configurationSlot": 1,
            "connectionData": {
                "messageTimeout": 30,
                "ocppCsmsUrl": f"{base_url}/{CHARGE_POINT_ID}",
                "ocppInterface": "Wired0",
                "ocppTransport": "JSON",
                "ocppVersion": "OCPP20",
                "securityProfile": profile,
            },
        }
    ]
    generated: dict[str, dict[str, Any]] = {
        "InternalCtrlr": {
            "NetworkConnectionProfiles": json.dumps(network),
            "AllowSecurityLevelZeroConnections": profile == 0,
        },
        "SecurityCtrlr": {"SecurityProfile": profile},
    }
    for component, variables in merge_patch(generated, overrides).items():
        if component not in files:
            raise ValueError(f"ocpp_config: no component file for {component}")
        path = files[component]
        data = json.loads(path.read_text())
        for spec, value in variables.items():
            _set_actual(data, component, spec, value, base_url)
        path.write_text(json.dumps(data, indent=2))
    return target


def _set_actual(data: dict[str, Any], component: str, spec: str, value: Any, base_url: str) -> None:
    match = _VARIABLE_SPEC.match(spec)
    if match is None:
        raise ValueError(f"ocpp_config: bad variable '{spec}' (Variable or Variable[Instance])")
    name, instance = match["name"], match["instance"]
    for prop in data["properties"].values():
        if prop["variable_name"] == name and prop.get("instance") == instance:
            if isinstance(value, (list, dict)):
                value = json.dumps(value)
            if isinstance(value, str):
                value = value.replace("$CSMS_URL", base_url)
            actual = next(a for a in prop["attributes"] if a.get("type", "Actual") == "Actual")
            actual["value"] = value
            return
    raise ValueError(f"ocpp_config: {component} has no variable {spec}")


@dataclass
class StackOptions:
    ocpp_version: str = "1.6"
    # 1.6: merge-patch onto the base config; 2.0.1: {Component: {Variable[Instance]: Actual value}}
    ocpp_config: dict[str, Any] = field(default_factory=dict)
    base_config: dict[str, Any] | None = None  # 1.6: replaces the package's config-test.json as the base
    v201_source: Path | None = None  # 2.0.1: component config folder copied instead of the shipped set
    module_config: dict[str, Any] = field(default_factory=dict)  # config_module overrides
    evses: list[dict[str, Any]] = field(
        default_factory=lambda: [{"id": 1, "connectors": [{"id": 1}]}, {"id": 2, "connectors": [{"id": 1}]}]
    )
    probe_answers: dict[str, dict[str, Any]] = field(default_factory=dict)  # impl -> cmd -> answer
    csms_responses: dict[str, Any] = field(default_factory=dict)
    # after GlobalReady the probe publishes evse_manager `ready` (True), `waiting_for_external_ready`
    # ("waiting", as an EvseManager with external_ready_to_start_charging does) or nothing (False)
    publish_ready: bool | str = True
    energy_sinks: list[int] = field(default_factory=list)  # EVSE ids with an evse_energy_sink connection
    module_name: str = "EverestOcpp"  # `module:` of the module under test in the EVerest config
    spawned: bool = False  # start like the manager does (module.py + EV_* + config/request)
    module_env: dict[str, str] = field(default_factory=dict)  # extra environment of the module process
    csms_ssl: Any = None  # an ssl.SSLContext: the CSMS serves wss://
    optional: tuple[str, ...] = DEFAULT_OPTIONAL  # which of OPTIONAL_REQUIREMENTS connect


class Stack:
    def __init__(self, broker: Any, workdir: Path, options: StackOptions) -> None:
        self.broker = broker
        self.workdir = workdir
        self.options = options
        self.prefix = f"everest_{uuid.uuid4().hex[:10]}/"
        self.csms = Csms(ssl_context=options.csms_ssl)
        self.probe = Probe(broker.host, broker.port, self.prefix, target=MODULE_ID)
        self.evse_impls = [
            f"evse_manager{'' if i == 0 else '_' + chr(ord('a') + i)}" for i in range(len(options.evses))
        ]
        self.module: ModuleProcess | None = None
        self.manager: FakeManager | None = None
        self.config_path = workdir / "everest-config.yaml"

    # ---- files -----------------------------------------------------------------------------------
    def write_files(self) -> None:
        opts = self.options
        module_config: dict[str, Any] = {
            "OcppVersion": opts.ocpp_version,
            "DatabaseDir": str(self.workdir / "db"),
            "MessageLogPath": str(self.workdir / "ocpp-messages"),
        }
        if opts.ocpp_version == "1.6":
            base = opts.base_config if opts.base_config is not None else base_v16_config(self.csms)
            cp_config = merge_patch(base, opts.ocpp_config)
            (self.workdir / "ocpp-config.json").write_text(json.dumps(cp_config, indent=2))
            module_config["ChargePointConfigPath"] = str(self.workdir / "ocpp-config.json")
            module_config["UserConfigPath"] = str(self.workdir / "user_config.json")
        elif opts.ocpp_version == "2.0.1":
            folder = self.workdir / "component_config"
            if not folder.exists():  # kept across restart_module
                write_v201_config(folder, self.csms, opts.ocpp_config, opts.v201_source or V201_COMPONENTS)
            module_config["DeviceModelConfigPath"] = str(folder)
            module_config["DeviceModelDatabasePath"] = str(self.workdir / "device_model.db")
        module_config.update(opts.module_config)
        connections: dict[str, list[dict[str, str]]] = {
            "evse_manager": [{"module_id": "probe", "implementation_id": impl} for impl in self.evse_impls]
        }
        for req in opts.optional:
            impl, _iface = OPTIONAL_REQUIREMENTS[req]
            connections[req] = [{"module_id": "probe", "implementation_id": impl}]
        if opts.energy_sinks:
            connections["evse_energy_sink"] = [
                {"module_id": "probe", "implementation_id": f"energy_sink_{e}"} for e in opts.energy_sinks
            ]
        self.probe_mapping = {
            "implementations": {f"energy_sink_{evse}": {"evse": evse} for evse in opts.energy_sinks}
        }
        self.module_config, self.connections = module_config, connections
        write_runtime_config(
            self.config_path,
            prefix=self.prefix,
            host=self.broker.host,
            port=self.broker.port,
            module_id=MODULE_ID,
            config_module=module_config,
            connections=connections,
            module_name=opts.module_name,
            # the connections' target must be in active_modules (a standalone start checks it)
            others={"probe": {"module": "Probe", "mapping": self.probe_mapping}},
        )

    def _implement_probe(self) -> None:
        for impl, evse in zip(self.evse_impls, self.options.evses, strict=True):
            for cmd, value in BY_INTERFACE["evse_manager"].items():
                self.probe.implement(impl, cmd, value)
            self.probe.implement(impl, "get_evse", evse)
        for req in self.options.optional:
            impl, iface = OPTIONAL_REQUIREMENTS[req]
            for cmd, value in BY_INTERFACE[iface].items():
                self.probe.implement(impl, cmd, value)
        for evse in self.options.energy_sinks:
            for cmd, value in BY_INTERFACE["external_energy_limits"].items():
                self.probe.implement(f"energy_sink_{evse}", cmd, value)
        for impl, answers in self.options.probe_answers.items():
            for cmd, value in answers.items():
                self.probe.implement(impl, cmd, value)

    # ---- lifecycle -------------------------------------------------------------------------------
    def start(self, wait_boot: bool = True, timeout: float = 15.0) -> None:
        self.csms.responses.update(self.options.csms_responses)
        self.csms.start()
        self.write_files()
        self._implement_probe()
        self.probe.start()
        self.start_module()
        if wait_boot:
            self.wait_registered(0, timeout)

    def boot_responses(self) -> int:
        return len(self.probe.seen_vars("boot_notification_response"))

    def wait_registered(self, seen: int, timeout: float = 15.0) -> None:
        """Until the module handled a BootNotification answer beyond the first ``seen`` ones."""
        self.csms.wait_connected(timeout)
        self.probe.wait_until(
            lambda: len(self.probe.seen_vars("boot_notification_response")) > seen,
            timeout,
            "boot_notification_response",
        )

    def start_module(self, timeout: float = 15.0) -> None:
        self.probe.module_ready.clear()
        self.module = ModuleProcess(self.config_path, MODULE_ID, self.workdir / "module.log")
        self.module.extra_env = dict(self.options.module_env)
        if self.options.spawned:
            if self.manager is None:
                answer = module_config_response(
                    MODULE_ID,
                    self.module_config,
                    self.connections,
                    module_name=self.options.module_name,
                    mappings={"probe": self.probe_mapping},
                )
                self.manager = FakeManager(
                    self.broker.host, self.broker.port, self.prefix, {MODULE_ID: answer}
                )
            self.module.start_spawned(self.spawn_env(), self.workdir)
        else:
            self.module.start()
        if not self.probe.module_ready.wait(timeout):
            raise TimeoutError(f"module did not publish ModuleReady; log:\n{self.module.log_tail()}")
        self.probe.publish_global_ready()
        if self.options.publish_ready:
            var = "waiting_for_external_ready" if self.options.publish_ready == "waiting" else "ready"
            for impl in self.evse_impls:
                self.probe.publish_var(impl, var, True)

    def stop_module(self) -> int:
        code = self.module.stop() if self.module else 0
        self.module = None
        return code

    def kill_module(self) -> None:
        if self.module is not None:
            self.module.kill()
        self.module = None

    def spawn_env(self) -> dict[str, str]:
        return {
            "EV_MODULE": MODULE_ID,
            "EV_PREFIX": str(self.workdir),
            "EV_LOG_CONF_FILE": str(self.workdir / "logging.ini"),
            "EV_MQTT_EVEREST_PREFIX": self.prefix.rstrip("/"),  # the module appends the slash
            "EV_MQTT_EXTERNAL_PREFIX": "",
            "EV_MQTT_BROKER_HOST": self.broker.host,
            "EV_MQTT_BROKER_PORT": str(self.broker.port),
        }

    def stop(self) -> int:
        code = self.stop_module()
        if self.manager is not None:
            self.manager.stop()
        self.probe.stop()
        self.csms.stop()
        return code
