"""Drop-in: EVerest configs shaped like everest-core's SIL OCPP configs, only the module name changed.

The other EVerest modules (two EvseManagers mapped to EVSE 1 and 2, Auth with its reservation
implementation, System, EvseSecurity) are probes with the module ids of those configs. The libocpp
files lie where the C++ modules find them: in their share directory of an EVerest installation
(``EV_PREFIX``), named by relative paths as in the upstream configs. The module must boot, call
``external_ready_to_start_charging`` on every EvseManager, and report every connector Available.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.csms import Csms
from harness.module_process import ModuleProcess, write_runtime_config
from harness.probe import Probe
from harness.probe_defaults import BY_INTERFACE
from harness.stack import base_v16_config, write_v201_config

EVSE_MODULES = ["connector_1", "connector_2"]


def _probes(broker: Any, prefix: str) -> dict[str, Probe]:
    probes = {}
    for module_id, impls in {
        "connector_1": {"evse": "evse_manager"},
        "connector_2": {"evse": "evse_manager"},
        "auth": {"main": "auth", "reservation": "reservation"},
        "system": {"main": "system"},
        "evse_security": {"main": "evse_security"},
    }.items():
        probe = Probe(broker.host, broker.port, prefix, target="ocpp", module_id=module_id)
        for impl, iface in impls.items():
            for cmd, value in BY_INTERFACE[iface].items():
                probe.implement(impl, cmd, value)
        if module_id in EVSE_MODULES:
            evse_id = EVSE_MODULES.index(module_id) + 1
            probe.implement("evse", "get_evse", {"id": evse_id, "connectors": [{"id": 1}]})
        probes[module_id] = probe
    return probes


def _config(module: str, config_module: dict[str, Any]) -> dict[str, Any]:
    """The SIL configs' module graph; `ocpp` is the module under test."""

    def conn(module_id: str, impl: str) -> list[dict[str, str]]:
        return [{"module_id": module_id, "implementation_id": impl}]

    return {
        "module": module,
        "config_module": config_module,
        "connections": {
            "evse_manager": [*conn("connector_1", "evse"), *conn("connector_2", "evse")],
            "reservation": conn("auth", "reservation"),
            "auth": conn("auth", "main"),
            "system": conn("system", "main"),
            "security": conn("evse_security", "main"),
        },
    }


class SilStack:
    def __init__(self, broker: Any, workdir: Path, version: str) -> None:
        self.broker, self.workdir, self.version = broker, workdir, version
        self.prefix = f"everest_sil_{version.replace('.', '')}_{workdir.name}/"
        self.csms = Csms()
        self.probes = _probes(broker, self.prefix)
        self.module: ModuleProcess | None = None
        self.share = workdir / "prefix" / "share" / "everest" / "modules"

    def start(self) -> None:
        self.csms.start()
        if self.version == "1.6":
            (self.share / "OCPP").mkdir(parents=True)
            (self.share / "OCPP" / "libocpp-config-test.json").write_text(
                json.dumps(base_v16_config(self.csms))
            )
            # config-sil-ocpp.yaml: relative names, found in the C++ module's share directory
            entry = _config(
                "EverestOcpp",
                {
                    "ChargePointConfigPath": "libocpp-config-test.json",
                    "UserConfigPath": "user_config.json",
                    "EnableExternalWebsocketControl": True,
                },
            )
        else:
            (self.share / "OCPP201").mkdir(parents=True)
            write_v201_config(self.share / "OCPP201" / "component_config", self.csms, {})
            # config-sil-ocpp201.yaml: no file keys at all; the module name says 2.0.1
            entry = _config("EverestOcpp201", {"EnableExternalWebsocketControl": True})
        others = {
            "connector_1": {"module": "EvseManager", "mapping": {"module": {"evse": 1}}},
            "connector_2": {"module": "EvseManager", "mapping": {"module": {"evse": 2}}},
            "auth": {"module": "Auth"},
            "system": {"module": "System"},
            "evse_security": {"module": "EvseSecurity"},
        }
        config = self.workdir / "config" / "everest-config.yaml"
        config.parent.mkdir()
        write_runtime_config(
            config,
            prefix=self.prefix,
            host=self.broker.host,
            port=self.broker.port,
            module_id="ocpp",
            config_module=entry["config_module"],
            connections=entry["connections"],
            module_name=entry["module"],
            others=others,
        )
        for probe in self.probes.values():
            probe.start()
        self.module = ModuleProcess(config, "ocpp", self.workdir / "module.log")
        # the C++ modules' share directory; HOME: the default state folder stays in the test
        self.module.extra_env = {
            "EV_PREFIX": str(self.workdir / "prefix"),
            "HOME": str(self.workdir / "home"),
        }
        self.module.start()
        first = self.probes["connector_1"]
        if not first.module_ready.wait(15):
            raise TimeoutError(self.module.log_tail())
        first.publish_global_ready()
        for module_id in EVSE_MODULES:  # EvseManager with external_ready_to_start_charging: true
            self.probes[module_id].publish_var("evse", "waiting_for_external_ready", True)

    def stop(self) -> int:
        code = self.module.stop() if self.module else 0
        for probe in self.probes.values():
            probe.stop()
        self.csms.stop()
        return code


@pytest.fixture
def sil(broker: Any, tmp_path: Path) -> Iterator[Any]:
    stacks: list[SilStack] = []

    def make(version: str) -> SilStack:
        stack = SilStack(broker, tmp_path / f"sil{len(stacks)}", version)
        stack.workdir.mkdir()
        stacks.append(stack)
        stack.start()
        return stack

    yield make
    for stack in stacks:
        assert stack.stop() == 0


def _external_ready_called(stack: SilStack) -> None:
    for module_id in EVSE_MODULES:
        probe = stack.probes[module_id]
        probe.wait_until(
            lambda p=probe: p.seen_calls("evse", "external_ready_to_start_charging"), 15, "ready call"
        )


def test_sil_16_shape_boots_with_only_the_module_name_changed(sil: Any) -> None:
    stack: SilStack = sil("1.6")
    _external_ready_called(stack)
    stack.csms.wait_until(lambda: len(stack.csms.received("StatusNotification")) >= 3, 15, "3 statuses")
    assert stack.csms.received("BootNotification")[0].payload["chargePointModel"]
    statuses = [c.payload for c in stack.csms.received("StatusNotification")[:3]]
    assert all(isinstance(s.pop("timestamp"), str) for s in statuses)  # sent, as libocpp does
    assert statuses == [{"connectorId": c, "errorCode": "NoError", "status": "Available"} for c in (0, 1, 2)]
    assert (stack.share / "OCPP" / "user_config.json").exists()  # where the C++ module keeps it
    assert "OCPP 1.6 (1.6-only key ChargePointConfigPath is set)" in stack.module.log_text()


def test_sil_201_shape_boots_with_only_the_module_name_changed(sil: Any) -> None:
    stack: SilStack = sil("2.0.1")
    _external_ready_called(stack)
    stack.csms.wait_until(lambda: len(stack.csms.received("StatusNotification")) >= 2, 15, "2 statuses")
    assert stack.csms.received("BootNotification")[0].payload["reason"] == "PowerUp"
    statuses = sorted(
        (c.payload["evseId"], c.payload["connectorId"], c.payload["connectorStatus"])
        for c in stack.csms.received("StatusNotification")[:2]
    )
    assert statuses == [(1, 1, "Available"), (2, 1, "Available")]
    log = stack.module.log_text()
    assert "OCPP 2.0.1 (module name EverestOcpp201 ends in 201)" in log
    assert f"component config {stack.share / 'OCPP201' / 'component_config'}" in log
