"""Sampling profiles of a running process with py-spy (all its threads, without slowing it down).

    pip install py-spy        # a wheel with the binary; or PY_SPY=/path/to/py-spy

:class:`Recording` samples a process from ``start()`` to ``stop()`` into py-spy's raw (collapsed
stack) format; :func:`summary` turns that into where the CPU time went: the share of every area
(the module's packages, paho, websockets, the ``ocpp`` package, jsonschema, sqlite3, asyncio, ...)
by the frame that was running, and the functions with the largest inclusive share.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from collections import Counter
from pathlib import Path

_FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^()]*?)(:\d+)?\)$")


def py_spy() -> str | None:
    return os.environ.get("PY_SPY") or shutil.which("py-spy")


class Recording:
    def __init__(self, pid: int, out: Path, rate: int = 200) -> None:
        self.pid, self.out, self.rate = pid, out, rate
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = py_spy()
        if binary is None:
            raise RuntimeError("py-spy not found: pip install py-spy (or set PY_SPY)")
        self.out.parent.mkdir(parents=True, exist_ok=True)
        argv = [binary, "record", "--pid", str(self.pid), "--format", "raw", "--rate", str(self.rate)]
        argv += ["--nonblocking", "--function", "--full-filenames", "-o", str(self.out)]
        self._proc = subprocess.Popen(
            argv, stdout=subprocess.DEVNULL, stderr=self.out.with_suffix(".err").open("wb")
        )

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.send_signal(signal.SIGINT)  # py-spy writes its output on SIGINT
            self._proc.wait(30)
            self._proc = None


def short(path: str) -> str:
    for marker in ("site-packages/", "/module/", "/lib/python3.11/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


def area(path: str) -> str:
    """What a source file belongs to: everest_ocpp/<subpackage>, a library, or the standard library."""
    name = short(path)
    if not name.endswith(".py") and not name.startswith("<frozen"):
        return "(generated code)"  # attrs' and dataclasses' methods, fastjsonschema's validators
    if name.startswith("everest_ocpp/"):
        parts = name.split("/")
        return "/".join(parts[:2]) if len(parts) > 2 else parts[0]
    top = name.split("/", 1)[0].removesuffix(".py")
    if top in ("asyncio", "json", "sqlite3", "logging", "concurrent", "threading", "selectors"):
        return top
    if "/" in name and path != name and "site-packages/" in path:
        return top  # a library: paho, websockets, ocpp, jsonschema, referencing, ...
    return top if "site-packages/" in path else f"stdlib {top}"


_PLUMBING = (
    "asyncio/",
    "selectors.py",
    "threading.py",
    "concurrent/futures/thread.py",
    "<frozen runpy>",
    "everest_ocpp/cli.py",
    "everest_ocpp/__main__.py",
)


def _frames(stack: str) -> list[tuple[str, str]]:
    out = []
    for part in stack.split(";"):
        match = _FRAME.match(part)
        if match is not None:
            out.append((match["func"], match["file"]))
    return out


def summary(raw: Path, top: int = 30) -> str:
    """Shares of the samples: by the area of the running frame, and functions by inclusive time."""
    by_area: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = _frames(stack)
        if not frames:
            continue
        total += count
        by_area[area(frames[-1][1])] += count
        for name in {f"{func} ({short(file)})" for func, file in frames}:
            inclusive[name] += count
    if total == 0:
        return "no samples"
    lines = [f"{total} samples; by the area of the running frame (self):"]
    lines += [f"  {100 * n / total:5.1f} %  {name}" for name, n in by_area.most_common(top)]
    lines.append("functions by inclusive share (event loop and thread plumbing left out):")
    shown = [
        (name, n)
        for name, n in inclusive.most_common()
        if n < 0.97 * total and not any(f"({p}" in name for p in _PLUMBING)
    ]
    lines += [f"  {100 * n / total:5.1f} %  {name}" for name, n in shown[:top]]
    return "\n".join(lines)
