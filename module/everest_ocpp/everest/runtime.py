"""The EVerest module runtime: commands, vars, calls to required modules, errors, ready handshake.

It knows the EVerest MQTT protocol and nothing of OCPP. Bad input never stops it: every incoming
message that can be answered is answered exactly once with a result or one of the protocol's error
types, everything else is logged and dropped. Provided commands are answered by
:class:`.commands.CommandServer`.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from ..timestamps import rfc3339
from .commands import CommandServer, Handler
from .definitions import Definitions, InterfaceDef
from .errors import CmdError
from .mqtt import MqttConnection
from .protocol import (
    CmdErrorType,
    EnvelopeError,
    MsgType,
    Topics,
    envelope,
    parse_envelope,
)
from .setup import Connection, ModuleSetup, SetupError

log = logging.getLogger(__name__)

VarCallback = Callable[[Any], None]
ErrorCallback = Callable[[bool, dict[str, Any]], None]  # (raised, EVerest error object)

DEFAULT_CALL_TIMEOUT_S = 30.0
_READY_ACK_S = 1.0


class Runtime:
    """One EVerest module on one MQTT connection."""

    def __init__(
        self,
        mqtt: MqttConnection,
        prefix: str,
        setup: ModuleSetup,
        definitions: Definitions,
        external_prefix: str = "",
    ) -> None:
        self.mqtt = mqtt
        self.external_prefix = external_prefix
        self.topics = Topics(prefix)
        self.setup = setup
        self.defs = definitions
        self._var_subs: dict[str, list[tuple[InterfaceDef, str, VarCallback]]] = {}
        self._pending: dict[str, asyncio.Future[Any]] = {}
        self._global_ready = asyncio.Event()
        self.on_global_ready: Callable[[], None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._extra_subs: list[tuple[str, Callable[[str, bytes], None]]] = []
        self._started = False
        self.commands = CommandServer(
            mqtt, self.topics, lambda: self.module_id, self._provided_interface, self._spawn
        )
        self._on_cmd = self.commands.on_message

    @property
    def module_id(self) -> str:
        return self.setup.module_id

    # ---- registration (before start) -------------------------------------------------------------
    def implement(self, impl: str, cmd: str, handler: Handler) -> None:
        """``handler(**args)`` returns the result (or an awaitable of it)."""
        iface = self._provided_interface(impl)
        if cmd not in iface.cmds:
            raise SetupError(f"interface {iface.name} of {impl} has no command {cmd}")
        self.commands.handlers[(impl, cmd)] = handler

    def connections(self, requirement: str) -> list[Connection]:
        return self.setup.connections.get(requirement, [])

    def subscribe_var(self, requirement: str, index: int, var: str, callback: VarCallback) -> None:
        conn = self._connection(requirement, index)
        iface = self._required_interface(requirement)
        if var not in iface.vars:
            raise SetupError(f"interface {iface.name} of requirement {requirement} has no var {var}")
        topic = self.topics.var(conn.module_id, conn.implementation_id, var)
        first = topic not in self._var_subs
        self._var_subs.setdefault(topic, []).append((iface, var, callback))
        if first:
            self.mqtt.add_handler(topic, self._on_var)
            if self._started:
                self._spawn(self.mqtt.subscribe([topic]))

    def subscribe_errors(self, callback: ErrorCallback) -> None:
        """Every error raised or cleared by any module (the manifest's ``enable_global_errors``).

        ``callback(raised, error)`` gets the EVerest error object; malformed ones are dropped.
        """
        topic = f"{self.topics.prefix}modules/+/impl/+/error/#"

        def on_error(_topic: str, payload: bytes) -> None:
            try:
                msg_type, data = parse_envelope(payload)
            except EnvelopeError:
                return
            if msg_type not in (MsgType.RAISE_ERROR, MsgType.CLEAR_ERROR) or not isinstance(data, dict):
                return
            if not isinstance(data.get("type"), str) or not isinstance(data.get("origin"), dict):
                log.warning("dropping malformed error message on %s", _topic)
                return
            try:
                callback(msg_type == MsgType.RAISE_ERROR, data)
            except Exception:
                log.exception("error callback raised")

        self._extra_subs.append((topic, on_error))

    def subscribe_external(self, topic: str, callback: Callable[[bytes], None]) -> None:
        """A raw (non-EVerest) topic under the external prefix, as ``enable_external_mqtt`` allows."""
        full = f"{self.external_prefix}{topic}"

        def on_message(_topic: str, payload: bytes) -> None:
            try:
                callback(payload)
            except Exception:
                log.exception("external MQTT callback for %s raised", full)

        self._extra_subs.append((full, on_message))

    # ---- start-up --------------------------------------------------------------------------------
    async def start(self) -> None:
        """Subscribe to everything, then announce ModuleReady (nothing published before is missed)."""
        own = self.topics.own_cmds_filter(self.module_id)
        responses = self.topics.responses_filter(self.module_id)
        self.mqtt.add_handler(own, self._on_cmd)
        self.mqtt.add_handler(responses, self._on_cmd_result)
        self.mqtt.add_handler(self.topics.global_ready, self._on_global_ready)
        for topic, handler in self._extra_subs:
            self.mqtt.add_handler(topic, handler)
        extra = [topic for topic, _handler in self._extra_subs]
        await self.mqtt.subscribe([own, responses, self.topics.global_ready, *self._var_subs, *extra])
        self._started = True
        self.mqtt.publish(self.topics.ready(self.module_id), envelope(MsgType.MODULE_READY, True))
        log.info("module %s ready", self.module_id)
        # delivered (QoS 2 needs our PUBREL) before the caller goes on with long synchronous work
        await self.mqtt.wait_acknowledged(_READY_ACK_S)

    @property
    def global_ready(self) -> bool:
        return self._global_ready.is_set()

    async def wait_global_ready(self) -> None:
        await self._global_ready.wait()

    def _on_global_ready(self, _topic: str, payload: bytes) -> None:
        try:
            msg_type, data = parse_envelope(payload)
        except EnvelopeError:
            return  # cleared retained topic or junk
        if msg_type == MsgType.GLOBAL_READY and data is True and not self._global_ready.is_set():
            self._global_ready.set()
            log.info("global ready")
            if self.on_global_ready:
                self.on_global_ready()

    # ---- vars ------------------------------------------------------------------------------------
    def publish_var(self, impl: str, var: str, value: Any) -> bool:
        """Validate and publish; an invalid value is logged and not published (returns False)."""
        iface = self._provided_interface(impl)
        validator = iface.vars.get(var)
        if validator is None:
            log.error("not publishing %s/%s: interface %s has no such var", impl, var, iface.name)
            return False
        problem = validator.error(value)
        if problem is not None:
            log.error("not publishing invalid %s/%s: %s", impl, var, problem)
            return False
        try:
            payload = envelope(MsgType.VAR, {"data": value})
        except ValueError as exc:
            log.error("not publishing %s/%s: %s", impl, var, exc)
            return False
        return self.mqtt.publish(self.topics.var(self.module_id, impl, var), payload)

    def _on_var(self, topic: str, payload: bytes) -> None:
        try:
            msg_type, data = parse_envelope(payload)
        except EnvelopeError as exc:
            log.warning("dropping var message on %s: %s", topic, exc)
            return
        if msg_type != MsgType.VAR or not isinstance(data, dict) or "data" not in data:
            log.warning("dropping malformed var message on %s", topic)
            return
        value = data["data"]
        for iface, var, callback in self._var_subs.get(topic, []):
            problem = iface.vars[var].error(value)
            if problem is not None:
                log.warning("dropping invalid value of %s: %s", topic, problem)
                continue
            try:
                callback(value)
            except Exception:
                log.exception("var callback for %s raised", topic)

    # ---- calling required modules ----------------------------------------------------------------
    async def call(
        self,
        requirement: str,
        index: int,
        cmd: str,
        args: dict[str, Any] | None = None,
        timeout: float = DEFAULT_CALL_TIMEOUT_S,
    ) -> Any:
        """Call a command of a connected module; raises CmdError (incl. CmdTimeout) on failure."""
        conn = self._connection(requirement, index)
        iface = self._required_interface(requirement)
        cmd_def = iface.cmds.get(cmd)
        if cmd_def is None:
            raise CmdError(CmdErrorType.HANDLER_EXCEPTION, f"interface {iface.name} has no command {cmd}")
        args = args or {}
        problem = cmd_def.args_validator.error(args)
        if problem is not None:
            # never send what a C++ provider would crash on
            raise CmdError(CmdErrorType.SCHEMA_VALIDATION, f"arguments of {cmd}: {problem}")
        call_id = str(uuid.uuid4())
        try:
            message = envelope(MsgType.CMD, {"id": call_id, "args": args, "origin": self.module_id})
        except ValueError as exc:  # NaN or Infinity
            raise CmdError(CmdErrorType.SCHEMA_VALIDATION, f"arguments of {cmd}: {exc}") from None
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[call_id] = fut
        self.mqtt.publish(self.topics.cmd(conn.module_id, conn.implementation_id, cmd), message)
        try:
            return await asyncio.wait_for(fut, timeout)
        except TimeoutError:
            raise CmdError(
                CmdErrorType.CMD_TIMEOUT,
                f"{conn.module_id}/{conn.implementation_id} {cmd}: no answer in {timeout}s",
            ) from None
        finally:
            self._pending.pop(call_id, None)

    def _on_cmd_result(self, topic: str, payload: bytes) -> None:
        try:
            msg_type, data = parse_envelope(payload)
        except EnvelopeError as exc:
            log.warning("dropping command result on %s: %s", topic, exc)
            return
        inner = data.get("data") if isinstance(data, dict) else None
        if (
            msg_type != MsgType.CMD_RESULT
            or not isinstance(inner, dict)
            or not isinstance(inner.get("id"), str)
        ):
            log.warning("dropping malformed command result on %s", topic)
            return
        fut = self._pending.get(inner["id"])
        if fut is None or fut.done():
            return  # late answer after a timeout, or someone else's id
        error = inner.get("error")
        if isinstance(error, dict):
            kind = error.get("__everest__error_type", CmdErrorType.HANDLER_EXCEPTION)
            try:
                error_type = CmdErrorType(kind)
            except ValueError:
                error_type = CmdErrorType.HANDLER_EXCEPTION
            fut.set_exception(CmdError(error_type, str(error.get("__everest__error_msg", ""))))
        else:
            fut.set_result(inner.get("retval"))

    # ---- errors ----------------------------------------------------------------------------------
    def raise_error(
        self, impl: str, error_type: str, message: str, severity: str = "Medium"
    ) -> dict[str, Any]:
        err = {
            "type": error_type,
            "sub_type": "",
            "message": message,
            "description": message,
            "origin": {"module_id": self.module_id, "implementation_id": impl},
            "vendor_id": "everest-ocpp",
            "severity": severity,
            "timestamp": rfc3339(),
            "uuid": str(uuid.uuid4()),
            "state": "Active",
        }
        self.mqtt.publish(
            self.topics.error(self.module_id, impl, error_type), envelope(MsgType.RAISE_ERROR, err)
        )
        return err

    def clear_error(self, impl: str, raised: dict[str, Any]) -> None:
        cleared = dict(raised, state="ClearedByModule")
        self.mqtt.publish(
            self.topics.error(self.module_id, impl, raised["type"]), envelope(MsgType.CLEAR_ERROR, cleared)
        )

    # ---- helpers ---------------------------------------------------------------------------------
    def _provided_interface(self, impl: str) -> InterfaceDef:
        spec = self.defs.provides.get(impl)
        if spec is None:
            raise SetupError(f"manifest provides no implementation '{impl}'")
        return self.defs.interface(spec["interface"])

    def _required_interface(self, requirement: str) -> InterfaceDef:
        spec = self.defs.requires.get(requirement)
        if spec is None:
            raise SetupError(f"manifest requires nothing called '{requirement}'")
        return self.defs.interface(spec["interface"])

    def _connection(self, requirement: str, index: int) -> Connection:
        conns = self.setup.connections.get(requirement, [])
        if not 0 <= index < len(conns):
            raise CmdError(
                CmdErrorType.HANDLER_EXCEPTION, f"requirement {requirement} has no connection #{index}"
            )
        return conns[index]

    def _spawn(self, coro: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
