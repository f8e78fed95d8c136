"""get_variables through the module with a 300- vs a 10,000-variable 2.0.1 device model, same run.

    python bench/device_model.py [--calls N]

Both modules run at once on one broker (each with its CSMS and probe); calls alternate between them
so both see the same machine conditions. Prints the round trip of get_variables with 1 and with 100
requests (p50/p90/p99), the time from process start to ModuleReady and to a registered station
(BootNotification answered), and the 10,000/300 ratios. Target (SPEC §6): get_variables(1) with
10,000 variables within 10% of the 300-variable model.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "module"), str(REPO / "tests"), str(REPO / "bench")]

from harness.broker import Mosquitto  # noqa: E402
from harness.stack import Stack, StackOptions  # noqa: E402
from v201_device_model_load import build_config  # noqa: E402

SIZES = (300, 10_000)
NAMES = [
    ("OCPPCommCtrlr", "HeartbeatInterval"),
    ("SecurityCtrlr", "Identity"),
    ("TxCtrlr", "EVConnectionTimeOut"),
    ("AuthCtrlr", "LocalPreAuthorize"),
    ("DeviceDataCtrlr", "ValueSize"),
]


def requests(n: int, size: int) -> list[dict]:
    out = []
    for i in range(n):
        if size > 1000 and i % 2:  # half of the big model's requests hit the generated filler variables
            comp, var = f"Filler{(i * 37) % 90}", f"Filler{i % 100}"
        else:
            comp, var = NAMES[i % len(NAMES)]
        out.append({"component_variable": {"component": {"name": comp}, "variable": {"name": var}}})
    return out


def start(broker: Mosquitto, root: Path, size: int) -> tuple[Stack, float, float]:
    source = root / f"components-{size}"
    build_config(source, size)
    work = Path(tempfile.mkdtemp(dir=root))
    stack = Stack(
        broker,
        work,
        StackOptions(ocpp_version="2.0.1", v201_source=source, module_env={"EVEREST_OCPP_LOG_LEVEL": "info"}),
    )
    stack.csms.start()
    stack.write_files()
    stack._implement_probe()
    stack.probe.start()
    t0 = time.monotonic()
    stack.start_module(timeout=60)
    ready = time.monotonic() - t0
    stack.wait_registered(0, timeout=60)
    return stack, ready, time.monotonic() - t0


def pct(samples: list[float], p: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[p - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=1000)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-device-model-"))
    broker = Mosquitto(root)
    broker.start()
    stacks: dict[int, Stack] = {}
    try:
        startup = {}
        for size in SIZES:
            stacks[size], ready, registered = start(broker, root, size)
            startup[size] = (ready, registered)
        print(f"{'model':>8} {'ModuleReady [s]':>16} {'registered [s]':>15}")
        for size in SIZES:
            print(f"{size:>8} {startup[size][0]:16.3f} {startup[size][1]:15.3f}")
        print(
            f"{'ratio':>8} {startup[SIZES[1]][0] / startup[SIZES[0]][0]:16.2f} "
            f"{startup[SIZES[1]][1] / startup[SIZES[0]][1]:15.2f}"
        )
        head = f"{'get_variables':16} {'model':>7} {'p50':>7} {'p90':>7} {'p99':>7}"
        print(f"\n{head}   (ms, {args.calls} calls each)")
        for n in (1, 100):
            reqs = {size: {"requests": requests(n, size)} for size in SIZES}
            for size in SIZES:  # every answer must be Accepted, or the comparison is meaningless
                statuses = {r["status"] for r in stacks[size].probe.call("get_variables", reqs[size])}
                assert statuses == {"Accepted"}, (size, statuses)
            samples: dict[int, list[float]] = {size: [] for size in SIZES}
            for _ in range(args.calls):
                for size in SIZES:
                    t0 = time.perf_counter()
                    stacks[size].probe.call("get_variables", reqs[size])
                    samples[size].append((time.perf_counter() - t0) * 1000)
            for size in SIZES:
                s = samples[size]
                print(
                    f"{f'({n} requests)':16} {size:>7} {pct(s, 50):7.3f} {pct(s, 90):7.3f} {pct(s, 99):7.3f}"
                )
            big, small = samples[SIZES[1]], samples[SIZES[0]]
            print(
                f"{'ratio 10k/300':16} {'':>7} {pct(big, 50) / pct(small, 50):7.2f} "
                f"{pct(big, 90) / pct(small, 90):7.2f} {pct(big, 99) / pct(small, 99):7.2f}"
            )
    finally:
        for stack in stacks.values():
            stack.stop()
        broker.stop()


if __name__ == "__main__":
    main()
