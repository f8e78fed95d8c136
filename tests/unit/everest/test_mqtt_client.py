"""How the module drives paho (everest/paho_client.py TunedClient), packet by packet over a socket pair.

The other end of the pair plays the broker with hand-made packets, so the exact bytes on the wire
are checked: a QoS 2 message is handed over once, on PUBLISH, however often the broker re-sends it
before PUBREL; packets that arrive together are all handled; successful acknowledgements complete
a publish; what one write round produced leaves in one send.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from everest_ocpp.everest.paho_client import _NO_PUBLISH_PROPERTIES, TunedClient


def varint(n: int) -> bytes:
    out = bytearray()
    while True:
        n, byte = n >> 7, n & 0x7F
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def publish_packet(topic: str, payload: bytes, qos: int, mid: int, dup: bool = False) -> bytes:
    body = len(topic).to_bytes(2, "big") + topic.encode()
    if qos:
        body += mid.to_bytes(2, "big")
    body += b"\x00" + payload  # no properties (MQTT 5)
    return bytes((0x30 | dup << 3 | qos << 1,)) + varint(len(body)) + body


def ack(kind: int, mid: int) -> bytes:
    return bytes((kind << 4 | (2 if kind == 6 else 0), 2)) + mid.to_bytes(2, "big")


PUBACK, PUBREC, PUBREL, PUBCOMP = 4, 5, 6, 7


class Wire:
    """A TunedClient on one end of a socket pair; the test is the broker on the other end."""

    def __init__(self) -> None:
        self.client = TunedClient(CallbackAPIVersion.VERSION2, protocol=paho.MQTTv5)
        self.client.max_inflight_messages_set(0)
        self.ours, self.broker = socket.socketpair()
        self.ours.setblocking(False)
        self.broker.settimeout(2)
        self.client._sock = self.ours  # what paho's connect() sets up, without a CONNECT handshake
        self.client._state = paho._ConnectionState.MQTT_CS_CONNECTED
        self.delivered: list[tuple[str, bytes]] = []
        self.published: list[tuple[int, bool]] = []
        self.client.on_message = lambda _c, _u, msg: self.delivered.append((msg.topic, msg.payload))
        self.client.on_publish = lambda _c, _u, mid, reason, _p: self.published.append(
            (mid, reason.is_failure)
        )

    def receive(self, data: bytes) -> None:
        """The broker sends ``data``; the client reads until nothing is left, then writes."""
        self.broker.sendall(data)
        while True:
            self.client.loop_read()
            if not self.client.buffered:
                break
        self.client.loop_write()

    def sent(self) -> bytes:
        self.broker.setblocking(False)
        try:
            return self.broker.recv(65536)
        except BlockingIOError:
            return b""
        finally:
            self.broker.settimeout(2)

    def close(self) -> None:
        self.ours.close()
        self.broker.close()


@pytest.fixture
def wire() -> Iterator[Wire]:
    w = Wire()
    yield w
    w.close()


def test_qos2_is_handed_over_on_publish_once_however_often_it_is_resent(wire: Wire) -> None:
    wire.receive(publish_packet("a/b", b"one", 2, 7))
    assert wire.delivered == [("a/b", b"one")]  # before PUBREL
    assert wire.sent() == ack(PUBREC, 7)
    wire.receive(publish_packet("a/b", b"one", 2, 7, dup=True))  # the broker re-sends it
    assert wire.delivered == [("a/b", b"one")]
    assert wire.sent() == ack(PUBREC, 7)
    wire.receive(ack(PUBREL, 7))
    assert wire.sent() == ack(PUBCOMP, 7)
    assert wire.delivered == [("a/b", b"one")]
    wire.receive(publish_packet("a/b", b"two", 2, 7))  # the id is free again: a new message
    assert wire.delivered == [("a/b", b"one"), ("a/b", b"two")]


def test_packets_arriving_together_are_all_handled_and_answered_in_one_send(wire: Wire) -> None:
    burst = b"".join(publish_packet("t", str(i).encode(), 2, 100 + i) for i in range(5))
    burst += publish_packet("t", b"q1", 1, 200) + publish_packet("t", b"q0", 0, 0)
    wire.receive(burst)
    assert [payload for _t, payload in wire.delivered] == [b"0", b"1", b"2", b"3", b"4", b"q1", b"q0"]
    answers = b"".join(ack(PUBREC, 100 + i) for i in range(5)) + ack(PUBACK, 200)
    assert wire.sent() == answers


def test_a_packet_split_across_reads_is_handled_once_complete(wire: Wire) -> None:
    packet = publish_packet("split", b"x" * 300, 1, 9)
    wire.receive(packet[:3])
    assert wire.delivered == []
    wire.receive(packet[3:])
    assert wire.delivered == [("split", b"x" * 300)]


@pytest.mark.parametrize("qos", [1, 2])
def test_successful_acknowledgements_complete_a_publish(wire: Wire, qos: int) -> None:
    info: Any = wire.client.publish("out", b"payload", qos=qos)
    wire.client.loop_write()
    assert wire.sent() == publish_packet("out", b"payload", qos, info.mid)
    if qos == 2:
        wire.receive(ack(PUBREC, info.mid))
        assert wire.sent() == ack(PUBREL, info.mid)
        assert wire.published == []
        wire.receive(ack(PUBCOMP, info.mid))
    else:
        wire.receive(ack(PUBACK, info.mid))
    assert wire.published == [(info.mid, False)] and info.is_published()


def test_a_refusing_acknowledgement_is_reported(wire: Wire) -> None:
    info: Any = wire.client.publish("out", b"payload", qos=1)
    wire.client.loop_write()
    wire.sent()
    wire.receive(bytes((PUBACK << 4, 3)) + info.mid.to_bytes(2, "big") + b"\x87")  # not authorized
    assert wire.published == [(info.mid, True)]


def test_a_qos2_publish_without_properties_is_the_message_paho_decodes(wire: Wire) -> None:
    """Decoded without paho's Properties (empty property list), with every field paho would set;
    one with properties goes through paho's own decoding."""
    messages: list[paho.MQTTMessage] = []
    wire.client.on_message = lambda _c, _u, msg: messages.append(msg)
    plain = publish_packet("ev/var", b'{"a":1}', 2, 11, dup=True)
    plain = bytes((plain[0] | 0x01,)) + plain[1:]  # retained too
    content_type = b"\x03" + len(b"json").to_bytes(2, "big") + b"json"  # property 3: content type
    body = len("ev/var").to_bytes(2, "big") + b"ev/var" + (12).to_bytes(2, "big")
    body += varint(len(content_type)) + content_type + b"payload"
    with_properties = bytes((0x34,)) + varint(len(body)) + body
    wire.receive(plain + with_properties)
    first, second = messages
    assert (first.topic, first.payload, first.mid, first.qos, first.dup, first.retain) == (
        "ev/var",
        b'{"a":1}',
        11,
        2,
        True,
        True,
    )
    assert (second.topic, second.payload, second.mid, second.qos, second.dup, second.retain) == (
        "ev/var",
        b"payload",
        12,
        2,
        False,
        False,
    )
    assert first.properties is _NO_PUBLISH_PROPERTIES  # the fast path was taken
    assert second.properties.ContentType == "json"
    assert set(wire.client._in_messages) == {11, 12}  # both kept until PUBREL
    assert wire.sent() == ack(PUBREC, 11) + ack(PUBREC, 12)
    wire.receive(ack(PUBREL, 11) + ack(PUBREL, 12))
    assert wire.sent() == ack(PUBCOMP, 11) + ack(PUBCOMP, 12)
    assert wire.client._in_messages == {}
