"""Start-up synchronisation across restarts: file values only replace values whose source is default."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from everest_ocpp.v201.device_model import (
    DeviceModel,
    MonitorConfigType,
    MonitorType,
    SetMonitoringRequest,
    SqliteDeviceModelStorage,
    load_component_configs,
)
from everest_ocpp.v201.device_model import well_known as wk
from everest_ocpp.variables import Attribute, GetStatus, Mutability, SetStatus, VariableRef

from .helpers import component, prop, write

A = VariableRef("Ctrl", "A")
B = VariableRef("Ctrl", "B")
C = VariableRef("Ctrl", "C")


def _open(tmp_path: Path) -> DeviceModel:
    return DeviceModel.open(tmp_path / "cc", tmp_path / "dm.db", check_required=False)


def _write_ctrl(tmp_path: Path, *props: dict, name: str = "Ctrl") -> None:
    write(tmp_path / "cc", f"{name}.json", component(name, *props))


def test_only_default_sourced_values_follow_the_file(tmp_path: Path) -> None:
    _write_ctrl(tmp_path, prop("A", value=1), prop("B", value=1), prop("C", value=1))
    with _open(tmp_path) as dm:
        assert dm.set(A, "50", source="csms").status is SetStatus.ACCEPTED
        assert dm.set(B, "60", source="internal").status is SetStatus.ACCEPTED
    _write_ctrl(tmp_path, prop("A", value=2), prop("B", value=2), prop("C", value=2))
    with _open(tmp_path) as dm:
        assert [dm.get(r).value for r in (A, B, C)] == ["50", "60", "2"]
        assert dm.set(C, "70", source="default").status is SetStatus.ACCEPTED  # "default" stays file-owned
    _write_ctrl(tmp_path, prop("A", value=3), prop("B", value=3), prop("C", value=3))
    with _open(tmp_path) as dm:
        assert [dm.get(r).value for r in (A, B, C)] == ["50", "60", "3"]


def test_shipped_set_keeps_csms_values_across_restarts(config_dir: Path, db_path: Path) -> None:
    with DeviceModel.open(config_dir, db_path) as dm:
        dm.set(wk.HEARTBEAT_INTERVAL, "120", source="csms")
        dm.set(wk.WEBSOCKET_PING_INTERVAL, "15", source="internal")
    path = config_dir / "standardized" / "OCPPCommCtrlr.json"
    data = json.loads(path.read_text())
    data["properties"]["HeartbeatInterval"]["default"] = "900"
    data["properties"]["WebSocketPingInterval"]["attributes"][0]["value"] = 45
    data["properties"]["OfflineThreshold"]["attributes"][0]["value"] = 99
    path.write_text(json.dumps(data))
    with DeviceModel.open(config_dir, db_path) as dm:
        assert dm.get_int(wk.HEARTBEAT_INTERVAL) == 120
        assert dm.get_int(wk.WEBSOCKET_PING_INTERVAL) == 15
        assert dm.get_int(wk.OFFLINE_THRESHOLD) == 99


def test_file_dropping_a_value_clears_a_default_value(tmp_path: Path) -> None:
    _write_ctrl(tmp_path, prop("A", value=1), prop("B", value=1))
    with _open(tmp_path) as dm:
        dm.set(B, "5", source="csms")
    _write_ctrl(tmp_path, prop("A"), prop("B"))
    with _open(tmp_path) as dm:
        assert dm.get(A).status is GetStatus.NOT_SUPPORTED_ATTRIBUTE_TYPE
        assert dm.get(B).value == "5"


def test_stored_value_invalid_under_new_characteristics_is_replaced(tmp_path: Path) -> None:
    _write_ctrl(tmp_path, prop("A", value=1, maxLimit=100))
    with _open(tmp_path) as dm:
        dm.set(A, "80", source="csms")
    _write_ctrl(tmp_path, prop("A", value=1, maxLimit=50))
    with _open(tmp_path) as dm:
        assert dm.get(A).value == "1"
        variable = dm.variable(A)
        assert variable is not None and variable.attributes[Attribute.ACTUAL].value_source == "default"


def test_structure_follows_the_files(tmp_path: Path) -> None:
    _write_ctrl(
        tmp_path, prop("A", value=1), prop("B", value=1, extra_attributes=[{"type": "Target", "value": 3}])
    )
    _write_ctrl(tmp_path, prop("X", value=1), name="Gone")
    with _open(tmp_path) as dm:
        dm.set(A, "7", source="csms")
    (tmp_path / "cc" / "standardized" / "Gone.json").unlink()
    _write_ctrl(
        tmp_path, prop("A", "integer", 8, "ReadOnly", maxLimit=10), prop("B", value=1), prop("C", value=4)
    )
    with _open(tmp_path) as dm:
        assert dm.get(VariableRef("Gone", "X")).status is GetStatus.UNKNOWN_COMPONENT
        assert dm.get(B, Attribute.TARGET).status is GetStatus.NOT_SUPPORTED_ATTRIBUTE_TYPE
        assert dm.get(C).value == "4"
        variable = dm.variable(A)
        assert variable is not None
        assert variable.characteristics.max_limit == 10
        assert variable.attributes[Attribute.ACTUAL].mutability is Mutability.READ_ONLY
        assert dm.get(A).value == "7"  # csms value kept, still valid
    with sqlite3.connect(tmp_path / "dm.db") as conn:
        assert conn.execute("SELECT count(*) FROM component WHERE name = 'Gone'").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM attribute WHERE type = 'Target'").fetchone() == (0,)


def test_removed_then_readded_variable_starts_from_the_file(tmp_path: Path) -> None:
    _write_ctrl(tmp_path, prop("A", value=1), prop("B", value=1))
    with _open(tmp_path) as dm:
        dm.set(B, "9", source="csms")
    _write_ctrl(tmp_path, prop("A", value=1))
    _open(tmp_path).close()
    _write_ctrl(tmp_path, prop("A", value=1), prop("B", value=2))
    with _open(tmp_path) as dm:
        assert dm.get(B).value == "2"


def test_file_monitors_follow_the_file_and_custom_monitors_survive(tmp_path: Path) -> None:
    upper = {"type": "UpperThreshold", "value": 90, "severity": 2, "config_type": "HardWiredMonitor"}
    delta = {
        "type": "Delta",
        "value": 5,
        "severity": 4,
        "config_type": "PreconfiguredMonitor",
        "reference_value": "1",
    }
    _write_ctrl(tmp_path, {**prop("A", value=1), "monitors": [upper, delta]})
    with _open(tmp_path) as dm:
        (custom,) = dm.set_monitors([SetMonitoringRequest(A, 10, MonitorType.LOWER_THRESHOLD, 7)])
        ids = {e.monitor.type: e.monitor.id for e in dm.list_monitors()}
        dm.monitors.update_reference(ids[MonitorType.DELTA], "40")
    _write_ctrl(tmp_path, {**prop("A", value=1), "monitors": [{**delta, "value": 6}]})
    with _open(tmp_path) as dm:
        monitors = {e.monitor.type: e.monitor for e in dm.list_monitors()}
    assert set(monitors) == {MonitorType.DELTA, MonitorType.LOWER_THRESHOLD}
    assert monitors[MonitorType.LOWER_THRESHOLD].id == custom.id
    assert monitors[MonitorType.LOWER_THRESHOLD].config_type is MonitorConfigType.CUSTOM
    changed = monitors[MonitorType.DELTA]
    assert (changed.id, changed.value, changed.reference_value) == (ids[MonitorType.DELTA], 6.0, "40")


class RecordingStorage(SqliteDeviceModelStorage):
    """Records the structural writes the synchronisation makes."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.calls: list[str] = []

    def add_component(self, component, *args):  # type: ignore[no-untyped-def]
        self.calls.append(f"add_component {component.key}")
        super().add_component(component, *args)

    def put_attribute(self, component, variable, attribute):  # type: ignore[no-untyped-def]
        self.calls.append(f"put_attribute {component}.{variable} {attribute.type.value}")
        super().put_attribute(component, variable, attribute)

    def update_variable(self, component, variable):  # type: ignore[no-untyped-def]
        self.calls.append(f"update_variable {component}.{variable.key}")
        super().update_variable(component, variable)


def test_unchanged_restart_writes_nothing(tmp_path: Path) -> None:
    _write_ctrl(tmp_path, prop("A", value=1), prop("B", value=2, unit="s"))
    configs = load_component_configs(tmp_path / "cc")
    first = RecordingStorage(tmp_path / "dm.db")
    DeviceModel(first, configs, check_required=False).close()
    assert first.calls == ["add_component Ctrl"]
    second = RecordingStorage(tmp_path / "dm.db")
    DeviceModel(second, configs, check_required=False).close()
    assert second.calls == []
    _write_ctrl(tmp_path, prop("A", value=1), prop("B", value=3, unit="min"))
    third = RecordingStorage(tmp_path / "dm.db")
    DeviceModel(third, load_component_configs(tmp_path / "cc"), check_required=False).close()
    assert third.calls == ["update_variable Ctrl.B", "put_attribute Ctrl.B Actual"]
