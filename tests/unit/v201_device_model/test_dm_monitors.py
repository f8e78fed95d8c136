"""SetVariableMonitoring / ClearVariableMonitoring and the monitor evaluator."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from everest_ocpp.v201.device_model import (
    ClearMonitoringStatus,
    DeviceModel,
    MonitorConfigType,
    MonitorEvaluator,
    MonitorType,
    SetMonitoringRequest,
    SetMonitoringStatus,
)
from everest_ocpp.v201.device_model import well_known as wk
from everest_ocpp.variables import VariableChange, VariableRef

from .helpers import component, prop, write

POWER = VariableRef("Meter", "Power", evse=1)
MODE = VariableRef("Meter", "Mode", evse=1)
FLAG = VariableRef("Meter", "Flag", evse=1)
PIN = VariableRef("Meter", "Pin", evse=1)
PLAIN = VariableRef("Meter", "Plain", evse=1)
EMPTY = VariableRef("Meter", "Empty", evse=1)
T0 = datetime(2025, 1, 1, 12, 0, 7, tzinfo=UTC)

HARD_WIRED_UPPER = {
    "type": "UpperThreshold",
    "value": 20000,
    "severity": 1,
    "config_type": "HardWiredMonitor",
}
PRECONFIGURED_PERIODIC = {
    "type": "Periodic",
    "value": 60,
    "severity": 8,
    "config_type": "PreconfiguredMonitor",
}


@pytest.fixture
def dm(config_dir: Path, db_path: Path) -> Iterator[DeviceModel]:
    write(
        config_dir,
        "Meter_1.json",
        component(
            "Meter",
            {**prop("Power", "decimal", 0, minLimit=0, maxLimit=22000), "monitors": [HARD_WIRED_UPPER]},
            {
                **prop("Mode", "OptionList", "Idle", valuesList="Idle,Charging"),
                "monitors": [PRECONFIGURED_PERIODIC],
            },
            prop("Flag", "boolean", False),
            prop("Pin", "string", "1234", "WriteOnly"),
            prop("Plain", "integer", 1, monitoring=False),
            prop("Empty", "integer"),
            evse_id=1,
        ),
        level="custom",
    )
    model = DeviceModel.open(config_dir, db_path, evses=[(1, [1])])
    model.set(wk.MONITORING_ENABLED, "true", source="internal")
    yield model
    model.close()


def request(
    ref: VariableRef, kind: MonitorType, value: float, severity: int = 5, **kw
) -> SetMonitoringRequest:
    return SetMonitoringRequest(ref, value, kind, severity, **kw)


def statuses(dm: DeviceModel, *requests: SetMonitoringRequest) -> list[SetMonitoringStatus]:
    return [r.status for r in dm.set_monitors(list(requests))]


def test_file_monitors_are_installed(dm: DeviceModel) -> None:
    entries = dm.list_monitors()
    assert [(e.ref, e.monitor.type, e.monitor.config_type, e.monitor.severity) for e in entries] == [
        (POWER, MonitorType.UPPER_THRESHOLD, MonitorConfigType.HARD_WIRED, 1),
        (MODE, MonitorType.PERIODIC, MonitorConfigType.PRECONFIGURED, 8),
    ]
    assert [e.monitor.id for e in entries] == [1, 2]


def test_set_monitors_statuses(dm: DeviceModel) -> None:
    results = dm.set_monitors(
        [
            request(POWER, MonitorType.DELTA, 100),
            request(POWER, MonitorType.DELTA, 50),  # same type and severity
            request(POWER, MonitorType.DELTA, 50, severity=6),
            request(VariableRef("Nope", "Power"), MonitorType.DELTA, 1),
            request(VariableRef("Meter", "Nope", evse=1), MonitorType.DELTA, 1),
            request(PLAIN, MonitorType.DELTA, 1),
            request(POWER, MonitorType.DELTA, -1, severity=7),
            request(POWER, MonitorType.UPPER_THRESHOLD, 23000),
            request(MODE, MonitorType.UPPER_THRESHOLD, 1),
            request(FLAG, MonitorType.DELTA, 0),
            request(POWER, MonitorType.PERIODIC, 0),
            request(EMPTY, MonitorType.DELTA, 1),
            request(POWER, MonitorType.LOWER_THRESHOLD, 5, severity=10),
            request(POWER, MonitorType.DELTA, 1, id=999),
        ]
    )
    assert [(r.status, r.id) for r in results] == [
        (SetMonitoringStatus.ACCEPTED, 3),
        (SetMonitoringStatus.DUPLICATE, None),
        (SetMonitoringStatus.ACCEPTED, 4),
        (SetMonitoringStatus.UNKNOWN_COMPONENT, None),
        (SetMonitoringStatus.UNKNOWN_VARIABLE, None),
        (SetMonitoringStatus.REJECTED, None),
        (SetMonitoringStatus.REJECTED, None),
        (SetMonitoringStatus.REJECTED, None),
        (SetMonitoringStatus.REJECTED, None),
        (SetMonitoringStatus.ACCEPTED, 5),
        (SetMonitoringStatus.REJECTED, None),
        (SetMonitoringStatus.REJECTED, None),
        (SetMonitoringStatus.REJECTED, None),
        (SetMonitoringStatus.REJECTED, None),  # ids only come back with Accepted
    ]
    assert [r.reason for r in results if r.status is SetMonitoringStatus.REJECTED] == [
        "variable does not support monitoring",
        "a Delta monitor value must not be negative",
        "threshold above the variable's maxLimit",
        "threshold monitors need a numeric variable (this one is OptionList)",
        "a periodic monitor needs a positive interval",
        "variable has no Actual value to measure a delta from",
        "severity must be 0..9",
        "no monitor with id 999",
    ]


def test_replace_by_id_and_id_on_another_variable(dm: DeviceModel) -> None:
    (first,) = dm.set_monitors([request(POWER, MonitorType.LOWER_THRESHOLD, 10)])
    (replaced,) = dm.set_monitors([request(POWER, MonitorType.LOWER_THRESHOLD, 20, id=first.id)])
    assert (replaced.status, replaced.id) == (SetMonitoringStatus.ACCEPTED, first.id)
    entry = dm.monitors.entry(first.id)
    assert entry is not None and entry.monitor.value == 20
    (other,) = dm.set_monitors([request(FLAG, MonitorType.DELTA, 0, id=first.id)])
    assert (other.status, other.reason) == (
        SetMonitoringStatus.REJECTED,
        "monitor id belongs to another variable",
    )
    (unknown,) = dm.set_monitors([request(VariableRef("Nope", "X"), MonitorType.DELTA, 0, id=first.id)])
    assert unknown.status is SetMonitoringStatus.REJECTED


def test_delta_reference_is_the_current_value(dm: DeviceModel) -> None:
    dm.set(POWER, "1500", source="internal", allow_read_only=True)
    (result,) = dm.set_monitors([request(POWER, MonitorType.DELTA, 100)])
    entry = dm.monitors.entry(result.id or 0)
    assert entry is not None and entry.monitor.reference_value == "1500"


def test_result_to_ocpp(dm: DeviceModel) -> None:
    ok, bad = dm.set_monitors([request(POWER, MonitorType.DELTA, 1), request(PLAIN, MonitorType.DELTA, 1)])
    assert ok.to_ocpp() == {
        "status": "Accepted",
        "type": "Delta",
        "severity": 5,
        "component": {"name": "Meter", "evse": {"id": 1}},
        "variable": {"name": "Power"},
        "id": 3,
    }
    assert bad.to_ocpp()["status_info"] == {
        "reason_code": "Rejected",
        "additional_info": "variable does not support monitoring",
    }
    parsed = SetMonitoringRequest.from_ocpp(
        {
            "value": 3,
            "type": "Delta",
            "severity": 2,
            "component": {"name": "Meter", "evse": {"id": 1}},
            "variable": {"name": "Power"},
            "transaction": True,
        }
    )
    assert parsed == SetMonitoringRequest(POWER, 3.0, MonitorType.DELTA, 2, None, True)


def test_clear_monitors(dm: DeviceModel) -> None:
    (custom,) = dm.set_monitors([request(POWER, MonitorType.DELTA, 1)])
    results = dm.clear_monitors([custom.id or 0, 1, 77])
    assert [(r.id, r.status) for r in results] == [
        (custom.id, ClearMonitoringStatus.ACCEPTED),
        (1, ClearMonitoringStatus.REJECTED),
        (77, ClearMonitoringStatus.NOT_FOUND),
    ]
    assert [e.monitor.id for e in dm.list_monitors()] == [1, 2]
    assert dm.clear_monitors([custom.id or 0])[0].status is ClearMonitoringStatus.NOT_FOUND
    assert dm.clear_monitors([1], allow_protected=True)[0].status is ClearMonitoringStatus.ACCEPTED


def test_clear_custom_monitors(dm: DeviceModel) -> None:
    dm.set_monitors([request(POWER, MonitorType.DELTA, 1), request(FLAG, MonitorType.DELTA, 0)])
    assert dm.monitors.clear_custom() == 2
    assert [e.monitor.config_type for e in dm.list_monitors()] == [
        MonitorConfigType.HARD_WIRED,
        MonitorConfigType.PRECONFIGURED,
    ]


def test_monitors_persist_across_restart(config_dir: Path, db_path: Path, dm: DeviceModel) -> None:
    (result,) = dm.set_monitors([request(FLAG, MonitorType.DELTA, 0, severity=3, transaction=True)])
    dm.close()
    with DeviceModel.open(config_dir, db_path, evses=[(1, [1])]) as again:
        entry = again.monitors.entry(result.id or 0)
        assert entry is not None
        assert (
            entry.ref,
            entry.monitor.severity,
            entry.monitor.transaction,
            entry.monitor.reference_value,
        ) == (
            FLAG,
            3,
            True,
            "false",
        )


# --- evaluation ---


@pytest.fixture
def evaluator(dm: DeviceModel) -> MonitorEvaluator:
    return MonitorEvaluator(dm, event_ids=itertools.count(100), clock=lambda: T0)


def change(dm: DeviceModel, ref: VariableRef, value: str) -> VariableChange:
    seen: list[VariableChange] = []
    dm.add_listener(seen.append)
    try:
        dm.set(ref, value, source="internal", allow_read_only=True)
    finally:
        dm.remove_listener(seen.append)
    return seen[0]


def test_delta_numeric(dm: DeviceModel, evaluator: MonitorEvaluator) -> None:
    (monitor,) = dm.set_monitors([request(POWER, MonitorType.DELTA, 100)])
    assert evaluator.on_change(change(dm, POWER, "80")) == []
    events = evaluator.on_change(change(dm, POWER, "150"))
    assert events == [
        {
            "event_id": 100,
            "timestamp": "2025-01-01T12:00:07.000Z",
            "trigger": "Delta",
            "actual_value": "150",
            "event_notification_type": "CustomMonitor",
            "component": {"name": "Meter", "evse": {"id": 1}},
            "variable": {"name": "Power"},
            "variable_monitoring_id": monitor.id,
        }
    ]
    entry = dm.monitors.entry(monitor.id or 0)
    assert entry is not None and entry.monitor.reference_value == "150"  # measured from the last report
    assert evaluator.on_change(change(dm, POWER, "200")) == []
    assert [e["actual_value"] for e in evaluator.on_change(change(dm, POWER, "251"))] == ["251"]


def test_delta_non_numeric_reports_every_change(dm: DeviceModel, evaluator: MonitorEvaluator) -> None:
    dm.set_monitors([request(FLAG, MonitorType.DELTA, 0)])
    assert [e["actual_value"] for e in evaluator.on_change(change(dm, FLAG, "true"))] == ["true"]
    assert [e["actual_value"] for e in evaluator.on_change(change(dm, FLAG, "false"))] == ["false"]


def test_thresholds_trigger_once_and_clear(dm: DeviceModel, evaluator: MonitorEvaluator) -> None:
    (low,) = dm.set_monitors([request(POWER, MonitorType.LOWER_THRESHOLD, 100)])
    summary = lambda events: [(e["variable_monitoring_id"], e["trigger"], e["cleared"]) for e in events]  # noqa: E731
    assert summary(evaluator.on_change(change(dm, POWER, "50"))) == [(low.id, "Alerting", False)]
    assert summary(evaluator.on_change(change(dm, POWER, "60"))) == []
    assert summary(evaluator.on_change(change(dm, POWER, "21000"))) == [
        (1, "Alerting", False),
        (low.id, "Alerting", True),
    ]
    assert summary(evaluator.on_change(change(dm, POWER, "500"))) == [(1, "Alerting", True)]
    assert [e["event_notification_type"] for e in evaluator.on_change(change(dm, POWER, "20001"))] == [
        "HardWiredMonitor"
    ]


def test_check_thresholds_uses_the_current_value(dm: DeviceModel, evaluator: MonitorEvaluator) -> None:
    dm.set(POWER, "21000", source="internal", allow_read_only=True)
    events = evaluator.check_thresholds(POWER)
    assert [(e["variable_monitoring_id"], e["cleared"]) for e in events] == [(1, False)]
    assert evaluator.check_thresholds(POWER) == []


def test_write_only_values_are_blanked(dm: DeviceModel, evaluator: MonitorEvaluator) -> None:
    dm.set_monitors([request(PIN, MonitorType.DELTA, 0)])
    (event,) = evaluator.on_change(change(dm, PIN, "9876"))
    assert event["actual_value"] == ""
    assert "9876" not in repr(event)


def test_unchanged_and_non_actual_writes_do_not_trigger(dm: DeviceModel, evaluator: MonitorEvaluator) -> None:
    dm.set_monitors([request(FLAG, MonitorType.DELTA, 0)])
    same = change(dm, FLAG, "false")
    assert not same.changed and evaluator.on_change(same) == []


def test_disabled_monitoring_sends_nothing(dm: DeviceModel, evaluator: MonitorEvaluator) -> None:
    dm.set_monitors([request(FLAG, MonitorType.DELTA, 0)])
    dm.set(wk.MONITORING_ENABLED, "false", source="csms")
    assert evaluator.on_change(change(dm, FLAG, "true")) == []


def test_monitoring_base_and_level_filter(dm: DeviceModel, evaluator: MonitorEvaluator) -> None:
    (custom,) = dm.set_monitors([request(POWER, MonitorType.UPPER_THRESHOLD, 10000, severity=2)])
    assert custom.status is SetMonitoringStatus.ACCEPTED

    def triggered(value: str) -> list[str]:
        return [e["event_notification_type"] for e in evaluator.on_change(change(dm, POWER, value))]

    dm.set(wk.ACTIVE_MONITORING_BASE, "HardWiredOnly", source="internal", allow_read_only=True)
    assert triggered("21000") == ["HardWiredMonitor"]
    assert triggered("0") == ["HardWiredMonitor"]
    dm.set(wk.ACTIVE_MONITORING_BASE, "FactoryDefault", source="internal", allow_read_only=True)
    assert triggered("21000") == ["HardWiredMonitor"]
    triggered("0")
    dm.set(wk.ACTIVE_MONITORING_BASE, "All", source="internal", allow_read_only=True)
    dm.set(wk.ACTIVE_MONITORING_LEVEL, "0", source="internal", allow_read_only=True)
    assert triggered("21000") == []
    assert triggered("0") == []  # nothing was reported, so nothing is cleared
    dm.set(wk.ACTIVE_MONITORING_LEVEL, "1", source="internal", allow_read_only=True)
    assert triggered("21000") == ["HardWiredMonitor"]
    dm.set(wk.ACTIVE_MONITORING_LEVEL, "2", source="internal", allow_read_only=True)
    assert triggered("0") == ["HardWiredMonitor"]
    assert triggered("15000") == ["CustomMonitor"]


def test_offline_uses_offline_queuing_severity(dm: DeviceModel, evaluator: MonitorEvaluator) -> None:
    dm.set_monitors([request(FLAG, MonitorType.DELTA, 0, severity=7)])
    dm.set(wk.OFFLINE_QUEUING_SEVERITY, "6", source="csms")
    assert evaluator.on_change(change(dm, FLAG, "true"), online=False) == []
    dm.set(wk.OFFLINE_QUEUING_SEVERITY, "7", source="csms")
    assert len(evaluator.on_change(change(dm, FLAG, "false"), online=False)) == 1


def test_periodic_monitor(dm: DeviceModel, evaluator: MonitorEvaluator) -> None:
    assert evaluator.periodic_events(T0) == []  # first sight: scheduled for T0 + 60 s
    assert evaluator.periodic_events(T0 + timedelta(seconds=59)) == []
    (event,) = evaluator.periodic_events(T0 + timedelta(seconds=60))
    assert (event["trigger"], event["actual_value"], event["variable_monitoring_id"]) == (
        "Periodic",
        "Idle",
        2,
    )
    assert event["timestamp"] == "2025-01-01T12:01:07.000Z"
    assert evaluator.periodic_events(T0 + timedelta(seconds=61)) == []
    assert len(evaluator.periodic_events(T0 + timedelta(seconds=120))) == 1
    assert len(evaluator.periodic_events(T0 + timedelta(seconds=500))) == 1  # missed ticks are not replayed
    assert evaluator.periodic_events(T0 + timedelta(seconds=559)) == []
    assert len(evaluator.periodic_events(T0 + timedelta(seconds=560))) == 1


def test_clock_aligned_monitor(dm: DeviceModel, evaluator: MonitorEvaluator) -> None:
    dm.clear_monitors([2], allow_protected=True)
    (aligned,) = dm.set_monitors([request(FLAG, MonitorType.PERIODIC_CLOCK_ALIGNED, 900)])
    assert evaluator.periodic_events(T0) == []  # 12:00:07 -> next at 12:15:00
    assert evaluator.periodic_events(datetime(2025, 1, 1, 12, 14, 59, tzinfo=UTC)) == []
    (event,) = evaluator.periodic_events(datetime(2025, 1, 1, 12, 15, 0, tzinfo=UTC))
    assert (event["variable_monitoring_id"], event["actual_value"]) == (aligned.id, "false")
    assert evaluator.periodic_events(datetime(2025, 1, 1, 12, 29, 0, tzinfo=UTC)) == []
    assert len(evaluator.periodic_events(datetime(2025, 1, 1, 12, 30, 1, tzinfo=UTC))) == 1


def test_cleared_periodic_monitor_stops(dm: DeviceModel, evaluator: MonitorEvaluator) -> None:
    evaluator.periodic_events(T0)
    dm.clear_monitors([2], allow_protected=True)
    assert evaluator.periodic_events(T0 + timedelta(seconds=60)) == []
