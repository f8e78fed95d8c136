"""``everest-ocpp schedule``: draw the composite schedules a running module publishes.

For a person debugging smart charging: subscribes to the module's ``charging_schedules`` var (as any
EVerest module would) and draws every publication, one chart per EVSE.
"""

from __future__ import annotations

import json
import queue
import sys
import time
import uuid
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

from ..everest.mqtt import BrokerAddress
from ..net_errors import describe_connect_error
from .chart import render_schedule

IMPL = "ocpp_generic"


def watch_schedules(
    broker: BrokerAddress,
    prefix: str,
    module_id: str,
    *,
    evses: list[int] | None = None,
    once: bool = False,
    timeout: float | None = None,
    width: int = 60,
) -> int:
    """0 after Ctrl-C or ``once``; 1 when ``timeout`` passed without a publication; 2 without broker."""
    topic = f"{prefix}modules/{module_id}/impl/{IMPL}/var/charging_schedules"
    received: queue.Queue[Any] = queue.Queue()

    def on_message(_c: Any, _u: Any, msg: paho.MQTTMessage) -> None:
        try:
            envelope = json.loads(msg.payload)
            received.put(envelope["data"]["data"])
        except (ValueError, KeyError, TypeError):
            print(f"ignoring a malformed message on {msg.topic}", file=sys.stderr)

    client = paho.Client(
        CallbackAPIVersion.VERSION2,
        client_id=f"everest-ocpp-schedule-{uuid.uuid4().hex[:8]}",
        transport="unix" if broker.socket_path else "tcp",
    )
    client.on_message = on_message
    client.on_connect = lambda c, *_a: c.subscribe(topic, qos=2)
    try:
        client.connect(broker.socket_path or broker.host, broker.port)
    except (OSError, TimeoutError) as exc:
        print(f"cannot connect to MQTT broker {broker}: {describe_connect_error(exc)}", file=sys.stderr)
        return 2
    client.loop_start()
    print(f"waiting for {topic} on {broker} (Ctrl-C to stop)", flush=True)
    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        while True:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                value = received.get(timeout=wait)
            except queue.Empty:
                print(
                    f"no charging_schedules from module '{module_id}' within {timeout:g} s", file=sys.stderr
                )
                return 1
            _show(value, evses, width)
            if once:
                return 0
            if deadline is not None:
                deadline = time.monotonic() + (timeout or 0)
    except KeyboardInterrupt:
        return 0
    finally:
        client.loop_stop()
        client.disconnect()


def _show(value: Any, evses: list[int] | None, width: int) -> None:
    schedules = value.get("schedules", []) if isinstance(value, dict) else []
    shown = [s for s in schedules if evses is None or s.get("evse") in evses]
    print(f"--- charging_schedules at {time.strftime('%H:%M:%S')}: {len(schedules)} schedule(s)", flush=True)
    for schedule in shown:
        print("\n".join(render_schedule(schedule, width)), flush=True)
