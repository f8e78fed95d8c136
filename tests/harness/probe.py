"""The probe: a pure-paho EVerest module standing in for the modules the module under test requires.

It implements commands (recording every call, answering with configured values), calls the module's
commands, collects its vars, publishes vars of its own (e.g. evse_manager ``ready``) and, as there is
no manager in tests, announces GlobalReady. Topics are spelled out here by hand on purpose: the
probe must not share the runtime's code, or a protocol mistake there would go unnoticed.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

from .waiting import wait_until

Answer = Any  # a value, or a callable(args) -> value


@dataclass
class ProbeCall:
    impl: str
    cmd: str
    args: Any
    at: float


@dataclass
class SeenVar:
    var: str
    value: Any
    at: float
    impl: str  # implementation of the module under test that published it


class ProbeCmdError(Exception):
    def __init__(self, error_type: str, message: str, retval: Any = None) -> None:
        super().__init__(f"{error_type}: {message}")
        self.error_type = error_type
        self.message = message
        self.retval = retval


class Probe:
    def __init__(self, host: str, port: int, prefix: str, target: str, module_id: str = "probe") -> None:
        self.prefix = prefix if prefix.endswith("/") else prefix + "/"
        self.module_id = module_id
        self.target = target  # module id of the module under test
        self.target_impl = "ocpp_generic"  # default implementation for calls and var look-ups
        self.answers: dict[tuple[str, str], Answer] = {}
        self.calls: list[ProbeCall] = []
        self.vars: list[SeenVar] = []
        self.module_ready = threading.Event()
        self.raw_results: dict[str, Any] = {}
        self._cond = threading.Condition()
        self._host, self._port = host, port
        self._client = paho.Client(
            CallbackAPIVersion.VERSION2, client_id=f"probe-{uuid.uuid4().hex[:8]}", protocol=paho.MQTTv5
        )
        self._client.on_message = self._on_message
        self._client.on_socket_open = lambda _c, _u, sock: sock.setsockopt(
            socket.IPPROTO_TCP, socket.TCP_NODELAY, 1
        )
        self._subscribed = threading.Event()
        self._client.on_subscribe = lambda *_a: self._subscribed.set()
        self._client.on_connect = self._on_connect

    def _on_connect(self, *_args: Any) -> None:
        # clean session: subscribe again after every (re)connect, e.g. a broker restart
        self._client.subscribe(
            [
                (self._t(f"modules/{self.module_id}/impl/+/cmd/+"), 2),
                (self._t(f"modules/+/impl/+/cmd/+/response/{self.module_id}"), 2),
                (self._t(f"modules/{self.target}/impl/+/var/+"), 2),
                (self._t(f"modules/{self.target}/ready"), 2),
            ]
        )

    # ---- topics ----------------------------------------------------------------------------------
    def _t(self, rest: str) -> str:
        return f"{self.prefix}{rest}"

    # ---- lifecycle -------------------------------------------------------------------------------
    def start(self) -> None:
        self._client.connect(self._host, self._port, keepalive=30)
        self._client.loop_start()
        self._client.subscribe(
            [
                (self._t(f"modules/{self.module_id}/impl/+/cmd/+"), 2),
                (self._t(f"modules/+/impl/+/cmd/+/response/{self.module_id}"), 2),
                (self._t(f"modules/{self.target}/impl/+/var/+"), 2),
                (self._t(f"modules/{self.target}/ready"), 2),
            ]
        )
        if not self._subscribed.wait(10):
            raise TimeoutError("probe: no SUBACK")
        self._publish(self._t(f"modules/{self.module_id}/ready"), "ModuleReady", True)

    def stop(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()

    def _publish(self, topic: str, msg_type: str, data: Any) -> None:
        self._client.publish(topic, json.dumps({"msg_type": msg_type, "data": data}), qos=2)

    def publish_raw(self, topic: str, payload: bytes | str) -> None:
        self._client.publish(topic, payload, qos=2)

    def publish_global_ready(self) -> None:
        self._publish(self._t("ready"), "GlobalReady", True)

    def publish_var(self, impl: str, var: str, value: Any) -> None:
        self._publish(self._t(f"modules/{self.module_id}/impl/{impl}/var/{var}"), "Var", {"data": value})

    def implement(self, impl: str, cmd: str, answer: Answer) -> None:
        self.answers[(impl, cmd)] = answer

    # ---- incoming --------------------------------------------------------------------------------
    def _on_message(self, _c: paho.Client, _u: Any, msg: paho.MQTTMessage) -> None:
        try:
            env = json.loads(msg.payload)
        except ValueError:
            return
        parts = msg.topic[len(self.prefix) :].split("/")
        now = time.monotonic()
        if env.get("msg_type") == "ModuleReady" and parts == ["modules", self.target, "ready"]:
            self.module_ready.set()
        elif env.get("msg_type") == "Var" and parts[-2] == "var":
            with self._cond:
                self.vars.append(SeenVar(parts[-1], env["data"]["data"], now, parts[-3]))
                self._cond.notify_all()
        elif env.get("msg_type") == "Cmd":
            self._answer(parts[3], parts[5], env["data"], now)
        elif env.get("msg_type") == "CmdResult":
            with self._cond:
                self.raw_results[env["data"]["data"].get("id")] = env["data"]["data"]
                self._cond.notify_all()

    def _answer(self, impl: str, cmd: str, data: dict[str, Any], now: float) -> None:
        args = data.get("args")
        with self._cond:
            self.calls.append(ProbeCall(impl, cmd, args, now))
            self._cond.notify_all()
        reply = self._t(f"modules/{self.module_id}/impl/{impl}/cmd/{cmd}/response/{data['origin']}")
        result: dict[str, Any] = {"id": data["id"], "origin": self.module_id}
        if (impl, cmd) not in self.answers:
            result["error"] = {
                "__everest__error_type": "HandlerException",
                "__everest__error_msg": f"probe has no answer for {impl}.{cmd}",
            }
        else:
            answer = self.answers[(impl, cmd)]
            if answer == "$no_answer":
                return
            result["retval"] = answer(args) if callable(answer) else answer
        self._publish(reply, "CmdResult", {"type": "result", "data": result})

    # ---- calling the module ----------------------------------------------------------------------
    def call(self, cmd: str, args: Any, timeout: float = 10.0, impl: str | None = None) -> Any:
        call_id = str(uuid.uuid4())
        topic = self._t(f"modules/{self.target}/impl/{impl or self.target_impl}/cmd/{cmd}")
        self._publish(topic, "Cmd", {"id": call_id, "args": args, "origin": self.module_id})
        data = self.wait_result(call_id, timeout, f"{cmd}")
        if "error" in data:
            err = data["error"]
            raise ProbeCmdError(err["__everest__error_type"], err["__everest__error_msg"], data.get("retval"))
        return data.get("retval")

    def wait_result(self, call_id: str, timeout: float, what: str) -> dict[str, Any]:
        return self.wait_until(lambda: self.raw_results.get(call_id), timeout, f"result of {what}")

    # ---- waiting ---------------------------------------------------------------------------------
    def wait_until(self, predicate: Callable[[], Any], timeout: float, what: str) -> Any:
        return wait_until(self._cond, predicate, timeout, "probe: " + what)

    def seen_vars(self, var: str, impl: str | None = None) -> list[SeenVar]:
        """Values of ``var`` published by ``impl`` (default: :attr:`target_impl`)."""
        impl = impl or self.target_impl
        with self._cond:
            return [v for v in self.vars if v.var == var and v.impl == impl]

    def seen_calls(self, impl: str | None = None, cmd: str | None = None) -> list[ProbeCall]:
        with self._cond:
            return [
                c for c in self.calls if (impl is None or c.impl == impl) and (cmd is None or c.cmd == cmd)
            ]
