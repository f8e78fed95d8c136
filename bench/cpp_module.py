"""EVerest's C++ ``OCPP`` module, for side-by-side figures (opt-in: ``EVEREST_SIL_PREFIX``).

The C++ module cannot run without the modules it requires, so it runs as EVerest runs it: the
manager with the SIL stack of tests/sil (EvseManager, YetiSimulator, Auth, System, ...), on a
private mosquitto and the test CSMS, with the same 1.6 configuration file as this module. The
benchmark then uses that stack's broker for everything it measures, so the C++ module, this module
and the echo floor see the same broker and the same background traffic of the simulators.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "tests"), str(REPO / "tests" / "sil")]

from everest_stack import ENV, EverestSil, sil_prefix  # noqa: E402

PREFIX = "everest/"  # the manager's default everest prefix
MODULE_ID = "ocpp"


def installation() -> Path | None:
    """The EVerest installation named by EVEREST_SIL_PREFIX (None: not set or no bin/manager)."""
    return sil_prefix()


def _pid_of_module(workdir: Path, implementation: str) -> int | None:
    """The OCPP module of the manager running in ``workdir``: a C++ module has argv[0]
    ``<module id>:<module name>``, this module is ``python3 <its folder>/module.py``."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        if cwd != str(workdir):
            continue
        if implementation == "cpp" and argv[0] == f"{MODULE_ID}:OCPP":
            return int(entry.name)
        if implementation == "python" and any(a.endswith("/module.py") for a in argv):
            return int(entry.name)
    return None


def process_start(pid: int) -> float:
    """When ``pid`` started, on the time.monotonic() clock (10 ms resolution)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[19]) / os.sysconf("SC_CLK_TCK")


class SilStack:
    """A running SIL stack with the OCPP (1.6) module: the installed C++ one, or this module in its
    place (``implementation`` "python"), started by the manager either way."""

    def __init__(self, workdir: Path, implementation: str = "cpp") -> None:
        prefix = installation()
        if prefix is None:
            raise RuntimeError(f"set {ENV} to an EVerest installation")
        workdir.mkdir(parents=True, exist_ok=True)
        self.workdir = workdir
        self.implementation = implementation
        self.sil = EverestSil(prefix, workdir, "1.6", implementation)
        self.pid: int | None = None
        self.boot_after_start: float | None = None

    def start(self) -> None:
        # the manager runs `python3 module.py` from PATH when the module has no .venv of its own
        os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
        self.sil.start(evses=1)
        deadline = time.monotonic() + 10
        while self.pid is None and time.monotonic() < deadline:
            self.pid = _pid_of_module(self.workdir, self.implementation)
            time.sleep(0.05)
        boots = self.sil.csms.received("BootNotification")
        if self.pid is not None and boots:
            self.boot_after_start = boots[0].at - process_start(self.pid)

    @property
    def broker(self):  # type: ignore[no-untyped-def]
        return self.sil.broker

    def rss_mib(self) -> float:
        if self.pid is None:
            return float("nan")
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> None:
        self.sil.stop()
