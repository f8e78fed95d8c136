"""auth_validator and auth_provider on a backend that authorizes: EVerest types in, neutral types to the
backend, EVerest types out, each checked against the interface's schema as the runtime checks them."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from everest_ocpp.everest import metaschema
from everest_ocpp.everest.definition_check import CheckedDefinitions, check_definitions
from everest_ocpp.generic.authorization import (
    AdditionalInfo,
    AuthorizationEvents,
    IdToken,
    MessageText,
    OcspData,
    TokenRequest,
    Validation,
    ValidationUpdate,
)
from everest_ocpp.provides.auth_provider import AuthProvider
from everest_ocpp.provides.auth_validator import AuthValidator

ROOT = Path(__file__).resolve().parents[2]


class FakeAuthorization:
    def __init__(self, answer: Validation | Exception) -> None:
        self.events = AuthorizationEvents()
        self.answer = answer
        self.requests: list[TokenRequest] = []

    async def validate(self, request: TokenRequest) -> Validation:
        self.requests.append(request)
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


class Backend:
    version = "2.0.1"

    def __init__(self, authorization: FakeAuthorization) -> None:
        self.authorization = authorization


@pytest.fixture(scope="module")
def defs() -> CheckedDefinitions:
    return check_definitions(ROOT)


def _check(defs: CheckedDefinitions, interface: str, schema: dict[str, Any], value: Any) -> None:
    errors = [e.message for e in metaschema.value_validator(schema, defs.registry).iter_errors(value)]
    assert errors == [], f"{interface}: {value!r}"


def test_validate_token_translates_both_ways(defs: CheckedDefinitions) -> None:
    answer = Validation(
        "Accepted",
        certificate_status="Accepted",
        expiry_time="2030-01-01T00:00:00.000Z",
        parent_id_token=IdToken("G", "Central"),
        evse_ids=(1, 2),
        messages=(MessageText("Hallo", "UTF8", "de"), MessageText("plain")),
    )
    authorization = FakeAuthorization(answer)
    published: list[tuple[str, Any]] = []
    validator = AuthValidator(lambda var, value: published.append((var, value)))
    validator.attach(Backend(authorization))  # type: ignore[arg-type]
    provided = {
        "id_token": {"value": "E1", "type": "eMAID", "additional_info": [{"value": "x", "type": "y"}]},
        "parent_id_token": {"value": "P", "type": "Central"},
        "authorization_type": "PlugAndCharge",
        "request_id": 3,
        "connectors": [2],
        "prevalidated": False,
        "certificate": "PEM",
        "iso15118CertificateHashData": [
            {
                "hashAlgorithm": "SHA256",
                "issuerNameHash": "n",
                "issuerKeyHash": "k",
                "serialNumber": "s",
                "responderURL": "u",
            }
        ],
    }
    result = asyncio.run(validator.validate_token(provided))
    assert authorization.requests == [
        TokenRequest(
            IdToken("E1", "eMAID", (AdditionalInfo("x", "y"),)),
            "PlugAndCharge",
            parent_id_token=IdToken("P", "Central"),
            request_id=3,
            connectors=(2,),
            prevalidated=False,
            certificate="PEM",
            ocsp_data=(OcspData("SHA256", "n", "k", "s", "u"),),
        )
    ]
    assert result == {
        "authorization_status": "Accepted",
        "certificate_status": "Accepted",
        "expiry_time": "2030-01-01T00:00:00.000Z",
        "parent_id_token": {"value": "G", "type": "Central"},
        "evse_ids": [1, 2],
        "tariff_messages": [{"content": "Hallo", "format": "UTF8", "language": "de"}, {"content": "plain"}],
    }
    cmd = defs.interfaces["auth_token_validator"]["cmds"]["validate_token"]
    _check(defs, "validate_token result", cmd["result"], result)
    authorization.events.validation_updated(ValidationUpdate(Validation("Blocked"), 2))
    assert published == [
        (
            "validate_result_update",
            {
                "validation_result": {"authorization_status": "Blocked", "tariff_messages": []},
                "connector_id": 2,
            },
        )
    ]
    _check(
        defs,
        "validate_result_update",
        defs.interfaces["auth_token_validator"]["vars"]["validate_result_update"],
        published[0][1],
    )


def test_a_failing_backend_answers_unknown() -> None:
    validator = AuthValidator(lambda var, value: None)
    validator.attach(Backend(FakeAuthorization(RuntimeError("boom"))))  # type: ignore[arg-type]
    token = {"id_token": {"value": "T", "type": "ISO14443"}, "authorization_type": "RFID"}
    assert asyncio.run(validator.validate_token(token)) == {
        "authorization_status": "Unknown",
        "tariff_messages": [],
    }


def test_provided_tokens_are_published_as_everest_types(defs: CheckedDefinitions) -> None:
    authorization = FakeAuthorization(Validation("Accepted"))
    published: list[tuple[str, Any]] = []
    provider = AuthProvider(lambda var, value: published.append((var, value)))
    provider.attach(Backend(authorization))  # type: ignore[arg-type]
    authorization.events.provide_token(
        TokenRequest(IdToken("R", "ISO14443"), "OCPP", IdToken("G", "Central"), 9, (1,), True)
    )
    assert published == [
        (
            "provided_token",
            {
                "id_token": {"value": "R", "type": "ISO14443"},
                "authorization_type": "OCPP",
                "request_id": 9,
                "parent_id_token": {"value": "G", "type": "Central"},
                "connectors": [1],
                "prevalidated": True,
            },
        )
    ]
    _check(
        defs,
        "provided_token",
        defs.interfaces["auth_token_provider"]["vars"]["provided_token"],
        published[0][1],
    )
