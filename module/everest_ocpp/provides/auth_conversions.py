"""EVerest authorization types (``types/authorization.yaml``) <-> the backend's dataclasses.

Arguments arrive validated against the interface by the runtime, so required keys are present;
optional ones are read with care. Results are built to pass the interface's result schema
(``additionalProperties: false``: only known keys, no nulls).
"""

from __future__ import annotations

from typing import Any

from ..generic.authorization import (
    AdditionalInfo,
    IdToken,
    MessageText,
    OcspData,
    TokenRequest,
    Validation,
    ValidationUpdate,
)


def id_token_from_everest(token: dict[str, Any]) -> IdToken:
    extra = token.get("additional_info") or []
    return IdToken(
        str(token.get("value", "")),
        str(token.get("type", "Local")),
        tuple(AdditionalInfo(str(i.get("value", "")), str(i.get("type", ""))) for i in extra),
    )


def id_token_to_everest(token: IdToken) -> dict[str, Any]:
    out: dict[str, Any] = {"value": token.value, "type": token.type}
    if token.additional_info:
        out["additional_info"] = [{"value": i.value, "type": i.type} for i in token.additional_info]
    return out


def _ocsp(item: dict[str, Any]) -> OcspData:
    return OcspData(
        str(item.get("hashAlgorithm", "")),
        str(item.get("issuerNameHash", "")),
        str(item.get("issuerKeyHash", "")),
        str(item.get("serialNumber", "")),
        str(item.get("responderURL", "")),
    )


def token_request_from_everest(provided: dict[str, Any]) -> TokenRequest:
    """A ``ProvidedIdToken`` (validate_token's argument)."""
    parent = provided.get("parent_id_token")
    connectors = provided.get("connectors")
    ocsp = provided.get("iso15118CertificateHashData")
    return TokenRequest(
        id_token=id_token_from_everest(provided["id_token"]),
        authorization_type=str(provided["authorization_type"]),
        parent_id_token=id_token_from_everest(parent) if isinstance(parent, dict) else None,
        request_id=provided.get("request_id"),
        connectors=tuple(int(c) for c in connectors) if isinstance(connectors, list) else None,
        prevalidated=provided.get("prevalidated"),
        certificate=provided.get("certificate"),
        ocsp_data=tuple(_ocsp(i) for i in ocsp) if isinstance(ocsp, list) else None,
    )


def token_request_to_everest(request: TokenRequest) -> dict[str, Any]:
    """The ``ProvidedIdToken`` published as auth_provider's ``provided_token``."""
    out: dict[str, Any] = {
        "id_token": id_token_to_everest(request.id_token),
        "authorization_type": request.authorization_type,
    }
    if request.request_id is not None:
        out["request_id"] = request.request_id
    if request.parent_id_token is not None:
        out["parent_id_token"] = id_token_to_everest(request.parent_id_token)
    if request.connectors is not None:
        out["connectors"] = list(request.connectors)
    if request.prevalidated is not None:
        out["prevalidated"] = request.prevalidated
    if request.certificate is not None:
        out["certificate"] = request.certificate
    if request.ocsp_data is not None:
        out["iso15118CertificateHashData"] = [
            {
                "hashAlgorithm": o.hash_algorithm,
                "issuerNameHash": o.issuer_name_hash,
                "issuerKeyHash": o.issuer_key_hash,
                "serialNumber": o.serial_number,
                "responderURL": o.responder_url,
            }
            for o in request.ocsp_data
        ]
    return out


def _message(text: MessageText) -> dict[str, Any]:
    out: dict[str, Any] = {"content": text.content}
    if text.format is not None:
        out["format"] = text.format
    if text.language is not None:
        out["language"] = text.language
    return out


def validation_to_everest(result: Validation) -> dict[str, Any]:
    """A ``ValidationResult`` (validate_token's result)."""
    out: dict[str, Any] = {
        "authorization_status": result.status,
        "tariff_messages": [_message(m) for m in result.messages],
    }
    if result.certificate_status is not None:
        out["certificate_status"] = result.certificate_status
    if result.expiry_time is not None:
        out["expiry_time"] = result.expiry_time
    if result.parent_id_token is not None:
        out["parent_id_token"] = id_token_to_everest(result.parent_id_token)
    if result.evse_ids:
        out["evse_ids"] = list(result.evse_ids)
    if result.reservation_id is not None:
        out["reservation_id"] = result.reservation_id
    return out


def validation_update_to_everest(update: ValidationUpdate) -> dict[str, Any]:
    """A ``ValidationResultUpdate`` (auth_validator's ``validate_result_update``)."""
    return {
        "validation_result": validation_to_everest(update.validation),
        "connector_id": update.connector_id,
    }
