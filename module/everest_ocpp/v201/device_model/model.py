"""The OCPP 2.0.1 device model as plain data: components, variables, attributes, characteristics, monitors.

Enum values are the OCPP spellings so they can go into messages unchanged. Attribute types and
mutability are shared with the version-neutral view (:mod:`everest_ocpp.variables`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

from everest_ocpp.variables import Attribute, Mutability, VariableRef

__all__ = [
    "NEW_MONITOR_ID",
    "Attribute",
    "Component",
    "ComponentKey",
    "DataType",
    "Monitor",
    "MonitorConfigType",
    "MonitorType",
    "Mutability",
    "Validator",
    "Variable",
    "VariableAttribute",
    "VariableCharacteristics",
    "VariableKey",
    "make_ref",
]


class DataType(StrEnum):
    STRING = "string"
    DECIMAL = "decimal"
    INTEGER = "integer"
    DATE_TIME = "dateTime"
    BOOLEAN = "boolean"
    OPTION_LIST = "OptionList"
    SEQUENCE_LIST = "SequenceList"
    MEMBER_LIST = "MemberList"


NUMERIC_TYPES = frozenset({DataType.DECIMAL, DataType.INTEGER})


class MonitorType(StrEnum):
    UPPER_THRESHOLD = "UpperThreshold"
    LOWER_THRESHOLD = "LowerThreshold"
    DELTA = "Delta"
    PERIODIC = "Periodic"
    PERIODIC_CLOCK_ALIGNED = "PeriodicClockAligned"


PERIODIC_TYPES = frozenset({MonitorType.PERIODIC, MonitorType.PERIODIC_CLOCK_ALIGNED})
THRESHOLD_TYPES = frozenset({MonitorType.UPPER_THRESHOLD, MonitorType.LOWER_THRESHOLD})


class MonitorConfigType(StrEnum):
    """Who installed a monitor; the values double as NotifyEvent ``eventNotificationType``."""

    HARD_WIRED = "HardWiredMonitor"
    PRECONFIGURED = "PreconfiguredMonitor"
    CUSTOM = "CustomMonitor"


# Monitor ids are assigned by storage from 1 upward; 0 asks storage for a fresh id.
NEW_MONITOR_ID = 0

# A compiled value check: returns None when the value is valid, else a reason (never echoing the value).
Validator = Callable[[str], "str | None"]


@dataclass(frozen=True, slots=True)
class ComponentKey:
    name: str
    instance: str | None = None
    evse_id: int | None = None
    connector_id: int | None = None

    def __str__(self) -> str:
        text = self.name
        if self.instance is not None:
            text += f"[{self.instance}]"
        if self.evse_id is not None:
            text += f"(evse {self.evse_id}"
            text += f", connector {self.connector_id})" if self.connector_id is not None else ")"
        return text

    def sort_key(self) -> tuple[str, str, int, int]:
        return (self.name, self.instance or "", self.evse_id or 0, self.connector_id or 0)


@dataclass(frozen=True, slots=True)
class VariableKey:
    name: str
    instance: str | None = None

    def __str__(self) -> str:
        return self.name if self.instance is None else f"{self.name}[{self.instance}]"


def make_ref(component: ComponentKey, variable: VariableKey) -> VariableRef:
    return VariableRef(
        component=component.name,
        variable=variable.name,
        component_instance=component.instance,
        variable_instance=variable.instance,
        evse=component.evse_id,
        connector=component.connector_id,
    )


@dataclass(frozen=True, slots=True)
class VariableCharacteristics:
    data_type: DataType
    supports_monitoring: bool = False
    unit: str | None = None
    min_limit: float | None = None
    max_limit: float | None = None
    values_list: str | None = None  # CSV, as OCPP reports it


# Interned construction: most variables share a few distinct characteristics, and validators are
# compiled per distinct characteristics.
shared_characteristics = lru_cache(maxsize=4096)(VariableCharacteristics)


@dataclass(slots=True, repr=False)
class VariableAttribute:
    """One attribute of a variable. Mutable: the cached value is updated in place after a committed write."""

    type: Attribute
    mutability: Mutability = Mutability.READ_ONLY
    persistent: bool = True
    constant: bool = False
    value: str | None = None
    value_source: str | None = None

    @property
    def write_only(self) -> bool:
        return self.mutability is Mutability.WRITE_ONLY

    def __repr__(self) -> str:
        # A WriteOnly value is a secret (e.g. BasicAuthPassword): never let it reach a log via repr().
        shown = "<hidden>" if self.write_only and self.value is not None else repr(self.value)
        return (
            f"VariableAttribute(type={self.type.value}, mutability={self.mutability.value}, "
            f"persistent={self.persistent}, constant={self.constant}, value={shown}, "
            f"value_source={self.value_source!r})"
        )


@dataclass(frozen=True, slots=True)
class Monitor:
    id: int
    type: MonitorType
    severity: int  # 0 (Danger) .. 9 (Debug)
    value: float
    config_type: MonitorConfigType
    transaction: bool = False
    reference_value: str | None = None  # Delta monitors: the value the delta is measured from


@dataclass(slots=True)
class Variable:
    key: VariableKey
    characteristics: VariableCharacteristics
    attributes: dict[Attribute, VariableAttribute]
    monitors: dict[int, Monitor] = field(default_factory=dict)
    source: str | None = None  # the component file's routing hint (libocpp: "OCPP"/"EVEREST"), kept verbatim
    validator: Validator = field(default=lambda _value: None, compare=False, repr=False)

    @property
    def write_only(self) -> bool:
        return any(attr.write_only for attr in self.attributes.values())


@dataclass(slots=True)
class Component:
    key: ComponentKey
    variables: dict[VariableKey, Variable] = field(default_factory=dict)
