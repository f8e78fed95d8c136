"""Every figure of the performance targets 1-3 (SPEC §6) as a ratio or against its limit, in one run.

    python bench/targets.py [--calls N] [--runs N] [--only latency,memory,startup]
    EVEREST_SIL_PREFIX=/opt/everest python bench/targets.py    # also EVerest's C++ OCPP module

1. Latency: get_variables with 1 and with 100 requests through the module (OCPP 1.6), through a
   bare paho echo responder (the floor: same broker, same payload sizes, its own process) and, with
   EVEREST_SIL_PREFIX, through the C++ OCPP module; calls alternate between them, p50/p90/p99.
2. Memory: idle RSS after boot and registration (1.6 and 2.0.1), against a bare paho module and the
   "dependency floor": a process that only imports what the module cannot run without (asyncio,
   websockets' client, the ocpp package with jsonschema, sqlite3, PyYAML) and idles.
3. Start-up: process start -> BootNotification at the CSMS (1.6 and 2.0.1 with 300 variables),
   runs alternating between the versions; with 10,000 device-model variables ModuleReady and
   get_variables(1) against the 300-variable model (both running, calls alternating).

The machine is shared, so wall-clock figures move between runs: the ratios come from interleaved
measurements, start-up figures are medians (the minimum shows the unloaded case). The module's
bytecode is compiled first, as an installed package has it.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "module"), str(REPO / "tests"), str(REPO / "bench")]

import cpp_module  # noqa: E402
from device_model import requests as dm_requests  # noqa: E402
from footprint import bare_run, rss_mib  # noqa: E402
from harness.broker import Mosquitto  # noqa: E402
from harness.probe import Probe  # noqa: E402
from harness.stack import Stack, StackOptions  # noqa: E402
from roundtrip import echo_responder, pct, requests  # noqa: E402
from v201_device_model_load import build_config  # noqa: E402

QUIET = {"EVEREST_OCPP_LOG_LEVEL": "info"}  # as deployed (the test harness defaults to debug)
SETTLE_S = 3.0  # after registration, before idle RSS is read (start-up memory is released at 1 s)
DEPENDENCIES = {
    "1.6": "asyncio, sqlite3, yaml, websockets.asyncio.client, ocpp.charge_point, ocpp.v16",
    "2.0.1": "asyncio, sqlite3, yaml, websockets.asyncio.client, ocpp.charge_point, ocpp.v201",
}


@dataclass
class Verdict:
    target: str
    measured: str
    limit: str
    met: bool | None  # None: for information


VERDICTS: list[Verdict] = []


def verdict(target: str, measured: str, limit: str, met: bool | None) -> None:
    VERDICTS.append(Verdict(target, measured, limit, met))


# ---- 1. latency ---------------------------------------------------------------------------------
def interleaved(probes: dict[str, Probe], args: dict[str, Any], calls: int) -> dict[str, list[float]]:
    for _ in range(50):  # warm-up
        for probe in probes.values():
            probe.call("get_variables", args)
    samples: dict[str, list[float]] = {name: [] for name in probes}
    order = list(probes.items())
    for i in range(calls):
        for name, probe in order if i % 2 else reversed(order):  # nobody always goes first
            t0 = time.perf_counter()
            probe.call("get_variables", args)
            samples[name].append((time.perf_counter() - t0) * 1000)
    return samples


def latency(calls: int, work: Path, cpp: cpp_module.SilStack | None, broker: Mosquitto) -> None:
    print(f"\n== 1. get_variables round trip ({calls} calls each, interleaved; ms)")
    stack = Stack(broker, work, StackOptions(evses=[{"id": 1, "connectors": [{"id": 1}]}], module_env=QUIET))
    echo: multiprocessing.Process | None = None
    others: list[Probe] = []
    try:
        stack.start(wait_boot=True)
        results = {str(n): stack.probe.call("get_variables", {"requests": requests(n)}) for n in (1, 100)}
        ready = multiprocessing.Event()
        echo = multiprocessing.Process(
            target=echo_responder, args=(broker.port, stack.prefix, results, ready), daemon=True
        )
        echo.start()
        ready.wait(10)
        # callers of their own, alike for every target (the stack's probe also stands in for the
        # module's EVSE managers and receives what the module publishes)
        probes = {
            "module": Probe(broker.host, broker.port, stack.prefix, target="ocpp", module_id="bench"),
            "echo floor": Probe(broker.host, broker.port, stack.prefix, target="echo", module_id="bench"),
        }
        others += probes.values()
        if cpp is not None:
            probes["C++ OCPP"] = Probe(
                broker.host, broker.port, cpp_module.PREFIX, target=cpp_module.MODULE_ID, module_id="bench"
            )
            others.append(probes["C++ OCPP"])
        for probe in others:
            probe.start()
        for n, limit in ((1, 0.95), (100, 1.7)):
            samples = interleaved(probes, {"requests": requests(n)}, calls)
            print(f"{'get_variables(' + str(n) + ')':24} {'p50':>8} {'p90':>8} {'p99':>8}")
            for name, s in samples.items():
                print(f"  {name:22} {pct(s, 50):8.3f} {pct(s, 90):8.3f} {pct(s, 99):8.3f}")
            floor = pct(samples["echo floor"], 50)
            ratio = pct(samples["module"], 50) / floor
            print(f"  {'module / floor':22} {ratio:8.2f}")
            verdict(f"1 get_variables({n}) p50 / echo floor", f"{ratio:.2f}x", f"<= {limit}x", ratio <= limit)
            if cpp is not None:
                cpp_ratio = pct(samples["C++ OCPP"], 50) / floor
                mine = pct(samples["module"], 50) / pct(samples["C++ OCPP"], 50)
                print(f"  {'C++ / floor':22} {cpp_ratio:8.2f}\n  {'module / C++':22} {mine:8.2f}")
                verdict(f"  C++ OCPP get_variables({n}) / floor", f"{cpp_ratio:.2f}x", "", None)
                verdict(f"  module / C++ OCPP ({n})", f"{mine:.2f}x", "", None)
    finally:
        for probe in others:
            probe.stop()
        if echo is not None:
            echo.terminate()
        stack.stop()


# ---- 2. memory ----------------------------------------------------------------------------------
def module_idle_rss(broker: Mosquitto, work: Path, version: str) -> float:
    stack = Stack(broker, work, StackOptions(ocpp_version=version, module_env=QUIET))
    try:
        stack.start(wait_boot=True)
        time.sleep(SETTLE_S)
        assert stack.module is not None and stack.module.proc is not None
        return rss_mib(stack.module.proc.pid)
    finally:
        stack.stop()


FLOOR_SCRIPT = """
import ctypes, gc, importlib, sys
for name in sys.argv[1].split(", "):
    importlib.import_module(name)
gc.collect()
ctypes.CDLL("libc.so.6").malloc_trim(0)
print(next(l for l in open("/proc/self/status") if l.startswith("VmRSS")).split()[1])
"""


def dependency_floor(version: str) -> float:
    out = subprocess.run(
        [sys.executable, "-c", FLOOR_SCRIPT, DEPENDENCIES[version]],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout.split()[-1]) / 1024


def memory(runs: int, root: Path, broker: Mosquitto, cpp: cpp_module.SilStack | None) -> None:
    print(f"\n== 2. idle RSS after boot and registration (MiB, median of {runs})")
    bare = statistics.median(bare_run(broker, Path(tempfile.mkdtemp(dir=root)))[1] for _ in range(runs))
    print(f"  {'bare paho module':34} {bare:6.1f}")
    if cpp is not None:
        print(f"  {'C++ OCPP module (SIL stack)':34} {cpp.rss_mib():6.1f}")
        verdict("  C++ OCPP idle RSS", f"{cpp.rss_mib():.1f} MiB", "", None)
    for version in ("1.6", "2.0.1"):
        rss = statistics.median(
            module_idle_rss(broker, Path(tempfile.mkdtemp(dir=root)), version) for _ in range(runs)
        )
        floor = dependency_floor(version)
        print(f"  {'everest-ocpp ' + version:34} {rss:6.1f}   ({rss / bare:.2f}x the bare paho module)")
        print(f"  {'dependency floor ' + version:34} {floor:6.1f}   ({DEPENDENCIES[version]})")
        verdict(f"2 idle RSS {version}", f"{rss:.1f} MiB", "<= 28 MiB", rss <= 28)
        verdict(f"  its dependency floor {version}", f"{floor:.1f} MiB", "", None)


# ---- 3. start-up --------------------------------------------------------------------------------
def start_once(
    broker: Mosquitto, work: Path, version: str, source: Path | None
) -> tuple[float, float, Stack]:
    """(process start -> ModuleReady at the probe, -> BootNotification at the CSMS); stack running."""
    options = StackOptions(ocpp_version=version, v201_source=source, module_env=QUIET)
    stack = Stack(broker, work, options)
    stack.csms.start()
    stack.write_files()
    stack._implement_probe()
    stack.probe.start()
    t0 = time.monotonic()
    stack.start_module(timeout=60)
    ready = time.monotonic() - t0
    stack.csms.wait_until(lambda: stack.csms.received("BootNotification"), 60, "BootNotification")
    return ready, stack.csms.received("BootNotification")[0].at - t0, stack


def startup(runs: int, calls: int, root: Path, broker: Mosquitto, cpp: cpp_module.SilStack | None) -> None:
    print(f"\n== 3. start-up (s; {runs} starts each, alternating)")
    sources = {size: root / f"components-{size}" for size in (300, 10_000)}
    for size, folder in sources.items():
        build_config(folder, size)
    cases: dict[str, tuple[str, Path | None]] = {
        "1.6": ("1.6", None),
        "2.0.1 (300 variables)": ("2.0.1", sources[300]),
        "2.0.1 (10,000 variables)": ("2.0.1", sources[10_000]),
    }
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, (version, source) in cases.items():
            ready, boot, stack = start_once(broker, Path(tempfile.mkdtemp(dir=root)), version, source)
            stack.stop()
            times[name].append((ready, boot))
    print(f"  {'':26} {'ModuleReady':>12} {'BootNotification':>17} {'(min)':>7}")
    for name, values in times.items():
        ready = statistics.median(r for r, _ in values)
        boot = statistics.median(b for _, b in values)
        print(f"  {name:26} {ready:12.3f} {boot:17.3f} {min(b for _, b in values):7.3f}")
    if cpp is not None:
        in_manager(runs, root)
    for name in ("1.6", "2.0.1 (300 variables)"):
        boot = statistics.median(b for _, b in times[name])
        verdict(f"3 start -> BootNotification {name}", f"{boot:.3f} s", "<= 0.3 s", boot <= 0.3)
    big = statistics.median(r for r, _ in times["2.0.1 (10,000 variables)"])
    verdict("3 ModuleReady, 10,000 variables", f"{big:.3f} s", "<= 1 s", big <= 1.0)
    device_model_lookup(calls, root, broker, sources)


def in_manager(runs: int, root: Path) -> None:
    """Process start -> BootNotification of the C++ module and of this module, each started by the
    EVerest manager in the SIL stack (alternating): the same start-up conditions for both."""
    boots: dict[str, list[float]] = {"cpp": [], "python": []}
    for i in range(runs):
        for implementation in boots:
            stack = cpp_module.SilStack(root / f"sil-{implementation}-{i}", implementation)
            try:
                stack.start()
                if stack.boot_after_start is not None:
                    boots[implementation].append(stack.boot_after_start)
            finally:
                stack.stop()
    cpp, mine = statistics.median(boots["cpp"]), statistics.median(boots["python"])
    print(f"  in the EVerest manager (SIL stack), process start -> BootNotification, median of {runs}:")
    print(f"    C++ OCPP {cpp:.3f} s, everest-ocpp {mine:.3f} s: ratio {mine / cpp:.2f}")
    verdict("  in the manager: C++ OCPP start -> BootNotification", f"{cpp:.3f} s", "", None)
    verdict("  in the manager: module start -> BootNotification", f"{mine:.3f} s", "", None)


def device_model_lookup(calls: int, root: Path, broker: Mosquitto, sources: dict[int, Path]) -> None:
    stacks: dict[int, Stack] = {}
    try:
        for size, folder in sources.items():
            stacks[size] = start_once(broker, Path(tempfile.mkdtemp(dir=root)), "2.0.1", folder)[2]
            stacks[size].wait_registered(0, 60)
        probes = {size: stack.probe for size, stack in stacks.items()}
        for size, probe in probes.items():  # every answer Accepted, or the comparison means nothing
            answer = probe.call("get_variables", {"requests": dm_requests(1, size)})
            assert {r["status"] for r in answer} == {"Accepted"}, (size, answer)
        samples = interleaved_by_size(probes, calls)
        ratio = pct(samples[10_000], 50) / pct(samples[300], 50)
        print(
            f"  get_variables(1) p50: {pct(samples[300], 50):.3f} ms (300), {pct(samples[10_000], 50):.3f} ms"
        )
        print(f"  (10,000) -> ratio {ratio:.2f}")
        verdict("3 get_variables(1) 10,000 / 300 variables", f"{ratio:.2f}x", "<= 1.10x", ratio <= 1.10)
    finally:
        for stack in stacks.values():
            stack.stop()


def interleaved_by_size(probes: dict[int, Probe], calls: int) -> dict[int, list[float]]:
    args = {size: {"requests": dm_requests(1, size)} for size in probes}
    samples: dict[int, list[float]] = {size: [] for size in probes}
    for i in range(calls + 50):
        for size, probe in probes.items():
            t0 = time.perf_counter()
            probe.call("get_variables", args[size])
            if i >= 50:
                samples[size].append((time.perf_counter() - t0) * 1000)
    return samples


# ---- main ---------------------------------------------------------------------------------------
def compile_bytecode() -> None:
    """As pip does for an installed package; the module processes may write bytecode (a shell
    with PYTHONDONTWRITEBYTECODE would otherwise make every start compile ~100 files)."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(REPO / "module" / "everest_ocpp")], check=True
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000, help="calls per case and target (default 1000)")
    parser.add_argument("--runs", type=int, default=5, help="starts per case (default 5)")
    parser.add_argument("--only", default="latency,memory,startup")
    args = parser.parse_args()
    parts = set(args.only.split(","))
    compile_bytecode()
    root = Path(tempfile.mkdtemp(prefix="bench-targets-"))
    cpp: cpp_module.SilStack | None = None
    if cpp_module.installation() is not None:
        cpp = cpp_module.SilStack(root / "cpp")
        cpp.start()
        broker = cpp.broker  # one broker for all: the same background traffic for everybody
        print(f"C++ OCPP module from {cpp_module.installation()} running in a SIL stack on the same broker")
    else:
        broker = Mosquitto(root)
        broker.start()
        print(f"(set {cpp_module.ENV} to an EVerest installation to compare with the C++ OCPP module)")
    steps: list[tuple[str, Callable[[], None]]] = [
        ("memory", lambda: memory(max(3, args.runs // 2), root, broker, cpp)),
        ("latency", lambda: latency(args.calls, root / "latency", cpp, broker)),
        ("startup", lambda: startup(args.runs, args.calls, root, broker, cpp)),
    ]
    try:
        (root / "latency").mkdir()
        for name, step in steps:
            if name in parts:
                step()
    finally:
        if cpp is not None:
            cpp.stop()
        else:
            broker.stop()
    print(
        f"\n== summary ({time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f})"
    )
    for v in VERDICTS:
        mark = "" if v.met is None else ("met" if v.met else "MISSED")
        print(f"  {v.target:50} {v.measured:>10}  {v.limit:>10}  {mark}")


if __name__ == "__main__":
    main()
