"""The CSMS connection never dies silently, and every failed connection says why."""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve

from everest_ocpp.csms.connection import ConnectionSettings, CsmsConnection, describe_ws_error
from everest_ocpp.csms.urls import CsmsUrlError
from everest_ocpp.everest.mqtt import BrokerAddress, MqttConnection
from everest_ocpp.net_errors import describe_connect_error
from everest_ocpp.tasks import spawn


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _hold(ws: ServerConnection) -> None:
    await ws.wait_closed()


def _deny(connection: ServerConnection, request: Any) -> Any:
    if request.path.endswith("/denied"):
        return connection.respond(401, "unknown station\n")
    return None


async def _failure(url: str, subprotocol: str = "ocpp1.6", timeout: float = 2.0) -> str:
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    async with serve(_hold, "127.0.0.1", port, subprotocols=["ocpp1.6"], process_request=_deny):  # type: ignore[list-item]
        from websockets.asyncio.client import connect

        try:
            async with connect(url, subprotocols=[subprotocol], open_timeout=timeout):  # type: ignore[list-item]
                pass
        except Exception as exc:
            return describe_ws_error(exc, timeout, url.startswith("wss:"))
    raise AssertionError("connected")


def test_reasons_for_refused_websocket_connections() -> None:
    port = _free_port()
    assert asyncio.run(_failure(f"wss://127.0.0.1:{port}/cp001")) == (
        "connection reset during the TLS handshake (is the other side speaking plain text, not TLS?)"
    )
    assert asyncio.run(_failure(f"ws://127.0.0.1:{port}/denied")) == (
        "the CSMS refused the websocket handshake with HTTP 401 Unauthorized: unknown station "
        "(check the identity and the basic auth password / AuthorizationKey)"
    )
    assert "invalid subprotocol" in asyncio.run(_failure(f"ws://127.0.0.1:{port}/cp001", "ocpp2.0.1"))


@pytest.mark.parametrize(
    ("exc", "reason"),
    [
        (TimeoutError(), "timed out after 10 s (no answer: host down, filtered, or not the right service?)"),
        (ConnectionRefusedError(111, "Connect call failed"), "connection refused (nothing listens"),
        (socket.gaierror(-2, "Name or service not known"), "cannot resolve the host name: Name or service"),
        (ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number"), "TLS handshake failed:"),
        (OSError(), "OSError"),
    ],
)
def test_connect_errors_are_never_empty(exc: BaseException, reason: str) -> None:
    assert describe_connect_error(exc, 10).startswith(reason)


def test_mqtt_timeout_names_the_limit() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()  # accepts TCP, never answers CONNECT
    port = listener.getsockname()[1]

    async def run() -> str:
        try:
            await MqttConnection(BrokerAddress("127.0.0.1", port)).connect(timeout=0.5)
        except ConnectionError as exc:
            return str(exc)
        return "connected"

    try:
        message = asyncio.run(run())
    finally:
        listener.close()
    assert message.startswith(f"cannot connect to MQTT broker 127.0.0.1:{port}: timed out after 0.5 s")


def test_a_bad_csms_address_is_logged_and_retried_until_fixed(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="everest_ocpp")
    port = _free_port()
    address = {"value": "http://127.0.0.1"}
    changes: list[bool] = []

    def settings() -> ConnectionSettings:
        if address["value"].startswith("http"):
            raise CsmsUrlError(f"Internal.CentralSystemURI: '{address['value']}' is not a ws:// address")
        return ConnectionSettings(url=address["value"], subprotocol="ocpp1.6", identity="cp001")

    async def run() -> None:
        connected = asyncio.Event()

        async def session(ws: Any) -> None:
            connected.set()
            await ws.wait_closed()

        async with serve(_hold, "127.0.0.1", port, subprotocols=["ocpp1.6"]):  # type: ignore[list-item]
            conn = CsmsConnection(settings, session, changes.append)
            conn.start()
            for _ in range(200):
                if "cannot connect to the CSMS: Internal.CentralSystemURI" in caplog.text:
                    break
                await asyncio.sleep(0.01)
            assert conn.running
            address["value"] = f"ws://127.0.0.1:{port}/cp001"
            await conn.reconnect()
            await asyncio.wait_for(connected.wait(), 5)
            await conn.stop()

    asyncio.run(run())
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert errors[0] == (
        "cannot connect to the CSMS: Internal.CentralSystemURI: 'http://127.0.0.1' is not a ws:// address"
    )
    assert changes == [True, False]


def test_spawned_task_failures_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    async def fail() -> None:
        raise KeyError("lost")

    async def run() -> None:
        task = spawn(fail(), "doomed")
        await asyncio.wait([task])
        await asyncio.sleep(0)

    asyncio.run(run())
    record = next(r for r in caplog.records if r.name == "everest_ocpp.tasks")
    assert record.levelno == logging.ERROR
    assert record.getMessage() == "background task doomed failed: KeyError: 'lost'"
    assert record.exc_info is not None
