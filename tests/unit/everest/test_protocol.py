"""Envelopes and topics of the EVerest MQTT protocol."""

from __future__ import annotations

import json

import pytest

from everest_ocpp.everest.protocol import (
    CmdErrorType,
    EnvelopeError,
    MsgType,
    Topics,
    cmd_error,
    cmd_result,
    envelope,
    normalize_prefix,
    parse_envelope,
)


def test_topics() -> None:
    t = Topics("everest/")
    assert t.cmd("ocpp", "ocpp_generic", "stop") == "everest/modules/ocpp/impl/ocpp_generic/cmd/stop"
    assert t.cmd_response("ocpp", "ocpp_generic", "stop", "api") == (
        "everest/modules/ocpp/impl/ocpp_generic/cmd/stop/response/api"
    )
    assert (
        t.var("ocpp", "ocpp_generic", "is_connected")
        == "everest/modules/ocpp/impl/ocpp_generic/var/is_connected"
    )
    assert (
        t.error("m", "i", "evse_manager/Inoperative")
        == "everest/modules/m/impl/i/error/evse_manager/Inoperative"
    )
    assert (t.ready("ocpp"), t.global_ready) == ("everest/modules/ocpp/ready", "everest/ready")
    assert (t.config_request, t.config_response("ocpp")) == (
        "everest/config/request",
        "everest/modules/ocpp/response",
    )
    assert normalize_prefix("x") == "x/" and normalize_prefix("x/") == "x/"


def test_envelopes() -> None:
    assert json.loads(envelope(MsgType.VAR, {"data": 1})) == {"msg_type": "Var", "data": {"data": 1}}
    assert cmd_result("1", "ocpp", None) == {
        "type": "result",
        "data": {"id": "1", "retval": None, "origin": "ocpp"},
    }
    assert cmd_error("1", "ocpp", CmdErrorType.HANDLER_EXCEPTION, "boom") == {
        "type": "result",
        "data": {
            "id": "1",
            "origin": "ocpp",
            "error": {"__everest__error_type": "HandlerException", "__everest__error_msg": "boom"},
        },
    }
    assert (
        "retval"
        in cmd_error("1", "o", CmdErrorType.SCHEMA_VALIDATION, "m", retval=3, with_retval=True)["data"]
    )
    assert {e.value for e in CmdErrorType} == {
        "MessageParsingError",
        "SchemaValidationError",
        "HandlerException",
        "CmdTimeout",
        "Shutdown",
        "NotReady",
    }


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        (b"", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        (b"[1]", "not a JSON object"),
        (b'{"data": 1}', "no msg_type"),
        (b'{"msg_type": 5, "data": 1}', "no msg_type"),
        (b'{"msg_type": "Var"}', "no data"),
    ],
)
def test_bad_envelopes(payload: bytes, problem: str) -> None:
    with pytest.raises(EnvelopeError, match=problem):
        parse_envelope(payload)


def test_good_envelope() -> None:
    assert parse_envelope(b'{"msg_type": "Cmd", "data": {"id": "x"}}') == ("Cmd", {"id": "x"})
