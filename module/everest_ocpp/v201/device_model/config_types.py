"""What a component config file declares, after parsing (no storage state, no runtime values)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .model import (
    Attribute,
    ComponentKey,
    MonitorConfigType,
    MonitorType,
    Mutability,
    VariableCharacteristics,
    VariableKey,
)


@dataclass(frozen=True, slots=True)
class AttributeConfig:
    type: Attribute
    mutability: Mutability
    value: str | None = None
    persistent: bool = True
    constant: bool = False


@dataclass(frozen=True, slots=True)
class MonitorConfig:
    type: MonitorType
    severity: int
    value: float
    config_type: MonitorConfigType
    transaction: bool = False
    reference_value: str | None = None


@dataclass(frozen=True, slots=True)
class VariableConfig:
    key: VariableKey
    characteristics: VariableCharacteristics
    attributes: tuple[AttributeConfig, ...]
    default: str | None = None  # Actual value used when the Actual attribute itself has none
    source: str | None = None
    monitors: tuple[MonitorConfig, ...] = ()

    def file_value(self, attribute: AttributeConfig) -> str | None:
        """The value the file gives this attribute (``default`` applies to Actual only)."""
        if attribute.value is not None:
            return attribute.value
        return self.default if attribute.type is Attribute.ACTUAL else None


@dataclass(frozen=True, slots=True)
class ComponentConfig:
    key: ComponentKey
    variables: tuple[VariableConfig, ...]
    file: Path | None = None  # None: derived by the module (EVSE/Connector from the EVSE list)
