#!/usr/bin/env python3
"""Executed by the EVerest manager (``<module dir>/module.py``); see README "Loading it into EVerest"."""

import gc
import sys
from pathlib import Path

gc.disable()  # during start-up only; see everest_ocpp/__main__.py

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "module"))  # the source beside this file wins over any installed copy

try:
    from everest_ocpp.cli import main_spawned
except ModuleNotFoundError as missing:  # run by a Python without our dependencies (no .venv here)
    print(
        f"everest-ocpp: cannot start: {missing} ({sys.executable} lacks the module's dependencies); "
        f"create the module's virtual environment: cd {HERE} && python3 -m venv .venv && "
        ".venv/bin/pip install .",
        file=sys.stderr,
    )
    sys.exit(1)

sys.exit(main_spawned(HERE))
