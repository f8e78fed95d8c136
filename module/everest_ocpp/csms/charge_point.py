"""A charge point session on top of the python `ocpp` package, shared by both versions.

Differences from the package's own ``ChargePoint``: incoming calls are handled concurrently (a
handler that waits for an EVerest module must not block the CSMS's answers to our own calls),
handlers come from several functional blocks, messages are logged with secrets redacted, and our own
calls are built and validated with the package's rules in fewer steps (:meth:`call`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
from collections.abc import Callable, Coroutine
from typing import Any

import websockets
from ocpp.charge_point import ChargePoint as _PackageChargePoint
from ocpp.exceptions import GenericError, OCPPError, UnknownCallErrorCodeError
from ocpp.messages import Call, MessageType
from ocpp.routing import create_route_map

from ..tasks import spawn
from .handler_guard import guard_routes
from .message_queue import QueueSender
from .ocpp_validation import validate
from .outbox import InvalidAnswer, NotConnected, Outbox
from .redaction import redacted
from .wire import from_wire, to_wire

log = logging.getLogger("everest_ocpp.ocpp_j")

FrameLog = Callable[[str, str | bytes], None]  # (direction "<-" / "->", frame)

# The package logs every frame at INFO and failed requests with their payload; payloads may carry
# secrets, so its own logger is silenced: we log redacted frames ourselves, and handler failures
# through the guard around every handler (handler_guard.py).
_package_log = logging.getLogger("everest_ocpp.ocpp_package")
_package_log.setLevel(logging.CRITICAL)

_ANSWER_FRAME = re.compile(r"\s*\[\s*[34]\D")
_CLOSED = object()  # put into the response queue when the connection ends: no answer will come


class DuplicateRouteError(ValueError):
    """Two functional blocks handle the same action: only one of them would ever be called."""


def routes_of(blocks: list[object]) -> dict[str, dict[str, Any]]:
    """The route map of all blocks; refuses an action routed by more than one block."""
    routes: dict[str, dict[str, Any]] = {}
    owner: dict[str, str] = {}
    for block in blocks:
        name = type(block).__name__
        for action, handlers in create_route_map(block).items():
            if action in routes:
                raise DuplicateRouteError(
                    f"OCPP action {action} is routed by both {owner[action]} and {name}"
                )
            routes[action] = handlers
            owner[action] = name
    return routes


class ChargePointSession(_PackageChargePoint):
    """One websocket connection's OCPP-J session; routes come from the given blocks."""

    def __init__(
        self,
        identity: str,
        connection: Any,
        blocks: list[object],
        response_timeout: float = 30,
        frame_log: FrameLog | None = None,
    ) -> None:
        super().__init__(identity, connection, response_timeout=response_timeout, logger=_package_log)
        routes = routes_of([self, *blocks])
        guard_routes(routes, log)
        self.route_map = routes
        self._handler_tasks: set[asyncio.Task[Any]] = set()
        self._frame_log = frame_log
        self._actions: dict[str, str] = {}  # unique id -> action of the CSMS's calls being answered

    async def when_idle(self) -> None:
        """Until no call of ours waits for its answer (the package sends one call at a time)."""
        async with self._call_lock:
            pass

    async def call(
        self, payload: Any, suppress: bool = True, unique_id: Any = None, skip_schema_validation: bool = False
    ) -> Any:
        """The package's ``call`` with the same results and errors, in fewer steps: the payload is
        converted in one pass (:mod:`.wire`) and validated inline, compiled once an action is used
        often (:mod:`.ocpp_validation`); one call at a time, as OCPP-J allows."""
        action = type(payload).__name__
        request = Call(
            unique_id=unique_id if unique_id is not None else str(self._unique_id_generator()),
            action=action,
            payload=to_wire(payload),
        )
        if not skip_schema_validation:
            validate(request, self._ocpp_version)
        frame = request.to_json()
        async with self._call_lock:
            await self._send(frame)
            try:
                response = await self._get_specific_response(request.unique_id, self._response_timeout)
            except TimeoutError:
                # without the frame (the package puts it into the message, and messages get logged)
                raise TimeoutError(
                    f"Waited {self._response_timeout}s for the answer to {action} {request.unique_id}"
                ) from None
        if response.message_type_id == MessageType.CallError:
            if suppress:
                return None
            raise _call_error(response)
        if not skip_schema_validation:
            response.action = action
            try:
                validate(response, self._ocpp_version)
            except OCPPError as exc:
                raise InvalidAnswer(f"{action}: {exc.description}", exc.details) from None
        try:
            return getattr(self._call_result, action)(**from_wire(response.payload))
        except TypeError as exc:  # a field the dataclass does not have (validation skipped)
            raise InvalidAnswer(f"{action}: {exc}") from None

    async def start(self) -> None:
        try:
            while True:
                message = await self._connection.recv()
                if log.isEnabledFor(logging.DEBUG):
                    log.debug("%s <- %s", self.id, redacted(message))
                if self._frame_log is not None:
                    self._frame_log("<-", message)
                if _maybe_call(message):
                    spawn(self._route(message), "ocpp-message", logger=log, keep=self._handler_tasks)
                else:  # an answer: handed to the waiting call at once, without a task of its own
                    try:
                        await self.route_message(message)
                    except Exception:
                        log.exception("routing an answer from the CSMS failed")
        finally:
            self._response_queue.put_nowait(_CLOSED)
            for task in list(self._handler_tasks):
                task.cancel()

    async def _route(self, message: str | bytes) -> None:
        call_id = _incoming_call(message, self._actions)
        try:
            # an answer that cannot go out because the connection is gone: the CSMS will ask again
            with contextlib.suppress(websockets.ConnectionClosed):
                await self.route_message(message)
        finally:
            if call_id is not None:
                self._actions.pop(call_id, None)

    async def _get_specific_response(self, unique_id: str, timeout: float) -> Any:
        """The package's wait for our call's answer, which also ends when the connection does (the
        package would hold its call lock until the response timeout, blocking every later call)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            queue = self._response_queue
            if queue.empty():
                async with asyncio.timeout(left):  # no task per wait, unlike wait_for
                    response = await queue.get()
            else:
                response = queue.get_nowait()
            if response is _CLOSED:
                self._response_queue.put_nowait(_CLOSED)  # for whoever waits next
                raise NotConnected("the connection closed before the CSMS answered")
            if response.unique_id == unique_id:
                return response
            log.warning("ignoring an answer to an unknown call (id %s)", str(response.unique_id)[:40])

    async def _send(self, message: str) -> None:
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s -> %s", self.id, redacted(message))
        if self._frame_log is not None:
            self._frame_log("->", message)
        if message.startswith("[4"):
            self._log_call_error(message)
        await self._connection.send(message)

    def _log_call_error(self, message: str) -> None:
        """The package answers some requests with a CALLERROR by itself (an unknown action, a request
        or our own answer failing its schema) and logs that only to its silenced logger."""
        try:
            _type, call_id, code, description, *_ = json.loads(message)
        except (ValueError, TypeError):
            return
        action = self._actions.get(call_id, "a request")
        level = logging.INFO if code in ("NotImplemented", "NotSupported") else logging.WARNING
        log.log(level, "answered %s from the CSMS with CALLERROR %s: %s", action, code, description)


def _maybe_call(message: str | bytes) -> bool:
    """False only for frames that cannot be a CALL: a CALLRESULT or CALLERROR (``[3`` / ``[4``)."""
    return not (isinstance(message, str) and _ANSWER_FRAME.match(message))


def _incoming_call(message: str | bytes, actions: dict[str, str]) -> str | None:
    """Note the action of an incoming CALL by its unique id; returns the id (None for others)."""
    try:
        frame = json.loads(message)
        if frame[0] == 2:
            actions[str(frame[1])] = str(frame[2])
            return str(frame[1])
    except (ValueError, TypeError, IndexError, KeyError):
        pass
    return None


async def serve_session(
    session: ChargePointSession,
    outbox: Outbox,
    sender: QueueSender,
    registering: Coroutine[Any, Any, None],
    on_end: Callable[[], None],
) -> None:
    """Run one connection: read until it closes while ``registering`` (boot or resume) runs beside."""
    outbox.session = session
    reader = asyncio.create_task(session.start(), name="ocpp-reader")  # awaited below
    registration = spawn(registering, "ocpp-registration", logger=log)
    try:
        await reader
    finally:
        outbox.session = None
        sender.online.clear()
        registration.cancel()
        on_end()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await registration


def _call_error(response: Any) -> OCPPError:
    """The CALLERROR as an OCPPError; a code the ``ocpp`` package does not know (RpcFrameworkError,
    MessageTypeNotSupported, a vendor's) as GenericError, so every caller sees a CALLERROR."""
    try:
        error: OCPPError = response.to_exception()
    except UnknownCallErrorCodeError:
        error = GenericError(f"{response.error_code}: {response.error_description}", response.error_details)
    return error
