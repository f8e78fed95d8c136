"""Started the way the EVerest manager starts a Python module: module.py, EV_* variables, config/request."""

from __future__ import annotations

from harness.stack import Stack


def test_spawned_module_fetches_config_and_boots(make_stack) -> None:
    stack: Stack = make_stack(spawned=True)
    stack.start()
    assert stack.manager is not None
    request = stack.manager.requests[0]
    assert request == {
        "msg_type": "GetConfig",
        "data": {"type": "Get", "origin": "ocpp", "request": {"type": "Module"}},
    }
    boot = stack.csms.received("BootNotification")[0]
    assert boot.payload["chargePointVendor"] == "Pionix"
    assert stack.probe.call("get_variables", {"requests": []}) == []


def test_spawned_module_asks_again_until_answered(make_stack) -> None:
    stack: Stack = make_stack(spawned=True)
    stack.csms.start()
    stack.write_files()
    stack._implement_probe()
    stack.probe.start()
    from harness.manager import FakeManager, module_config_response

    stack.manager = FakeManager(
        stack.broker.host,
        stack.broker.port,
        stack.prefix,
        {"ocpp": module_config_response("ocpp", stack.module_config, stack.connections)},
        ignore_first=1,
    )
    stack.start_module(timeout=20)
    assert len(stack.manager.requests) >= 2
    stack.csms.wait_connected(15)


def test_spawned_module_with_a_broken_config_stays_alive(make_stack, tmp_path) -> None:
    stack: Stack = make_stack(
        spawned=True, module_config={"ChargePointConfigPath": str(tmp_path / "missing.json")}
    )
    stack.start(wait_boot=False)
    assert stack.probe.call("stop", None) is False
    assert stack.probe.call(
        "get_variables",
        {
            "requests": [
                {"component_variable": {"component": {"name": ""}, "variable": {"name": "HeartbeatInterval"}}}
            ]
        },
    ) == [
        {
            "status": "Rejected",
            "component_variable": {"component": {"name": ""}, "variable": {"name": "HeartbeatInterval"}},
            "attribute_type": "Actual",
        }
    ]
    assert stack.module is not None and stack.module.alive


def test_unusable_database_after_discovery(make_stack, tmp_path) -> None:
    """A device model database that cannot be opened (here: a directory) is found only at build time:
    a spawned module logs it and stays, answering as "OCPP not running"."""
    bad = tmp_path / "db-is-a-directory"
    bad.mkdir()
    stack: Stack = make_stack(
        spawned=True, ocpp_version="2.0.1", module_config={"DeviceModelDatabasePath": str(bad)}
    )
    stack.start(wait_boot=False)
    stack.probe.wait_until(
        lambda: "OCPP cannot start" in (stack.workdir / "module.log").read_text(),
        20,
        "the start-up error in the log",
    )
    assert stack.probe.call("restart", None) is False
    assert stack.module is not None and stack.module.alive


def test_module_py_without_its_dependencies_says_how_to_install_them(tmp_path) -> None:
    """The manager runs module.py with the module's .venv; without one a plain Python lacks paho & co."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    # -S: no site-packages, as a system Python without our dependencies
    done = subprocess.run(
        [sys.executable, "-S", str(root / "module.py")],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=tmp_path,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("everest-ocpp: cannot start: No module named ")
    assert done.stderr.rstrip().endswith(
        f"create the module's virtual environment: cd {root} && python3 -m venv .venv && "
        ".venv/bin/pip install ."
    )
    assert "Traceback" not in done.stderr
