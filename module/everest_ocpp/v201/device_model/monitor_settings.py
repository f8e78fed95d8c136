"""Installing, clearing and listing variable monitors (SetVariableMonitoring / ClearVariableMonitoring).

Checks per request, in order: unknown monitor id (Rejected) -> UnknownComponent / UnknownVariable
(Rejected when an id was given) -> id belongs to another variable (Rejected) -> supportsMonitoring
(Rejected) -> severity and value for the monitor type (Rejected) -> same type and severity without an
id (Duplicate) -> stored (Accepted, with the id).
"""

from __future__ import annotations

import dataclasses
import logging
import math
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from everest_ocpp.variables import Attribute, VariableRef

from .model import (
    NEW_MONITOR_ID,
    NUMERIC_TYPES,
    PERIODIC_TYPES,
    Component,
    ComponentKey,
    Monitor,
    MonitorConfigType,
    MonitorType,
    Variable,
    make_ref,
)
from .ocpp_dicts import ref_component_dict, ref_from, ref_variable_dict
from .storage import DeviceModelStorage

logger = logging.getLogger(__name__)

Locator = Callable[[VariableRef], tuple[ComponentKey | None, Variable | None]]


class SetMonitoringStatus(StrEnum):
    ACCEPTED = "Accepted"
    UNKNOWN_COMPONENT = "UnknownComponent"
    UNKNOWN_VARIABLE = "UnknownVariable"
    UNSUPPORTED_MONITOR_TYPE = "UnsupportedMonitorType"
    REJECTED = "Rejected"
    DUPLICATE = "Duplicate"


class ClearMonitoringStatus(StrEnum):
    ACCEPTED = "Accepted"
    REJECTED = "Rejected"
    NOT_FOUND = "NotFound"


@dataclass(frozen=True, slots=True)
class SetMonitoringRequest:
    ref: VariableRef
    value: float
    type: MonitorType
    severity: int
    id: int | None = None  # only to replace an existing monitor
    transaction: bool = False

    @classmethod
    def from_ocpp(cls, data: Mapping[str, Any]) -> SetMonitoringRequest:
        """From a SetMonitoringData dict (snake_case)."""
        return cls(
            ref=ref_from(data["component"], data["variable"]),
            value=float(data["value"]),
            type=MonitorType(data["type"]),
            severity=int(data["severity"]),
            id=data.get("id"),
            transaction=bool(data.get("transaction", False)),
        )


@dataclass(frozen=True, slots=True)
class SetMonitoringResult:
    status: SetMonitoringStatus
    ref: VariableRef
    type: MonitorType
    severity: int
    id: int | None = None
    reason: str | None = None

    def to_ocpp(self) -> dict[str, Any]:
        """A SetMonitoringResult dict (snake_case)."""
        result: dict[str, Any] = {
            "status": self.status.value,
            "type": self.type.value,
            "severity": self.severity,
            "component": ref_component_dict(self.ref),
            "variable": ref_variable_dict(self.ref),
        }
        if self.id is not None:
            result["id"] = self.id
        if self.reason is not None:
            result["status_info"] = {"reason_code": self.status.value, "additional_info": self.reason[:1024]}
        return result


@dataclass(frozen=True, slots=True)
class ClearMonitoringResult:
    id: int
    status: ClearMonitoringStatus
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class MonitorEntry:
    component: ComponentKey
    variable: Variable
    monitor: Monitor

    @property
    def ref(self) -> VariableRef:
        return make_ref(self.component, self.variable.key)


def _check_value(request: SetMonitoringRequest, variable: Variable) -> str | None:
    """Why the monitor's value does not fit its type and the variable, or None."""
    if not math.isfinite(request.value):
        return "value is not a finite number"
    if not 0 <= request.severity <= 9:
        return "severity must be 0..9"
    ch = variable.characteristics
    if request.type is MonitorType.DELTA:
        return "a Delta monitor value must not be negative" if request.value < 0 else None
    if request.type in PERIODIC_TYPES:
        return "a periodic monitor needs a positive interval" if request.value <= 0 else None
    if ch.data_type not in NUMERIC_TYPES:
        return f"threshold monitors need a numeric variable (this one is {ch.data_type.value})"
    if ch.min_limit is not None and request.value < ch.min_limit:
        return "threshold below the variable's minLimit"
    if ch.max_limit is not None and request.value > ch.max_limit:
        return "threshold above the variable's maxLimit"
    return None


class MonitorSettings:
    """The monitors of all variables; owned by the DeviceModel facade, which shares its lock."""

    def __init__(
        self,
        storage: DeviceModelStorage,
        components: Mapping[ComponentKey, Component],
        locate: Locator,
        lock: threading.RLock,
    ) -> None:
        self._storage = storage
        self._locate = locate
        self._lock = lock
        self._index: dict[int, tuple[ComponentKey, Variable]] = {
            monitor_id: (component.key, variable)
            for component in components.values()
            for variable in component.variables.values()
            for monitor_id in variable.monitors
        }

    def set(
        self,
        requests: Sequence[SetMonitoringRequest],
        config_type: MonitorConfigType = MonitorConfigType.CUSTOM,
    ) -> list[SetMonitoringResult]:
        with self._lock:
            results = [self._set_one(request, config_type) for request in requests]
        for request, result in zip(requests, results, strict=True):
            if result.status is not SetMonitoringStatus.ACCEPTED:
                logger.info(
                    "SetVariableMonitoring %s.%s %s: %s (%s)",
                    request.ref.component,
                    request.ref.variable,
                    request.type.value,
                    result.status.value,
                    result.reason,
                )
        return results

    def _set_one(self, request: SetMonitoringRequest, config_type: MonitorConfigType) -> SetMonitoringResult:
        def result(
            status: SetMonitoringStatus, reason: str | None = None, mid: int | None = None
        ) -> SetMonitoringResult:
            return SetMonitoringResult(status, request.ref, request.type, request.severity, mid, reason)

        owner = None
        if request.id is not None:
            owner = self._index.get(request.id)
            if owner is None:
                return result(SetMonitoringStatus.REJECTED, f"no monitor with id {request.id}")
        component, variable = self._locate(request.ref)
        if component is None or variable is None:
            if owner is not None:
                return result(SetMonitoringStatus.REJECTED, "monitor id belongs to another variable")
            missing = "component" if component is None else "variable"
            status = (
                SetMonitoringStatus.UNKNOWN_COMPONENT
                if component is None
                else SetMonitoringStatus.UNKNOWN_VARIABLE
            )
            return result(status, f"no such {missing}")
        if owner is not None and owner[1] is not variable:
            return result(SetMonitoringStatus.REJECTED, "monitor id belongs to another variable")
        if not variable.characteristics.supports_monitoring:
            return result(SetMonitoringStatus.REJECTED, "variable does not support monitoring")
        if (reason := _check_value(request, variable)) is not None:
            return result(SetMonitoringStatus.REJECTED, reason)
        reference = None
        if request.type is MonitorType.DELTA:
            actual = variable.attributes.get(Attribute.ACTUAL)
            reference = actual.value if actual is not None else None
            if reference is None:
                return result(
                    SetMonitoringStatus.REJECTED, "variable has no Actual value to measure a delta from"
                )
        if request.id is None and any(
            m.type is request.type and m.severity == request.severity for m in variable.monitors.values()
        ):
            return result(SetMonitoringStatus.DUPLICATE, "a monitor with this type and severity exists")
        monitor = Monitor(
            id=request.id if request.id is not None else NEW_MONITOR_ID,
            type=request.type,
            severity=request.severity,
            value=request.value,
            config_type=config_type,
            transaction=request.transaction,
            reference_value=reference,
        )
        stored = self._storage.add_monitor(component, variable.key, monitor)
        variable.monitors[stored.id] = stored
        self._index[stored.id] = (component, variable)
        return result(SetMonitoringStatus.ACCEPTED, mid=stored.id)

    def clear(self, ids: Iterable[int], allow_protected: bool = False) -> list[ClearMonitoringResult]:
        """Remove monitors; hard-wired and preconfigured ones only with ``allow_protected``."""
        results: list[ClearMonitoringResult] = []
        with self._lock:
            for monitor_id in ids:
                owner = self._index.get(monitor_id)
                if owner is None:
                    results.append(ClearMonitoringResult(monitor_id, ClearMonitoringStatus.NOT_FOUND))
                    continue
                monitor = owner[1].monitors[monitor_id]
                if monitor.config_type is not MonitorConfigType.CUSTOM and not allow_protected:
                    reason = f"a {monitor.config_type.value} cannot be cleared"
                    results.append(ClearMonitoringResult(monitor_id, ClearMonitoringStatus.REJECTED, reason))
                    continue
                self._remove(monitor_id)
                results.append(ClearMonitoringResult(monitor_id, ClearMonitoringStatus.ACCEPTED))
        return results

    def clear_custom(self) -> int:
        """Remove every CustomMonitor (e.g. SetMonitoringBase); returns how many were removed."""
        with self._lock:
            custom = [
                mid
                for mid, (_, v) in self._index.items()
                if v.monitors[mid].config_type is MonitorConfigType.CUSTOM
            ]
            with self._storage.batch():
                for monitor_id in custom:
                    self._remove(monitor_id)
        return len(custom)

    def _remove(self, monitor_id: int) -> None:
        _, variable = self._index[monitor_id]
        self._storage.remove_monitor(monitor_id)
        del variable.monitors[monitor_id]
        del self._index[monitor_id]

    def entry(self, monitor_id: int) -> MonitorEntry | None:
        owner = self._index.get(monitor_id)
        return None if owner is None else MonitorEntry(owner[0], owner[1], owner[1].monitors[monitor_id])

    def entries(self, types: Iterable[MonitorType] | None = None) -> list[MonitorEntry]:
        """All monitors (optionally only these types), ordered by id."""
        wanted = None if types is None else frozenset(types)
        found = (self.entry(mid) for mid in sorted(self._index))
        return [e for e in found if e is not None and (wanted is None or e.monitor.type in wanted)]

    def update_reference(self, monitor_id: int, reference: str | None) -> None:
        """Persist a Delta monitor's new reference value (after it reported)."""
        with self._lock:
            owner = self._index.get(monitor_id)
            if owner is None:
                return
            self._storage.update_monitor_reference(monitor_id, reference)
            variable = owner[1]
            variable.monitors[monitor_id] = dataclasses.replace(
                variable.monitors[monitor_id], reference_value=reference
            )
