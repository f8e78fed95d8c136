"""Device model load time and get() cost for a 300- and a 10,000-variable model (a measurement, not a test).

Each model is the shipped component set plus two derived EVSEs plus generated filler components up
to the target size. Reported: first start (empty database), restart (unchanged files, median of 5),
get() of one variable (HeartbeatInterval) and of a mix of 300 shipped variables (best of repeated
passes), and set() (validated, committed write).

    python bench/v201_device_model_load.py [--sizes 300 10000]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from everest_ocpp.v201.device_model import DeviceModel, default_config_path, make_ref
from everest_ocpp.variables import VariableRef

EVSES = [(1, [1]), (2, [1])]


def build_config(folder: Path, total: int) -> None:
    shutil.copytree(default_config_path(), folder)
    probe_db = folder.parent / "probe.db"
    with DeviceModel.open(folder, probe_db, EVSES) as dm:
        base = dm.variable_count()
    probe_db.unlink()
    missing = total - base
    (folder / "custom").mkdir(exist_ok=True)
    per_component = 100
    for c in range((missing + per_component - 1) // per_component):
        count = min(per_component, missing - c * per_component)
        properties = {
            f"V{v}": {
                "variable_name": f"Filler{v}",
                "characteristics": {"dataType": "integer", "supportsMonitoring": True, "minLimit": 0},
                "attributes": [{"type": "Actual", "mutability": "ReadWrite", "value": v}],
            }
            for v in range(count)
        }
        data = {"name": f"Filler{c}", "properties": properties}
        (folder / "custom" / f"Filler{c}.json").write_text(json.dumps(data))


def time_get(dm: DeviceModel, refs: list[VariableRef], repeats: int = 15) -> float:
    """Seconds per get(), best of ``repeats`` passes over ``refs`` (the minimum filters scheduler noise)."""
    get = dm.get
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for ref in refs:
            get(ref)
        samples.append((time.perf_counter() - start) / len(refs))
    return min(samples)


def shipped_refs(workdir: Path) -> list[VariableRef]:
    """The same 300 lookups for every size: shipped variables, repeated, in a fixed random order."""
    with DeviceModel.open(None, workdir / "refs.db", EVSES) as dm:
        refs = [make_ref(c.key, v.key) for c in dm.components() for v in c.variables.values()]
    refs = (refs * (300 // len(refs) + 1))[:300]
    random.Random(1).shuffle(refs)
    return refs


def measure(total: int, workdir: Path, refs: list[VariableRef]) -> dict[str, float]:
    folder = workdir / f"cc{total}"
    build_config(folder, total)
    db = workdir / f"dm{total}.db"
    start = time.perf_counter()
    dm = DeviceModel.open(folder, db, EVSES)
    first = time.perf_counter() - start
    dm.close()
    restarts = []
    for _ in range(5):
        start = time.perf_counter()
        dm = DeviceModel.open(folder, db, EVSES)
        restarts.append(time.perf_counter() - start)
        dm.close()
    dm = DeviceModel.open(folder, db, EVSES)
    assert dm.variable_count() == total, dm.variable_count()
    get_mixed = time_get(dm, refs * 20)
    heartbeat = VariableRef("OCPPCommCtrlr", "HeartbeatInterval")
    get_one = time_get(dm, [heartbeat] * 6000)
    start = time.perf_counter()
    for i in range(200):
        dm.set(heartbeat, str(60 + i), source="csms")
    set_cost = (time.perf_counter() - start) / 200
    dm.close()
    return {
        "first": first,
        "restart": statistics.median(restarts),
        "get": get_one,
        "get_mixed": get_mixed,
        "set": set_cost,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 10000])
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        refs = shipped_refs(Path(tmp))
        for total in args.sizes:
            results[total] = measure(total, Path(tmp), refs)
    columns = ("first start", "restart", "get(1)", "get(mix)", "set()")
    print(f"{'variables':>9} " + " ".join(f"{c:>11}" for c in columns))
    for total, r in results.items():
        print(
            f"{total:>9} {r['first'] * 1e3:>8.1f} ms {r['restart'] * 1e3:>8.1f} ms "
            f"{r['get'] * 1e9:>8.0f} ns {r['get_mixed'] * 1e9:>8.0f} ns {r['set'] * 1e6:>8.0f} us"
        )
    if len(results) >= 2:
        small, large = results[min(results)], results[max(results)]
        print(
            f"{max(results)} vs {min(results)} variables: get(1) {large['get'] / small['get']:.2f}x, "
            f"get(mix) {large['get_mixed'] / small['get_mixed']:.2f}x"
        )


if __name__ == "__main__":
    main()
