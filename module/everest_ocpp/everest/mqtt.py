"""paho-mqtt driven by the asyncio loop (no extra thread).

Everything the module does (MQTT, OCPP websockets, timers) runs on one asyncio loop, so handlers need
no locks and a command answered from memory costs no thread hop. paho supports this through its
socket open/close/register-write callbacks.

Reliability rules kept here (see README "Reliability"):

* Flow control towards the broker: :mod:`.outgoing`. In the other direction we announce a Receive
  Maximum of 65535: without it mosquitto keeps 20 in flight towards us and drops whatever does not
  fit its queue of 1000 messages during a burst.
* Nothing is published to a topic the broker would answer with a disconnect (:mod:`.topic_check`).
* No exception leaves a paho callback (paho would handle the same packet again, forever).
* Reconnect attempts are at most 0.5 s apart, however long the outage.

What a command's round trip costs here is mostly per-packet work, so paho is driven as cheaply as
it allows (:mod:`.paho_client`, :mod:`.socket_io`): whatever the socket holds is read in one call
(paho alone reads every packet in three), a QoS 2 message is handed over when its PUBLISH arrives,
and messages are dispatched by a dict of topics instead of paho's filter tree.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from dataclasses import dataclass
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from ..net_errors import describe_connect_error
from .outgoing import Outgoing, PublishWindow
from .paho_client import CLIENT_CLASS, PAHO_VERSION, TUNED_FOR, PlainClient, TunedClient
from .socket_io import LoopSocketIO
from .topic_check import TopicCheck, shown
from .topic_router import MessageCallback, TopicRouter

log = logging.getLogger(__name__)

_MISC_INTERVAL_S = 1.0
_RECONNECT_MIN_S = 0.2
_RECONNECT_MAX_S = 0.5  # an outage of N s costs at most N + 0.5 s (plus connecting)
_UNSUPPORTED_PROTOCOL = 132  # CONNACK reason code: the broker has no MQTT 5
_RECEIVE_MAXIMUM_V5 = 65535  # MQTT 5 default when CONNACK does not say
_RECEIVE_MAXIMUM_V311 = 20  # 3.1.1 cannot say; mosquitto's default max_inflight_messages
_CLOSE_DRAIN_S = 1.0  # how long close() waits for queued messages to be acknowledged


@dataclass(frozen=True, slots=True)
class BrokerAddress:
    host: str = "localhost"
    port: int = 1883
    socket_path: str | None = None

    def __str__(self) -> str:
        return f"unix:{self.socket_path}" if self.socket_path else f"{self.host}:{self.port}"


class MqttConnection:
    """One MQTT session (v5, or 3.1.1 where the broker has no v5); subscriptions survive reconnects."""

    def __init__(self, broker: BrokerAddress, client_id: str | None = None, keepalive: int = 30) -> None:
        self._broker = broker
        self._keepalive = keepalive
        self._client_id = client_id or f"everest-ocpp-{uuid.uuid4().hex[:12]}"
        self._loop: asyncio.AbstractEventLoop | None = None
        self.protocol = paho.MQTTv5  # falls back to 3.1.1 for brokers without MQTT 5
        self._router = TopicRouter()
        self._filters: dict[str, int] = {}  # filter -> qos, restored on reconnect
        self._suback: dict[int, asyncio.Future[None]] = {}
        self._connected = asyncio.Event()
        self._refused = asyncio.Event()
        self._closing = False
        self._misc_task: asyncio.Task[None] | None = None
        self._reconnect_task: asyncio.Task[None] | None = None
        self._resubscribe_task: asyncio.Future[None] | None = None
        self._ever_connected = False
        self._io = LoopSocketIO(lambda: self._client, self._lost)
        # the broker's limits (from CONNACK) and our flow control within them
        self._max_qos = 2
        self._max_packet: int | None = None
        self._window = PublishWindow(self._send, _RECEIVE_MAXIMUM_V311)
        self._topic_check = TopicCheck()
        self._client = self._make_client()

    def _make_client(self) -> TunedClient | PlainClient:
        if CLIENT_CLASS is PlainClient:
            log.info(
                "paho-mqtt %s: driven without the read/write tuning (made for %s)", PAHO_VERSION, TUNED_FOR
            )
        client = CLIENT_CLASS(
            CallbackAPIVersion.VERSION2,
            client_id=self._client_id,
            protocol=self.protocol,
            transport="unix" if self._broker.socket_path else "tcp",
        )
        client.max_inflight_messages_set(0)  # paho sends what it gets; the window is ours
        client.suppress_exceptions = True  # our callbacks catch everything; this is the safety net
        self._io.attach(client)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_subscribe = self._on_subscribe
        client.on_publish = self._on_publish
        client.on_message = self._on_message
        return client

    # ---- lifecycle -------------------------------------------------------------------------------
    async def connect(self, timeout: float = 10.0) -> None:
        """Connect (retrying until ``timeout``) and wait for CONNACK."""
        self._loop = self._io.loop = asyncio.get_running_loop()
        deadline = self._loop.time() + timeout
        delay = _RECONNECT_MIN_S
        while True:
            try:
                self._refused.clear()
                self._open()
                await asyncio.wait_for(self._connack(), max(0.1, deadline - self._loop.time()))
                if self.connected:
                    break
                if self.protocol == paho.MQTTv5:
                    log.info("MQTT broker %s does not speak MQTT 5; using 3.1.1", self._broker)
                    self.protocol = paho.MQTTv311
                    self._client = self._make_client()
                    continue
                raise ConnectionError(f"MQTT broker {self._broker} refused the connection")
            except (OSError, TimeoutError) as exc:
                reason = describe_connect_error(exc, timeout)
                if self._loop.time() >= deadline:
                    raise ConnectionError(f"cannot connect to MQTT broker {self._broker}: {reason}") from None
                log.info("MQTT broker %s not reachable yet (%s); retrying", self._broker, reason)
                await asyncio.sleep(delay)
                delay = _RECONNECT_MAX_S
        self._misc_task = asyncio.create_task(self._misc_loop(), name="mqtt-misc")

    async def _connack(self) -> None:
        """Wait for CONNACK, accepted or refused."""
        waits = [asyncio.ensure_future(self._connected.wait()), asyncio.ensure_future(self._refused.wait())]
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waits:
                w.cancel()

    def _open(self) -> None:
        target = self._broker.socket_path or self._broker.host
        if self._ever_connected:
            self._client.reconnect()
        else:
            if self.protocol == paho.MQTTv5:
                props = Properties(PacketTypes.CONNECT)
                props.ReceiveMaximum = _RECEIVE_MAXIMUM_V5
                self._client.connect(
                    target, self._broker.port, keepalive=self._keepalive, clean_start=True, properties=props
                )
            else:
                self._client.connect(target, self._broker.port, keepalive=self._keepalive)

    async def close(self) -> None:
        """Disconnect, after waiting (briefly) until queued messages are acknowledged."""
        if self.connected and not await self._window.wait_idle(_CLOSE_DRAIN_S):
            log.warning("closing with %d MQTT messages unacknowledged", self._window.pending)
        self._closing = True
        for task in (self._misc_task, self._reconnect_task):
            if task:
                task.cancel()
        with contextlib.suppress(Exception):
            self._client.disconnect()
            self._client.loop_write()
        self._io.detach()

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    # ---- pub/sub ---------------------------------------------------------------------------------
    def add_handler(self, topic_filter: str, callback: MessageCallback) -> None:
        self._router.add(topic_filter, callback)

    def _on_message(self, _c: paho.Client, _u: Any, msg: paho.MQTTMessage) -> None:
        try:
            topic = msg.topic
        except UnicodeDecodeError:
            log.warning("dropping an MQTT message on a topic that is not UTF-8: %s", shown(repr(msg._topic)))
            return
        self._router.dispatch(topic, bytes(msg.payload))

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
        rc, mid = self._client.subscribe(pairs)
        if rc != MQTTErrorCode.MQTT_ERR_SUCCESS or mid is None:
            raise ConnectionError(f"MQTT subscribe failed: {paho.error_string(rc)}")
        fut: asyncio.Future[None] = self._loop.create_future()
        self._suback[mid] = fut
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
        """Hand one message to paho; the packet id to wait for (QoS 1/2), else None."""
        qos = min(message.qos, self._max_qos)
        try:
            info = self._client.publish(message.topic, message.payload, qos=qos, retain=message.retain)
        except ValueError as exc:  # paho's own checks; topic_check runs first, so not expected
            log.error("MQTT publish to %s failed: %s", shown(message.topic), exc)
            return None
        if qos and info.rc in (MQTTErrorCode.MQTT_ERR_SUCCESS, MQTTErrorCode.MQTT_ERR_NO_CONN):
            return int(info.mid)  # paho keeps it until acknowledged, re-sending it after a reconnect
        if info.rc != MQTTErrorCode.MQTT_ERR_SUCCESS:
            log.warning("MQTT publish to %s failed: %s", shown(message.topic), paho.error_string(info.rc))
        return None

    async def wait_acknowledged(self, timeout: float) -> bool:
        """Until every message published so far is acknowledged (False: not within ``timeout``)."""
        return await self._window.wait_idle(timeout)

    @property
    def pending(self) -> int:
        """Messages queued or not yet acknowledged by the broker."""
        return self._window.pending

    # ---- paho callbacks (all on the loop thread) -------------------------------------------------
    def _on_connect(self, _c: paho.Client, _u: Any, _flags: Any, reason: Any, props: Any) -> None:
        try:
            self._connack_received(reason, props)
        except Exception:
            log.exception("handling CONNACK failed")

    def _connack_received(self, reason: Any, props: Any) -> None:
        if reason.is_failure:
            if not (self.protocol == paho.MQTTv5 and reason.value == _UNSUPPORTED_PROTOCOL):
                log.error("MQTT broker %s refused the connection: %s", self._broker, reason)
            self._refused.set()
            return
        self._read_broker_limits(props)
        first = not self._ever_connected
        self._ever_connected = True
        self._connected.set()
        if not first:
            log.info("reconnected to MQTT broker %s", self._broker)
            if self._filters:
                self._resubscribe_task = asyncio.ensure_future(self._resubscribe())

    def _read_broker_limits(self, props: Any) -> None:
        if self.protocol == paho.MQTTv5:
            window = int(getattr(props, "ReceiveMaximum", _RECEIVE_MAXIMUM_V5))
            self._max_qos = int(getattr(props, "MaximumQoS", 2))
            self._max_packet = getattr(props, "MaximumPacketSize", None)
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

    def _on_disconnect(self, _c: paho.Client, _u: Any, _flags: Any, reason: Any, _props: Any) -> None:
        try:
            self._lost(reason)
        except Exception:
            log.exception("handling a disconnect failed")

    def _lost(self, reason: Any) -> None:
        self._connected.clear()
        self._window.closed()
        for fut in self._suback.values():
            if not fut.done():
                fut.set_exception(ConnectionError("disconnected"))
        self._suback.clear()
        if self._closing or not self._ever_connected:
            return  # before the first CONNACK, connect() does the retrying
        log.warning("lost MQTT broker %s (%s); reconnecting", self._broker, reason)
        if self._reconnect_task is None or self._reconnect_task.done():
            self._reconnect_task = asyncio.ensure_future(self._reconnect_loop())

    def _on_publish(self, _c: paho.Client, _u: Any, mid: int, reason: Any, _props: Any) -> None:
        try:
            if self._window.acknowledged(mid) and reason.is_failure:
                log.warning("MQTT broker refused a message: %s", reason)
        except Exception:
            log.exception("handling a publish acknowledgement failed")

    def _on_subscribe(self, _c: paho.Client, _u: Any, mid: int, reasons: Any, _props: Any) -> None:
        try:
            self._suback_received(mid, reasons)
        except Exception:
            log.exception("handling SUBACK failed")

    def _suback_received(self, mid: int, reasons: Any) -> None:
        fut = self._suback.pop(mid, None)
        if fut is not None and not fut.done():
            bad = [r for r in reasons if r.is_failure]
            if bad:
                fut.set_exception(ConnectionError(f"subscription refused: {bad}"))
            else:
                fut.set_result(None)

    # ---- background ------------------------------------------------------------------------------
    async def _misc_loop(self) -> None:
        while True:
            await asyncio.sleep(_MISC_INTERVAL_S)
            try:
                self._client.loop_misc()  # keepalive pings; detects a dead broker
            except Exception:
                log.exception("MQTT keep-alive handling failed")

    async def _reconnect_loop(self) -> None:
        delay = _RECONNECT_MIN_S
        while not self._closing and not self.connected:
            await asyncio.sleep(delay)
            delay = _RECONNECT_MAX_S  # constant, not growing: back within 0.5 s of the broker
            try:
                self._client.reconnect()
                await asyncio.wait_for(self._connected.wait(), 5.0)
            except (OSError, TimeoutError) as exc:
                log.debug("MQTT reconnect failed: %s", exc)
            except Exception:
                log.exception("MQTT reconnect failed")
