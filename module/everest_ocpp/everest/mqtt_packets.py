"""MQTT 5 / 3.1.1 packets: encoding what the module sends and reading what a broker sends.

Only what a client needs: CONNECT, PUBLISH, the acknowledgements, SUBSCRIBE, PINGREQ and DISCONNECT
out; CONNACK, PUBLISH, the acknowledgements, SUBACK, PINGRESP and DISCONNECT in. A malformed packet
raises :class:`PacketError`; the connection treats that as a broken session and reconnects.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

V311 = 4  # protocol levels
V5 = 5


class PacketType(IntEnum):
    CONNECT = 1
    CONNACK = 2
    PUBLISH = 3
    PUBACK = 4
    PUBREC = 5
    PUBREL = 6
    PUBCOMP = 7
    SUBSCRIBE = 8
    SUBACK = 9
    PINGREQ = 12
    PINGRESP = 13
    DISCONNECT = 14


class PacketError(ValueError):
    """A packet this client cannot read (a broker bug, or not a broker at all)."""


# MQTT 5 properties we read (CONNACK); every other one is skipped by its type
RECEIVE_MAXIMUM = 0x21
MAXIMUM_QOS = 0x24
MAXIMUM_PACKET_SIZE = 0x27
_BYTE, _U16, _U32, _VARINT, _STRING, _PAIR = 1, 2, 4, 0, -1, -2
_PROPERTY_SIZES = {
    **dict.fromkeys((0x01, 0x17, 0x19, 0x24, 0x25, 0x28, 0x29, 0x2A), _BYTE),
    **dict.fromkeys((0x13, 0x21, 0x22, 0x23), _U16),
    **dict.fromkeys((0x02, 0x11, 0x18, 0x27), _U32),
    0x0B: _VARINT,
    **dict.fromkeys((0x03, 0x08, 0x09, 0x12, 0x15, 0x16, 0x1A, 0x1C, 0x1F), _STRING),  # or binary
    0x26: _PAIR,
}

PINGREQ = b"\xc0\x00"
DISCONNECT = b"\xe0\x00"  # MQTT 5: reason 0 may be left out; 3.1.1 has none


def varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _string(text: str | bytes) -> bytes:
    raw = text.encode() if isinstance(text, str) else text
    return len(raw).to_bytes(2, "big") + raw


def _packet(first: int, body: bytes) -> bytes:
    return bytes((first,)) + varint(len(body)) + body


def connect(client_id: str, keepalive: int, level: int, receive_maximum: int) -> bytes:
    """A clean-start CONNECT (no will, no credentials: the EVerest broker takes none)."""
    head = b"\x00\x04MQTT" + bytes((level, 0x02)) + keepalive.to_bytes(2, "big")
    if level == V5:
        props = bytes((RECEIVE_MAXIMUM,)) + receive_maximum.to_bytes(2, "big")
        head += varint(len(props)) + props
    return _packet(PacketType.CONNECT << 4, head + _string(client_id))


def publish(topic: bytes, payload: bytes, qos: int, retain: bool, mid: int, dup: bool, level: int) -> bytes:
    first = 0x30 | (dup << 3) | (qos << 1) | retain
    body = len(topic).to_bytes(2, "big") + topic
    if qos:
        body += mid.to_bytes(2, "big")
    if level == V5:
        body += b"\x00"  # no properties
    return bytes((first,)) + varint(len(body) + len(payload)) + body + payload


def ack(kind: PacketType, mid: int) -> bytes:
    """PUBACK, PUBREC, PUBREL or PUBCOMP with success (MQTT 5 leaves the reason code out then)."""
    return bytes(((kind << 4) | (2 if kind == PacketType.PUBREL else 0), 2)) + mid.to_bytes(2, "big")


def subscribe(mid: int, filters: list[tuple[str, int]], level: int) -> bytes:
    body = mid.to_bytes(2, "big") + (b"\x00" if level == V5 else b"")
    for topic_filter, qos in filters:
        body += _string(topic_filter) + bytes((qos,))
    return _packet(0x82, body)


def split(buffer: bytearray) -> tuple[int, bytes] | None:
    """Take the first complete packet (first byte, body) off ``buffer``; None if incomplete."""
    size = len(buffer)
    if size < 2:
        return None
    length, shift, pos = 0, 0, 1
    while True:
        if pos >= size:
            return None
        byte = buffer[pos]
        length |= (byte & 0x7F) << shift
        pos += 1
        if not byte & 0x80:
            break
        shift += 7
        if shift > 21:
            raise PacketError("remaining length longer than four bytes")
    end = pos + length
    if end > size:
        return None
    first, body = buffer[0], bytes(buffer[pos:end])
    del buffer[:end]
    return first, body


def _read_varint(body: bytes, pos: int) -> tuple[int, int]:
    value, shift = 0, 0
    while True:
        if pos >= len(body) or shift > 21:
            raise PacketError("truncated variable byte integer")
        byte = body[pos]
        value |= (byte & 0x7F) << shift
        pos += 1
        if not byte & 0x80:
            return value, pos
        shift += 7


def skip_properties(body: bytes, pos: int) -> int:
    """Position after an MQTT 5 property list starting at ``pos``."""
    length, pos = _read_varint(body, pos)
    end = pos + length
    if end > len(body):
        raise PacketError("properties longer than the packet")
    return end


def read_properties(body: bytes, pos: int) -> tuple[dict[int, int], int]:
    """The numeric properties of a list (strings skipped) and the position after it."""
    length, pos = _read_varint(body, pos)
    end = pos + length
    if end > len(body):
        raise PacketError("properties longer than the packet")
    found: dict[int, int] = {}
    while pos < end:
        prop = body[pos]
        pos += 1
        size = _PROPERTY_SIZES.get(prop)
        if size is None:
            raise PacketError(f"unknown property 0x{prop:02x}")
        if size == _VARINT:
            found[prop], pos = _read_varint(body, pos)
        elif size > 0:
            found[prop] = int.from_bytes(body[pos : pos + size], "big")
            pos += size
        else:
            for _ in range(1 if size == _STRING else 2):
                pos += 2 + int.from_bytes(body[pos : pos + 2], "big")
    if pos != end:
        raise PacketError("malformed properties")
    return found, end


@dataclass(frozen=True, slots=True)
class ConnAck:
    reason: int  # 0 = accepted (3.1.1 return codes are passed as they are)
    properties: dict[int, int]


def read_connack(body: bytes, level: int) -> ConnAck:
    if len(body) < 2:
        raise PacketError("CONNACK too short")
    props: dict[int, int] = {}
    if level == V5 and len(body) > 2:
        props, _end = read_properties(body, 2)
    return ConnAck(body[1], props)


def read_mid_reason(body: bytes) -> tuple[int, int]:
    """(packet id, reason code) of PUBACK/PUBREC/PUBREL/PUBCOMP; the reason is 0 when left out."""
    if len(body) < 2:
        raise PacketError("acknowledgement too short")
    return int.from_bytes(body[:2], "big"), body[2] if len(body) > 2 else 0


def read_suback(body: bytes, level: int) -> tuple[int, bytes]:
    """(packet id, one reason/return code per filter; >= 0x80 is a refusal)."""
    if len(body) < 3:
        raise PacketError("SUBACK too short")
    pos = skip_properties(body, 2) if level == V5 else 2
    return int.from_bytes(body[:2], "big"), body[pos:]
