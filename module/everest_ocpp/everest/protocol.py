"""Topics and envelopes of the EVerest MQTT protocol (framework 0.25, everest-core >= 2025.12).

Every message under the everest prefix is ``{"msg_type": <type>, "data": <payload>}``; an unknown
``msg_type`` kills C++ receivers, so only the names below are ever sent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from . import json_limits


class MsgType(StrEnum):
    VAR = "Var"
    CMD = "Cmd"
    CMD_RESULT = "CmdResult"
    RAISE_ERROR = "RaiseError"
    CLEAR_ERROR = "ClearError"
    GET_CONFIG = "GetConfig"
    GET_CONFIG_RESPONSE = "GetConfigResponse"
    MODULE_READY = "ModuleReady"
    GLOBAL_READY = "GlobalReady"


class CmdErrorType(StrEnum):
    """The only error types a C++ caller can convert (anything else makes it throw)."""

    MESSAGE_PARSING = "MessageParsingError"
    SCHEMA_VALIDATION = "SchemaValidationError"
    HANDLER_EXCEPTION = "HandlerException"
    CMD_TIMEOUT = "CmdTimeout"
    SHUTDOWN = "Shutdown"
    NOT_READY = "NotReady"


def normalize_prefix(prefix: str) -> str:
    return prefix if prefix.endswith("/") else prefix + "/"


@dataclass(frozen=True, slots=True)
class Topics:
    """Topic builder for one everest prefix (always ending in '/')."""

    prefix: str

    def cmd(self, module_id: str, impl: str, cmd: str) -> str:
        return f"{self.prefix}modules/{module_id}/impl/{impl}/cmd/{cmd}"

    def cmd_response(self, module_id: str, impl: str, cmd: str, caller: str) -> str:
        return f"{self.cmd(module_id, impl, cmd)}/response/{caller}"

    def var(self, module_id: str, impl: str, var: str) -> str:
        return f"{self.prefix}modules/{module_id}/impl/{impl}/var/{var}"

    def error(self, module_id: str, impl: str, error_type: str) -> str:
        return f"{self.prefix}modules/{module_id}/impl/{impl}/error/{error_type}"

    def ready(self, module_id: str) -> str:
        return f"{self.prefix}modules/{module_id}/ready"

    @property
    def global_ready(self) -> str:
        return f"{self.prefix}ready"

    @property
    def config_request(self) -> str:
        return f"{self.prefix}config/request"

    def config_response(self, module_id: str) -> str:
        return f"{self.prefix}modules/{module_id}/response"

    def own_cmds_filter(self, module_id: str) -> str:
        return f"{self.prefix}modules/{module_id}/impl/+/cmd/+"

    def responses_filter(self, module_id: str) -> str:
        return f"{self.prefix}modules/+/impl/+/cmd/+/response/{module_id}"


# NaN/Infinity are not JSON: C++ receivers refuse the whole message (encoding raises ValueError).
_encode = json.JSONEncoder(separators=(",", ":"), allow_nan=False).encode


def envelope(msg_type: MsgType, data: Any) -> bytes:
    """Raises ValueError for data JSON cannot represent (NaN, Infinity)."""
    return _encode({"msg_type": msg_type.value, "data": data}).encode()


def encode(value: Any) -> str:
    """Compact JSON; raises ValueError for what JSON cannot represent (NaN, Infinity)."""
    return _encode(value)


def cmd_result_envelope(call_id: str, origin: str, retval_json: bytes) -> bytes:
    """``envelope(CMD_RESULT, cmd_result(call_id, origin, retval))`` from the already encoded retval
    (the runtime encodes a result once, to publish it and to recognise it, see KnownValid)."""
    head = '{"msg_type":"CmdResult","data":{"type":"result","data":{"id":' + _encode(call_id) + ',"retval":'
    return b"".join((head.encode(), retval_json, (',"origin":' + _encode(origin) + "}}}").encode()))


def cmd_result(call_id: str, origin: str, retval: Any) -> dict[str, Any]:
    return {"type": "result", "data": {"id": call_id, "retval": retval, "origin": origin}}


def cmd_error(
    call_id: str,
    origin: str,
    error: CmdErrorType,
    message: str,
    retval: Any = None,
    with_retval: bool = False,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": call_id,
        "origin": origin,
        "error": {"__everest__error_type": str(error), "__everest__error_msg": message},
    }
    if with_retval:
        data["retval"] = retval
    return {"type": "result", "data": data}


class EnvelopeError(ValueError):
    """A payload under the everest prefix that is not a usable envelope."""


def parse_envelope(payload: bytes) -> tuple[str, Any]:
    """Return (msg_type, data); raise EnvelopeError for anything malformed (never anything else).

    Nesting is limited (:mod:`.json_limits`), so whatever is accepted is safe to validate, log and
    echo back."""
    try:
        obj = json_limits.loads(payload)
    except ValueError as exc:  # incl. UnicodeDecodeError and JsonLimitError
        raise EnvelopeError(f"not JSON: {exc}") from None
    if not isinstance(obj, dict):
        raise EnvelopeError("not a JSON object")
    msg_type = obj.get("msg_type")
    if not isinstance(msg_type, str):
        raise EnvelopeError("no msg_type")
    if "data" not in obj:
        raise EnvelopeError("no data")
    return msg_type, obj["data"]
