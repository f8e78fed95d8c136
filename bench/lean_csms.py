"""A CSMS as cheap as a CSMS can be, in its own process, so that a benchmark measures the module.

Plain websockets: every CALL is answered at once with a canned CALLRESULT (no ``ocpp`` package,
no schema validation, no dataclasses); frames are kept as received and parsed only when the
benchmark asks for them, after the measurement. Its CPU time is measured like the module's.

It stands in for ``tests/harness/csms.py`` where a :class:`harness.stack.Stack` needs a CSMS
(``port``, ``url``, ``responses``, ``start``, ``stop``, ``wait_connected``).
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from typing import Any

SUBPROTOCOLS = ["ocpp1.6", "ocpp2.0.1"]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _answer(action: str, counter: list[int]) -> dict[str, Any]:
    if action == "BootNotification":
        return {"status": "Accepted", "currentTime": _now(), "interval": 300}
    if action == "Heartbeat":
        return {"currentTime": _now()}
    if action == "StartTransaction":
        counter[0] += 1
        return {"idTagInfo": {"status": "Accepted"}, "transactionId": counter[0]}
    if action == "Authorize":
        return {"idTagInfo": {"status": "Accepted"}}
    if action == "DataTransfer":
        return {"status": "UnknownVendorId"}
    return {}  # StatusNotification, MeterValues, StopTransaction, notifications


def _serve(port: int, control: Connection) -> None:
    """The CSMS process: a websockets server and a control pipe, both on one event loop."""
    from websockets.asyncio.server import serve

    frames: list[tuple[float, str]] = []  # (monotonic time, CALL frame) as received
    counts: dict[str, int] = {}
    state = {"accepting": True, "connected": 0, "disconnects": 0}
    sockets: set[Any] = set()
    transaction_ids = [0]
    closing: set[asyncio.Task[None]] = set()

    async def session(ws: Any) -> None:
        if not state["accepting"]:
            await ws.close(1008, "refused")
            return
        sockets.add(ws)
        state["connected"] += 1
        try:
            async for frame in ws:
                at = time.monotonic()
                message = json.loads(frame)
                if message[0] != 2:
                    continue  # answers to calls of ours: none are made
                action = message[2]
                frames.append((at, frame))
                counts[action] = counts.get(action, 0) + 1
                answer = _answer(action, transaction_ids)
                await ws.send(json.dumps([3, message[1], answer], separators=(",", ":")))
        except Exception:
            pass  # the connection closed
        finally:
            sockets.discard(ws)
            state["connected"] -= 1
            state["disconnects"] += 1

    async def main() -> None:
        loop = asyncio.get_running_loop()
        stop = loop.create_future()

        def on_control() -> None:
            command, *args = control.recv()
            if command == "stop":
                stop.set_result(None)
                return
            if command == "accepting":
                state["accepting"] = bool(args[0])
                reply: Any = None
            elif command == "disconnect":
                for ws in list(sockets):
                    closing.add(loop.create_task(ws.close()))
                reply = None
            elif command == "count":
                reply = counts.get(args[0], 0) if args[0] else len(frames)
            elif command == "state":
                reply = dict(state)
            elif command == "frames":
                reply = frames[args[0] :]
            else:
                reply = f"unknown command {command}"
            control.send(reply)

        loop.add_reader(control.fileno(), on_control)
        async with serve(
            session,
            "127.0.0.1",
            port,
            subprotocols=SUBPROTOCOLS,
            ping_interval=None,  # type: ignore[list-item]
        ):
            control.send("listening")
            await stop

    asyncio.run(main())


@dataclass
class Frame:
    action: str
    payload: dict[str, Any]  # camelCase, as on the wire
    at: float  # time.monotonic() when the CSMS received it


class LeanCsms:
    """The benchmark's side of the CSMS process (all calls from one thread)."""

    def __init__(self) -> None:
        from harness.ports import free_port

        self.port = free_port()
        self.responses: dict[str, Any] = {}  # the Stack fills it; the answers here are fixed
        self._control, child = multiprocessing.Pipe()
        self._process = multiprocessing.Process(target=_serve, args=(self.port, child), daemon=True)

    @property
    def pid(self) -> int:
        assert self._process.pid is not None
        return self._process.pid

    def url(self, path: str = "") -> str:
        """The address without scheme, as 1.6 CentralSystemURI expects it."""
        return f"127.0.0.1:{self.port}{('/' + path.lstrip('/')) if path else ''}"

    def start(self) -> None:
        self._process.start()
        if not self._control.poll(10) or self._control.recv() != "listening":
            raise RuntimeError("the lean CSMS did not start")

    def stop(self) -> None:
        if self._process.is_alive():
            self._control.send(("stop",))
            self._process.join(5)
            if self._process.is_alive():
                self._process.terminate()

    def _ask(self, *command: Any) -> Any:
        self._control.send(command)
        return self._control.recv()

    def set_accepting(self, accepting: bool) -> None:
        self._ask("accepting", accepting)

    def disconnect(self) -> None:
        self._ask("disconnect")

    def count(self, action: str = "") -> int:
        """Calls received so far (of ``action``; all without)."""
        return int(self._ask("count", action))

    def state(self) -> dict[str, int]:
        return dict(self._ask("state"))

    def frames(self, since: int = 0) -> list[Frame]:
        """The calls received, from the ``since``-th on, parsed (after the measurement)."""
        out = []
        for at, text in self._ask("frames", since):
            _type, _id, action, payload = json.loads(text)
            out.append(Frame(action, payload, at))
        return out

    def wait_until(self, predicate: Callable[[], Any], timeout: float, what: str, every: float = 0.05) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"CSMS: {what} not seen within {timeout}s")
            time.sleep(every)

    def wait_connected(self, timeout: float = 10.0) -> None:
        self.wait_until(lambda: self.state()["connected"] > 0, timeout, "a charge point connection")
