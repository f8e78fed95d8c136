"""EVSE and Connector components derived from the EVSEs the evse_managers report.

The module learns its EVSEs at start (``get_evse`` on every evse_manager), so it builds these
components itself instead of requiring an EVSE_n/Connector_n_m file per installation. A component
file for the same EVSE or connector (same name and ids) takes precedence over the derived one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .config_types import AttributeConfig, ComponentConfig, VariableConfig
from .model import Attribute, ComponentKey, DataType, Mutability, VariableCharacteristics, VariableKey

AVAILABILITY_STATES = "Available,Occupied,Reserved,Unavailable,Faulted"
DEFAULT_MAX_POWER_W = 22080.0  # 32 A x 230 V x 3 phases, rounded down to a common rating


@dataclass(frozen=True, slots=True)
class EvseSpec:
    """One EVSE as reported by its evse_manager."""

    id: int
    connector_ids: tuple[int, ...] = (1,)
    max_power_w: float = DEFAULT_MAX_POWER_W
    supply_phases: int = 3
    connector_types: Mapping[int, str] = field(default_factory=dict)  # OCPP ConnectorEnumType per connector

    def connector_type(self, connector_id: int) -> str:
        return self.connector_types.get(connector_id, "Unknown")


EvseLike = EvseSpec | tuple[int, Sequence[int]]


def normalise_evses(evses: Iterable[EvseLike]) -> list[EvseSpec]:
    """Accept ``EvseSpec`` or ``(evse_id, [connector ids])``; check ids are positive and unique."""
    specs = [e if isinstance(e, EvseSpec) else EvseSpec(e[0], tuple(e[1])) for e in evses]
    seen: set[int] = set()
    for spec in specs:
        if spec.id < 1 or spec.id in seen:
            raise ValueError(f"EVSE ids must be unique and >= 1 (got {spec.id})")
        seen.add(spec.id)
        if not spec.connector_ids or len(set(spec.connector_ids)) != len(spec.connector_ids):
            raise ValueError(f"EVSE {spec.id}: connector ids must be unique and non-empty")
        if min(spec.connector_ids) < 1:
            raise ValueError(f"EVSE {spec.id}: connector ids must be >= 1")
    return specs


def _variable(
    name: str, ch: VariableCharacteristics, value: str, extra: tuple[AttributeConfig, ...] = ()
) -> VariableConfig:
    actual = AttributeConfig(Attribute.ACTUAL, Mutability.READ_ONLY, value)
    return VariableConfig(key=VariableKey(name), characteristics=ch, attributes=(actual, *extra))


_STATE = VariableCharacteristics(DataType.OPTION_LIST, True, values_list=AVAILABILITY_STATES)
_BOOL = VariableCharacteristics(DataType.BOOLEAN, True)
_PHASES = VariableCharacteristics(DataType.INTEGER, True, min_limit=0, max_limit=3)
_TEXT = VariableCharacteristics(DataType.STRING, True, max_limit=50)


def evse_component(spec: EvseSpec) -> ComponentConfig:
    power = VariableCharacteristics(DataType.DECIMAL, True, unit="W", min_limit=0, max_limit=spec.max_power_w)
    max_set = AttributeConfig(Attribute.MAX_SET, Mutability.READ_ONLY, f"{spec.max_power_w:g}")
    variables = (
        _variable("AvailabilityState", _STATE, "Available"),
        _variable("Available", _BOOL, "true"),
        _variable("Power", power, "0", (max_set,)),
        _variable("SupplyPhases", _PHASES, str(spec.supply_phases)),
    )
    return ComponentConfig(ComponentKey("EVSE", evse_id=spec.id), variables)


def connector_component(spec: EvseSpec, connector_id: int) -> ComponentConfig:
    variables = (
        _variable("AvailabilityState", _STATE, "Available"),
        _variable("Available", _BOOL, "true"),
        _variable("ConnectorType", _TEXT, spec.connector_type(connector_id)),
        _variable("SupplyPhases", _PHASES, str(spec.supply_phases)),
    )
    return ComponentConfig(ComponentKey("Connector", evse_id=spec.id, connector_id=connector_id), variables)


def derive_evse_components(
    evses: Iterable[EvseLike], existing: Iterable[ComponentKey] = ()
) -> list[ComponentConfig]:
    """EVSE and Connector components for ``evses`` that are not in ``existing`` (keys from files)."""
    taken = set(existing)
    derived: list[ComponentConfig] = []
    for spec in normalise_evses(evses):
        candidates = [evse_component(spec)]
        candidates += [connector_component(spec, cid) for cid in sorted(spec.connector_ids)]
        derived += [c for c in candidates if c.key not in taken]
    return derived
