"""The module's MQTT client: MQTT 5 (3.1.1 where the broker has no 5) on the asyncio loop.

Everything the module does (MQTT, OCPP websockets, timers) runs on one asyncio loop, so handlers need
no locks and a command answered from memory costs no thread hop. The client is our own (packets in
:mod:`.mqtt_packets`) because a command's round trip is mostly packet handling: it reads whatever
the socket holds in one call, hands a QoS 2 message over when its PUBLISH arrives (MQTT 5 §4.3.3 lets
the receiver choose; the packet id is kept until PUBREL so a re-sent PUBLISH is not handled twice,
as EVerest's C++ modules do) and sends everything one loop turn produced in one write.

Reliability rules kept here (see README "Reliability"):

* Flow control towards the broker: :mod:`.outgoing`. In the other direction we announce a Receive
  Maximum of 65535: without it mosquitto keeps 20 in flight towards us and drops whatever does not
  fit its queue of 1000 messages during a burst.
* Nothing is published to a topic the broker would answer with a disconnect (:mod:`.topic_check`).
* No exception from a handler reaches the packet reader; a packet that cannot be read ends the
  session (one reconnect), it is never read again.
* Unacknowledged QoS 1/2 messages are sent again after a reconnect; reconnect attempts are at most
  0.5 s apart, however long the outage; a broker silent for the keep-alive period is a lost broker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..net_errors import describe_connect_error
from . import mqtt_packets as mp
from .mqtt_packets import PacketError, PacketType
from .outgoing import Outgoing, PublishWindow
from .topic_check import TopicCheck, shown

log = logging.getLogger(__name__)

MessageCallback = Callable[[str, bytes], None]

MQTT_V5 = mp.V5
MQTT_V311 = mp.V311
_MISC_INTERVAL_S = 1.0
_RECONNECT_MIN_S = 0.2
_RECONNECT_MAX_S = 0.5  # an outage of N s costs at most N + 0.5 s (plus connecting)
_RECEIVE_MAXIMUM_V5 = 65535  # MQTT 5 default when CONNACK does not say
_RECEIVE_MAXIMUM_V311 = 20  # 3.1.1 cannot say; mosquitto's default max_inflight_messages
_CLOSE_DRAIN_S = 1.0  # how long close() waits for queued messages to be acknowledged
_MATCH_CACHE = 4096  # topics whose handlers are remembered (emptied when full)


@dataclass(frozen=True, slots=True)
class BrokerAddress:
    host: str = "localhost"
    port: int = 1883
    socket_path: str | None = None

    def __str__(self) -> str:
        return f"unix:{self.socket_path}" if self.socket_path else f"{self.host}:{self.port}"


def topic_matches(topic_filter: str, topic: str) -> bool:
    """MQTT wildcard matching (``+`` one level, ``#`` the rest, including the parent level)."""
    if "+" not in topic_filter and "#" not in topic_filter:
        return topic_filter == topic
    levels = topic.split("/")
    parts = topic_filter.split("/")
    for i, part in enumerate(parts):
        if part == "#":
            return True
        if i >= len(levels) or (part != "+" and part != levels[i]):
            return False
    return len(parts) == len(levels)


class _Sent:
    """A QoS 1/2 message handed to the broker and not yet acknowledged."""

    __slots__ = ("message", "qos", "released", "topic")

    def __init__(self, message: Outgoing, qos: int, topic: bytes) -> None:
        self.message, self.qos, self.topic = message, qos, topic
        self.released = False  # QoS 2: PUBREC received, PUBREL sent, waiting for PUBCOMP


class _Link(asyncio.Protocol):
    """One TCP/unix connection; forwards to the MqttConnection while it is the current one."""

    def __init__(self, owner: MqttConnection) -> None:
        self.owner = owner
        self.transport: asyncio.Transport | None = None
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            # Without TCP_NODELAY a QoS-2 round trip on loopback takes ~90 ms instead of ~2 ms.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        if not self.closed:
            self.owner._received(self, data)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed:
            self.closed = True
            self.owner._link_lost(self, exc)

    def abort(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.abort()


class MqttConnection:
    """One MQTT session (v5, or 3.1.1 where the broker has no v5); subscriptions survive reconnects."""

    def __init__(self, broker: BrokerAddress, client_id: str | None = None, keepalive: int = 30) -> None:
        self._broker = broker
        self._keepalive = keepalive
        self._client_id = client_id or f"everest-ocpp-{uuid.uuid4().hex[:12]}"
        self._loop: asyncio.AbstractEventLoop | None = None
        self.protocol = MQTT_V5  # falls back to 3.1.1 for brokers without MQTT 5
        self._handlers: list[tuple[str, MessageCallback]] = []
        self._matches: dict[str, tuple[MessageCallback, ...]] = {}
        self._filters: dict[str, int] = {}  # filter -> qos, restored on reconnect
        self._suback: dict[int, asyncio.Future[None]] = {}
        self._connected = asyncio.Event()
        self._handshake: asyncio.Future[bool] | None = None  # resolved by CONNACK
        self._closing = False
        self._misc_task: asyncio.Task[None] | None = None
        self._reconnect_task: asyncio.Task[None] | None = None
        self._resubscribe_task: asyncio.Future[None] | None = None
        self._ever_connected = False
        self._link: _Link | None = None
        self._buffer = bytearray()
        self._out: list[bytes] = []
        self._flush_scheduled = False
        self._sent: dict[int, _Sent] = {}  # our QoS 1/2 messages by packet id, oldest first
        self._next_mid = 0
        self._received_qos2: set[int] = set()  # handed over, PUBREL not yet received
        self._last_in = self._last_out = 0.0
        self._ping_sent: float | None = None
        # the broker's limits (from CONNACK) and our flow control within them
        self._max_qos = 2
        self._max_packet: int | None = None
        self._window = PublishWindow(self._send, _RECEIVE_MAXIMUM_V311)
        self._topic_check = TopicCheck()

    # ---- lifecycle -------------------------------------------------------------------------------
    async def connect(self, timeout: float = 10.0) -> None:
        """Connect (retrying until ``timeout``) and wait for CONNACK."""
        self._loop = asyncio.get_running_loop()
        deadline = self._loop.time() + timeout
        delay = _RECONNECT_MIN_S
        while True:
            try:
                accepted = await asyncio.wait_for(self._attempt(), max(0.1, deadline - self._loop.time()))
                if accepted:
                    break
                if self.protocol == MQTT_V5:
                    log.info("MQTT broker %s does not speak MQTT 5; using 3.1.1", self._broker)
                    self.protocol = MQTT_V311
                    continue
                raise ConnectionError(f"MQTT broker {self._broker} refused the connection")
            except (OSError, TimeoutError) as exc:
                self._drop_link()
                reason = describe_connect_error(exc, timeout)
                if self._loop.time() >= deadline:
                    raise ConnectionError(f"cannot connect to MQTT broker {self._broker}: {reason}") from None
                log.info("MQTT broker %s not reachable yet (%s); retrying", self._broker, reason)
                await asyncio.sleep(delay)
                delay = _RECONNECT_MAX_S
        self._misc_task = asyncio.create_task(self._misc_loop(), name="mqtt-misc")

    async def _attempt(self) -> bool:
        """Open a connection and send CONNECT; True when accepted, False when refused (CONNACK)."""
        assert self._loop is not None
        self._buffer.clear()
        self._out.clear()
        handshake: asyncio.Future[bool] = self._loop.create_future()
        self._handshake = handshake
        link = _Link(self)
        self._link = link
        if self._broker.socket_path:
            await self._loop.create_unix_connection(lambda: link, self._broker.socket_path)
        else:
            await self._loop.create_connection(lambda: link, self._broker.host, self._broker.port)
        self._write(mp.connect(self._client_id, self._keepalive, self.protocol, _RECEIVE_MAXIMUM_V5))
        self._flush()
        accepted = await handshake  # ConnectionResetError if the link closes first
        if not accepted:
            self._drop_link()
        return accepted

    async def close(self) -> None:
        """Disconnect, after waiting (briefly) until queued messages are acknowledged."""
        if self.connected and not await self._window.wait_idle(_CLOSE_DRAIN_S):
            log.warning("closing with %d MQTT messages unacknowledged", self._window.pending)
        self._closing = True
        for task in (self._misc_task, self._reconnect_task):
            if task:
                task.cancel()
        link = self._link
        if link is not None and link.transport is not None and not link.closed:
            with contextlib.suppress(Exception):
                self._write(mp.DISCONNECT)
                self._flush()
                link.closed = True
                link.transport.close()  # after the buffered bytes are written
        self._connected.clear()

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def socket(self) -> socket.socket | None:
        """The current connection's socket (None while disconnected)."""
        link = self._link
        if link is None or link.transport is None or link.closed:
            return None
        sock: socket.socket | None = link.transport.get_extra_info("socket")
        return sock

    # ---- pub/sub ---------------------------------------------------------------------------------
    def add_handler(self, topic_filter: str, callback: MessageCallback) -> None:
        self._handlers.append((topic_filter, callback))
        self._matches.clear()

    async def subscribe(self, topic_filters: list[str], qos: int = 2) -> None:
        """Subscribe and wait for the SUBACK (so nothing published afterwards is missed)."""
        new = [f for f in topic_filters if f not in self._filters]
        for f in new:
            self._filters[f] = qos
        if not new or not self.connected:
            return
        await self._subscribe_now([(f, qos) for f in new])

    async def _subscribe_now(self, pairs: list[tuple[str, int]]) -> None:
        assert self._loop is not None
        if not self.connected:
            raise ConnectionError("MQTT subscribe failed: not connected")
        mid = self._new_mid()
        fut: asyncio.Future[None] = self._loop.create_future()
        self._suback[mid] = fut
        self._write(mp.subscribe(mid, pairs, self.protocol))
        await asyncio.wait_for(fut, 10.0)

    def topic_problem(self, topic: str) -> str | None:
        """Why nothing can be published to ``topic`` (None: it can); cached for good topics."""
        return self._topic_check.problem(topic)

    def publish(self, topic: str, payload: bytes, qos: int = 2, retain: bool = False) -> bool:
        """Send now, or queue (FIFO) while the broker's window is full or the broker is away.

        Returns False (and logs) only for a message no broker would accept.
        """
        problem = self._topic_check.problem(topic)
        if problem is not None:
            log.error("not publishing to %s: %s", shown(topic), problem)
            return False
        # fixed header (5) + topic length (2) + packet id (2) + properties (up to 5): generous
        if self._max_packet is not None and 14 + len(topic.encode()) + len(payload) > self._max_packet:
            log.error("not publishing to %s: larger than the broker's maximum packet", shown(topic))
            return False
        self._window.submit(Outgoing(topic, payload, qos, retain))
        return True

    def _send(self, message: Outgoing) -> int | None:
        """Put one message on the wire; the packet id to wait for (QoS 1/2), else None."""
        qos = min(message.qos, self._max_qos)
        topic = message.topic.encode()
        mid = self._new_mid() if qos else 0
        self._write(mp.publish(topic, message.payload, qos, message.retain, mid, False, self.protocol))
        if not qos:
            return None
        self._sent[mid] = _Sent(message, qos, topic)
        return mid

    async def wait_acknowledged(self, timeout: float) -> bool:
        """Until every message published so far is acknowledged (False: not within ``timeout``)."""
        return await self._window.wait_idle(timeout)

    @property
    def pending(self) -> int:
        """Messages queued or not yet acknowledged by the broker."""
        return self._window.pending

    def _new_mid(self) -> int:
        for _ in range(65535):
            self._next_mid = self._next_mid % 65535 + 1
            if self._next_mid not in self._sent and self._next_mid not in self._suback:
                return self._next_mid
        raise ConnectionError("no free MQTT packet id")  # cannot happen: the window is smaller

    # ---- writing ---------------------------------------------------------------------------------
    def _write(self, packet: bytes) -> None:
        """Queue a packet; everything queued in one loop turn goes out in one write."""
        self._out.append(packet)
        if not self._flush_scheduled and self._loop is not None:
            self._flush_scheduled = True
            self._loop.call_soon(self._flush)

    def _flush(self) -> None:
        self._flush_scheduled = False
        if not self._out:
            return
        link = self._link
        if link is None or link.closed or link.transport is None:
            self._out.clear()  # nothing is lost: unacknowledged messages are sent again on reconnect
            return
        data = self._out[0] if len(self._out) == 1 else b"".join(self._out)
        self._out.clear()
        link.transport.write(data)
        self._last_out = time.monotonic()

    # ---- reading ---------------------------------------------------------------------------------
    def _received(self, link: _Link, data: bytes) -> None:
        if link is not self._link:
            return
        self._last_in = time.monotonic()
        buffer = self._buffer
        buffer += data
        try:
            while buffer:
                packet = mp.split(buffer)
                if packet is None:
                    break
                self._handle_packet(packet[0], packet[1])
                if link.closed:
                    return
        except Exception:
            # a packet we cannot read would be read again and again: end this session instead
            log.exception("MQTT read failed; reconnecting")
            buffer.clear()
            link.abort()
            self._lost("unreadable packet")
            return
        self._flush()  # the answers to what just came in, in one write

    def _handle_packet(self, first: int, body: bytes) -> None:
        kind = first >> 4
        if kind == PacketType.PUBLISH:
            self._handle_publish(first, body)
        elif kind == PacketType.PUBREL:
            mid = int.from_bytes(body[:2], "big")
            self._received_qos2.discard(mid)
            self._write(mp.ack(PacketType.PUBCOMP, mid))
        elif kind in (PacketType.PUBACK, PacketType.PUBCOMP):
            self._handle_done(*mp.read_mid_reason(body))
        elif kind == PacketType.PUBREC:
            self._handle_pubrec(*mp.read_mid_reason(body))
        elif kind == PacketType.SUBACK:
            self._suback_received(*mp.read_suback(body, self.protocol))
        elif kind == PacketType.PINGRESP:
            self._ping_sent = None
        elif kind == PacketType.CONNACK:
            self._connack_received(mp.read_connack(body, self.protocol))
        elif kind == PacketType.DISCONNECT:
            if self._link is not None:
                self._link.abort()
            self._lost(f"the broker disconnected us, reason 0x{body[0] if body else 0:02x}")
        else:
            raise PacketError(f"unexpected packet type {kind}")

    def _handle_publish(self, first: int, body: bytes) -> None:
        qos = (first >> 1) & 3
        end = 2 + int.from_bytes(body[:2], "big")
        if qos == 3 or end > len(body):
            raise PacketError("malformed PUBLISH")
        raw_topic = body[2:end]
        mid = 0
        if qos:
            mid = int.from_bytes(body[end : end + 2], "big")
            end += 2
        if self.protocol == MQTT_V5:
            end = end + 1 if end < len(body) and body[end] == 0 else mp.skip_properties(body, end)
        if qos == 1:
            self._write(mp.ack(PacketType.PUBACK, mid))
        elif qos == 2:
            self._write(mp.ack(PacketType.PUBREC, mid))
            if mid in self._received_qos2:
                return  # a re-sent PUBLISH of a message already handed over
            self._received_qos2.add(mid)
        self._dispatch(raw_topic, body[end:])

    def _dispatch(self, raw_topic: bytes, payload: bytes) -> None:
        try:
            topic = raw_topic.decode()
        except UnicodeDecodeError:
            log.warning("dropping an MQTT message on a topic that is not UTF-8: %s", shown(repr(raw_topic)))
            return
        callbacks = self._matches.get(topic)
        if callbacks is None:
            callbacks = tuple(cb for f, cb in self._handlers if topic_matches(f, topic))
            if len(self._matches) >= _MATCH_CACHE:
                self._matches.clear()
            self._matches[topic] = callbacks
        if not callbacks:
            log.debug("unhandled MQTT message on %s", shown(topic))
        for callback in callbacks:
            try:
                callback(topic, payload)
            except Exception:
                log.exception("handling an MQTT message on %s failed", shown(topic))

    def _handle_pubrec(self, mid: int, reason: int) -> None:
        sent = self._sent.get(mid)
        if reason >= 0x80:  # refused: the flow ends here
            self._handle_done(mid, reason)
            return
        if sent is not None:
            sent.released = True
        self._write(mp.ack(PacketType.PUBREL, mid))

    def _handle_done(self, mid: int, reason: int) -> None:
        """PUBACK, PUBCOMP, or a refusing PUBREC."""
        if self._sent.pop(mid, None) is None:
            return
        if self._window.acknowledged(mid) and reason >= 0x80:
            log.warning("MQTT broker refused a message: reason 0x%02x", reason)

    def _connack_received(self, ack: mp.ConnAck) -> None:
        handshake = self._handshake
        if handshake is None or handshake.done():
            raise PacketError("CONNACK outside the handshake")
        if ack.reason != 0:
            if self.protocol != MQTT_V5:  # MQTT 5 refused: connect() tries 3.1.1 next
                log.error("MQTT broker %s refused the connection: code %d", self._broker, ack.reason)
            handshake.set_result(False)
            return
        self._read_broker_limits(ack.properties)
        first = not self._ever_connected
        self._ever_connected = True
        self._ping_sent = None
        self._last_in = self._last_out = time.monotonic()
        self._received_qos2.clear()  # a new session: the broker's packet ids start afresh
        # a new session (clean start) knows nothing of what we sent: send it again, oldest first
        for mid, sent in self._sent.items():
            message = sent.message
            sent.released = False
            self._write(
                mp.publish(sent.topic, message.payload, sent.qos, message.retain, mid, True, self.protocol)
            )
        self._connected.set()
        handshake.set_result(True)
        if not first:
            log.info("reconnected to MQTT broker %s", self._broker)
            if self._filters:
                self._resubscribe_task = asyncio.ensure_future(self._resubscribe())

    def _read_broker_limits(self, props: dict[int, int]) -> None:
        if self.protocol == MQTT_V5:
            window = props.get(mp.RECEIVE_MAXIMUM, _RECEIVE_MAXIMUM_V5)
            self._max_qos = props.get(mp.MAXIMUM_QOS, 2)
            self._max_packet = props.get(mp.MAXIMUM_PACKET_SIZE)
        else:
            window, self._max_qos, self._max_packet = _RECEIVE_MAXIMUM_V311, 2, None
        log.debug(
            "MQTT broker limits: receive maximum %d, maximum QoS %d, maximum packet %s",
            window,
            self._max_qos,
            self._max_packet,
        )
        self._window.opened(window)

    async def _resubscribe(self) -> None:
        try:
            await self._subscribe_now(list(self._filters.items()))
        except (ConnectionError, TimeoutError) as exc:
            log.warning("re-subscribing after reconnect failed: %s", exc)

    def _suback_received(self, mid: int, reasons: bytes) -> None:
        fut = self._suback.pop(mid, None)
        if fut is not None and not fut.done():
            bad = [r for r in reasons if r >= 0x80]
            if bad:
                fut.set_exception(ConnectionError(f"subscription refused: {[f'0x{r:02x}' for r in bad]}"))
            else:
                fut.set_result(None)

    # ---- losing the broker -----------------------------------------------------------------------
    def _link_lost(self, link: _Link, exc: Exception | None) -> None:
        if link is self._link:
            self._lost(exc or "connection closed")

    def _drop_link(self) -> None:
        if self._link is not None:
            self._link.abort()
            self._link = None

    def _lost(self, reason: Any) -> None:
        was_connected = self.connected
        self._connected.clear()
        self._window.closed()
        self._out.clear()
        self._buffer.clear()
        handshake = self._handshake
        if handshake is not None and not handshake.done():
            handshake.set_exception(ConnectionResetError(f"connection closed before CONNACK ({reason})"))
        for fut in self._suback.values():
            if not fut.done():
                fut.set_exception(ConnectionError("disconnected"))
        self._suback.clear()
        if self._closing or not was_connected:
            return  # connect() or the reconnect loop is the one trying
        log.warning("lost MQTT broker %s (%s); reconnecting", self._broker, reason)
        if self._reconnect_task is None or self._reconnect_task.done():
            self._reconnect_task = asyncio.ensure_future(self._reconnect_loop())

    # ---- background ------------------------------------------------------------------------------
    async def _misc_loop(self) -> None:
        while True:
            await asyncio.sleep(_MISC_INTERVAL_S)
            try:
                self._keep_alive()
            except Exception:
                log.exception("MQTT keep-alive handling failed")

    def _keep_alive(self) -> None:
        """PINGREQ when the link was quiet for the keep-alive period; no answer within another
        period means the broker is gone (a half-open TCP connection would otherwise hang)."""
        if not self.connected or self._link is None:
            return
        now = time.monotonic()
        if self._ping_sent is not None:
            if now - self._ping_sent >= self._keepalive:
                self._link.abort()
                self._lost("no answer to keep-alive ping")
            return
        if now - self._last_out >= self._keepalive or now - self._last_in >= self._keepalive:
            self._ping_sent = now
            self._write(mp.PINGREQ)

    async def _reconnect_loop(self) -> None:
        delay = _RECONNECT_MIN_S
        while not self._closing and not self.connected:
            await asyncio.sleep(delay)
            delay = _RECONNECT_MAX_S  # constant, not growing: back within 0.5 s of the broker
            try:
                if not await asyncio.wait_for(self._attempt(), 5.0):
                    log.warning("MQTT broker %s refused the reconnection", self._broker)
            except (OSError, TimeoutError) as exc:
                self._drop_link()
                log.debug("MQTT reconnect failed: %s", exc)
            except Exception:
                self._drop_link()
                log.exception("MQTT reconnect failed")
