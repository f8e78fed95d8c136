"""The EVerest runtime against a real mosquitto and the probe, with a test interface."""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from everest_ocpp.everest.definitions import Definitions
from everest_ocpp.everest.errors import CmdError
from everest_ocpp.everest.mqtt import BrokerAddress, MqttConnection
from everest_ocpp.everest.protocol import CmdErrorType
from everest_ocpp.everest.runtime import Runtime
from everest_ocpp.everest.setup import Connection, ModuleSetup
from harness.probe import Probe, ProbeCmdError

DEFS = Path(__file__).parents[1] / "fixtures" / "defs"


class RuntimeThread:
    """A Runtime on its own asyncio loop in a thread, driven by a probe from the test thread."""

    def __init__(self, broker: Any, prefix: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.dep_values: list[int] = []
        setup = ModuleSetup(module_id="mod", connections={"dep": [Connection("probe", "dep")]})
        self.mqtt = MqttConnection(BrokerAddress(broker.host, broker.port))
        self.rt = Runtime(self.mqtt, prefix, setup, Definitions(DEFS))
        self.run(self._start())

    def run(self, coro: Any, timeout: float = 15) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    async def _start(self) -> None:
        rt = self.rt
        await self.mqtt.connect()

        def fail(kind: str) -> bool:
            if kind == "exception":
                raise RuntimeError("boom")
            raise CmdError(CmdErrorType(kind), f"raised {kind}")

        async def call_dep(timeout: float) -> str:
            try:
                return str(await rt.call("dep", 0, "ping", {"text": "hi"}, timeout=timeout))
            except CmdError as exc:
                return f"{exc.error_type}: {exc}"

        rt.implement("main", "echo", lambda value: value)
        rt.implement("main", "no_args", lambda: True)
        rt.implement("main", "fail", fail)
        rt.implement("main", "bad_result", lambda: "yes")
        rt.implement("main", "call_dep", call_dep)
        rt.implement("main", "publish", lambda value: rt.publish_var("main", "item", value))
        rt.implement("main", "last_dep_value", lambda: self.dep_values[-1] if self.dep_values else -1)
        rt.subscribe_var("dep", 0, "counter", self.dep_values.append)
        await rt.start()

    def close(self) -> None:
        self.run(self.mqtt.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture
def env(broker: Any) -> Iterator[tuple[RuntimeThread, Probe]]:
    prefix = f"rt_{uuid.uuid4().hex[:8]}/"
    probe = Probe(broker.host, broker.port, prefix, target="mod")
    probe.target_impl = "main"
    probe.start()
    rt = RuntimeThread(broker, prefix)
    assert probe.module_ready.wait(5)
    yield rt, probe
    rt.close()
    probe.stop()


def test_result_and_null_args(env: tuple[RuntimeThread, Probe]) -> None:
    _rt, probe = env
    assert probe.call("echo", {"value": {"name": "a", "size": 3}}) == {"name": "a", "size": 3}
    assert probe.call("no_args", None) is True
    assert probe.call("no_args", {}) is True


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ({}, "'value' is a required property"),
        ({"value": {"name": "a"}, "extra": 1}, "'extra' was unexpected"),
        ({"value": {"name": 5}}, "value/name: 5 is not of type 'string'"),
        (
            {"value": {"name": "a", "size": -1}},
            "value/size: -1 is less than the minimum of 0",
        ),  # through $ref
        ({"value": "text"}, "is not of type 'object'"),
    ],
)
def test_argument_validation(env: tuple[RuntimeThread, Probe], args: dict[str, Any], fragment: str) -> None:
    _rt, probe = env
    with pytest.raises(ProbeCmdError) as err:
        probe.call("echo", args)
    assert err.value.error_type == "SchemaValidationError"
    assert fragment in err.value.message


@pytest.mark.parametrize(
    "kind", ["MessageParsingError", "Shutdown", "NotReady", "CmdTimeout", "HandlerException"]
)
def test_handler_chosen_error_types(env: tuple[RuntimeThread, Probe], kind: str) -> None:
    _rt, probe = env
    with pytest.raises(ProbeCmdError) as err:
        probe.call("fail", {"kind": kind})
    assert (err.value.error_type, err.value.message) == (kind, f"raised {kind}")


def test_handler_exception_names_the_problem(env: tuple[RuntimeThread, Probe]) -> None:
    _rt, probe = env
    with pytest.raises(ProbeCmdError) as err:
        probe.call("fail", {"kind": "exception"})
    assert err.value.error_type == "HandlerException"
    assert err.value.message == "fail: RuntimeError: boom"
    # the module still answers afterwards
    assert probe.call("no_args", None) is True


def test_result_validation_includes_retval(env: tuple[RuntimeThread, Probe]) -> None:
    _rt, probe = env
    with pytest.raises(ProbeCmdError) as err:
        probe.call("bad_result", None)
    assert err.value.error_type == "SchemaValidationError"
    assert "'yes' is not of type 'boolean'" in err.value.message
    assert err.value.retval == "yes"


def test_unknown_and_unimplemented(env: tuple[RuntimeThread, Probe]) -> None:
    _rt, probe = env
    with pytest.raises(ProbeCmdError) as err:
        probe.call("not_implemented", None)
    assert (err.value.error_type, err.value.message) == (
        "HandlerException",
        "not_implemented: not implemented",
    )
    with pytest.raises(ProbeCmdError) as err:
        probe.call("nope", {})
    assert err.value.error_type == "HandlerException"
    assert "no command 'nope'" in err.value.message


def test_calls_to_required_module(env: tuple[RuntimeThread, Probe]) -> None:
    _rt, probe = env
    probe.implement("dep", "ping", lambda args: args["text"] + "!")
    assert probe.call("call_dep", {"timeout": 5}) == "hi!"
    assert probe.seen_calls("dep", "ping")[-1].args == {"text": "hi"}
    probe.implement("dep", "ping", "$no_answer")
    assert probe.call("call_dep", {"timeout": 0.3}).startswith("CmdTimeout: ")
    del probe.answers[("dep", "ping")]
    assert probe.call("call_dep", {"timeout": 5}) == "HandlerException: probe has no answer for dep.ping"


def test_var_publish_is_validated(env: tuple[RuntimeThread, Probe]) -> None:
    _rt, probe = env
    assert probe.call("publish", {"value": {"name": "x"}}) is True
    probe.wait_until(lambda: probe.seen_vars("item"), 5, "item var")
    assert [v.value for v in probe.seen_vars("item")] == [{"name": "x"}]
    assert probe.call("publish", {"value": {"name": 1}}) is False
    assert probe.call("publish", {"value": {"name": "y"}}) is True
    probe.wait_until(lambda: len(probe.seen_vars("item")) == 2, 5, "second item var")
    assert [v.value for v in probe.seen_vars("item")] == [{"name": "x"}, {"name": "y"}]


def test_var_subscription_drops_invalid_values(env: tuple[RuntimeThread, Probe]) -> None:
    _rt, probe = env
    probe.publish_var("dep", "counter", 7)
    probe.wait_until(lambda: probe.call("last_dep_value", None) == 7, 5, "counter 7")
    probe.publish_var("dep", "counter", "eight")  # wrong type: dropped
    probe.publish_raw(f"{probe.prefix}modules/probe/impl/dep/var/counter", b"{not json")
    probe.publish_var("dep", "counter", 9)
    probe.wait_until(lambda: probe.call("last_dep_value", None) == 9, 5, "counter 9")
    assert _rt.dep_values == [7, 9]


def _raw_call(probe: Probe, cmd: str, payload: bytes) -> None:
    probe.publish_raw(f"{probe.prefix}modules/mod/impl/main/cmd/{cmd}", payload)


def test_bad_payloads_leave_the_module_answering(env: tuple[RuntimeThread, Probe]) -> None:
    _rt, probe = env
    for payload in (
        b"not json",
        b"\xff\xfe\x00garbage",
        b'{"data": {"id": "1", "origin": "probe", "args": {}}}',
        b'{"msg_type": "NoSuchType", "data": {"id": "2", "origin": "probe"}}',
        b'{"msg_type": "Cmd", "data": {"origin": "probe", "args": {}}}',
        b'{"msg_type": "Cmd", "data": {"id": 3, "origin": "probe", "args": {}}}',
        b'{"msg_type": "Cmd"}',
        b"null",
        b"",
    ):
        _raw_call(probe, "no_args", payload)
    # a 1 MB string: valid JSON, answered (echo allows it) and not harmful
    big = "x" * 1_000_000
    assert probe.call("echo", {"value": {"name": big}}, timeout=20) == {"name": big}
    # a 1 MB string where an integer belongs: SchemaValidationError with a bounded message
    with pytest.raises(ProbeCmdError) as err:
        probe.call("echo", {"value": {"name": "a", "size": big}}, timeout=20)
    assert err.value.error_type == "SchemaValidationError"
    assert len(err.value.message) < 1000
    call_id = str(uuid.uuid4())
    _raw_call(
        probe, "no_args", json.dumps({"msg_type": "Cmd", "data": {"id": call_id, "origin": "probe"}}).encode()
    )
    assert probe.wait_result(call_id, 5, "call without args key")["retval"] is True


def test_broker_restart(env: tuple[RuntimeThread, Probe], broker: Any) -> None:
    rt, probe = env
    assert probe.call("no_args", None) is True
    broker.restart()
    probe.wait_until(lambda: rt.mqtt.connected, 15, "module reconnect")
    probe.wait_until(lambda: _answers(probe), 15, "an answer after the restart")
    probe.publish_var("dep", "counter", 11)  # var subscriptions are restored too
    probe.wait_until(lambda: rt.dep_values[-1:] == [11], 5, "counter after restart")


def _answers(probe: Probe) -> bool:
    try:
        return probe.call("no_args", None, timeout=1) is True
    except TimeoutError:
        return False


def test_call_timeout_is_cmd_error() -> None:
    err = CmdError(CmdErrorType.CMD_TIMEOUT, "x")
    assert (err.error_type, str(err)) == (CmdErrorType.CMD_TIMEOUT, "x")


def test_raise_and_clear_error(env: tuple[RuntimeThread, Probe], broker: Any) -> None:
    rt, probe = env
    import paho.mqtt.client as paho
    from paho.mqtt.enums import CallbackAPIVersion

    seen: list[tuple[str, dict[str, Any]]] = []
    got = threading.Event()
    client = paho.Client(CallbackAPIVersion.VERSION2)

    def on_message(_c: Any, _u: Any, msg: Any) -> None:
        seen.append((msg.topic, json.loads(msg.payload)))
        if len(seen) == 2:
            got.set()

    client.on_message = on_message
    subscribed = threading.Event()
    client.on_subscribe = lambda *_a: subscribed.set()
    client.connect(broker.host, broker.port)
    client.loop_start()
    client.subscribe(f"{probe.prefix}modules/mod/impl/main/error/#", qos=2)
    assert subscribed.wait(5)
    raised = rt.run(_call(lambda: rt.rt.raise_error("main", "test_iface/Broken", "it broke", "High")))
    rt.run(_call(lambda: rt.rt.clear_error("main", raised)))
    assert got.wait(5)
    client.loop_stop()
    topic = f"{probe.prefix}modules/mod/impl/main/error/test_iface/Broken"
    assert [t for t, _ in seen] == [topic, topic]
    first, second = seen[0][1], seen[1][1]
    assert first["msg_type"] == "RaiseError" and second["msg_type"] == "ClearError"
    error = first["data"]
    assert set(error) == {
        "type",
        "sub_type",
        "message",
        "description",
        "origin",
        "vendor_id",
        "severity",
        "timestamp",
        "uuid",
        "state",
    }
    assert (error["type"], error["message"], error["severity"], error["state"]) == (
        "test_iface/Broken",
        "it broke",
        "High",
        "Active",
    )
    assert error["origin"] == {"module_id": "mod", "implementation_id": "main"}
    assert second["data"] == {**error, "state": "ClearedByModule"}


async def _call(fn: Any) -> Any:
    return fn()


def test_tcp_nodelay_on_the_module_socket(env: tuple[RuntimeThread, Probe]) -> None:
    import socket

    rt, _probe = env
    sock = rt.mqtt._client.socket()
    assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
