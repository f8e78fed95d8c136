"""The provided commands of a module: arguments checked, handler run, result checked and answered.

Every command that can be answered is answered exactly once, with its result or one of the EVerest
protocol's error types; a command whose ``origin`` cannot be part of an answer topic (see
:mod:`.topic_check`) is logged and dropped before its handler runs.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from .definitions import InterfaceDef, KnownValid
from .errors import CmdError
from .mqtt import MqttConnection
from .protocol import (
    CmdErrorType,
    EnvelopeError,
    MsgType,
    Topics,
    cmd_error,
    cmd_result,
    cmd_result_envelope,
    encode,
    envelope,
    parse_envelope,
)
from .setup import SetupError
from .topic_check import shown

log = logging.getLogger("everest_ocpp.everest.runtime")  # the runtime's log, as before the split

Handler = Callable[..., Any | Awaitable[Any]]


class CommandServer:
    """Answers the commands of the implementations a module provides."""

    def __init__(
        self,
        mqtt: MqttConnection,
        topics: Topics,
        module_id: Callable[[], str],
        interface: Callable[[str], InterfaceDef],
        spawn: Callable[[Awaitable[Any]], None],
    ) -> None:
        self.mqtt = mqtt
        self.topics = topics
        self._module_id = module_id
        self._interface = interface
        self._spawn = spawn
        self.handlers: dict[tuple[str, str], Handler] = {}

    def on_message(self, topic: str, payload: bytes) -> None:
        """One command message: answered exactly once, or logged and dropped when unanswerable."""
        module_id = self._module_id()
        parts = topic.split("/")
        impl, cmd = parts[-3], parts[-1]
        try:
            msg_type, data = parse_envelope(payload)
        except EnvelopeError as exc:
            log.warning("dropping command message on %s: %s", shown(topic, 200), exc)
            return
        if msg_type != MsgType.CMD:
            log.warning(
                "dropping message of type %s on command topic %s", shown(msg_type, 40), shown(topic, 200)
            )
            return
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("id"), str)
            or not isinstance(data.get("origin"), str)
        ):
            log.warning("dropping command on %s without id or origin", shown(topic, 200))
            return
        call_id, origin = data["id"], data["origin"]
        reply_topic = self.topics.cmd_response(module_id, impl, cmd, origin)
        problem = self.mqtt.topic_problem(reply_topic)
        if problem is not None:
            log.warning(
                "dropping command on %s id %s: origin %s cannot be answered (answer topic: %s)",
                shown(topic, 200),
                shown(call_id, 40),
                shown(origin),
                problem,
            )
            return

        def fail(kind: CmdErrorType, message: str, **extra: Any) -> None:
            log.warning(
                "command on %s from %s failed: %s: %s", shown(topic, 200), shown(origin), kind, message
            )
            self._publish_result(reply_topic, cmd_error(call_id, module_id, kind, message, **extra))

        handler = self.handlers.get((impl, cmd))
        try:
            iface = self._interface(impl)
        except SetupError:
            fail(CmdErrorType.HANDLER_EXCEPTION, f"unknown implementation '{impl}'")
            return
        cmd_def = iface.cmds.get(cmd)
        if cmd_def is None:
            fail(CmdErrorType.HANDLER_EXCEPTION, f"interface {iface.name} has no command '{cmd}'")
            return
        args = data.get("args")
        if args is None:
            args = {}
        problem = cmd_def.args_validator.error(args)
        if problem is not None:
            fail(CmdErrorType.SCHEMA_VALIDATION, f"arguments of {cmd}: {problem}")
            return
        if handler is None:
            fail(CmdErrorType.HANDLER_EXCEPTION, f"{cmd}: not implemented")
            return

        def finish(result: Any) -> None:
            try:
                encoded = encode(result).encode()
            except ValueError:  # NaN or Infinity: answered with an error by _publish_result
                self._publish_result(reply_topic, cmd_result(call_id, module_id, result))
                return
            digest = KnownValid.digest(encoded)
            if digest not in cmd_def.valid_results:  # an answer identical to a valid one is valid
                problem = cmd_def.result_validator.error(result)
                if problem is not None:
                    fail(
                        CmdErrorType.SCHEMA_VALIDATION,
                        f"result of {cmd}: {problem}",
                        retval=result,
                        with_retval=True,
                    )
                    return
                cmd_def.valid_results.add(digest)
            self.mqtt.publish(reply_topic, cmd_result_envelope(call_id, module_id, encoded))

        try:
            result = handler(**args)
        except CmdError as exc:
            fail(exc.error_type, str(exc))
            return
        except Exception as exc:
            log.exception("handler of %s/%s raised", impl, cmd)
            fail(CmdErrorType.HANDLER_EXCEPTION, f"{cmd}: {type(exc).__name__}: {exc}")
            return
        if not inspect.isawaitable(result):
            finish(result)
            return

        async def complete(awaitable: Awaitable[Any]) -> None:
            try:
                finish(await awaitable)
            except CmdError as exc:
                fail(exc.error_type, str(exc))
            except Exception as exc:
                log.exception("handler of %s/%s raised", impl, cmd)
                fail(CmdErrorType.HANDLER_EXCEPTION, f"{cmd}: {type(exc).__name__}: {exc}")

        self._spawn(complete(result))

    def _publish_result(self, topic: str, data: dict[str, Any]) -> None:
        try:
            payload = envelope(MsgType.CMD_RESULT, data)
        except ValueError as exc:  # NaN or Infinity in a result: answer, but without it
            log.warning("result on %s is not JSON: %s", topic, exc)
            inner = data["data"]
            error = CmdErrorType.HANDLER_EXCEPTION, f"result is not representable in JSON: {exc}"
            payload = envelope(MsgType.CMD_RESULT, cmd_error(inner["id"], inner["origin"], *error))
        self.mqtt.publish(topic, payload)
