"""The 2.0.1 CSMS link against the test CSMS: basic authentication, password changes, config sets."""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path

import pytest

from harness.stack import Stack
from harness.upstream import MIRROR, SKIP_REASON

PASSWORD = "first-password-1234"
NEW_PASSWORD = "second-password-5678"

LIBOCPP_FOLDER = "lib/everest/ocpp/config/common/component_config/standardized"


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _get(stack: Stack, component: str, variable: str) -> dict[str, object]:
    request = {"component_variable": {"component": {"name": component}, "variable": {"name": variable}}}
    return stack.probe.call("get_variables", {"requests": [request]})[0]


def test_security_profile_1_sends_basic_auth_and_reconnects_after_a_password_change(make_stack) -> None:
    stack: Stack = make_stack(
        ocpp_version="2.0.1",
        ocpp_config={"SecurityCtrlr": {"SecurityProfile": 1, "BasicAuthPassword": PASSWORD}},
    )
    stack.start()
    first = stack.csms.connections[0]
    assert first["subprotocol"] == "ocpp2.0.1"
    assert first["path"] == "/cp001"
    assert first["authorization"] == _basic("cp001", PASSWORD)

    response = stack.csms.send(
        "SetVariables",
        {
            "setVariableData": [
                {
                    "component": {"name": "SecurityCtrlr"},
                    "variable": {"name": "BasicAuthPassword"},
                    "attributeValue": NEW_PASSWORD,
                }
            ]
        },
    )
    assert response["setVariableResult"][0]["attributeStatus"] == "Accepted"
    stack.csms.wait_until(lambda: len(stack.csms.connections) >= 2, 10, "a reconnect")
    assert stack.csms.connections[1]["authorization"] == _basic("cp001", NEW_PASSWORD)
    stack.csms.wait_connected(10)
    assert len(stack.csms.received("BootNotification")) == 1  # registered: no new boot (B04)
    log = (stack.workdir / "module.log").read_text()
    assert PASSWORD not in log and NEW_PASSWORD not in log


def test_security_profile_0_sends_no_credentials(make_stack) -> None:
    stack: Stack = make_stack(ocpp_version="2.0.1")
    stack.start()
    assert stack.csms.connections[0]["authorization"] is None
    assert _get(stack, "SecurityCtrlr", "SecurityProfile")["value"] == "0"


def test_starts_from_the_shipped_component_set(make_stack) -> None:
    """The package's own set, unchanged but for the CSMS address (profile 1 with its shipped password)."""
    stack: Stack = make_stack(ocpp_version="2.0.1", ocpp_config={"SecurityCtrlr": {"SecurityProfile": 1}})
    stack.start()
    boot = stack.csms.received("BootNotification")[0].payload
    assert boot == {
        "chargingStation": {
            "model": "everest-ocpp",
            "vendorName": "EVerest",
            "serialNumber": "EVB-P0000001",
            "firmwareVersion": "0.1.0",
        },
        "reason": "PowerUp",
    }
    assert stack.csms.connections[0]["authorization"] == _basic("cp001", "ChangeMe-everest-ocpp")


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(MIRROR), *args], check=True, capture_output=True, text=True
    ).stdout


@pytest.mark.skipif(not MIRROR.exists(), reason=SKIP_REASON)
def test_starts_from_libocpps_standardized_component_set(make_stack, tmp_path: Path) -> None:
    """libocpp's own files (read from the snapshot, not shipped), only NetworkConnectionProfiles changed."""
    folder = tmp_path / "libocpp_config"
    (folder / "standardized").mkdir(parents=True)
    for path in _git("ls-tree", "--name-only", "HEAD", f"{LIBOCPP_FOLDER}/").split():
        if path.endswith(".json"):
            (folder / "standardized" / Path(path).name).write_text(_git("show", f"HEAD:{path}"))
    stack: Stack = make_stack(ocpp_version="2.0.1")
    internal = folder / "standardized" / "InternalCtrlr.json"
    data = json.loads(internal.read_text())
    profiles = [
        {
            "configurationSlot": 1,
            "connectionData": {
                "messageTimeout": 30,
                "ocppCsmsUrl": f"ws://127.0.0.1:{stack.csms.port}/cp001",
                "ocppInterface": "Wired0",
                "ocppTransport": "JSON",
                "ocppVersion": "OCPP20",
                "securityProfile": 1,
            },
        }
    ]
    data["properties"]["NetworkConnectionProfiles"]["attributes"][0]["value"] = json.dumps(profiles)
    internal.write_text(json.dumps(data))
    stack.options.module_config = {"DeviceModelConfigPath": str(folder)}
    stack.start()
    assert stack.csms.connections[0]["subprotocol"] == "ocpp2.0.1"
    assert stack.csms.connections[0]["authorization"].startswith("Basic ")
    boot = stack.csms.received("BootNotification")[0].payload
    assert boot["reason"] == "PowerUp" and boot["chargingStation"]["vendorName"]
    assert _get(stack, "InternalCtrlr", "NumberOfConnectors")["value"] == "2"
    assert _get(stack, "SecurityCtrlr", "BasicAuthPassword")["status"] == "Rejected"
    stack.csms.wait_until(
        lambda: len(stack.csms.received("StatusNotification")) >= 2, 5, "StatusNotification"
    )


def test_spawned_by_the_manager_on_2_0_1(make_stack) -> None:
    stack: Stack = make_stack(ocpp_version="2.0.1", spawned=True)
    stack.start()
    assert stack.csms.connections[0]["subprotocol"] == "ocpp2.0.1"
    assert _get(stack, "InternalCtrlr", "ChargePointId")["value"] == "cp001"


def test_standalone_start_with_a_bad_component_file_exits_naming_file_and_variable(make_stack) -> None:
    stack: Stack = make_stack(
        ocpp_version="2.0.1", ocpp_config={"OCPPCommCtrlr": {"HeartbeatInterval": "often"}}
    )
    stack.write_files()
    assert stack.module is None
    from harness.module_process import ModuleProcess

    process = ModuleProcess(stack.config_path, "ocpp", stack.workdir / "module.log")
    process.start()
    assert process.proc is not None
    code = process.proc.wait(15)
    log = process.log_tail()
    assert code != 0
    assert "OCPPCommCtrlr.json: variable HeartbeatInterval" in log
