"""NotifyReport / NotifyMonitoringReport content: ``reportData`` and ``monitor`` lists as snake_case dicts.

WriteOnly values are never included (libocpp blanks them in base reports but not in GetReport).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from typing import Any, TypeVar

from .device_model import DeviceModel
from .model import (
    PERIODIC_TYPES,
    THRESHOLD_TYPES,
    Attribute,
    Component,
    ComponentKey,
    MonitorType,
    Mutability,
    Variable,
    VariableAttribute,
    VariableKey,
)
from .monitor_settings import MonitorEntry
from .ocpp_dicts import component_dict, component_key_from, variable_dict, variable_key_from

T = TypeVar("T")


class ReportBase(StrEnum):
    FULL_INVENTORY = "FullInventory"
    CONFIGURATION_INVENTORY = "ConfigurationInventory"
    SUMMARY_INVENTORY = "SummaryInventory"


class ComponentCriterion(StrEnum):
    ACTIVE = "Active"
    AVAILABLE = "Available"
    ENABLED = "Enabled"
    PROBLEM = "Problem"


class MonitoringCriterion(StrEnum):
    THRESHOLD = "ThresholdMonitoring"
    DELTA = "DeltaMonitoring"
    PERIODIC = "PeriodicMonitoring"


_CRITERION_TYPES: dict[MonitoringCriterion, frozenset[MonitorType]] = {
    MonitoringCriterion.THRESHOLD: THRESHOLD_TYPES,
    MonitoringCriterion.DELTA: frozenset({MonitorType.DELTA}),
    MonitoringCriterion.PERIODIC: PERIODIC_TYPES,
}
_ATTRIBUTE_ORDER = {a: i for i, a in enumerate(Attribute)}
_AVAILABILITY_COMPONENTS = frozenset({"ChargingStation", "EVSE", "Connector"})
_SUMMARY_FLAGS = frozenset({"Problem", "Tripped", "Overload", "Fallback"})


def attribute_dict(attribute: VariableAttribute) -> dict[str, Any]:
    result: dict[str, Any] = {"type": attribute.type.value}
    if attribute.value is not None and not attribute.write_only:
        result["value"] = attribute.value
    result.update(
        mutability=attribute.mutability.value, persistent=attribute.persistent, constant=attribute.constant
    )
    return result


def characteristics_dict(variable: Variable) -> dict[str, Any]:
    ch = variable.characteristics
    result: dict[str, Any] = {"data_type": ch.data_type.value, "supports_monitoring": ch.supports_monitoring}
    optional = {
        "unit": ch.unit,
        "min_limit": ch.min_limit,
        "max_limit": ch.max_limit,
        "values_list": ch.values_list,
    }
    result.update({k: v for k, v in optional.items() if v is not None})
    return result


def _report_data(
    component: ComponentKey,
    variable: Variable,
    attributes: Iterable[VariableAttribute],
    characteristics: bool = True,
) -> dict[str, Any] | None:
    listed = [attribute_dict(a) for a in sorted(attributes, key=lambda a: _ATTRIBUTE_ORDER[a.type])]
    if not listed:
        return None
    data = {
        "component": component_dict(component),
        "variable": variable_dict(variable.key),
        "variable_attribute": listed,
    }
    if characteristics:
        data["variable_characteristics"] = characteristics_dict(variable)
    return data


def _in_summary(component: ComponentKey, variable: Variable, attribute: VariableAttribute) -> bool:
    if variable.key.instance is not None:
        return False
    if variable.key.name == "AvailabilityState":
        return component.name in _AVAILABILITY_COMPONENTS
    return variable.key.name in _SUMMARY_FLAGS and attribute.value == "true"


def base_report(device_model: DeviceModel, report_base: ReportBase | str) -> list[dict[str, Any]]:
    """ReportData for GetBaseReport (raises ValueError for an unknown reportBase)."""
    base = ReportBase(report_base)
    report: list[dict[str, Any]] = []
    for component in device_model.components():
        for variable in component.variables.values():
            attrs = list(variable.attributes.values())
            if base is ReportBase.CONFIGURATION_INVENTORY:
                attrs = [a for a in attrs if a.mutability is not Mutability.READ_ONLY]
            elif base is ReportBase.SUMMARY_INVENTORY:
                attrs = [a for a in attrs if _in_summary(component.key, variable, a)]
            data = _report_data(component.key, variable, attrs, base is not ReportBase.SUMMARY_INVENTORY)
            if data is not None:
                report.append(data)
    return report


def _component_matches(requested: ComponentKey, actual: ComponentKey) -> bool:
    """Name and instance exact; no evse in the request: any EVSE; evse without connector: any connector."""
    if requested.name != actual.name or requested.instance != actual.instance:
        return False
    if requested.evse_id is None:
        return True
    if requested.evse_id != actual.evse_id:
        return False
    return requested.connector_id is None or requested.connector_id == actual.connector_id


def _variable_matches(requested: VariableKey | None, actual: VariableKey) -> bool:
    if requested is None:
        return True
    return requested.name == actual.name and (
        requested.instance is None or requested.instance == actual.instance
    )


def _parse_selection(
    component_variables: Sequence[Mapping[str, Any]],
) -> list[tuple[ComponentKey, VariableKey | None]]:
    return [
        (
            component_key_from(cv["component"]),
            variable_key_from(cv["variable"]) if cv.get("variable") else None,
        )
        for cv in component_variables
    ]


def _flag(component: Component, name: str) -> str | None:
    variable = component.variables.get(VariableKey(name))
    actual = variable.attributes.get(Attribute.ACTUAL) if variable is not None else None
    return actual.value if actual is not None else None


def _criteria_match(component: Component, criteria: Sequence[ComponentCriterion]) -> bool:
    """Any criterion holds. A component without an Active/Available/Enabled variable counts as such."""
    for criterion in criteria:
        value = _flag(component, criterion.value)
        if value == "true" or (value is None and criterion is not ComponentCriterion.PROBLEM):
            return True
    return False


def custom_report(
    device_model: DeviceModel,
    component_variables: Sequence[Mapping[str, Any]] | None = None,
    component_criteria: Sequence[ComponentCriterion | str] | None = None,
) -> list[dict[str, Any]]:
    """ReportData for GetReport: ``component_variable`` dicts and/or ``component_criteria`` (both: AND)."""
    selection = _parse_selection(component_variables) if component_variables else None
    criteria = [ComponentCriterion(c) for c in component_criteria] if component_criteria else None
    report: list[dict[str, Any]] = []
    for component in device_model.components():
        if criteria is not None and not _criteria_match(component, criteria):
            continue
        wanted = None
        if selection is not None:
            wanted = [vk for ck, vk in selection if _component_matches(ck, component.key)]
            if not wanted:
                continue
        for variable in component.variables.values():
            if wanted is not None and not any(_variable_matches(vk, variable.key) for vk in wanted):
                continue
            data = _report_data(component.key, variable, variable.attributes.values())
            if data is not None:
                report.append(data)
    return report


def monitoring_report(
    device_model: DeviceModel,
    component_variables: Sequence[Mapping[str, Any]] | None = None,
    monitoring_criteria: Sequence[MonitoringCriterion | str] | None = None,
) -> list[dict[str, Any]]:
    """MonitoringData dicts for GetMonitoringReport / NotifyMonitoringReport."""
    types: set[MonitorType] | None = None
    if monitoring_criteria:
        types = set().union(*(_CRITERION_TYPES[MonitoringCriterion(c)] for c in monitoring_criteria))
    selection = _parse_selection(component_variables) if component_variables else None
    grouped: dict[tuple[ComponentKey, VariableKey], list[MonitorEntry]] = {}
    for entry in device_model.monitors.entries(types):
        if selection is not None and not any(
            _component_matches(ck, entry.component) and _variable_matches(vk, entry.variable.key)
            for ck, vk in selection
        ):
            continue
        grouped.setdefault((entry.component, entry.variable.key), []).append(entry)
    return [
        {
            "component": component_dict(component),
            "variable": variable_dict(variable),
            "variable_monitoring": [
                {
                    "id": e.monitor.id,
                    "transaction": e.monitor.transaction,
                    "value": e.monitor.value,
                    "type": e.monitor.type.value,
                    "severity": e.monitor.severity,
                }
                for e in entries
            ],
        }
        for (component, variable), entries in grouped.items()
    ]


def chunked(items: Sequence[T], size: int) -> list[list[T]]:
    """Split report data into ItemsPerMessage-sized NotifyReports; always at least one (maybe empty)."""
    if size < 1:
        raise ValueError("size must be >= 1")
    return [list(items[i : i + size]) for i in range(0, len(items), size)] or [[]]
