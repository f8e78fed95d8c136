"""The demo's stand-in for the rest of the charger: one evse_manager, and a module that uses `ocpp`."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion


class DemoCharger:
    """Answers evse_manager commands as module ``charger`` and calls the OCPP module's commands."""

    def __init__(self, port: int, prefix: str, target: str, say: Callable[[str], None]) -> None:
        self.prefix, self.target, self.say = prefix, target, say
        self.module_ready = threading.Event()
        self._results: dict[str, Any] = {}
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
        elif env.get("msg_type") == "Cmd":
            impl, cmd, data = parts[3], parts[5], env["data"]
            answers = {"get_evse": {"id": 1, "connectors": [{"id": 1}]}, "enable_disable": True}
            if cmd == "enable_disable":
                self.say(f"evse_manager.enable_disable {json.dumps(data['args'])}")
            self._publish(
                f"modules/charger/impl/{impl}/cmd/{cmd}/response/{data['origin']}",
                "CmdResult",
                {
                    "type": "result",
                    "data": {"id": data["id"], "origin": "charger", "retval": answers.get(cmd)},
                },
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

    def stop(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()
