"""paho-mqtt driven as cheaply as it allows (:class:`TunedClient`), for the paho release it was made
for; any other release runs as it is (:class:`PlainClient`). :mod:`.mqtt` uses ``CLIENT_CLASS``.

What a command's round trip costs is mostly per-packet work: here whatever the socket holds is read in
one call (paho alone reads every packet in three), what one write round produced goes out in one send,
successful acknowledgements skip decoding, and a QoS 2 message is handed over when its PUBLISH arrives.
"""

from __future__ import annotations

import contextlib
import importlib
import time
from typing import Any, Literal

import paho.mqtt.client as paho
from paho.mqtt.enums import MQTTErrorCode
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

_READ_SIZE = 65536
# shared, never changed: what paho would build anew for every successful acknowledgement
_SUCCESS = {kind: ReasonCode(kind) for kind in (PacketTypes.PUBACK, PacketTypes.PUBCOMP)}
_NO_PROPERTIES = {kind: Properties(kind) for kind in (PacketTypes.PUBACK, PacketTypes.PUBCOMP)}
_NO_PUBLISH_PROPERTIES = Properties(PacketTypes.PUBLISH)


class TunedClient(paho.Client):
    """paho with buffered reads and writes, and QoS 2 messages handed over on PUBLISH.

    * paho reads a packet's first byte, each byte of its length and then its body with separate
      ``recv`` calls; here one ``recv`` takes what the socket holds and paho reads from that.
    * paho sends every packet with its own ``send``; here what one write round produced (e.g. the
      PUBREC of a command and the PUBLISH of its answer) goes out in one, which also saves the
      broker a wake-up per packet. Bytes the kernel does not take yet stay queued, in order.
    * An acknowledgement that says success (just a packet id, as mosquitto sends them) is handled
      without decoding a reason code and properties that are not there: paho builds both objects
      for every PUBACK, PUBREC, PUBREL and PUBCOMP, a quarter of its work per command.
    * A QoS 2 PUBLISH without properties is decoded without building a Properties object.
    * A QoS 2 message is handed over when its PUBLISH arrives instead of after PUBREL. MQTT lets
      the receiver choose (MQTT 5 §4.3.3, the "store the packet id" method): the packet id is kept
      until PUBREL, so a re-sent PUBLISH with the same id is not handed over twice. Waiting for
      PUBREL costs every command a broker round trip before its handler runs.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._early: set[int] = set()  # QoS 2 packet ids handed over, PUBREL not yet received
        self._rbuf = bytearray()
        self._rbuf_sock: Any = None  # the socket the buffered bytes came from
        self._wbuf = bytearray()
        self._wbuf_sock: Any = None  # the socket the queued bytes are for

    @property
    def buffered(self) -> bool:
        """Read from the socket, not yet handled by paho (loop_read stops after max_packets)."""
        return bool(self._rbuf) and self._rbuf_sock is self._sock

    def _sock_recv(self, bufsize: int) -> bytes:
        sock = self._sock
        if sock is None:
            raise ConnectionError("self._sock is None")
        if self._rbuf_sock is not sock:  # a new connection: what the old one left is void
            self._rbuf.clear()
            self._rbuf_sock = sock
        if not self._rbuf:
            data = sock.recv(max(bufsize, _READ_SIZE))  # BlockingIOError / EOF (b"") go to paho
            if len(data) <= bufsize:
                return data
            self._rbuf += data
        chunk = bytes(self._rbuf[:bufsize])
        del self._rbuf[:bufsize]
        return chunk

    def _sock_send(self, buf: bytes | bytearray) -> int:
        sock = self._sock
        if sock is None:
            raise ConnectionError("self._sock is None")
        if self._wbuf_sock is not sock:
            self._wbuf.clear()  # unsent bytes of a lost connection: paho re-sends what matters
            self._wbuf_sock = sock
        self._wbuf += buf
        return len(buf)

    def _send_queued(self) -> MQTTErrorCode:
        sock = self._sock
        if not self._wbuf or sock is None or sock is not self._wbuf_sock:
            return MQTTErrorCode.MQTT_ERR_SUCCESS
        try:
            sent = sock.send(self._wbuf)
        except BlockingIOError:
            return MQTTErrorCode.MQTT_ERR_AGAIN
        except OSError as err:
            self._easy_log(paho.MQTT_LOG_ERR, "failed to send on socket: %s", err)
            return MQTTErrorCode.MQTT_ERR_CONN_LOST
        del self._wbuf[:sent]
        return MQTTErrorCode.MQTT_ERR_SUCCESS

    def _packet_write(self) -> MQTTErrorCode:
        rc = super()._packet_write()
        sent = self._send_queued()
        return rc if rc != MQTTErrorCode.MQTT_ERR_SUCCESS else sent

    def want_write(self) -> bool:
        return super().want_write() or (bool(self._wbuf) and self._wbuf_sock is self._sock)

    def _sock_close(self) -> None:
        with contextlib.suppress(OSError):
            self._send_queued()  # e.g. the DISCONNECT paho closes the socket after
        self._wbuf.clear()
        super()._sock_close()

    def _handle_publish(self) -> MQTTErrorCode:
        packet = self._in_packet
        command = packet["command"]
        if command & 0x06 != 0x04:  # QoS 0/1: paho hands those over at once anyway
            return super()._handle_publish()
        body = packet["packet"]
        end = 2 + int.from_bytes(body[:2], "big")  # topic length, topic, then the packet id
        mid = int.from_bytes(body[end : end + 2], "big")
        if self._protocol == paho.MQTTv5 and end > 2 and len(body) > end + 2 and body[end + 2] == 0:
            rc = self._stored_publish(command, body, end, mid)
        else:
            rc = super()._handle_publish()  # sends PUBREC, keeps the message until PUBREL
        message = self._in_messages.get(mid)
        if message is not None and mid not in self._early:
            self._early.add(mid)
            self._handle_on_message(message)
        return rc

    def _stored_publish(self, command: int, body: bytes | bytearray, end: int, mid: int) -> MQTTErrorCode:
        """paho's handling of a QoS 2 PUBLISH without properties (as EVerest's modules send them; the
        properties length is 0): the same message kept until PUBREL and the same PUBREC, without
        decoding an empty property list into a new Properties object (a third of paho's work)."""
        message = paho.MQTTMessage(mid=mid, topic=bytes(body[2:end]))
        message.dup = bool(command & 0x08)
        message.qos = 2
        message.retain = bool(command & 0x01)
        message.properties = _NO_PUBLISH_PROPERTIES
        message.payload = bytes(body[end + 3 :])
        message.timestamp = paho.time_func()
        rc = self._send_pubrec(mid)
        message.state = paho.mqtt_ms_wait_for_pubrel
        with self._in_message_mutex:
            self._in_messages[mid] = message
        return rc

    def _handle_pubrel(self) -> MQTTErrorCode:
        body = self._in_packet["packet"]
        mid = int.from_bytes(body[:2], "big")
        with self._in_message_mutex:  # not reentrant: released before paho's own handler runs
            if mid in self._early:
                self._early.discard(mid)
                self._in_messages.pop(mid, None)  # handed over already: paho only sends PUBCOMP
            plain = len(body) == 2 and mid not in self._in_messages and not self._manual_ack
        return self._send_pubcomp(mid) if plain else super()._handle_pubrel()

    def _handle_pubrec(self) -> MQTTErrorCode:
        body = self._in_packet["packet"]
        if len(body) != 2:
            return super()._handle_pubrec()
        mid = int.from_bytes(body, "big")
        with self._out_message_mutex:
            msg = self._out_messages.get(mid)
            if msg is None:
                return MQTTErrorCode.MQTT_ERR_SUCCESS
            msg.state = paho.mqtt_ms_wait_for_pubcomp
            msg.timestamp = time.monotonic()
            return self._send_pubrel(mid)

    def _handle_pubackcomp(self, cmd: Literal["PUBACK", "PUBCOMP"]) -> MQTTErrorCode:
        body = self._in_packet["packet"]
        if len(body) != 2:
            return super()._handle_pubackcomp(cmd)
        mid = int.from_bytes(body, "big")
        with self._out_message_mutex:
            if mid not in self._out_messages:
                return MQTTErrorCode.MQTT_ERR_SUCCESS
            kind = PacketTypes.PUBACK if cmd == "PUBACK" else PacketTypes.PUBCOMP
            return self._do_on_publish(mid, _SUCCESS[kind], _NO_PROPERTIES[kind])

    def _messages_reconnect_reset_in(self) -> None:
        super()._messages_reconnect_reset_in()
        self._early.intersection_update(self._in_messages)  # a new session forgets old packet ids


class PlainClient(paho.Client):
    """paho as it is, for a paho release :class:`TunedClient` was not made for (slower, same behaviour)."""

    @property
    def buffered(self) -> bool:
        return False


# TunedClient reaches into paho's packet handling, which a minor release may change: it is used only
# with the releases it was tested against (constraints.txt); any other paho runs unmodified.
TUNED_FOR = ("2.2.",)
PAHO_VERSION = str(getattr(importlib.import_module("paho.mqtt"), "__version__", ""))
CLIENT_CLASS: type[PlainClient] | type[TunedClient] = (
    TunedClient if PAHO_VERSION.startswith(TUNED_FOR) else PlainClient
)
