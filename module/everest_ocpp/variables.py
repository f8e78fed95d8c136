"""The version-neutral view of configuration variables.

OCPP 1.6 configuration keys and the OCPP 2.0.1 device model are two implementations of
:class:`VariableStore`. The generic ``ocpp`` interface and the CSMS handlers of both versions
talk to a store only through this view, so "get", "set" and "watch" mean the same everywhere.

A 1.6 key is addressed as ``VariableRef(component="", variable=<key>)``; the 1.6 store ignores the
component and instances and answers with the canonical key spelling.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol


class Attribute(StrEnum):
    ACTUAL = "Actual"
    TARGET = "Target"
    MIN_SET = "MinSet"
    MAX_SET = "MaxSet"


class Mutability(StrEnum):
    READ_ONLY = "ReadOnly"
    WRITE_ONLY = "WriteOnly"
    READ_WRITE = "ReadWrite"


class GetStatus(StrEnum):
    ACCEPTED = "Accepted"
    REJECTED = "Rejected"
    UNKNOWN_COMPONENT = "UnknownComponent"
    UNKNOWN_VARIABLE = "UnknownVariable"
    NOT_SUPPORTED_ATTRIBUTE_TYPE = "NotSupportedAttributeType"


class SetStatus(StrEnum):
    ACCEPTED = "Accepted"
    REJECTED = "Rejected"
    UNKNOWN_COMPONENT = "UnknownComponent"
    UNKNOWN_VARIABLE = "UnknownVariable"
    NOT_SUPPORTED_ATTRIBUTE_TYPE = "NotSupportedAttributeType"
    REBOOT_REQUIRED = "RebootRequired"


class Source(StrEnum):
    """Well-known origins of a write (any other string is allowed, e.g. a caller's ``source``)."""

    DEFAULT = "default"  # value came from a shipped/config file default
    CSMS = "csms"  # ChangeConfiguration / SetVariables from the CSMS
    INTERNAL = "internal"  # the module itself (e.g. HeartbeatInterval from BootNotification.conf)


@dataclass(frozen=True, slots=True)
class VariableRef:
    """Identity of one variable: component (name, instance, evse, connector) + variable (name, instance)."""

    component: str
    variable: str
    component_instance: str | None = None
    variable_instance: str | None = None
    evse: int | None = None
    connector: int | None = None


@dataclass(frozen=True, slots=True)
class GetResult:
    status: GetStatus
    ref: VariableRef  # canonical identity when known (1.6: canonical key name), else as requested
    attribute: Attribute = Attribute.ACTUAL
    value: str | None = None  # only with ACCEPTED


@dataclass(frozen=True, slots=True)
class SetResult:
    status: SetStatus
    ref: VariableRef
    attribute: Attribute = Attribute.ACTUAL
    reason: str | None = None  # human-readable cause of a non-accepted status (for logs/status_info)


@dataclass(frozen=True, slots=True)
class VariableChange:
    """Emitted to listeners after a write was accepted and committed."""

    ref: VariableRef
    attribute: Attribute
    old_value: str | None
    new_value: str
    source: str
    write_only: bool = False  # listeners must never publish the value of a write-only variable
    changed: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "changed", self.old_value != self.new_value)


ChangeListener = Callable[[VariableChange], None]


class VariableStore(Protocol):
    """What both OCPP versions' configuration stores offer to the rest of the module."""

    def get(self, ref: VariableRef, attribute: Attribute = Attribute.ACTUAL) -> GetResult:
        """Look one variable up. Write-only values are never returned (status Rejected / unknown)."""
        ...

    def set(
        self,
        ref: VariableRef,
        value: str,
        attribute: Attribute = Attribute.ACTUAL,
        *,
        source: str,
        allow_read_only: bool = False,
    ) -> SetResult:
        """Validate and write one value; the write is persisted before this returns.

        ``allow_read_only`` lets internal callers (the generic interface on 2.0.1) write ReadOnly
        attributes; the CSMS never may.
        """
        ...

    def add_listener(self, listener: ChangeListener) -> None:
        """Call ``listener`` after every accepted write (from any origin)."""
        ...


def scalar_text(value: object) -> str | None:
    """The text a variable holds for a JSON string, boolean or integer (None for anything else):
    both versions keep values as text and read them from JSON files."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return None
