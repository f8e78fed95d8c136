"""A stand-in for the EVerest manager's config service: answers ``config/request`` for one module."""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

_DATATYPES = {bool: "bool", int: "integer", float: "number", str: "string"}


def module_config_response(
    module_id: str,
    config_module: dict[str, Any],
    connections: dict[str, Any],
    module_name: str = "EverestOcpp",
    mappings: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The ``data`` of a GetConfigResponse as a framework 0.25 manager sends it."""
    params = [
        {
            "name": k,
            "value": v,
            "characteristics": {"datatype": _DATATYPES[type(v)], "mutability": "ReadOnly"},
        }
        for k, v in config_module.items()
    ]
    conns = {
        req: [
            {
                "module_id": c["module_id"],
                "implementation_id": c["implementation_id"],
                "requirement": {"id": req},
            }
            for c in targets
        ]
        for req, targets in connections.items()
    }
    return {
        "status": "Ok",
        "status_info": "",
        "type": "Get",
        "response": {
            "type": "Module",
            "data": {
                "module_config": {
                    "standalone": False,
                    "module_name": module_name,
                    "module_id": module_id,
                    "configuration_parameters": {"!module": params},
                    "telemetry_enabled": False,
                    "connections": conns,
                    "mapping": None,
                    "access": None,
                },
                "mappings": {module_id: None, **(mappings or {})},
            },
        },
    }


class FakeManager:
    def __init__(
        self, host: str, port: int, prefix: str, answers: dict[str, dict[str, Any]], ignore_first: int = 0
    ) -> None:
        self.prefix = prefix
        self.answers = answers  # module id -> response data
        self.requests: list[dict[str, Any]] = []
        self._ignore = ignore_first
        self.answered = threading.Event()
        self._client = paho.Client(
            CallbackAPIVersion.VERSION2, client_id=f"mgr-{uuid.uuid4().hex[:6]}", protocol=paho.MQTTv5
        )
        self._client.on_message = self._on_message
        self._subscribed = threading.Event()
        self._client.on_subscribe = lambda *_a: self._subscribed.set()
        self._client.connect(host, port)
        self._client.loop_start()
        self._client.subscribe(f"{prefix}config/request", qos=2)
        if not self._subscribed.wait(5):
            raise TimeoutError("fake manager: no SUBACK")

    def _on_message(self, _c: Any, _u: Any, msg: paho.MQTTMessage) -> None:
        env = json.loads(msg.payload)
        self.requests.append(env)
        if self._ignore > 0:
            self._ignore -= 1
            return
        origin = env["data"]["origin"]
        data = self.answers.get(origin, {"status": "Error", "status_info": "unknown module", "type": "Get"})
        self._client.publish(
            f"{self.prefix}modules/{origin}/response",
            json.dumps({"msg_type": "GetConfigResponse", "data": data}),
            qos=2,
        )
        self.answered.set()

    def stop(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()
