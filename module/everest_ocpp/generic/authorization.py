"""What ``auth_validator`` and ``auth_provider`` need from an OCPP backend (1.6 or 2.0.1).

The values mirror EVerest's authorization types (``types/authorization.yaml``) as plain dataclasses:
token types, authorization and certificate statuses keep EVerest's names, which are also the OCPP
2.0.1 names (1.6 maps its idTagInfo statuses onto them). A backend that authorizes implements
:class:`Authorization`; the provided implementations translate to and from the EVerest types and
listen to its :class:`AuthorizationEvents`. Nothing here knows MQTT or OCPP-J.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AdditionalInfo:
    value: str
    type: str


@dataclass(frozen=True, slots=True)
class IdToken:
    """EVerest ``IdToken``: ``type`` is an EVerest IdTokenType (ISO14443, eMAID, Central, ...)."""

    value: str
    type: str
    additional_info: tuple[AdditionalInfo, ...] = ()


@dataclass(frozen=True, slots=True)
class OcspData:
    """One contract certificate's OCSP request data (EVerest ``CertificateHashDataInfo``)."""

    hash_algorithm: str
    issuer_name_hash: str
    issuer_key_hash: str
    serial_number: str
    responder_url: str


@dataclass(frozen=True, slots=True)
class TokenRequest:
    """EVerest ``ProvidedIdToken``: a token to validate, or one the CSMS provides (remote start)."""

    id_token: IdToken
    authorization_type: str  # OCPP, RFID, Autocharge, PlugAndCharge, BankCard
    parent_id_token: IdToken | None = None
    request_id: int | None = None  # 2.0.1: the remoteStartId of a remote start
    connectors: tuple[int, ...] | None = None  # EVSE ids the token may be used on
    prevalidated: bool | None = None
    certificate: str | None = None  # PEM contract certificate chain (Plug & Charge)
    ocsp_data: tuple[OcspData, ...] | None = None


@dataclass(frozen=True, slots=True)
class MessageText:
    """EVerest ``MessageContent`` (a personal or tariff message for the driver)."""

    content: str
    format: str | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Validation:
    """EVerest ``ValidationResult``: ``status`` is an EVerest AuthorizationStatus."""

    status: str
    certificate_status: str | None = None
    expiry_time: str | None = None  # RFC 3339
    parent_id_token: IdToken | None = None
    evse_ids: tuple[int, ...] | None = None
    messages: tuple[MessageText, ...] = ()  # tariff_messages
    reservation_id: int | None = None


UNKNOWN = Validation("Unknown")


@dataclass(frozen=True, slots=True)
class ValidationUpdate:
    """EVerest ``ValidationResultUpdate``: the CSMS changed what it says about a token in use."""

    validation: Validation
    connector_id: int  # the EVSE id (EVerest's Auth calls its EVSEs connectors)


class AuthorizationEvents:
    """What a backend's authorization reports; ``auth_provider`` / ``auth_validator`` listen.

    A listener that fails is logged; the others still hear the event.
    """

    def __init__(self) -> None:
        self.provided_token_listeners: list[Callable[[TokenRequest], None]] = []
        self.validation_update_listeners: list[Callable[[ValidationUpdate], None]] = []

    def provide_token(self, token: TokenRequest) -> None:
        """A token from the CSMS for the Auth module (remote start)."""
        for listener in self.provided_token_listeners:
            try:
                listener(token)
            except Exception:
                log.exception("provided token listener failed")

    def validation_updated(self, update: ValidationUpdate) -> None:
        for listener in self.validation_update_listeners:
            try:
                listener(update)
            except Exception:
                log.exception("validation update listener failed")


class Authorization(Protocol):
    """Token validation of one OCPP version (local list, cache, the CSMS, offline rules)."""

    events: AuthorizationEvents

    async def validate(self, request: TokenRequest) -> Validation:
        """The verdict on ``request``; never raises (a failure is an Unknown status)."""
        ...
