"""A plain paho caller that fires commands back to back and counts every answer it gets (duplicates too).

Unlike the probe it never waits for one answer before sending the next, so it can produce a burst,
and it keeps every answer per id, so "answered exactly once" can be checked. It announces a
Receive Maximum of 65535, so with mosquitto's default limits the broker does not drop answers
queued for it during a burst (that would be the caller's loss, not the module's).
"""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from collections.abc import Iterable
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from .waiting import wait_until


class Caller:
    def __init__(
        self, host: str, port: int, prefix: str, name: str | None = None, persistent: bool = False
    ) -> None:
        self.prefix = prefix if prefix.endswith("/") else prefix + "/"
        self.name = name or f"caller{uuid.uuid4().hex[:8]}"
        self.answers: dict[str, list[dict[str, Any]]] = {}  # call id -> every answer received
        self.answered_at: dict[str, float] = {}  # call id -> monotonic time of the first answer
        self.unparsable = 0
        self._cond = threading.Condition()
        self._host, self._port = host, port
        self._persistent = persistent
        self._subscribed = threading.Event()
        self._client = paho.Client(CallbackAPIVersion.VERSION2, client_id=self.name, protocol=paho.MQTTv5)
        self._client.reconnect_delay_set(0.1, 0.2)  # type: ignore[arg-type]  # floats work
        self._client.on_socket_open = lambda _c, _u, sock: sock.setsockopt(
            socket.IPPROTO_TCP, socket.TCP_NODELAY, 1
        )
        self._client.on_connect = lambda *_a: self._client.subscribe(self.answer_filter, qos=2)
        self._client.on_subscribe = lambda *_a: self._subscribed.set()
        self._client.on_message = self._on_message

    @property
    def answer_filter(self) -> str:
        return f"{self.prefix}modules/+/impl/+/cmd/+/response/{self.name}"

    def start(self) -> None:
        props = Properties(PacketTypes.CONNECT)
        props.ReceiveMaximum = 65535
        if self._persistent:  # keeps the subscription (and queued answers) over a broker restart
            props.SessionExpiryInterval = 3600
        self._client.connect(
            self._host, self._port, keepalive=30, clean_start=not self._persistent, properties=props
        )
        self._client.loop_start()
        if not self._subscribed.wait(10):
            raise TimeoutError(f"{self.name}: no SUBACK")

    def stop(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()

    # ---- sending -----------------------------------------------------------------------------------
    def send(self, topic: str, payload: bytes | str, qos: int = 2) -> None:
        self._client.publish(topic, payload, qos=qos)

    def command(
        self,
        cmd: str,
        args: Any,
        target: str = "mod",
        impl: str = "main",
        qos: int = 2,
        call_id: str | None = None,
    ) -> str:
        """Publish one command (no waiting); returns its id."""
        call_id = call_id or uuid.uuid4().hex
        payload = {"msg_type": "Cmd", "data": {"id": call_id, "args": args, "origin": self.name}}
        self.send(f"{self.prefix}modules/{target}/impl/{impl}/cmd/{cmd}", json.dumps(payload), qos)
        return call_id

    def call(self, cmd: str, args: Any, timeout: float = 5.0, **kw: Any) -> dict[str, Any]:
        """One command and its answer (the CmdResult's inner data)."""
        call_id = self.command(cmd, args, **kw)
        self.wait_answered([call_id], timeout)
        return self.answers[call_id][0]

    # ---- answers -----------------------------------------------------------------------------------
    def _on_message(self, _c: Any, _u: Any, msg: paho.MQTTMessage) -> None:
        now = time.monotonic()
        try:
            data = json.loads(msg.payload)["data"]["data"]
            call_id = data["id"]
        except (ValueError, KeyError, TypeError):
            with self._cond:
                self.unparsable += 1
            return
        with self._cond:
            self.answers.setdefault(call_id, []).append(data)
            self.answered_at.setdefault(call_id, now)
            self._cond.notify_all()

    def wait_answered(self, ids: Iterable[str], timeout: float) -> None:
        wanted = list(ids)
        wait_until(
            self._cond,
            lambda: all(i in self.answers for i in wanted),
            timeout,
            f"{self.name}: answers to {len(wanted)} calls ({sum(i in self.answers for i in wanted)} arrived)",
        )

    def answer_count(self) -> int:
        with self._cond:
            return sum(len(v) for v in self.answers.values())
