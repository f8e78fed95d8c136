"""A real CSMS on the python `ocpp` package over real WebSockets, run in a background thread.

It speaks OCPP-J 1.6 and 2.0.1 (by the negotiated subprotocol), records every call it receives
(camelCase wire payloads, schema-validated by the package), answers with configurable responses,
and lets a test send requests and read the responses. All public methods are thread-safe.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import websockets
from ocpp.charge_point import camel_to_snake_case, remove_nones, serialize_as_dict, snake_to_camel_case
from ocpp.exceptions import OCPPError
from ocpp.messages import MessageType, unpack
from ocpp.v16 import ChargePoint as Cp16
from ocpp.v16 import call as call16
from ocpp.v16 import call_result as result16
from ocpp.v201 import ChargePoint as Cp201
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as result201
from websockets.asyncio.server import serve

from .ports import free_port
from .waiting import wait_until

Response = dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


DEFAULT_RESPONSES: dict[str, dict[str, Response]] = {
    "1.6": {
        "BootNotification": lambda _p: {"status": "Accepted", "currentTime": _now(), "interval": 300},
        "Heartbeat": lambda _p: {"currentTime": _now()},
        "StatusNotification": {},
        "SecurityEventNotification": {},
        "DataTransfer": {"status": "UnknownVendorId"},
        "SignCertificate": {"status": "Accepted"},
        "MeterValues": {},
        "FirmwareStatusNotification": {},
        "DiagnosticsStatusNotification": {},
        "LogStatusNotification": {},
        "SignedFirmwareStatusNotification": {},
        "Authorize": {"idTagInfo": {"status": "Accepted"}},
        "StartTransaction": {"idTagInfo": {"status": "Accepted"}, "transactionId": 1},
        "StopTransaction": {},
    },
    "2.0.1": {
        "BootNotification": lambda _p: {"status": "Accepted", "currentTime": _now(), "interval": 300},
        "Heartbeat": lambda _p: {"currentTime": _now()},
        "StatusNotification": {},
        "SecurityEventNotification": {},
        "NotifyReport": {},
        "NotifyEvent": {},
        "NotifyMonitoringReport": {},
        "ReportChargingProfiles": {},
        "DataTransfer": {"status": "UnknownVendorId"},
        "SignCertificate": {"status": "Accepted"},
        "MeterValues": {},
        "TransactionEvent": {},
        "FirmwareStatusNotification": {},
        "LogStatusNotification": {},
        "NotifyChargingLimit": {},
        "ClearedChargingLimit": {},
        "Authorize": {"idTokenInfo": {"status": "Accepted"}},
    },
}

_MODULES = {"1.6": (Cp16, call16, result16), "2.0.1": (Cp201, call201, result201)}
_SUBPROTOCOLS = {"ocpp1.6": "1.6", "ocpp2.0.1": "2.0.1"}


@dataclasses.dataclass
class ReceivedCall:
    action: str
    payload: dict[str, Any]  # camelCase, as on the wire
    at: float
    error: str | None = None  # set when the package rejected the payload (CALLERROR sent)


class CsmsCallError(Exception):
    """The charge point answered a CSMS request with a CALLERROR."""


class _CsmsSide:
    """Mixin building the route map for every action of the version, all recorded."""

    def _install_routes(self, owner: Csms, version: str) -> None:
        _cp, call_mod, result_mod = _MODULES[version]
        for name, cls in vars(call_mod).items():
            if not dataclasses.is_dataclass(cls):
                continue
            self.route_map[name] = {"_on_action": self._make_handler(owner, version, name, result_mod)}  # type: ignore[attr-defined]

    @staticmethod
    def _make_handler(owner: Csms, version: str, action: str, result_mod: Any) -> Callable[..., Any]:
        def handler(**kwargs: Any) -> Any:
            payload = snake_to_camel_case(kwargs)
            response = owner.response_for(version, action, payload)
            return getattr(result_mod, action)(**camel_to_snake_case(response))

        return handler

    async def route_message(self, raw_msg: str) -> None:
        owner: Csms = self._owner  # type: ignore[attr-defined]
        try:
            msg = unpack(raw_msg)
        except OCPPError:
            owner.record(ReceivedCall("<unparsable>", {"raw": raw_msg}, time.monotonic(), "unparsable"))
            return await super().route_message(raw_msg)  # type: ignore[misc]
        if msg.message_type_id == MessageType.Call:
            received = ReceivedCall(msg.action, msg.payload, time.monotonic())
            original_send = self._send  # type: ignore[attr-defined]

            async def send_and_note(message: str) -> None:
                if message.startswith(f"[{MessageType.CallError}"):
                    received.error = message
                await original_send(message)

            self._send = send_and_note  # type: ignore[method-assign]
            try:
                await super().route_message(raw_msg)  # type: ignore[misc]
            finally:
                self._send = original_send  # type: ignore[method-assign]
            owner.record(received)
            return None
        return await super().route_message(raw_msg)  # type: ignore[misc]


class _Csms16(_CsmsSide, Cp16):  # type: ignore[misc]
    pass


class _Csms201(_CsmsSide, Cp201):  # type: ignore[misc]
    pass


class Csms:
    def __init__(self, port: int | None = None, ssl_context: Any = None) -> None:
        self.port = port or free_port()
        self.ssl_context = ssl_context  # serve wss:// (security profile 2/3)
        self.responses: dict[str, Response] = {}
        self.calls: list[ReceivedCall] = []
        # path, subprotocol, authorization and (wss://) the client certificate per connection
        self.connections: list[dict[str, Any]] = []
        self.disconnects = 0  # websocket sessions that ended
        self.accept_connection: Callable[[dict[str, Any]], bool] = lambda _info: True
        self._cond = threading.Condition()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="csms", daemon=True)
        self._server: Any = None
        self._cp: Any = None
        self._ws: Any = None
        self.version: str | None = None

    # ---- lifecycle -------------------------------------------------------------------------------
    def start(self) -> None:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)

    async def _start(self) -> None:
        self._server = await serve(
            self._on_connection,
            "127.0.0.1",
            self.port,
            subprotocols=list(_SUBPROTOCOLS),
            ping_interval=None,
            ssl=self.ssl_context,
        )

    def stop(self) -> None:
        async def _stop() -> None:
            if self._server is not None:
                self._server.close()
                await self._server.wait_closed()

        if self._thread.is_alive():
            asyncio.run_coroutine_threadsafe(_stop(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)

    def url(self, path: str = "") -> str:
        """The address without scheme, as 1.6 CentralSystemURI expects it."""
        return f"127.0.0.1:{self.port}{('/' + path.lstrip('/')) if path else ''}"

    async def _on_connection(self, ws: Any) -> None:
        info = {
            "path": ws.request.path,
            "subprotocol": ws.subprotocol,
            "authorization": ws.request.headers.get("Authorization"),
            "peercert": ws.transport.get_extra_info("peercert"),  # verified client certificate, or None
        }
        with self._cond:
            self.connections.append(info)
            self._cond.notify_all()
        if ws.subprotocol not in _SUBPROTOCOLS or not self.accept_connection(info):
            await ws.close(1008, "refused")
            return
        version = _SUBPROTOCOLS[ws.subprotocol]
        cls = _Csms16 if version == "1.6" else _Csms201
        cp = cls(ws.request.path.strip("/").split("/")[-1], ws, response_timeout=15)
        cp._owner = self
        cp._install_routes(self, version)
        with self._cond:
            self.version, self._cp, self._ws = version, cp, ws
            self._cond.notify_all()
        try:
            await cp.start()
        except websockets.ConnectionClosed:
            pass
        finally:
            with self._cond:
                self.disconnects += 1
                if self._ws is ws:
                    self._cp = self._ws = None
                self._cond.notify_all()

    # ---- recording -------------------------------------------------------------------------------
    def record(self, received: ReceivedCall) -> None:
        with self._cond:
            self.calls.append(received)
            self._cond.notify_all()

    def response_for(self, version: str, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        response = self.responses.get(action, DEFAULT_RESPONSES[version].get(action, {}))
        return response(payload) if callable(response) else response

    def wait_until(self, predicate: Callable[[], Any], timeout: float, what: str) -> Any:
        return wait_until(self._cond, predicate, timeout, "CSMS: " + what)

    @property
    def connected(self) -> bool:
        return self._cp is not None

    def wait_connected(self, timeout: float = 10.0) -> None:
        self.wait_until(lambda: self._cp is not None, timeout, "a charge point connection")

    def wait_disconnected(self, timeout: float = 10.0, after: int | None = None) -> None:
        """Until a session ended; with ``after``, until more than that many sessions ended (a quick
        reconnect may already have replaced the closed one)."""
        if after is None:
            self.wait_until(lambda: self._cp is None, timeout, "the charge point disconnecting")
        else:
            self.wait_until(lambda: self.disconnects > after, timeout, "the charge point disconnecting")

    def received(self, action: str | None = None) -> list[ReceivedCall]:
        with self._cond:
            return [c for c in self.calls if action is None or c.action == action]

    # ---- acting as CSMS --------------------------------------------------------------------------
    def send(
        self, action: str, payload: dict[str, Any], timeout: float = 15.0, validate: bool = True
    ) -> dict[str, Any]:
        """Send a request (camelCase payload) and return the response payload (camelCase)."""
        with self._cond:
            cp, version = self._cp, self.version
        if cp is None or version is None:
            raise ConnectionError("no charge point connected to the CSMS")
        _cp, call_mod, _result = _MODULES[version]
        request = getattr(call_mod, action)(**camel_to_snake_case(payload))

        async def do() -> Any:
            return await cp.call(request, suppress=False, skip_schema_validation=not validate)

        try:
            result = asyncio.run_coroutine_threadsafe(do(), self._loop).result(timeout)
        except OCPPError as exc:
            raise CsmsCallError(f"{type(exc).__name__}: {exc}") from None
        # the package parses some 1.6 numbers as Decimal: hand plain JSON numbers to the tests
        plain = json.loads(json.dumps(serialize_as_dict(result), default=float))
        return snake_to_camel_case(remove_nones(plain))

    def disconnect(self) -> None:
        with self._cond:
            ws = self._ws
        if ws is not None:
            asyncio.run_coroutine_threadsafe(ws.close(), self._loop).result(5)
