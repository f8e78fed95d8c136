"""Plain data types of the OCPP 1.6 configuration store: profiles, key specs, results, errors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

# A value as it sits in the JSON config file.
JsonValue = str | int | float | bool | list["JsonValue"] | dict[str, "JsonValue"] | None


class Profile(StrEnum):
    """Config file sections; also the feature profiles that gate key visibility."""

    INTERNAL = "Internal"
    CORE = "Core"
    LOCAL_AUTH_LIST_MANAGEMENT = "LocalAuthListManagement"
    SMART_CHARGING = "SmartCharging"
    FIRMWARE_MANAGEMENT = "FirmwareManagement"
    RESERVATION = "Reservation"
    SECURITY = "Security"
    PNC = "PnC"
    COST_AND_PRICE = "CostAndPrice"
    CUSTOM = "Custom"


# Names accepted in Core.SupportedFeatureProfiles (RemoteTrigger has no keys, so no section).
KNOWN_FEATURE_PROFILES: frozenset[str] = frozenset({*(p.value for p in Profile), "RemoteTrigger"})


class ValueType(StrEnum):
    STRING = "string"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    ARRAY = "array"  # of strings for standard keys; any JSON array for Custom keys
    OBJECT = "object"


class ConfigurationStatus(StrEnum):
    """ChangeConfiguration.conf status (same strings as OCPP 1.6)."""

    ACCEPTED = "Accepted"
    REJECTED = "Rejected"
    REBOOT_REQUIRED = "RebootRequired"
    NOT_SUPPORTED = "NotSupported"


class ConfigError(Exception):
    """A configuration file cannot be used; the message names the file, the key and the problem."""


class InvalidValue(ValueError):
    """A value failed validation; ``str()`` is a reason fit for logs (never contains secrets)."""


@dataclass(frozen=True, slots=True)
class ValidationContext:
    """What value checks may depend on besides the value itself."""

    number_of_connectors: int
    supported_measurands: frozenset[str]
    supported_languages: tuple[str, ...]
    now: datetime


# Turns the text of a ChangeConfiguration into the JSON value to store, or raises InvalidValue.
Parser = Callable[[str, ValidationContext], JsonValue]


@dataclass(frozen=True, slots=True)
class KeySpec:
    """Everything the store knows about one key: where it lives, its type, and how it is checked.

    ``minimum``..``max_length`` are checked when a file is loaded; ``parser`` is used for every
    write (ChangeConfiguration, the generic interface, internal writes).
    """

    name: str
    profile: Profile
    type: ValueType
    readonly: bool
    parser: Parser
    default: JsonValue = None
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    separator: str = ","  # how an ARRAY value is joined for GetConfiguration
    write_only: bool = False  # never disclosed (AuthorizationKey)
    settable_when_unset: bool = False  # may be created by a write although absent from the config
    reboot_required: bool = False  # accepted writes answer RebootRequired
    expanded: bool = False  # only reachable as derived keys (MeterPublicKey<n>, DefaultPriceText,<lang>)


@dataclass(frozen=True, slots=True)
class KeyValue:
    """One entry of GetConfiguration.conf ``configurationKey``."""

    key: str
    readonly: bool
    value: str | None


class GetConfigurationResult(NamedTuple):
    known: list[KeyValue]
    unknown: list[str]


# Certificate-based check of a SecurityProfile upgrade: returns None when the target profile is
# usable (CSMS root / charging station certificates installed), else a reason to reject.
SecurityProfileCheck = Callable[[int], str | None]
