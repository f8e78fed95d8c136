"""OCPP 2.0.1 authorization data (snake_case, as the ``ocpp`` package hands it) <-> the neutral types.

EVerest's IdTokenType, AuthorizationStatus, CertificateStatus and MessageFormat use the 2.0.1 names,
so values pass unchanged, as in the C++ OCPP201 module's ``conversions.cpp``; an IdTokenInfo becomes a
ValidationResult with cacheExpiryDateTime as expiry, groupIdToken as parent token, personalMessage
(and the multi-language ``personalMessageExtra`` of customData) as tariff messages and evseId as EVSE
ids.
"""

from __future__ import annotations

from typing import Any

from ..generic.authorization import AdditionalInfo, IdToken, MessageText, OcspData, Validation
from ..timestamps import normalized, parse

MULTI_LANGUAGE_VENDOR = "org.openchargealliance.multilanguage"


def ocpp_id_token(token: IdToken) -> dict[str, Any]:
    """OCPP IdTokenType (snake_case payload)."""
    out: dict[str, Any] = {"id_token": token.value, "type": token.type}
    if token.additional_info:
        out["additional_info"] = [
            {"additional_id_token": i.value, "type": i.type} for i in token.additional_info
        ]
    return out


def id_token_of(data: dict[str, Any]) -> IdToken:
    """An OCPP IdTokenType (snake_case) as the neutral token."""
    extra = data.get("additional_info") or []
    return IdToken(
        str(data.get("id_token", "")),
        str(data.get("type", "")),
        tuple(
            AdditionalInfo(str(i.get("additional_id_token", "")), str(i.get("type", "")))
            for i in extra
            if isinstance(i, dict)
        ),
    )


def plain_id_token_of(data: dict[str, Any]) -> IdToken:
    """An OCPP IdTokenType as the C++ module hands tokens to EVerest: value and type, no additionalInfo."""
    return IdToken(str(data.get("id_token", "")), str(data.get("type", "")))


def ocpp_ocsp(data: OcspData) -> dict[str, Any]:
    """OCPP OCSPRequestDataType (snake_case payload)."""
    return {
        "hash_algorithm": data.hash_algorithm,
        "issuer_name_hash": data.issuer_name_hash,
        "issuer_key_hash": data.issuer_key_hash,
        "serial_number": data.serial_number,
        "responder_url": data.responder_url,
    }


def _message(data: Any) -> MessageText | None:
    if not isinstance(data, dict) or not isinstance(data.get("content"), str):
        return None
    return MessageText(data["content"], data.get("format"), data.get("language"))


def validation_of(info: dict[str, Any], certificate_status: str | None = None) -> Validation:
    """An OCPP IdTokenInfoType (snake_case) as a validation result."""
    messages = [m for m in [_message(info.get("personal_message"))] if m is not None]
    custom = info.get("custom_data")
    if isinstance(custom, dict) and custom.get("vendor_id") == MULTI_LANGUAGE_VENDOR:
        extra = custom.get("personal_message_extra")
        if isinstance(extra, list):
            messages += [m for m in (_message(e) for e in extra) if m is not None]
    group = info.get("group_id_token")
    evse_ids = info.get("evse_id")
    valid_evses = (
        tuple(e for e in evse_ids if isinstance(e, int) and e >= 1) if isinstance(evse_ids, list) else ()
    )
    expiry = info.get("cache_expiry_date_time")
    return Validation(
        status=str(info.get("status", "Unknown")),
        certificate_status=certificate_status,
        expiry_time=normalized(expiry) if isinstance(expiry, str) else None,
        parent_id_token=plain_id_token_of(group) if isinstance(group, dict) else None,
        evse_ids=valid_evses or None,
        messages=tuple(messages),
    )


def expiry_epoch(info: dict[str, Any]) -> float | None:
    """cacheExpiryDateTime as epoch seconds (None: none, or not a date)."""
    moment = parse(info.get("cache_expiry_date_time"))
    return None if moment is None else moment.timestamp()
