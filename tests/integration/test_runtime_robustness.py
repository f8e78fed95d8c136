"""The runtime under bursts, poisoned answer topics, hostile payloads and broker outages (issue 14).

Everything runs against a real mosquitto with its default limits (receive maximum 20, 1000 queued
messages per client) and the runtime as its own process (harness/runtime_host.py), so its memory
can be measured and a stall cannot hide behind the test's own threads.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.broker import Mosquitto
from harness.caller import Caller
from harness.fuzz import Fuzzer, poisoned_origins
from harness.module_process import REPO
from harness.ports import wait_listening
from harness.waiting import wait_until


class RuntimeHost:
    """harness/runtime_host.py as a process on its own prefix."""

    def __init__(self, broker: Mosquitto, workdir: Path) -> None:
        self.broker = broker
        self.prefix = f"rb_{uuid.uuid4().hex[:8]}/"
        self.log_path = workdir / f"runtime-{self.prefix[:-1]}.log"
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([str(REPO / "module"), str(REPO / "tests")])
        argv = [sys.executable, "-m", "harness.runtime_host", broker.host, str(broker.port), self.prefix]
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(argv, stdout=log, stderr=log, env=env)

    def caller(self, **kw: Any) -> Caller:
        caller = Caller(self.broker.host, self.broker.port, self.prefix, **kw)
        caller.start()
        return caller

    def wait_answering(self, caller: Caller, timeout: float = 15.0) -> float:
        """Poll with no_args until answered; returns the monotonic time of the answer."""
        deadline = time.monotonic() + timeout
        while True:
            call_id = caller.command("no_args", None)
            try:
                caller.wait_answered([call_id], 0.25)
                return caller.answered_at[call_id]
            except TimeoutError:
                assert self.proc.poll() is None, f"runtime exited: {self.log()[-3000:]}"
                if time.monotonic() > deadline:
                    raise TimeoutError(f"runtime not answering; log:\n{self.log()[-3000:]}") from None

    def rss(self) -> int:
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:"))) * 1024

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(5)


@pytest.fixture(scope="module")
def limited_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mosquitto]:
    broker = Mosquitto(tmp_path_factory.mktemp("mosquitto-defaults"), default_limits=True)
    broker.start()
    yield broker
    broker.stop()


@pytest.fixture
def host(limited_broker: Mosquitto, tmp_path: Path) -> Iterator[RuntimeHost]:
    runtime = RuntimeHost(limited_broker, tmp_path)
    yield runtime
    assert runtime.stop() == 0, runtime.log()[-3000:]
    _assert_clean_log(runtime.log())


def _assert_clean_log(log: str) -> None:
    assert "lost MQTT broker" not in log, "the broker dropped the runtime"
    for escaped in ("handling an MQTT message on", "MQTT read failed", "Exception in callback"):
        assert escaped not in log, f"an exception escaped to {escaped!r}"


# ---- bursts -------------------------------------------------------------------------------------
def _mixed_call(i: int) -> tuple[str, Any, dict[str, Any]]:
    """(command, args, what the answer must contain) for the i-th call of a burst."""
    kind = i % 5
    if kind == 0:
        value = {"name": f"n{i}", "size": i}
        return "echo", {"value": value}, {"retval": value}
    if kind == 1:
        return "no_args", None, {"retval": True}
    if kind == 2:
        return "echo", {"value": {"name": i}}, {"error": "SchemaValidationError"}
    if kind == 3:
        return "fail", {"kind": "exception"}, {"error": "HandlerException"}
    return "nope", {}, {"error": "HandlerException"}


def test_burst_from_four_callers_is_answered_exactly_once(host: RuntimeHost) -> None:
    callers = [host.caller() for _ in range(4)]
    host.wait_answering(callers[0])
    expected: list[tuple[Caller, str, dict[str, Any]]] = []
    lock = threading.Lock()

    def fire(caller: Caller) -> None:
        for i in range(750):
            cmd, args, want = _mixed_call(i)
            call_id = caller.command(cmd, args)
            with lock:
                expected.append((caller, call_id, want))

    threads = [threading.Thread(target=fire, args=(c,)) for c in callers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for caller in callers:
        caller.wait_answered([cid for c, cid, _ in expected if c is caller], 60)
    # a last call per caller: answers travel in order, so anything duplicated would be here by now
    for caller in callers:
        assert caller.call("no_args", None)["retval"] is True
    assert len(expected) == 3000
    for caller, call_id, want in expected:
        answers = caller.answers[call_id]
        assert len(answers) == 1, f"{call_id} answered {len(answers)} times"
        if "error" in want:
            assert answers[0]["error"]["__everest__error_type"] == want["error"]
        else:
            assert answers[0]["retval"] == want["retval"] and "error" not in answers[0]
    for caller in callers:
        assert caller.unparsable == 0
        caller.stop()


# ---- poisoned answer topics ---------------------------------------------------------------------
ORIGINS = poisoned_origins(len(b"rb_12345678/modules/mod/impl/main/cmd/echo/response/"))


@pytest.fixture(scope="module")
def shared_host(limited_broker: Mosquitto, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RuntimeHost]:
    runtime = RuntimeHost(limited_broker, tmp_path_factory.mktemp("shared-host"))
    yield runtime
    assert runtime.stop() == 0, runtime.log()[-3000:]
    _assert_clean_log(runtime.log())


class Spy:
    """Records every answer published under the prefix (topic length in bytes, inner data), in order."""

    def __init__(self, host: RuntimeHost) -> None:
        import paho.mqtt.client as paho
        from paho.mqtt.enums import CallbackAPIVersion

        self.answers: list[tuple[int, dict[str, Any]]] = []
        self._cond = threading.Condition()
        self._client = paho.Client(CallbackAPIVersion.VERSION2, protocol=paho.MQTTv5)
        self._client.on_message = self._on_message
        subscribed = threading.Event()
        self._client.on_subscribe = lambda *_a: subscribed.set()
        self._client.connect(host.broker.host, host.broker.port)
        self._client.loop_start()
        self._client.subscribe(f"{host.prefix}modules/+/impl/+/cmd/#", qos=2)
        assert subscribed.wait(5)

    def _on_message(self, _c: Any, _u: Any, msg: Any) -> None:
        if b"/response/" in msg._topic:
            with self._cond:
                self.answers.append((len(msg._topic), json.loads(msg.payload)["data"]["data"]))
                self._cond.notify_all()

    def answers_until(self, call_id: str) -> list[tuple[int, dict[str, Any]]]:
        """The answers seen before the one to ``call_id`` (the module answers in order)."""
        wait_until(self._cond, lambda: any(a["id"] == call_id for _, a in self.answers), 5, "spy")
        with self._cond:
            seen = self.answers[:]
            self.answers.clear()
        return seen[: next(i for i, (_, a) in enumerate(seen) if a["id"] == call_id)]

    def stop(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()


@pytest.fixture(scope="module")
def spy(shared_host: RuntimeHost) -> Iterator[tuple[Caller, Spy]]:
    caller = shared_host.caller()
    spy = Spy(shared_host)
    shared_host.wait_answering(caller)
    yield caller, spy
    spy.stop()
    caller.stop()


@pytest.mark.parametrize("qos", [0, 1, 2])
@pytest.mark.parametrize("name", list(ORIGINS))
def test_poisoned_origin_then_a_valid_call(
    shared_host: RuntimeHost, spy: tuple[Caller, Spy], name: str, qos: int
) -> None:
    caller, answers = spy
    origin = ORIGINS[name]
    before = shared_host.log().count("lost MQTT broker")
    topic = f"{shared_host.prefix}modules/mod/impl/main/cmd/echo"
    ids = []
    for args in ({"value": {"name": "ok"}}, {"value": "not an item"}):  # result path and error path
        ids.append(uuid.uuid4().hex)
        data = {"id": ids[-1], "args": args, "origin": origin}
        caller.send(topic, json.dumps({"msg_type": "Cmd", "data": data}), qos)
    started = time.monotonic()
    call_id = caller.command("no_args", None)
    caller.wait_answered([call_id], 5)
    assert caller.answered_at[call_id] - started < 5
    assert shared_host.log().count("lost MQTT broker") == before, "the broker dropped the runtime"
    earlier = [(size, a["id"]) for size, a in answers.answers_until(call_id)]
    if name == "65,535-byte topic (valid)":  # a legal topic: answered, and the broker keeps us
        assert earlier[-2:] == [(65535, ids[0]), (65535, ids[1])]
    else:
        assert all(i not in ids for _, i in earlier)


# ---- malformed packets --------------------------------------------------------------------------
def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


BAD_PACKETS: dict[str, tuple[str, bool]] = {  # name -> (data JSON with {id}/{origin}, answered?)
    "args nested 1,000 deep": ('{"id": "{id}", "origin": "{origin}", "args": ' + _deep(1000) + "}", False),
    "args nested 100,000 deep": (
        '{"id": "{id}", "origin": "{origin}", "args": ' + _deep(100000) + "}",
        False,
    ),
    "args nested 60 deep": ('{"id": "{id}", "origin": "{origin}", "args": ' + _deep(60) + "}", True),
    "NaN in args": ('{"id": "{id}", "origin": "{origin}", "args": {"value": NaN}}', False),
    "lone surrogate id": ('{"id": "{id}\\ud800", "origin": "{origin}", "args": {}}', True),
    "unhashable id": ('{"id": ["{id}"], "origin": "{origin}", "args": {}}', False),
    "args a list": ('{"id": "{id}", "origin": "{origin}", "args": [1, 2]}', True),
    "args a string": ('{"id": "{id}", "origin": "{origin}", "args": "x"}', True),
}


@pytest.mark.parametrize("qos", [0, 1, 2])
@pytest.mark.parametrize("name", list(BAD_PACKETS))
def test_malformed_packet_is_handled_once(
    shared_host: RuntimeHost, spy: tuple[Caller, Spy], name: str, qos: int
) -> None:
    caller, _seen = spy
    template, answered = BAD_PACKETS[name]
    call_id = uuid.uuid4().hex
    cmd = f"probe_{call_id[:8]}"  # a command name only this packet uses: its log lines are countable
    data = template.replace("{id}", call_id).replace("{origin}", caller.name)
    topic = f"{shared_host.prefix}modules/mod/impl/main/cmd/{cmd}"
    caller.send(topic, '{"msg_type": "Cmd", "data": ' + data + "}", qos)
    assert caller.call("no_args", None, timeout=5)["retval"] is True
    answer_ids = [i for i in caller.answers if i.startswith(call_id)]
    if answered:
        assert len(answer_ids) == 1 and len(caller.answers[answer_ids[0]]) == 1
        error = caller.answers[answer_ids[0]][0]["error"]
        assert error["__everest__error_type"] == "HandlerException"
        assert f"no command '{cmd}'" in error["__everest__error_msg"]
    else:
        assert answer_ids == []
        assert shared_host.log().count(cmd) == 1, "dropped more (or less) than once"


# ---- fuzz ---------------------------------------------------------------------------------------
def test_seeded_fuzz_leaves_the_runtime_correct(host: RuntimeHost) -> None:
    caller = host.caller()
    host.wait_answering(caller)
    fuzzer = Fuzzer(seed=14, prefix=host.prefix, caller=caller.name)
    expected: list[str] = []
    markers: list[str] = []
    stalls: list[float] = []
    rss_start = 0
    for batch in range(50):
        for _ in range(200):
            packet = fuzzer.packet()
            caller.send(packet.topic, packet.payload, packet.qos)
            if packet.answer_id is not None:
                expected.append(packet.answer_id)
        sent = time.monotonic()
        marker = caller.command("no_args", None)
        markers.append(marker)
        caller.wait_answered([marker], 10)
        stalls.append(caller.answered_at[marker] - sent)
        if batch == 4:
            rss_start = host.rss()  # after warm-up: imports, caches and allocator pools are settled
    rss_growth = host.rss() - rss_start
    caller.wait_answered(expected, 10)
    assert max(stalls) < 1.0, f"stalled {max(stalls):.2f}s"
    duplicates = {i: len(a) for i, a in caller.answers.items() if len(a) != 1}
    assert duplicates == {}
    assert len(set(expected)) == len(expected) > 3000
    polls = set(caller.answers) - set(expected) - set(markers)  # wait_answering's first call(s)
    assert len(polls) == 1 and caller.unparsable == 0
    assert rss_growth < 10 * 2**20, f"RSS grew by {rss_growth / 2**20:.1f} MiB"
    # and it still does everything right
    assert caller.call("echo", {"value": {"name": "after"}})["retval"] == {"name": "after"}
    error = caller.call("echo", {"value": {"name": 1}})["error"]
    assert error["__everest__error_type"] == "SchemaValidationError"
    _publish_counter(caller, 4711)
    deadline = time.monotonic() + 5
    while caller.call("last_dep_value", None)["retval"] != 4711:
        assert time.monotonic() < deadline, "var subscription lost"
    caller.stop()


def _publish_counter(caller: Caller, value: int) -> None:
    topic = f"{caller.prefix}modules/probe/impl/dep/var/counter"
    caller.send(topic, json.dumps({"msg_type": "Var", "data": {"data": value}}))


# ---- broker outage ------------------------------------------------------------------------------
def test_broker_outage_costs_at_most_one_second_more(tmp_path: Path) -> None:
    broker = Mosquitto(tmp_path, default_limits=True)
    # persistence keeps the caller's session (so it cannot miss answers sent while it reconnects)
    broker.conf.write_text(
        broker.conf.read_text().replace(
            "persistence false", f"persistence true\npersistence_location {tmp_path}/"
        )
    )
    broker.start()
    host = RuntimeHost(broker, tmp_path)
    caller = host.caller(name=f"outage{uuid.uuid4().hex[:6]}", persistent=True)
    try:
        host.wait_answering(caller)
        # nobody answers dep: the call times out (and is answered) during the outage
        pending = caller.command("call_dep", {"timeout": 1.5})
        assert caller.call("no_args", None)["retval"] is True  # so call_dep has arrived
        outage = 3.0
        broker.stop()
        time.sleep(outage)  # the outage itself (what is under test), not a wait for something
        broker.start()
        wait_listening(broker.port)
        back = time.monotonic()
        first_answer = host.wait_answering(caller, timeout=15)
        assert first_answer - back < 1.0, f"answering {first_answer - back:.2f}s after the broker was back"
        caller.wait_answered([pending], 5)  # the answer produced during the outage was kept
        assert caller.answers[pending] == [
            {"id": pending, "retval": "CmdTimeout: probe/dep ping: no answer in 1.5s", "origin": "mod"}
        ]
        _publish_counter(caller, 5)
        deadline = time.monotonic() + 5
        while caller.call("last_dep_value", None)["retval"] != 5:  # re-subscribed
            assert time.monotonic() < deadline, "var subscription not restored"
    finally:
        caller.stop()
        assert host.stop() == 0
        broker.stop()
