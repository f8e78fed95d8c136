"""After initialisation: check that the variables the module relies on exist and have values."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from everest_ocpp.variables import Attribute, VariableRef

from .config_types import ComponentConfig
from .errors import ConfigIssue, DeviceModelConfigError
from .evse_components import EvseSpec
from .model import ComponentKey, Variable
from .well_known import (
    REQUIRED_CONNECTOR_VARIABLES,
    REQUIRED_EVSE_VARIABLES,
    REQUIRED_VARIABLES,
    REQUIRED_WHEN_AVAILABLE,
)

Locator = Callable[[VariableRef], tuple[ComponentKey | None, Variable | None]]


def _has_value(variable: Variable) -> bool:
    actual = variable.attributes.get(Attribute.ACTUAL)
    return actual is not None and actual.value is not None


def check_integrity(
    locate: Locator,
    configs: Sequence[ComponentConfig],
    evses: Iterable[EvseSpec],
    check_required: bool = True,
) -> None:
    """Raise DeviceModelConfigError listing every required variable that is missing or has no value."""
    files: Mapping[ComponentKey, Path | None] = {c.key: c.file for c in configs}
    issues: list[ConfigIssue] = []

    def need(ref: VariableRef, value: bool = True) -> Variable | None:
        key = ComponentKey(ref.component, ref.component_instance, ref.evse, ref.connector)
        label = f"{key}.{ref.variable}" + (f"[{ref.variable_instance}]" if ref.variable_instance else "")
        component, variable = locate(ref)
        if component is None:
            issues.append(
                ConfigIssue(None, label, f"required variable missing: no component file defines {key}")
            )
        elif variable is None:
            issues.append(ConfigIssue(files.get(key), label, "required variable missing from the component"))
        elif value and not _has_value(variable):
            issues.append(ConfigIssue(files.get(key), label, "required variable has no Actual value"))
        return variable

    if check_required:
        for ref in REQUIRED_VARIABLES:
            need(ref)
        for available_ref, refs in REQUIRED_WHEN_AVAILABLE:
            _, available = locate(available_ref)
            actual = available.attributes.get(Attribute.ACTUAL) if available is not None else None
            if actual is not None and actual.value == "true":
                for ref in refs:
                    need(ref)
    for spec in evses:
        for name in REQUIRED_EVSE_VARIABLES:
            variable = need(VariableRef("EVSE", name, evse=spec.id), value=name != "Power")
            if name == "Power" and variable is not None and variable.characteristics.max_limit is None:
                issues.append(
                    ConfigIssue(
                        files.get(ComponentKey("EVSE", evse_id=spec.id)),
                        f"EVSE(evse {spec.id}).Power",
                        "Power needs a maxLimit (the EVSE's maximum power)",
                    )
                )
        for connector_id in spec.connector_ids:
            for name in REQUIRED_CONNECTOR_VARIABLES:
                need(VariableRef("Connector", name, evse=spec.id, connector=connector_id))
    if issues:
        raise DeviceModelConfigError(issues)
