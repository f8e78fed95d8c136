"""`everest-ocpp demo` end to end: broker, CSMS, module and stand-in charger talk, then stop cleanly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_demo_shows_the_module_working() -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO / "module"))
    out = subprocess.run(
        [sys.executable, "-m", "everest_ocpp", "demo", "--duration", "0.5"],
        capture_output=True,
        text=True,
        timeout=90,
        env=env,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    for expected in (
        "[csms   ] BootNotification from cp001: EVerest everest-ocpp -> Accepted",
        "[charger] var is_connected = true",
        "[charger] get_variables ChargePointId -> Accepted cp001",
        "[charger] get_variables NoSuchKey -> UnknownVariable ",
        "[csms   ] GetConfiguration -> HeartbeatInterval=60; unknown: ['NoSuchKey']",
        "[csms   ] ChangeConfiguration HeartbeatInterval=30 -> Accepted",
        "[charger] change_availability EVSE 1 Inoperative -> {'status': 'Accepted'}",
        "[demo   ] module stopped (exit code 0)",
    ):
        assert expected in lines, f"missing {expected!r} in:\n{out.stdout}"
    assert any(
        line.startswith("[charger] var event_data = ") and '"actual_value": "30"' in line for line in lines
    )
