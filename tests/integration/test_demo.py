"""`everest-ocpp demo` end to end: broker, CSMS, module and stand-in charger talk, then stop cleanly;
`everest-ocpp schedule` draws what a running module publishes."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

from everest_ocpp.demo.charger import EnableDisableSources
from harness.stack import Stack

REPO = Path(__file__).resolve().parents[2]
ENV = dict(os.environ, PYTHONPATH=str(REPO / "module"))
STEPS = "0 s: 32 A, 120 s: 16 A, 300 s: 24 A"
PERIODS = "periods: 0 s: 32 A, 2 min: 16 A, 5 min: 24 A"


def _everest_ocpp(*args: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "everest_ocpp", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=ENV,
    )


def _workdir(stdout: str) -> Path:
    match = re.search(r"--config (\S+)/everest-config.yaml", stdout)
    assert match, stdout
    return Path(match[1])


def _check(out: subprocess.CompletedProcess[str], expected: tuple[str, ...]) -> list[str]:
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    for line in expected:
        assert line in lines, f"missing {line!r} in:\n{out.stdout}"
    assert not _workdir(out.stdout).exists(), "the temporary folder was left behind"
    return lines


def test_demo_shows_the_module_working() -> None:
    lines = _check(
        _everest_ocpp("demo", "--duration", "0.5"),
        (
            "[csms   ] BootNotification from cp001: EVerest everest-ocpp -> Accepted",
            "[charger] var is_connected = true",
            "[charger] get_variables ChargePointId -> Accepted cp001",
            "[charger] get_variables NoSuchKey -> UnknownVariable ",
            "[csms   ] GetConfiguration -> HeartbeatInterval=60; unknown: ['NoSuchKey']",
            "[csms   ] ChangeConfiguration HeartbeatInterval=30 -> Accepted",
            '[charger] evse_manager.enable_disable {"connector_id": 0, "cmd_source": {"enable_source": '
            '"CSMS", "enable_state": "Disable", "enable_priority": 5000}} -> disabled',
            "[charger] change_availability EVSE 1 Inoperative -> {'status': 'Accepted'}",
            f"[csms   ] SetChargingProfile ChargePointMaxProfile {STEPS} -> Accepted",
            "[charger] composite schedule of EVSE 1 (what `everest-ocpp schedule` draws):",
            "[demo   ] module stopped (exit code 0)",
        ),
    )
    assert any(
        line.startswith("[charger] var event_data = ") and '"actual_value": "30"' in line for line in lines
    )
    assert any(line.startswith("EVSE 1: limit in A from ") for line in lines)
    assert any(line.strip() == PERIODS for line in lines)


def test_demo_on_ocpp_201() -> None:
    _check(
        _everest_ocpp("demo", "--ocpp", "2.0.1", "--duration", "0.5"),
        (
            "[csms   ] BootNotification from cp001: EVerest everest-ocpp (PowerUp) -> Accepted",
            "[charger] get_variables Identity -> Accepted cp001",
            "[csms   ] GetVariables -> HeartbeatInterval: Accepted 60, NoSuchVariable: UnknownVariable",
            "[csms   ] SetVariables HeartbeatInterval=30 -> Accepted",
            "[csms   ] StatusNotification EVSE 1 connector 1: Unavailable",
            f"[csms   ] SetChargingProfile ChargingStationMaxProfile {STEPS} -> Accepted",
            "[demo   ] module stopped (exit code 0)",
        ),
    )


def test_demo_can_be_forced_onto_the_embedded_broker() -> None:
    out = _everest_ocpp("demo", "--embedded-broker", "--duration", "0.5")
    if importlib.util.find_spec("amqtt") is None:
        assert out.returncode == 1
        assert "no MQTT broker: install mosquitto (apt-get install mosquitto) or the demo extra" in out.stdout
    else:
        _check(out, ("[demo   ] module stopped (exit code 0)",))
        assert "[demo   ] broker: embedded amqtt" in out.stdout


def test_stand_in_evse_manager_answers_the_resulting_state() -> None:
    sources = EnableDisableSources()
    assert (
        sources.apply({"enable_source": "CSMS", "enable_state": "Disable", "enable_priority": 5000}) is False
    )
    assert (
        sources.apply({"enable_source": "LocalAPI", "enable_state": "Enable", "enable_priority": 100})
        is False
    )
    assert (
        sources.apply({"enable_source": "Firmware", "enable_state": "Enable", "enable_priority": 9000})
        is True
    )
    assert (
        sources.apply({"enable_source": "Firmware", "enable_state": "Unassigned", "enable_priority": 0})
        is False
    )
    assert sources.apply({"enable_source": "CSMS", "enable_state": "Enable", "enable_priority": 5000}) is True


def test_schedule_command_draws_what_the_module_publishes(make_stack) -> None:
    stack: Stack = make_stack(module_config={"PublishChargingScheduleIntervalS": 1})
    stack.start()
    out = _everest_ocpp(
        "schedule",
        "--mqtt-host", stack.broker.host,
        "--mqtt-port", str(stack.broker.port),
        "--prefix", stack.prefix,
        "--evse", "1",
        "--once",
        "--timeout", "10",
        timeout=30,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    topic = f"{stack.prefix}modules/ocpp/impl/ocpp_generic/var/charging_schedules"
    assert lines[0] == f"waiting for {topic} on {stack.broker.host}:{stack.broker.port} (Ctrl-C to stop)"
    assert re.fullmatch(r"--- charging_schedules at \d\d:\d\d:\d\d: 3 schedule\(s\)", lines[1])
    assert lines[2].startswith("EVSE 1: limit in A from ")
    assert lines[-1].strip() == "periods: 0 s: 48 A"
    assert not any(line.startswith("EVSE 0") or line.startswith("EVSE 2") for line in lines)


def test_schedule_command_gives_up_after_the_timeout(make_stack) -> None:
    stack: Stack = make_stack()
    stack.start()
    out = _everest_ocpp(
        "schedule", "--mqtt-host", stack.broker.host, "--mqtt-port", str(stack.broker.port),
        "--prefix", stack.prefix, "--module-id", "nobody", "--timeout", "0.5", timeout=30,
    )  # fmt: skip
    assert out.returncode == 1
    assert "no charging_schedules from module 'nobody' within 0.5 s" in out.stderr


def test_schedule_command_without_broker() -> None:
    out = _everest_ocpp("schedule", "--mqtt-host", "127.0.0.1", "--mqtt-port", "9", timeout=30)
    assert out.returncode == 2
    assert "cannot connect to MQTT broker 127.0.0.1:" in out.stderr
    assert "connection refused" in out.stderr
