"""The demo's MQTT broker: mosquitto when installed (TCP_NODELAY on), else amqtt in this process."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_listening(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout}s") from None
            time.sleep(0.02)


class DemoBroker:
    def __init__(self, embedded: bool = False) -> None:
        self.port = free_port()
        self.kind = ""
        self._embedded = embedded  # use amqtt even when mosquitto is installed
        self._confdir: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._broker: Any = None

    def start(self) -> None:
        binary = shutil.which("mosquitto") or (
            "/usr/sbin/mosquitto" if Path("/usr/sbin/mosquitto").exists() else None
        )
        if binary and not self._embedded:
            self._confdir = Path(tempfile.mkdtemp(prefix="everest-ocpp-demo-broker-"))
            conf = self._confdir / "mosquitto.conf"
            conf.write_text(f"listener {self.port} 127.0.0.1\nallow_anonymous true\nset_tcp_nodelay true\n")
            self._proc = subprocess.Popen(
                [binary, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            self.kind = "mosquitto"
        else:
            self._start_embedded()
            self.kind = "embedded amqtt (MQTT 3.1.1)"
        wait_listening(self.port)

    def _start_embedded(self) -> None:
        try:
            from amqtt.broker import Broker
        except ImportError:
            raise RuntimeError(
                "no MQTT broker: install mosquitto (apt-get install mosquitto) or the demo extra "
                "(pip install 'everest-ocpp[demo]')"
            ) from None
        import logging

        for noisy in ("amqtt", "transitions"):
            logging.getLogger(noisy).setLevel(logging.CRITICAL)
        self._loop = asyncio.new_event_loop()
        config = {
            "listeners": {"default": {"type": "tcp", "bind": f"127.0.0.1:{self.port}"}},
            "plugins": {"amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}},
        }
        self._broker = Broker(config, loop=self._loop)
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True, name="amqtt")
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._broker.start(), self._loop).result(10)

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.terminate()
            self._proc.wait(5)
        if self._confdir is not None:
            shutil.rmtree(self._confdir, ignore_errors=True)
        if self._loop is not None and self._broker is not None:
            asyncio.run_coroutine_threadsafe(self._broker.shutdown(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
