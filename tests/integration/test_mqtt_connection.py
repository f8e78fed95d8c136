"""MqttConnection against mosquitto with default limits: broker limits read, exceptions contained."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from everest_ocpp.everest import mqtt
from everest_ocpp.everest.mqtt import BrokerAddress, MqttConnection
from harness.broker import Mosquitto


@pytest.fixture(autouse=True, params=["tuned", "plain"])
def client_class(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test with the tuned paho client and with paho as it is (used for other paho releases)."""
    if request.param == "plain":
        monkeypatch.setattr(mqtt, "CLIENT_CLASS", mqtt.PlainClient)
    return str(request.param)


@pytest.fixture(scope="module")
def limited_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mosquitto]:
    broker = Mosquitto(tmp_path_factory.mktemp("mosquitto-defaults"), default_limits=True)
    broker.start()
    yield broker
    broker.stop()


class Peer:
    """A plain paho client on its own thread: publishes to the connection under test, records."""

    def __init__(self, broker: Mosquitto, topic_filter: str | None = None) -> None:
        self.seen: list[str] = []
        self.client = paho.Client(CallbackAPIVersion.VERSION2, protocol=paho.MQTTv5)
        self.client.on_message = lambda _c, _u, msg: self.seen.append(msg.payload.decode())
        subscribed = threading.Event()
        self.client.on_subscribe = lambda *_a: subscribed.set()
        self.client.connect(broker.host, broker.port)
        self.client.loop_start()
        if topic_filter:
            self.client.subscribe(topic_filter, qos=2)
            assert subscribed.wait(5)

    def stop(self) -> None:
        self.client.disconnect()  # wakes the network thread, so loop_stop returns at once
        self.client.loop_stop()


async def until(predicate: Any, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached"
        await asyncio.sleep(0.01)


def test_broker_limits_are_read_from_connack(limited_broker: Mosquitto, broker: Mosquitto) -> None:
    async def scenario(target: Mosquitto) -> int:
        conn = MqttConnection(BrokerAddress(target.host, target.port))
        await conn.connect()
        limit = conn._window.limit
        await conn.close()
        return limit

    assert asyncio.run(scenario(limited_broker)) == 20  # mosquitto's default max_inflight_messages
    assert asyncio.run(scenario(broker)) == 65535  # unlimited: no Receive Maximum in CONNACK


@pytest.mark.parametrize("qos", [0, 1, 2])
def test_a_raising_handler_sees_each_message_once(limited_broker: Mosquitto, qos: int) -> None:
    peer = Peer(limited_broker)
    calls: list[bytes] = []

    async def scenario() -> None:
        conn = MqttConnection(BrokerAddress(limited_broker.host, limited_broker.port))
        await conn.connect()

        def handler(_topic: str, payload: bytes) -> None:
            calls.append(payload)
            if payload == b"boom":
                raise RuntimeError("handler bug")

        conn.add_handler("guard/raise", handler)
        await conn.subscribe(["guard/raise"])
        peer.client.publish("guard/raise", b"boom", qos=qos)
        peer.client.publish("guard/raise", b"next", qos=qos)
        await until(lambda: b"next" in calls)
        await asyncio.sleep(0.2)  # a re-delivered packet would show up here (~1000 times a second)
        assert calls == [b"boom", b"next"] and conn.connected
        await conn.close()

    asyncio.run(scenario())
    peer.stop()


def test_a_packet_paho_cannot_handle_costs_a_reconnect_not_a_loop(limited_broker: Mosquitto) -> None:
    peer = Peer(limited_broker, "guard/out")
    calls: list[bytes] = []

    async def scenario() -> None:
        conn = MqttConnection(BrokerAddress(limited_broker.host, limited_broker.port))
        await conn.connect()
        conn.add_handler("guard/in", lambda _t, payload: calls.append(payload))
        await conn.subscribe(["guard/in"])
        client = conn._client
        original = client._handle_publish
        failures = []

        def broken() -> Any:
            if not failures:
                failures.append(1)
                raise ValueError("cannot decode")
            return original()

        client._handle_publish = broken
        peer.client.publish("guard/in", b"first", qos=1)
        await until(lambda: failures)
        await until(lambda: conn.connected)  # a new session, subscriptions restored
        for _ in range(100):
            if calls:
                break
            peer.client.publish("guard/in", b"again", qos=1)
            await asyncio.sleep(0.05)
        assert failures == [1] and calls[0] == b"again"
        assert conn.publish("guard/out", b"still publishing")
        await until(lambda: "still publishing" in peer.seen)
        await conn.close()

    asyncio.run(scenario())
    peer.stop()


def test_unpublishable_topics_are_refused_and_the_connection_kept(limited_broker: Mosquitto) -> None:
    peer = Peer(limited_broker, "guard/ok")

    async def scenario() -> None:
        conn = MqttConnection(BrokerAddress(limited_broker.host, limited_broker.port))
        await conn.connect()
        for topic in ("guard/\x00", "guard/+", "guard/#", "guard/\ud800", "/".join(["g"] * 250), "g" * 70000):
            assert conn.publish(topic, b"x") is False
        assert conn.publish("guard/ok", b"fine")
        await until(lambda: peer.seen == ["fine"])
        assert conn.connected
        await conn.close()

    asyncio.run(scenario())
    peer.stop()


def test_close_waits_for_queued_messages(limited_broker: Mosquitto, tmp_path: Path) -> None:
    peer = Peer(limited_broker, "guard/many")

    async def scenario() -> None:
        conn = MqttConnection(BrokerAddress(limited_broker.host, limited_broker.port))
        await conn.connect()
        for i in range(500):
            conn.publish("guard/many", str(i).encode())
        assert conn.pending > 20
        await conn.close()

    asyncio.run(scenario())
    deadline = 50
    while len(peer.seen) < 500 and deadline:
        threading.Event().wait(0.1)
        deadline -= 1
    assert peer.seen == [str(i) for i in range(500)]
    peer.stop()


def test_maximum_qos_and_packet_size_of_the_broker_are_kept(tmp_path: Path) -> None:
    broker = Mosquitto(tmp_path)
    broker.conf.write_text(broker.conf.read_text() + "max_qos 1\nmax_packet_size 2000\n")
    broker.start()
    peer = Peer(broker, "guard/limits")

    async def scenario() -> None:
        conn = MqttConnection(BrokerAddress(broker.host, broker.port))
        await conn.connect()
        assert conn.publish("guard/limits", b"x" * 2000) is False  # mosquitto would disconnect us
        assert conn.publish("guard/limits", b"small", qos=2)  # sent at QoS 1 (QoS 2 is refused)
        await until(lambda: peer.seen == ["small"])
        assert conn.connected and conn.pending == 0
        await conn.close()

    try:
        asyncio.run(scenario())
    finally:
        peer.stop()
        broker.stop()
    assert "disconnected due to" not in broker.log.read_text()
