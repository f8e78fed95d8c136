"""Orchestrates the demo: broker, CSMS, the module as a real process, and the stand-in charger."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import yaml

from .broker import DemoBroker, free_port
from .charger import DemoCharger
from .csms import DemoCsms

SAMPLE_16 = Path(__file__).resolve().parents[1] / "data" / "v16" / "config.json"
PREFIX = "everest_demo/"


_PRINT = threading.Lock()  # the charger prints from paho's thread


def _say(who: str) -> Any:
    def say(text: str) -> None:
        with _PRINT:
            print(f"[{who:7}] {text}", flush=True)

    return say


def _write_configs(workdir: Path, broker_port: int, csms_port: int) -> Path:
    config = json.loads(SAMPLE_16.read_text())
    cp_id = config["Internal"]["ChargePointId"]
    config["Internal"]["CentralSystemURI"] = f"127.0.0.1:{csms_port}/{cp_id}"
    (workdir / "ocpp-config.json").write_text(json.dumps(config, indent=2))
    everest = {
        "settings": {
            "mqtt_everest_prefix": PREFIX,
            "mqtt_broker_host": "127.0.0.1",
            "mqtt_broker_port": broker_port,
        },
        "active_modules": {
            "ocpp": {
                "module": "EverestOcpp",
                "config_module": {
                    "OcppVersion": "1.6",
                    "ChargePointConfigPath": "ocpp-config.json",
                    "DatabaseDir": "data",
                    "PublishChargingScheduleIntervalS": 0,
                },
                "connections": {
                    "evse_manager": [{"module_id": "charger", "implementation_id": "evse_manager"}]
                },
            }
        },
    }
    path = workdir / "everest-config.yaml"
    path.write_text(yaml.safe_dump(everest, sort_keys=False))
    return path


async def _show(charger: DemoCharger, csms: DemoCsms, say: Any) -> None:
    await asyncio.wait_for(csms.connected.wait(), 30)
    await asyncio.sleep(0.5)
    keys = ["ChargePointId", "HeartbeatInterval", "NoSuchKey"]
    requests = [{"component_variable": {"component": {"name": ""}, "variable": {"name": k}}} for k in keys]
    res = await asyncio.to_thread(charger.call, "get_variables", {"requests": requests})
    for r in res:
        name = r["component_variable"]["variable"]["name"]
        say(f"get_variables {name} -> {r['status']} {r.get('value', '')}")
    cv = {"component": {"name": ""}, "variable": {"name": "HeartbeatInterval"}}
    await asyncio.to_thread(charger.call, "monitor_variables", {"component_variables": [cv]})
    say("monitor_variables HeartbeatInterval")
    await csms.poke()
    await asyncio.sleep(0.3)
    request = {"operational_status": "Inoperative", "evse": {"id": 1, "connector_id": 1}}
    res = await asyncio.to_thread(charger.call, "change_availability", {"request": request})
    say(f"change_availability EVSE 1 Inoperative -> {res}")


def run_demo(duration: float | None = None) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="everest-ocpp-demo-"))
    say = _say("demo")
    broker = DemoBroker()
    broker.start()
    say(f"broker: {broker.kind} on 127.0.0.1:{broker.port}")
    try:
        return asyncio.run(_main(workdir, broker, duration, say))
    except KeyboardInterrupt:
        return 0
    finally:
        broker.stop()


async def _main(workdir: Path, broker: DemoBroker, duration: float | None, say: Any) -> int:
    csms = DemoCsms(free_port(), _say("csms"))
    await csms.start()
    say(f"CSMS: ws://127.0.0.1:{csms.port} (OCPP 1.6)")
    config = _write_configs(workdir, broker.port, csms.port)
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
    try:
        if not await asyncio.to_thread(charger.module_ready.wait, 15):
            say(f"the module did not come up; see {log_path}")
            return 1
        charger.start_stack()
        await _show(charger, csms, _say("charger"))
        say("running; Ctrl-C to stop" if duration is None else f"running for {duration:g} s")
        started = time.monotonic()
        while not stop.is_set() and (duration is None or time.monotonic() - started < duration):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.5)
        return 0
    finally:
        module.send_signal(signal.SIGTERM)
        code = await asyncio.to_thread(module.wait, 10)
        say(f"module stopped (exit code {code})")
        charger.stop()
        await csms.stop()
