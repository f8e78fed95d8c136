"""Burst throughput: 4 callers x 1,000 back-to-back commands, the module vs a bare paho echo module.

    python bench/burst.py [--calls N] [--rounds R]

Starts mosquitto with its default limits (receive maximum 20, 1,000 queued messages per client, as
on a charger), the module as a real process (OCPP 1.6, get_variables with one request needs no
CSMS round trip) and the bare paho echo responder of bench/roundtrip.py. Four callers fire their
commands without waiting; the time runs from the first publish to the last answer. Every call must
be answered exactly once (a lost or duplicated answer is reported and fails the run). Rounds
alternate between the module and the echo; prints answers/s per round, the medians and the ratio.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "module"), str(REPO / "tests"), str(REPO / "bench")]

from harness.broker import Mosquitto  # noqa: E402
from harness.caller import Caller  # noqa: E402
from harness.stack import Stack, StackOptions  # noqa: E402
from roundtrip import echo_responder, requests  # noqa: E402

CALLERS = 4


def burst(callers: list[Caller], target: str, calls: int) -> float:
    """Answers per second for ``calls`` commands from each caller, all answered exactly once."""
    args = {"requests": requests(1)}
    ids: list[list[str]] = [[] for _ in callers]

    def fire(index: int) -> None:
        caller = callers[index]
        ids[index] = [
            caller.command("get_variables", args, target=target, impl="ocpp_generic") for _ in range(calls)
        ]

    threads = [threading.Thread(target=fire, args=(i,)) for i in range(len(callers))]
    started = time.monotonic()  # the clock of Caller.answered_at
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for caller, sent in zip(callers, ids, strict=True):
        caller.wait_answered(sent, 120)
    last = max(caller.answered_at[i] for caller, sent in zip(callers, ids, strict=True) for i in sent)
    elapsed = last - started
    for caller, sent in zip(callers, ids, strict=True):
        wrong = {i: len(caller.answers[i]) for i in sent if len(caller.answers[i]) != 1}
        if wrong:
            sample = list(wrong.items())[:3]
            raise SystemExit(f"{target}: {len(wrong)} calls not answered exactly once, e.g. {sample}")
    return len(callers) * calls / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=1000, help="commands per caller and burst")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-burst-"))
    broker = Mosquitto(work, default_limits=True)
    broker.start()
    stack = Stack(
        broker,
        work,
        StackOptions(
            evses=[{"id": 1, "connectors": [{"id": 1}]}], module_env={"EVEREST_OCPP_LOG_LEVEL": "info"}
        ),
    )
    echo: multiprocessing.Process | None = None
    callers: list[Caller] = []
    try:
        stack.start(wait_boot=True)
        results = {"1": stack.probe.call("get_variables", {"requests": requests(1)})}
        ready = multiprocessing.Event()
        echo = multiprocessing.Process(
            target=echo_responder, args=(broker.port, stack.prefix, results, ready), daemon=True
        )
        echo.start()
        ready.wait(10)
        callers = [Caller(broker.host, broker.port, stack.prefix) for _ in range(CALLERS)]
        for caller in callers:
            caller.start()
        for target in ("ocpp", "echo"):  # warm-up
            burst(callers, target, 100)
        rates: dict[str, list[float]] = {"ocpp": [], "echo": []}
        print(f"{CALLERS} callers x {args.calls} get_variables(1) each, mosquitto default limits")
        for n in range(args.rounds):
            for target in ("ocpp", "echo"):
                rates[target].append(burst(callers, target, args.calls))
            module, floor = rates["ocpp"][-1], rates["echo"][-1]
            print(f"round {n + 1}: module {module:8.0f} answers/s   echo {floor:8.0f} answers/s")
        module, floor = statistics.median(rates["ocpp"]), statistics.median(rates["echo"])
        print(f"median: module {module:.0f} answers/s, bare paho echo {floor:.0f} answers/s")
        print(f"ratio module/echo throughput: {module / floor:.2f}")
    finally:
        for caller in callers:
            caller.stop()
        if echo is not None:
            echo.terminate()
        stack.stop()
        broker.stop()


if __name__ == "__main__":
    main()
