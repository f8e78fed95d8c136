"""Orchestrates the demo: broker, CSMS, the module as a real process, and the stand-in charger."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from .broker import DemoBroker, free_port
from .charger import DemoCharger
from .chart import render_schedule
from .configs import write_configs
from .csms import DemoCsms

PREFIX = "everest_demo/"

_PRINT = threading.Lock()  # the charger prints from paho's thread


def _say(who: str) -> Any:
    def say(text: str) -> None:
        with _PRINT:
            print(f"[{who:7}] {text}", flush=True)

    return say


def _variables(version: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """What the charger reads (three variables, one unknown) and monitors, per version."""
    if version == "1.6":
        names = [("", "ChargePointId"), ("", "HeartbeatInterval"), ("", "NoSuchKey")]
    else:
        names = [
            ("SecurityCtrlr", "Identity"),
            ("OCPPCommCtrlr", "HeartbeatInterval"),
            ("OCPPCommCtrlr", "NoSuchVariable"),
        ]
    cvs = [{"component": {"name": c}, "variable": {"name": v}} for c, v in names]
    return [{"component_variable": cv} for cv in cvs], cvs[1]


async def _show(charger: DemoCharger, csms: DemoCsms, version: str, say: Any) -> None:
    await asyncio.wait_for(csms.connected.wait(), 30)
    await asyncio.sleep(0.5)  # let the boot sequence print before the charger starts talking
    requests, monitored = _variables(version)
    res = await asyncio.to_thread(charger.call, "get_variables", {"requests": requests})
    for r in res:
        name = r["component_variable"]["variable"]["name"]
        say(f"get_variables {name} -> {r['status']} {r.get('value', '')}")
    await asyncio.to_thread(charger.call, "monitor_variables", {"component_variables": [monitored]})
    say(f"monitor_variables {monitored['variable']['name']}")
    await csms.poke()
    await asyncio.sleep(0.3)
    request = {"operational_status": "Inoperative", "evse": {"id": 1, "connector_id": 1}}
    res = await asyncio.to_thread(charger.call, "change_availability", {"request": request})
    say(f"change_availability EVSE 1 Inoperative -> {res}")
    seen = charger.var_count("charging_schedules")
    await csms.send_profile()
    value = await asyncio.to_thread(charger.wait_var, "charging_schedules", seen, 10.0)
    evse1 = next((s for s in value.get("schedules", []) if s.get("evse") == 1), None)
    if evse1 is not None:
        say("composite schedule of EVSE 1 (what `everest-ocpp schedule` draws):")
        with _PRINT:
            print("\n".join(render_schedule(evse1)), flush=True)


def run_demo(duration: float | None = None, ocpp_version: str = "1.6", embedded_broker: bool = False) -> int:
    say = _say("demo")
    broker = DemoBroker(embedded=embedded_broker)
    try:
        broker.start()
    except RuntimeError as exc:
        say(str(exc))
        return 1
    say(f"broker: {broker.kind} on 127.0.0.1:{broker.port}")
    workdir = Path(tempfile.mkdtemp(prefix="everest-ocpp-demo-"))
    keep = False
    try:
        code = asyncio.run(_main(workdir, broker, ocpp_version, duration, say))
        keep = code != 0
        return code
    except KeyboardInterrupt:
        return 0
    finally:
        broker.stop()
        if keep:
            say(f"kept {workdir} for a look at the module log")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


async def _main(workdir: Path, broker: DemoBroker, version: str, duration: float | None, say: Any) -> int:
    csms = DemoCsms(free_port(), version, _say("csms"))
    await csms.start()
    say(f"CSMS: ws://127.0.0.1:{csms.port} (OCPP {version})")
    config = write_configs(workdir, version, broker.port, csms.port, PREFIX)
    log_path = workdir / "module.log"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).resolve().parents[2]), env.get("PYTHONPATH", "")])
    with log_path.open("wb") as log:
        module = subprocess.Popen(
            [sys.executable, "-m", "everest_ocpp", "run", "--config", str(config), "--module-id", "ocpp"],
            stdout=log,
            stderr=log,
            cwd=workdir,
            env=env,
        )
    say(f"module: everest-ocpp run --config {config} --module-id ocpp  (log: {log_path})")
    charger = DemoCharger(broker.port, PREFIX, "ocpp", _say("charger"))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    code = 0
    try:
        if not await asyncio.to_thread(charger.module_ready.wait, 15):
            say(f"the module did not come up; see {log_path}")
            return 1
        charger.start_stack()
        await _show(charger, csms, version, _say("charger"))
        say("running; Ctrl-C to stop" if duration is None else f"running for {duration:g} s")
        started = time.monotonic()
        while not stop.is_set() and (duration is None or time.monotonic() - started < duration):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.5)
        return 0
    except (TimeoutError, RuntimeError) as exc:
        say(f"demo step failed: {exc}; see {log_path}")
        code = 1
        return code
    finally:
        module.send_signal(signal.SIGTERM)
        exit_code = await asyncio.to_thread(module.wait, 10)
        say(f"module stopped (exit code {exit_code})")
        charger.stop()
        await csms.stop()
