"""The demo's stand-in for the rest of the charger: one evse_manager, and a module that uses `ocpp`."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion


class EnableDisableSources:
    """What a real evse_manager does with ``enable_disable``: every source's latest request is
    kept, the highest priority among those not Unassigned decides, and the answer is the resulting
    state (True = enabled). With no request the EVSE is enabled."""

    def __init__(self) -> None:
        self._requests: dict[str, tuple[str, int]] = {}  # source -> (state, priority)

    def apply(self, cmd_source: dict[str, Any]) -> bool:
        source = str(cmd_source.get("enable_source", "Unspecified"))
        state, priority = (
            str(cmd_source.get("enable_state", "Unassigned")),
            int(cmd_source.get("enable_priority", 0)),
        )
        if state == "Unassigned":
            self._requests.pop(source, None)
        else:
            self._requests[source] = (state, priority)
        if not self._requests:
            return True
        winner = max(self._requests.values(), key=lambda request: request[1])
        return winner[0] == "Enable"


class DemoCharger:
    """Answers evse_manager commands as module ``charger`` and calls the OCPP module's commands."""

    def __init__(self, port: int, prefix: str, target: str, say: Callable[[str], None]) -> None:
        self.prefix, self.target, self.say = prefix, target, say
        self.module_ready = threading.Event()
        self._results: dict[str, Any] = {}
        self._vars: list[tuple[str, Any]] = []
        self._connectors: dict[int, EnableDisableSources] = {}
        self._cond = threading.Condition()
        self._client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"demo-{uuid.uuid4().hex[:6]}")
        self._client.on_message = self._on_message
        self._client.on_connect = lambda *_a: self._client.subscribe(  # type: ignore[assignment]
            [
                (f"{prefix}modules/charger/impl/+/cmd/+", 2),
                (f"{prefix}modules/+/impl/+/cmd/+/response/charger", 2),
                (f"{prefix}modules/{target}/impl/ocpp_generic/var/+", 2),
                (f"{prefix}modules/{target}/ready", 2),
            ]
        )
        self._client.connect("127.0.0.1", port)
        self._client.loop_start()

    def _publish(self, topic: str, msg_type: str, data: Any) -> None:
        self._client.publish(self.prefix + topic, json.dumps({"msg_type": msg_type, "data": data}), qos=2)

    def _on_message(self, _c: Any, _u: Any, msg: paho.MQTTMessage) -> None:
        try:
            env = json.loads(msg.payload)
        except ValueError:
            return
        parts = msg.topic[len(self.prefix) :].split("/")
        if env.get("msg_type") == "ModuleReady":
            self.module_ready.set()
        elif env.get("msg_type") == "Var":
            self.say(f"var {parts[-1]} = {json.dumps(env['data']['data'])}")
            with self._cond:
                self._vars.append((parts[-1], env["data"]["data"]))
                self._cond.notify_all()
        elif env.get("msg_type") == "Cmd":
            impl, cmd, data = parts[3], parts[5], env["data"]
            retval: Any = None
            if cmd == "get_evse":
                retval = {"id": 1, "connectors": [{"id": 1}]}
            elif cmd == "enable_disable":
                args = data["args"]
                sources = self._connectors.setdefault(
                    int(args.get("connector_id", 0)), EnableDisableSources()
                )
                retval = sources.apply(args.get("cmd_source") or {})
                self.say(
                    f"evse_manager.enable_disable {json.dumps(args)} -> {'enabled' if retval else 'disabled'}"
                )
            self._publish(
                f"modules/charger/impl/{impl}/cmd/{cmd}/response/{data['origin']}",
                "CmdResult",
                {"type": "result", "data": {"id": data["id"], "origin": "charger", "retval": retval}},
            )
        elif env.get("msg_type") == "CmdResult":
            with self._cond:
                self._results[env["data"]["data"]["id"]] = env["data"]["data"]
                self._cond.notify_all()

    def start_stack(self) -> None:
        """What the EVerest manager and the EVSE would do: global ready, then the EVSE is ready."""
        self._publish("modules/charger/ready", "ModuleReady", True)
        self._publish("ready", "GlobalReady", True)
        self._publish("modules/charger/impl/evse_manager/var/ready", "Var", {"data": True})

    def call(self, cmd: str, args: dict[str, Any], timeout: float = 10.0) -> Any:
        call_id = str(uuid.uuid4())
        self._publish(
            f"modules/{self.target}/impl/ocpp_generic/cmd/{cmd}",
            "Cmd",
            {"id": call_id, "args": args, "origin": "charger"},
        )
        with self._cond:
            if not self._cond.wait_for(lambda: call_id in self._results, timeout):
                raise TimeoutError(f"no answer to {cmd}")
            data = self._results.pop(call_id)
        if "error" in data:
            raise RuntimeError(
                f"{data['error']['__everest__error_type']}: {data['error']['__everest__error_msg']}"
            )
        return data.get("retval")

    def var_count(self, name: str) -> int:
        with self._cond:
            return self._count(name)

    def wait_var(self, name: str, after: int, timeout: float = 10.0) -> Any:
        """The value of the first publication of var ``name`` beyond the first ``after`` ones."""
        with self._cond:
            if not self._cond.wait_for(lambda: self._count(name) > after, timeout):
                raise TimeoutError(f"no new {name} within {timeout:g} s")
            return [value for var, value in self._vars if var == name][after]

    def _count(self, name: str) -> int:
        return sum(1 for var, _ in self._vars if var == name)

    def stop(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()
