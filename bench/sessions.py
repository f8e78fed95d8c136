"""Charging sessions at scale (OCPP 1.6): meter value load and the transaction queue, in one run.

    python bench/sessions.py [--evses 128] [--seconds 60] [--messages 10000] [--only load,queue]
                             [--profile DIR]

(a) ``--evses`` EVSEs each run a transaction, their evse_managers publish a powermeter reading every
    second and the module samples MeterValues every second (MeterValueSampleInterval 1), which a
    CSMS over WebSockets answers. Over ``--seconds`` the module's CPU time is compared with a bare
    paho module (its own process) subscribed to the same powermeter traffic that only parses it, and
    with the traffic floor: that bare paho module plus a bare websockets client sending the same
    MeterValues (one per EVSE per second, one at a time) to a CSMS of its own.
(b) ``--messages`` transaction messages (StartTransaction, MeterValues..., StopTransaction) are put
    into the module's persistent queue while the CSMS refuses connections, and the module queues a
    message of its own (a security event: as in life, its sender then waits for the link); once the
    CSMS accepts again, the time from the first to the last of them arriving gives messages/s, and
    their order and completeness are checked.

Targets (issue 13): (a) <= 5 % of one core; (b) >= 1000 messages/s, in order, none lost.

The CSMS is bench/lean_csms.py: plain websockets in its own process answering every call at once
without the ``ocpp`` package, so the figures are the module's; its CPU time is printed beside.
``--profile DIR`` samples the module (py-spy, every thread) during both measurements and prints
where its CPU time went (DIR/meter_load.raw, DIR/queue_drain.raw: collapsed stacks; .txt: summary).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import socket
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "module"), str(REPO / "tests")]

sys.path.insert(0, str(REPO / "bench"))

from everest_ocpp.csms.message_queue import PersistentQueue  # noqa: E402
from harness.broker import Mosquitto  # noqa: E402
from harness.stack import Stack, StackOptions  # noqa: E402
from lean_csms import LeanCsms  # noqa: E402
from profiling import Recording, summary  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
SAMPLED = "Energy.Active.Import.Register,Power.Active.Import,Voltage,Current.Import"
FAST_RECONNECT = {"RetryBackoffWaitMinimum": 1, "RetryBackoffRandomRange": 0, "RetryBackoffRepeatTimes": 0}


def cpu_seconds(pid: int) -> float:
    """user + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def _client(name: str) -> Any:
    import paho.mqtt.client as paho
    from paho.mqtt.enums import CallbackAPIVersion

    client = paho.Client(
        CallbackAPIVersion.VERSION2, client_id=f"{name}-{uuid.uuid4().hex[:6]}", protocol=paho.MQTTv5
    )

    def nodelay(_c: Any, _u: Any, sock: Any) -> None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    client.on_socket_open = nodelay
    return client


def publisher(port: int, topics: list[str], stop: Any) -> None:
    """The evse_managers' powermeter traffic: one reading per EVSE every second, QoS 2 as EVerest vars."""
    client = _client("meters")
    client.connect("127.0.0.1", port)
    client.loop_start()
    energy = 1000.0
    next_tick = time.monotonic()
    while not stop.is_set():
        energy += 3.0
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        for n, topic in enumerate(topics):
            reading = {
                "timestamp": stamp,
                "energy_Wh_import": {
                    "total": energy + n,
                    "L1": energy / 3,
                    "L2": energy / 3,
                    "L3": energy / 3,
                },
                "power_W": {"total": 11000.0, "L1": 3666.0, "L2": 3667.0, "L3": 3667.0},
                "voltage_V": {"L1": 230.1, "L2": 229.8, "L3": 230.4},
                "current_A": {"L1": 16.0, "L2": 16.1, "L3": 15.9},
            }
            client.publish(topic, json.dumps({"msg_type": "Var", "data": {"data": reading}}), qos=2)
        next_tick += 1.0
        time.sleep(max(0.0, next_tick - time.monotonic()))
    client.loop_stop()


def bare_module(port: int, pattern: str, ready: Any) -> None:
    """The floor: a paho module subscribed to the same readings, parsing each and keeping the latest."""
    client = _client("bare")
    latest: dict[str, Any] = {}

    def on_message(_c: Any, _u: Any, msg: Any) -> None:
        latest[msg.topic] = json.loads(msg.payload)["data"]["data"]

    client.on_message = on_message
    client.on_subscribe = lambda *_a: ready.set()
    client.connect("127.0.0.1", port)
    client.subscribe(pattern, qos=2)
    client.loop_forever()


def _meter_value_frame(connector: int, energy: float) -> str:
    """A MeterValues CALL as the module sends it for SAMPLED: 14 sampled values."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    values = []
    for measurand, unit, phases, value in (
        ("Energy.Active.Import.Register", "Wh", (None, "L1", "L2", "L3"), energy),
        ("Power.Active.Import", "W", (None, "L1", "L2", "L3"), 11000.0),
        ("Voltage", "V", ("L1-N", "L2-N", "L3-N"), 230.1),
        ("Current.Import", "A", ("L1", "L2", "L3"), 16.0),
    ):
        for phase in phases:
            item = {
                "value": f"{value:.2f}",
                "context": "Sample.Periodic",
                "format": "Raw",
                "measurand": measurand,
            }
            if phase is not None:
                item["phase"] = phase
            item |= {"location": "Outlet", "unit": unit}
            values.append(item)
    payload = {
        "connectorId": connector,
        "transactionId": connector,
        "meterValue": [{"timestamp": stamp, "sampledValue": values}],
    }
    return json.dumps([2, str(uuid.uuid4()), "MeterValues", payload], separators=(",", ":"))


def bare_websocket(port: int, evses: int, stop: Any) -> None:
    """The websocket floor: a plain websockets client sending what the module sends (one MeterValues
    per EVSE per second, each built and answered before the next, as OCPP-J allows), nothing else."""
    import asyncio

    from websockets.asyncio.client import connect

    async def run() -> None:
        async with connect(f"ws://127.0.0.1:{port}/floor", subprotocols=["ocpp1.6"]) as ws:  # type: ignore[list-item]
            energy, next_tick = 1000.0, time.monotonic()
            while not stop.is_set():
                energy += 3.0
                for connector in range(1, evses + 1):
                    await ws.send(_meter_value_frame(connector, energy))
                    json.loads(await ws.recv())
                next_tick += 1.0
                await asyncio.sleep(max(0.0, next_tick - time.monotonic()))

    asyncio.run(run())


def transaction_started(n: int) -> dict[str, Any]:
    return {
        "uuid": f"bench-{n}",
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "event": "TransactionStarted",
        "transaction_started": {
            "id_tag": {"id_token": {"value": f"TAG{n}", "type": "ISO14443"}, "authorization_type": "RFID"},
            "meter_value": {"timestamp": "2026-01-01T00:00:00Z", "energy_Wh_import": {"total": 1000.0}},
        },
    }


@dataclass
class Figures:
    lines: list[str] = field(default_factory=list)
    verdicts: list[tuple[str, str, str, bool]] = field(default_factory=list)

    def say(self, text: str) -> None:
        print(text, flush=True)
        self.lines.append(text)


def _profiled(profile: Path | None, pid: int, name: str) -> Recording | None:
    if profile is None:
        return None
    recording = Recording(pid, profile / f"{name}.raw")
    recording.start()
    return recording


def _report_profile(recording: Recording | None, out: Figures, title: str) -> None:
    if recording is None:
        return
    recording.stop()
    text = summary(recording.out)
    recording.out.with_suffix(".txt").write_text(text + "\n")
    out.say(f"    profile of the module, {title} ({recording.out}):")
    for line in text.splitlines():
        out.say(f"      {line}")


def _stack(broker: Mosquitto, workdir: Path, options: StackOptions) -> tuple[Stack, LeanCsms]:
    workdir.mkdir()
    stack = Stack(broker, workdir, options)
    csms = LeanCsms()
    stack.csms = csms  # type: ignore[assignment]
    return stack, csms


def meter_load(
    broker: Mosquitto, root: Path, evses: int, seconds: float, out: Figures, profile: Path | None
) -> None:
    options = StackOptions(
        evses=[{"id": i, "connectors": [{"id": 1}]} for i in range(1, evses + 1)],
        ocpp_config={
            "Internal": FAST_RECONNECT,
            "Core": {
                "MeterValueSampleInterval": 1,
                "ClockAlignedDataInterval": 0,
                "MeterValuesSampledData": SAMPLED,
                "StopTxnSampledData": "Energy.Active.Import.Register",
            },
        },
        module_config={"PublishChargingScheduleIntervalS": 0},
        module_env={"EVEREST_OCPP_LOG_LEVEL": "info"},
    )
    stack, csms = _stack(broker, root / "a", options)
    stack.evse_impls = [f"evse_manager_{i}" for i in range(1, evses + 1)]  # plain topic names
    stop = multiprocessing.Event()
    ready = multiprocessing.Event()
    topics = [f"{stack.prefix}modules/probe/impl/{impl}/var/powermeter" for impl in stack.evse_impls]
    bare = multiprocessing.Process(
        target=bare_module, args=(broker.port, f"{stack.prefix}modules/probe/impl/+/var/powermeter", ready)
    )
    meters = multiprocessing.Process(target=publisher, args=(broker.port, topics, stop))
    floor_csms = LeanCsms()  # a CSMS of its own: the module's figures count only the module's calls
    ws_floor = multiprocessing.Process(target=bare_websocket, args=(floor_csms.port, evses, stop))
    try:
        stack.start(wait_boot=True, timeout=60)
        bare.start()
        ready.wait(10)
        floor_csms.start()
        ws_floor.start()
        meters.start()
        time.sleep(2)  # every EVSE has a reading
        for n, impl in enumerate(stack.evse_impls, 1):
            stack.probe.publish_var(impl, "session_event", transaction_started(n))
        csms.wait_until(lambda: csms.count("StartTransaction") >= evses, 60, "every StartTransaction")
        time.sleep(3)  # settle into the steady state
        assert stack.module is not None and stack.module.proc is not None
        pid, bare_pid, ws_pid = stack.module.proc.pid, bare.pid, ws_floor.pid
        assert bare_pid is not None and ws_pid is not None
        recording = _profiled(profile, pid, "meter_load")
        m0, b0, w0, c0 = cpu_seconds(pid), cpu_seconds(bare_pid), cpu_seconds(ws_pid), cpu_seconds(csms.pid)
        n0, t0 = csms.count("MeterValues"), time.monotonic()
        time.sleep(seconds)
        m1, b1, w1, c1 = cpu_seconds(pid), cpu_seconds(bare_pid), cpu_seconds(ws_pid), cpu_seconds(csms.pid)
        n1, t1 = csms.count("MeterValues"), time.monotonic()
        elapsed = t1 - t0
        module_share, bare_share = (m1 - m0) / elapsed, (b1 - b0) / elapsed
        ws_share, csms_share = (w1 - w0) / elapsed, (c1 - c0) / elapsed
        ratio = module_share / bare_share if bare_share else float("inf")
        floor = bare_share + ws_share
        out.say(f"(a) {evses} EVSEs, powermeter and sampled MeterValues every second, {elapsed:.0f} s")
        out.say(f"    MeterValues at the CSMS: {(n1 - n0) / elapsed:.1f}/s (expected {evses}/s)")
        out.say(f"    module CPU:    {m1 - m0:7.2f} s = {100 * module_share:5.1f} % of one core")
        out.say(f"    bare paho CPU: {b1 - b0:7.2f} s = {100 * bare_share:5.1f} % of one core")
        out.say(f"    ratio module/bare paho: {ratio:.2f}")
        out.say(
            f"    bare websockets client sending the same MeterValues: {100 * ws_share:.1f} % of one core"
        )
        out.say(
            f"    traffic floor (bare paho + bare websockets): {100 * floor:.1f} % of one core; "
            f"module/floor {module_share / floor if floor else float('inf'):.2f}"
        )
        out.say(f"    (lean CSMS CPU: {c1 - c0:.2f} s = {100 * csms_share:.1f} % of one core)")
        out.verdicts.append(
            ("(a) module CPU, % of one core", f"{100 * module_share:.1f} %", "<= 5 %", module_share <= 0.05)
        )
        out.verdicts.append(("(a) module CPU / bare paho module", f"{ratio:.2f}x", "", True))
        out.verdicts.append(("(a) traffic floor: bare paho + websockets", f"{100 * floor:.1f} %", "", True))
        _report_profile(recording, out, "meter load")
    finally:
        stop.set()
        meters.join(10)
        ws_floor.join(10)
        bare.terminate()
        floor_csms.stop()
        stack.stop()


def queued(n: int) -> list[tuple[str, dict[str, Any]]]:
    """StartTransaction, n - 2 MeterValues numbered in their value, StopTransaction."""
    stamp = "2026-01-01T00:00:00.000Z"
    items: list[tuple[str, dict[str, Any]]] = [
        ("StartTransaction", {"connector_id": 1, "id_tag": "BENCH", "meter_start": 0, "timestamp": stamp})
    ]
    for i in range(1, n - 1):
        value = {
            "timestamp": stamp,
            "sampled_value": [{"value": str(i), "measurand": "Energy.Active.Import.Register"}],
        }
        items.append(("MeterValues", {"connector_id": 1, "transaction_id": 1, "meter_value": [value]}))
    items.append(
        ("StopTransaction", {"meter_stop": n, "timestamp": stamp, "transaction_id": 1, "reason": "Local"})
    )
    return items


def queue_drain(broker: Mosquitto, root: Path, messages: int, out: Figures, profile: Path | None) -> None:
    options = StackOptions(
        evses=[{"id": 1, "connectors": [{"id": 1}]}],
        ocpp_config={
            "Internal": FAST_RECONNECT,
            "Core": {"MeterValueSampleInterval": 0, "ClockAlignedDataInterval": 0},
        },
        module_config={"PublishChargingScheduleIntervalS": 0},
        module_env={"EVEREST_OCPP_LOG_LEVEL": "info"},
    )
    stack, csms = _stack(broker, root / "b", options)
    try:
        stack.start(wait_boot=True, timeout=30)
        csms.set_accepting(False)
        gone = csms.state()["disconnects"]
        csms.disconnect()
        csms.wait_until(lambda: csms.state()["disconnects"] > gone, 15, "the charge point disconnecting")
        queue = PersistentQueue(root / "b" / "db" / "queue16.db")  # the module's queue, while it is offline
        for action, payload in queued(messages):
            queue.push(action, payload, transactional=True)
        queue.close()
        # as in life the module queues a message of its own while offline, which wakes its sender: it
        # then waits for the link (rows written into its queue from outside wake nothing)
        event = {"type": "BenchmarkQueuedWhileOffline", "info": "bench/sessions.py", "critical": True}
        stack.probe.call("security_event", {"event": event})
        assert stack.module is not None and stack.module.proc is not None
        pid = stack.module.proc.pid
        before = csms.count()
        recording = _profiled(profile, pid, "queue_drain")
        m0, c0 = cpu_seconds(pid), cpu_seconds(csms.pid)
        csms.set_accepting(True)
        csms.wait_until(
            lambda: csms.count("StopTransaction") >= 1, 600, "the queued StopTransaction", every=0.01
        )
        m1, c1 = cpu_seconds(pid), cpu_seconds(csms.pid)
        calls = [
            c
            for c in csms.frames(before)
            if c.action in ("StartTransaction", "MeterValues", "StopTransaction")
        ]
        order = [
            int(c.payload["meterValue"][0]["sampledValue"][0]["value"])
            for c in calls
            if c.action == "MeterValues"
        ]
        complete = (
            len(calls) == messages
            and calls[0].action == "StartTransaction"
            and calls[-1].action == "StopTransaction"
            and order == list(range(1, messages - 1))
        )
        elapsed = calls[-1].at - calls[0].at
        rate = len(calls) / elapsed
        out.say(f"(b) {messages} queued transaction messages delivered after a reconnect")
        out.say(f"    received {len(calls)} in {elapsed:.2f} s = {rate:.0f} messages/s")
        out.say(f"    order and completeness: {'ok' if complete else 'BROKEN'}")
        out.say(
            f"    CPU from reconnect to the last message: module {m1 - m0:.2f} s "
            f"({1e6 * (m1 - m0) / messages:.0f} us per message), lean CSMS {c1 - c0:.2f} s "
            f"({1e6 * (c1 - c0) / messages:.0f} us per message)"
        )
        out.verdicts.append(
            ("(b) queued messages delivered per second", f"{rate:.0f}/s", ">= 1000/s", rate >= 1000)
        )
        out.verdicts.append(("(b) in order, none lost", "ok" if complete else "BROKEN", "ok", complete))
        _report_profile(recording, out, "queue drain")
    finally:
        stack.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evses", type=int, default=128)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--messages", type=int, default=10000)
    parser.add_argument("--only", default="load,queue", help="load (a), queue (b) or both")
    parser.add_argument("--profile", type=Path, help="sample the module with py-spy into this folder")
    args = parser.parse_args()
    parts = set(args.only.split(","))
    root = Path(tempfile.mkdtemp(prefix="bench-sessions-"))
    broker = Mosquitto(root)
    broker.start()
    out = Figures()
    try:
        if "load" in parts:
            meter_load(broker, root, args.evses, args.seconds, out, args.profile)
        if "queue" in parts:
            queue_drain(broker, root, args.messages, out, args.profile)
    finally:
        broker.stop()
    print(
        f"\n== summary ({time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f})"
    )
    for target, measured, limit, met in out.verdicts:
        print(f"  {target:45} {measured:>10}  {limit:>10}  {'' if not limit else 'met' if met else 'MISSED'}")


if __name__ == "__main__":
    main()
