"""Round trip of a command through the module vs a bare paho echo responder, same broker, same run.

    python bench/roundtrip.py [--calls N]

Starts mosquitto (TCP_NODELAY), the module as a real process (OCPP 1.6, no CSMS needed for
get_variables) and, in its own process, a trivial paho responder that answers every command with a
canned result of the same size as the module's. The caller is the same paho client for both.
Calls alternate between the two, so both see the same machine conditions. Prints p50/p90/p99 in ms
for get_variables with 1 and with 100 requests, and module/echo ratios.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "module"), str(REPO / "tests")]

from harness.broker import Mosquitto  # noqa: E402
from harness.probe import Probe  # noqa: E402
from harness.stack import Stack, StackOptions  # noqa: E402

KEYS = ["HeartbeatInterval", "ChargePointId", "MeterValueSampleInterval", "ConnectionTimeOut", "ResetRetries"]


def requests(n: int) -> list[dict[str, Any]]:
    return [
        {"component_variable": {"component": {"name": ""}, "variable": {"name": KEYS[i % len(KEYS)]}}}
        for i in range(n)
    ]


def echo_responder(port: int, prefix: str, results: dict[str, Any], ready: Any) -> None:
    """A bare paho module: answers get_variables with a canned result; nothing else."""
    import paho.mqtt.client as paho
    from paho.mqtt.enums import CallbackAPIVersion
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    client = paho.Client(
        CallbackAPIVersion.VERSION2, client_id=f"echo-{uuid.uuid4().hex[:6]}", protocol=paho.MQTTv5
    )
    # like the module: without it mosquitto (default limits) drops commands queued beyond 1,000
    props = Properties(PacketTypes.CONNECT)
    props.ReceiveMaximum = 65535

    def on_message(c: Any, _u: Any, msg: Any) -> None:
        data = json.loads(msg.payload)["data"]
        retval = results[str(len(data["args"]["requests"]))]
        c.publish(
            f"{msg.topic}/response/{data['origin']}",
            json.dumps(
                {
                    "msg_type": "CmdResult",
                    "data": {
                        "type": "result",
                        "data": {"id": data["id"], "retval": retval, "origin": "echo"},
                    },
                }
            ),
            qos=2,
        )

    def on_socket_open(_c: Any, _u: Any, sock: Any) -> None:
        import socket

        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    client.on_message = on_message
    client.on_socket_open = on_socket_open
    client.on_subscribe = lambda *_a: ready.set()
    client.connect("127.0.0.1", port, properties=props)
    client.subscribe(f"{prefix}modules/echo/impl/ocpp_generic/cmd/+", qos=2)
    client.loop_forever()


def measure(module: Probe, echo: Probe, n_requests: int, calls: int) -> tuple[list[float], list[float]]:
    """Calls alternate between the module and the echo, so both see the same machine conditions."""
    args = {"requests": requests(n_requests)}
    for _ in range(50):  # warm-up
        module.call("get_variables", args)
        echo.call("get_variables", args)
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(calls):
        for probe, out in ((module, samples[0]), (echo, samples[1])):
            t0 = time.perf_counter()
            probe.call("get_variables", args)
            out.append((time.perf_counter() - t0) * 1000)
    return samples


def pct(samples: list[float], p: float) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[int(p) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=1000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-roundtrip-"))
    broker = Mosquitto(work)
    broker.start()
    stack = Stack(
        broker,
        work,
        StackOptions(
            evses=[{"id": 1, "connectors": [{"id": 1}]}], module_env={"EVEREST_OCPP_LOG_LEVEL": "info"}
        ),
    )
    echo: multiprocessing.Process | None = None
    try:
        stack.start(wait_boot=True)
        module_probe = stack.probe
        results = {str(n): module_probe.call("get_variables", {"requests": requests(n)}) for n in (1, 100)}
        ready = multiprocessing.Event()
        echo = multiprocessing.Process(
            target=echo_responder, args=(broker.port, stack.prefix, results, ready), daemon=True
        )
        echo.start()
        ready.wait(10)
        echo_probe = Probe(broker.host, broker.port, stack.prefix, target="echo", module_id="bench")
        echo_probe.start()
        print(f"{'case':34} {'p50':>7} {'p90':>7} {'p99':>7}   (ms, {args.calls} calls each)")
        for n in (1, 100):
            mod, flo = measure(module_probe, echo_probe, n, args.calls)
            for label, s in ((f"module get_variables({n})", mod), (f"echo floor ({n})", flo)):
                print(f"{label:34} {pct(s, 50):7.3f} {pct(s, 90):7.3f} {pct(s, 99):7.3f}")
            print(
                f"{'ratio module/floor (' + str(n) + ')':34} {pct(mod, 50) / pct(flo, 50):7.2f} "
                f"{pct(mod, 90) / pct(flo, 90):7.2f} {pct(mod, 99) / pct(flo, 99):7.2f}"
            )
        echo_probe.stop()
    finally:
        if echo is not None:
            echo.terminate()
        stack.stop()
        broker.stop()


if __name__ == "__main__":
    main()
