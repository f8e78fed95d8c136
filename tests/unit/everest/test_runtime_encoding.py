"""What JSON cannot carry (NaN, Infinity) never reaches the broker, and the caller still gets an answer."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from everest_ocpp.everest.definitions import Definitions
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
        assert b"NaN" not in payload and b"Infinity" not in payload  # Python's json would read them
        self.published.append((topic, json.loads(payload)))
        return True


def make() -> tuple[Runtime, FakeMqtt]:
    mqtt = FakeMqtt()
    rt = Runtime(mqtt, "e/", ModuleSetup(module_id="mod", connections={}), Definitions(DEFS))  # type: ignore[arg-type]
    return rt, mqtt


def command(rt: Runtime, cmd: str, args: Any, origin: str = "api") -> None:
    payload = {"msg_type": "Cmd", "data": {"id": "1", "args": args, "origin": origin}}
    rt._on_cmd(f"e/modules/mod/impl/main/cmd/{cmd}", json.dumps(payload).encode())


def test_a_result_json_cannot_carry_is_answered_with_an_error() -> None:
    async def scenario() -> None:
        rt, mqtt = make()
        rt.implement("main", "bad_result", lambda: float("nan"))
        command(rt, "bad_result", None)
        assert mqtt.published == [
            (
                "e/modules/mod/impl/main/cmd/bad_result/response/api",
                {
                    "msg_type": "CmdResult",
                    "data": {
                        "type": "result",
                        "data": {
                            "id": "1",
                            "origin": "mod",
                            "error": {
                                "__everest__error_type": "HandlerException",
                                "__everest__error_msg": "result is not representable in JSON: "
                                "Out of range float values are not JSON compliant",
                            },
                        },
                    },
                },
            )
        ]

    asyncio.run(scenario())


def test_a_var_json_cannot_carry_is_not_published() -> None:
    rt, mqtt = make()
    assert rt.publish_var("main", "item", {"name": "x", "size": float("inf")}) is False
    assert mqtt.published == []


def test_an_unanswerable_origin_does_not_run_the_handler() -> None:
    rt, mqtt = make()
    ran: list[bool] = []
    rt.implement("main", "no_args", lambda: ran.append(True) or True)
    command(rt, "no_args", None, origin="a/+")
    command(rt, "no_args", None, origin="ok")
    assert ran == [True]
    assert [t for t, _ in mqtt.published] == ["e/modules/mod/impl/main/cmd/no_args/response/ok"]
