"""Start-up time (process start -> ModuleReady) and idle memory of the module, against a bare module.

    python bench/footprint.py [--runs N] [--version 1.6|2.0.1]

The baseline, measured in the same run, is a minimal paho-only Python module that connects to the
same broker and announces ModuleReady. The module runs with a CSMS connected (OCPP registered) and
is measured idle after 2 s. Target (SPEC §6): idle RSS <= 28 MiB (bench/targets.py also prints the
dependency floor, what the module's imports alone cost).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "module"), str(REPO / "tests")]

from harness.broker import Mosquitto  # noqa: E402
from harness.probe import Probe  # noqa: E402
from harness.stack import Stack, StackOptions  # noqa: E402

QUIET = {"EVEREST_OCPP_LOG_LEVEL": "info"}  # as deployed (the test harness defaults to debug)

BARE = textwrap.dedent(
    """
    import json, signal, sys, time
    import paho.mqtt.client as paho
    from paho.mqtt.enums import CallbackAPIVersion
    port, prefix = int(sys.argv[1]), sys.argv[2]
    c = paho.Client(CallbackAPIVersion.VERSION2, protocol=paho.MQTTv5)
    c.connect("127.0.0.1", port)
    c.loop_start()
    c.publish(prefix + "modules/bare/ready", json.dumps({"msg_type": "ModuleReady", "data": True}), qos=2)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        time.sleep(1)
    """
)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def bare_run(broker: Mosquitto, work: Path) -> tuple[float, float]:
    prefix = f"bare_{time.monotonic_ns()}/"
    probe = Probe(broker.host, broker.port, prefix, target="bare")
    probe.start()
    script = work / "bare.py"
    script.write_text(BARE)
    t0 = time.monotonic()
    proc = subprocess.Popen([sys.executable, str(script), str(broker.port), prefix])
    probe.module_ready.wait(20)
    ready = time.monotonic() - t0
    time.sleep(2)
    rss = rss_mib(proc.pid)
    proc.terminate()
    proc.wait(10)
    probe.stop()
    return ready, rss


def module_run(broker: Mosquitto, work: Path, version: str) -> tuple[float, float]:
    stack = Stack(broker, work, StackOptions(ocpp_version=version, module_env=QUIET))
    stack.csms.start()
    stack.write_files()
    stack._implement_probe()
    stack.probe.start()
    t0 = time.monotonic()
    stack.start_module(timeout=20)
    ready = time.monotonic() - t0
    stack.wait_registered(0)
    time.sleep(2)
    assert stack.module is not None and stack.module.proc is not None
    rss = rss_mib(stack.module.proc.pid)
    stack.stop()
    return ready, rss


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--version", default="1.6")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-footprint-"))
    broker = Mosquitto(root)
    broker.start()
    try:
        bare = [bare_run(broker, Path(tempfile.mkdtemp(dir=root))) for _ in range(args.runs)]
        mod = [module_run(broker, Path(tempfile.mkdtemp(dir=root)), args.version) for _ in range(args.runs)]
    finally:
        broker.stop()
    b_ready, b_rss = statistics.median(r for r, _ in bare), statistics.median(m for _, m in bare)
    m_ready, m_rss = statistics.median(r for r, _ in mod), statistics.median(m for _, m in mod)
    print(f"OCPP {args.version}, median of {args.runs} runs")
    print(f"{'':28} {'ModuleReady [s]':>16} {'idle RSS [MiB]':>15}")
    print(f"{'bare paho module':28} {b_ready:16.3f} {b_rss:15.1f}")
    print(f"{'everest-ocpp':28} {m_ready:16.3f} {m_rss:15.1f}")
    print(f"{'ratio':28} {m_ready / b_ready:16.2f} {m_rss / b_rss:15.2f}")
    print(f"target: idle RSS <= 28 MiB: {'met' if m_rss <= 28 else 'MISSED'}")


if __name__ == "__main__":
    main()
