"""A result identical (as JSON) to one already found valid is not validated again; nothing else changes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from everest_ocpp.everest.definitions import Definitions
from everest_ocpp.everest.protocol import MsgType, cmd_result, cmd_result_envelope, encode, envelope
from everest_ocpp.everest.runtime import Runtime
from everest_ocpp.everest.setup import ModuleSetup
from everest_ocpp.everest.topic_check import topic_problem

DEFS = Path(__file__).parents[2] / "fixtures" / "defs"


class FakeMqtt:
    def __init__(self) -> None:
        self.published: list[tuple[str, Any]] = []

    def topic_problem(self, topic: str) -> str | None:
        return topic_problem(topic)

    def publish(self, topic: str, payload: bytes, qos: int = 2, retain: bool = False) -> bool:
        self.published.append((topic, json.loads(payload)))
        return True


def make() -> tuple[Runtime, FakeMqtt]:
    mqtt = FakeMqtt()
    rt = Runtime(mqtt, "e/", ModuleSetup(module_id="mod", connections={}), Definitions(DEFS))  # type: ignore[arg-type]
    return rt, mqtt


def command(rt: Runtime, cmd: str, args: Any) -> None:
    payload = {"msg_type": "Cmd", "data": {"id": "1", "args": args, "origin": "api"}}
    rt._on_cmd(f"e/modules/mod/impl/main/cmd/{cmd}", json.dumps(payload).encode())


@pytest.mark.parametrize("call_id", ["1", 'quo"te', "ünï\u2028code", "x" * 300])
def test_result_envelope_from_encoded_retval_equals_the_plain_one(call_id: str) -> None:
    retval = {"name": "a", "list": [1, 2.5, None, True], "nested": {"s": "\\n"}}
    fast = cmd_result_envelope(call_id, 'or"ig', encode(retval).encode())
    assert json.loads(fast) == json.loads(envelope(MsgType.CMD_RESULT, cmd_result(call_id, 'or"ig', retval)))


class Counting:
    """The result validator of a command, recording every value it is asked about."""

    def __init__(self, validator: Any) -> None:
        self.validator = validator
        self.seen: list[Any] = []

    def error(self, value: Any) -> str | None:
        self.seen.append(value)
        return self.validator.error(value)  # type: ignore[no-any-return]


def _counting(rt: Runtime) -> list[Any]:
    cmd = rt.defs.interface("test_iface").cmds["echo"]
    counting = Counting(cmd.result_validator)
    cmd.result_validator = counting  # type: ignore[assignment]
    return counting.seen


def test_a_repeated_valid_result_is_validated_once() -> None:
    rt, mqtt = make()
    rt.implement("main", "echo", lambda value: value)
    validated = _counting(rt)
    for _ in range(3):
        command(rt, "echo", {"value": {"name": "same"}})
    command(rt, "echo", {"value": {"name": "other"}})
    assert validated == [{"name": "same"}, {"name": "other"}]
    answers = [payload["data"]["data"] for _topic, payload in mqtt.published]
    assert answers == [{"id": "1", "retval": {"name": "same"}, "origin": "mod"}] * 3 + [
        {"id": "1", "retval": {"name": "other"}, "origin": "mod"}
    ]


def test_an_invalid_result_is_refused_every_time() -> None:
    rt, mqtt = make()
    rt.implement("main", "echo", lambda value: {"name": 5})  # the result breaks the schema
    validated = _counting(rt)
    for _ in range(2):
        command(rt, "echo", {"value": {"name": "x"}})
    assert validated == [{"name": 5}, {"name": 5}]
    errors = [payload["data"]["data"]["error"]["__everest__error_type"] for _t, payload in mqtt.published]
    assert errors == ["SchemaValidationError", "SchemaValidationError"]
