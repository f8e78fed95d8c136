"""Monitor evaluation: which NotifyEvent ``eventData`` entries a value change (or the clock) produces.

Pure with respect to I/O: the link feeds it VariableChanges (from a device model listener) and calls
:meth:`MonitorEvaluator.periodic_events` on a timer (every InternalCtrlr.MonitorsProcessingInterval s),
then sends what comes back. Honours MonitoringCtrlr.Enabled, ActiveMonitoringBase and
ActiveMonitoringLevel (OfflineQueuingSeverity while offline).

* Delta, numeric variable: reports when |new - reference| > monitor value; the reference becomes the
  reported value (persisted). Non-numeric variable: every change reports.
* Upper/LowerThreshold (numeric only): reports once when the value crosses the threshold and once
  more, with ``cleared`` true, when it returns (only if the crossing was reported).
* Periodic: every ``value`` seconds; PeriodicClockAligned: at multiples of ``value`` seconds since the
  epoch (so 900 means :00, :15, :30, :45), the first one after the monitor was seen.
* WriteOnly variables report an empty ``actual_value``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from everest_ocpp.timestamps import rfc3339
from everest_ocpp.variables import Attribute, VariableChange, VariableRef

from .device_model import DeviceModel
from .model import (
    NUMERIC_TYPES,
    PERIODIC_TYPES,
    ComponentKey,
    Monitor,
    MonitorConfigType,
    MonitorType,
    Variable,
)
from .monitor_settings import MonitorEntry
from .ocpp_dicts import component_dict, variable_dict
from .validation import parse_number
from .well_known import (
    ACTIVE_MONITORING_BASE,
    ACTIVE_MONITORING_LEVEL,
    MONITORING_ENABLED,
    OFFLINE_QUEUING_SEVERITY,
)

MAX_ACTUAL_VALUE = 2500  # EventDataType.actualValue length limit
_TRIGGER = {
    MonitorType.DELTA: "Delta",
    MonitorType.UPPER_THRESHOLD: "Alerting",
    MonitorType.LOWER_THRESHOLD: "Alerting",
    MonitorType.PERIODIC: "Periodic",
    MonitorType.PERIODIC_CLOCK_ALIGNED: "Periodic",
}


def _next_aligned(now: datetime, interval: float) -> datetime:
    seconds = now.timestamp()
    return datetime.fromtimestamp((math.floor(seconds / interval) + 1) * interval, UTC)


class MonitorEvaluator:
    def __init__(
        self,
        device_model: DeviceModel,
        *,
        event_ids: Iterator[int] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._dm = device_model
        self._event_ids = event_ids if event_ids is not None else itertools.count(1)
        self._clock = clock
        self._alarm: dict[int, bool] = {}  # threshold monitor id -> crossing reported and not yet cleared
        self._next_due: dict[int, datetime] = {}  # periodic monitor id -> next report time

    # --- settings ---
    def _filter(self, online: bool) -> Callable[[Monitor], bool] | None:
        """A predicate for active monitors, or None while monitoring is disabled."""
        if not self._dm.get_bool(MONITORING_ENABLED, default=False):
            return None
        base = self._dm.value(ACTIVE_MONITORING_BASE) or "All"
        level = self._dm.get_int(ACTIVE_MONITORING_LEVEL, default=9)
        if not online:
            level = self._dm.get_int(OFFLINE_QUEUING_SEVERITY, default=level)
        allowed = {
            "All": set(MonitorConfigType),
            "FactoryDefault": {MonitorConfigType.HARD_WIRED, MonitorConfigType.PRECONFIGURED},
            "HardWiredOnly": {MonitorConfigType.HARD_WIRED},
        }.get(base, set(MonitorConfigType))
        return lambda m: m.config_type in allowed and m.severity <= level

    # --- events ---
    def _event(
        self,
        component: ComponentKey,
        variable: Variable,
        monitor: Monitor,
        value: str | None,
        cleared: bool | None = None,
        now: datetime | None = None,
    ) -> dict[str, Any]:
        actual = variable.attributes.get(Attribute.ACTUAL)
        shown = (
            "" if value is None or (actual is not None and actual.write_only) else value[:MAX_ACTUAL_VALUE]
        )
        event: dict[str, Any] = {
            "event_id": next(self._event_ids),
            "timestamp": rfc3339(now or self._clock()),
            "trigger": _TRIGGER[monitor.type],
            "actual_value": shown,
            "event_notification_type": monitor.config_type.value,
            "component": component_dict(component),
            "variable": variable_dict(variable.key),
            "variable_monitoring_id": monitor.id,
        }
        if cleared is not None:
            event["cleared"] = cleared
        return event

    def on_change(self, change: VariableChange, *, online: bool = True) -> list[dict[str, Any]]:
        """EventData dicts for one accepted write (only changed Actual values can trigger)."""
        if change.attribute is not Attribute.ACTUAL or not change.changed:
            return []
        return self._evaluate(change.ref, change.new_value, online)

    def check_thresholds(self, ref: VariableRef, *, online: bool = True) -> list[dict[str, Any]]:
        """Evaluate threshold monitors against the current value (after SetVariableMonitoring, at start)."""
        value = self._dm.value(ref)
        return [] if value is None else self._evaluate(ref, value, online, thresholds_only=True)

    def _evaluate(
        self, ref: VariableRef, value: str, online: bool, thresholds_only: bool = False
    ) -> list[dict[str, Any]]:
        component, variable = self._dm.locate(ref)
        if component is None or variable is None or not variable.monitors:
            return []
        active = self._filter(online)
        if active is None:
            return []
        numeric = variable.characteristics.data_type in NUMERIC_TYPES
        number = parse_number(value) if numeric else None
        events: list[dict[str, Any]] = []
        for monitor in sorted(variable.monitors.values(), key=lambda m: m.id):
            if monitor.type in PERIODIC_TYPES or not active(monitor):
                continue
            if monitor.type is MonitorType.DELTA:
                if not thresholds_only and self._delta_exceeded(monitor, value, number):
                    events.append(self._event(component, variable, monitor, value))
                    self._dm.monitors.update_reference(monitor.id, value)
                continue
            if number is None:
                continue
            crossed = (
                number > monitor.value
                if monitor.type is MonitorType.UPPER_THRESHOLD
                else number < monitor.value
            )
            if crossed != self._alarm.get(monitor.id, False):
                self._alarm[monitor.id] = crossed
                events.append(self._event(component, variable, monitor, value, cleared=not crossed))
        return events

    @staticmethod
    def _delta_exceeded(monitor: Monitor, value: str, number: float | None) -> bool:
        if number is None:  # non-numeric: every change reports (only changes reach this point)
            return True
        reference = monitor.reference_value
        ref_number = parse_number(reference) if reference is not None else None
        return ref_number is None or abs(number - ref_number) > monitor.value

    def periodic_events(self, now: datetime | None = None, *, online: bool = True) -> list[dict[str, Any]]:
        """EventData dicts for periodic monitors that are due at ``now`` (default: the clock)."""
        now = now or self._clock()
        entries: list[MonitorEntry] = self._dm.monitors.entries(PERIODIC_TYPES)
        present = {e.monitor.id for e in entries}
        for stale in [mid for mid in self._next_due if mid not in present]:
            del self._next_due[stale]
        active = self._filter(online)
        events: list[dict[str, Any]] = []
        for entry in entries:
            monitor = entry.monitor
            due = self._next_due.get(monitor.id)
            if due is None:  # first sight: schedule, report at the next due time
                self._next_due[monitor.id] = self._following(monitor, now, now)
                continue
            if now < due:
                continue
            self._next_due[monitor.id] = self._following(monitor, due, now)
            if active is not None and active(monitor):
                value = self._dm.value(entry.ref)
                events.append(self._event(entry.component, entry.variable, monitor, value, now=now))
        return events

    @staticmethod
    def _following(monitor: Monitor, previous: datetime, now: datetime) -> datetime:
        if monitor.type is MonitorType.PERIODIC_CLOCK_ALIGNED:
            return _next_aligned(now, monitor.value)
        step = timedelta(seconds=monitor.value)
        due = previous + step
        if due <= now:  # missed ticks are not replayed
            due = now + step
        return due
