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


def _pid_of_module(module_id: str, name: str) -> int | None:
    """The manager starts a C++ module with argv[0] ``<module id>:<module name>``."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv0 = (entry / "cmdline").read_bytes().split(b"\0")[0].decode(errors="replace")
        except OSError:
            continue
        if argv0 == f"{module_id}:{name}":
            return int(entry.name)
    return None


def process_start(pid: int) -> float:
    """When ``pid`` started, on the time.monotonic() clock (10 ms resolution)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[19]) / os.sysconf("SC_CLK_TCK")


class CppStack:
    """A running SIL stack with the C++ OCPP (1.6) module."""

    def __init__(self, workdir: Path) -> None:
        prefix = installation()
        if prefix is None:
            raise RuntimeError(f"set {ENV} to an EVerest installation")
        workdir.mkdir(parents=True, exist_ok=True)
        self.sil = EverestSil(prefix, workdir, "1.6", "cpp")
        self.pid: int | None = None
        self.boot_after_start: float | None = None

    def start(self) -> None:
        self.sil.start(evses=1)
        deadline = time.monotonic() + 10
        while self.pid is None and time.monotonic() < deadline:
            self.pid = _pid_of_module(MODULE_ID, "OCPP")
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
