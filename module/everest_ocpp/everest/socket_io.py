"""paho's socket driven by the asyncio loop: reads on readiness, writes batched per loop turn.

paho can leave its socket to an outside loop through the socket open/close/register-write
callbacks; this class is that outside loop's side. Whatever the socket holds is read in one go
(paho alone reads one packet per call), and what handling it made paho send goes out in one write
when the read ends, instead of one ``send`` and two ``epoll_ctl`` calls per packet.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import MQTTErrorCode

from .paho_client import PlainClient, TunedClient

log = logging.getLogger("everest_ocpp.everest.mqtt")  # part of the MQTT connection's log

_PACKETS_PER_READ = 100  # handled per socket read event before other callbacks get a turn


class LoopSocketIO:
    """The socket side of one MQTT connection; ``unreadable`` is told when paho cannot go on."""

    def __init__(
        self, client: Callable[[], TunedClient | PlainClient], unreadable: Callable[[str], None]
    ) -> None:
        self._client = client  # the current client (replaced when falling back to MQTT 3.1.1)
        self._unreadable = unreadable
        self.loop: asyncio.AbstractEventLoop | None = None
        self._writer_waiting = False
        self._reading = False  # inside read(): what it makes paho send is written at its end
        self._write_due: Any = None

    def attach(self, client: TunedClient | PlainClient) -> None:
        client.on_socket_open = self._on_socket_open
        client.on_socket_close = self._on_socket_close
        client.on_socket_register_write = self._on_register_write
        client.on_socket_unregister_write = self._on_unregister_write

    def detach(self) -> None:
        """Stop watching the socket (the connection is closing)."""
        sock = self._client().socket()
        if sock is not None and self.loop is not None:
            self.loop.remove_reader(sock)
            self.loop.remove_writer(sock)

    def _on_socket_open(self, _c: paho.Client, _u: Any, sock: Any) -> None:
        assert self.loop is not None
        if getattr(sock, "family", None) in (socket.AF_INET, socket.AF_INET6):
            # Without TCP_NODELAY a QoS-2 round trip on loopback takes ~90 ms instead of ~2 ms.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.loop.add_reader(sock, self.read)

    def read(self) -> None:
        client = self._client()
        self._reading = True
        try:
            for _ in range(_PACKETS_PER_READ):  # paho reads one packet per call when none is in flight
                rc = client.loop_read(max_packets=100)
                if not client.buffered or rc != MQTTErrorCode.MQTT_ERR_SUCCESS:
                    break
        except Exception:
            # paho could not process a packet and would try the same one on every read: stop
            # reading and start a new session (reconnect() resets paho's read state)
            log.exception("MQTT read failed; reconnecting")
            sock = client.socket()
            if sock is not None and self.loop is not None:
                self.loop.remove_reader(sock)
            self._write_due = None
            self._unreadable("unreadable packet")
            return
        finally:
            self._reading = False
            due, self._write_due = self._write_due, None
            if due is not None:
                self._flush(due)
        if rc not in (MQTTErrorCode.MQTT_ERR_SUCCESS, MQTTErrorCode.MQTT_ERR_AGAIN):
            log.debug("MQTT read ended: %s", paho.error_string(rc))
        elif client.buffered and self.loop is not None:
            self.loop.call_soon(self.read)  # the rest after other work: no starving the loop

    def _on_socket_close(self, _c: paho.Client, _u: Any, sock: Any) -> None:
        if self.loop is not None:
            self.loop.remove_reader(sock)
            self.loop.remove_writer(sock)
        self._writer_waiting = False

    def _on_register_write(self, _c: paho.Client, _u: Any, sock: Any) -> None:
        # Write on the next loop turn instead of waiting for epoll to report the socket writable
        # (it almost always is): saves two epoll_ctl calls and a poll per outgoing packet. What
        # handling incoming packets produced (acknowledgements, answers) goes out when read() ends.
        if self._reading:
            self._write_due = sock
            return
        assert self.loop is not None
        self.loop.call_soon(self._flush, sock)

    def _flush(self, sock: Any) -> None:
        client = self._client()
        if client.socket() is not sock:
            return  # closed meanwhile
        client.loop_write()
        if client.want_write() and not self._writer_waiting:  # kernel buffer full: wait for room
            assert self.loop is not None
            self._writer_waiting = True
            self.loop.add_writer(sock, client.loop_write)  # type: ignore[arg-type]

    def _on_unregister_write(self, _c: paho.Client, _u: Any, sock: Any) -> None:
        if self.loop is not None and self._writer_waiting:
            self._writer_waiting = False
            self.loop.remove_writer(sock)
