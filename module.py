#!/usr/bin/env python3
"""Executed by the EVerest manager (``python3 <module dir>/module.py``); see README "Loading into EVerest"."""

import gc
import sys
from pathlib import Path

gc.disable()  # during start-up only; see everest_ocpp/__main__.py

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "module"))  # the source beside this file wins over any installed copy

from everest_ocpp.cli import main_spawned  # noqa: E402

sys.exit(main_spawned(HERE))
