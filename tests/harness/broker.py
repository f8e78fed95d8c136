"""A real mosquitto broker on a free port, with its own config (TCP_NODELAY on)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from .ports import free_port, wait_listening


def mosquitto_binary() -> str:
    for candidate in (shutil.which("mosquitto"), "/usr/sbin/mosquitto"):
        if candidate and Path(candidate).exists():
            return candidate
    raise RuntimeError("mosquitto is not installed (Debian package 'mosquitto')")


class Mosquitto:
    """``default_limits``: mosquitto's own limits (receive maximum 20, 1000 queued messages per
    client), as on a charger, instead of the unlimited ones most tests use."""

    def __init__(self, workdir: Path, port: int | None = None, default_limits: bool = False) -> None:
        self.port = port or free_port()
        self.host = "127.0.0.1"
        self._workdir = workdir
        self._proc: subprocess.Popen[bytes] | None = None
        self.conf = workdir / "mosquitto.conf"
        self.log = workdir / "mosquitto.log"
        limits = "" if default_limits else "max_inflight_messages 0\nmax_queued_messages 100000\n"
        self.conf.write_text(
            f"listener {self.port} 127.0.0.1\n"
            "allow_anonymous true\n"
            "set_tcp_nodelay true\n"
            "persistence false\n" + limits
        )

    def start(self) -> None:
        with self.log.open("ab") as log:
            self._proc = subprocess.Popen([mosquitto_binary(), "-c", str(self.conf)], stdout=log, stderr=log)
        try:
            wait_listening(self.port)
        except TimeoutError:
            self.stop()
            raise RuntimeError(
                f"mosquitto did not start; see {self.log}: {self.log.read_text()[-2000:]}"
            ) from None

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(5)
            self._proc = None

    def restart(self) -> None:
        self.stop()
        self.start()
