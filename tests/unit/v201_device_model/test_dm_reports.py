"""GetBaseReport / GetReport / GetMonitoringReport content."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from everest_ocpp.v201.device_model import (
    DeviceModel,
    MonitorType,
    SetMonitoringRequest,
    base_report,
    custom_report,
    monitoring_report,
)
from everest_ocpp.v201.device_model.report import chunked
from everest_ocpp.variables import VariableRef

from .helpers import component, prop, write


@pytest.fixture
def dm(tmp_path: Path) -> Iterator[DeviceModel]:
    cc = tmp_path / "cc"
    write(
        cc,
        "Ctrl.json",
        component(
            "Ctrl",
            prop("Limit", "integer", 10, minLimit=0, maxLimit=100, unit="A"),
            prop("Secret", "string", "0123456789abcdef", "WriteOnly"),
            prop("Fixed", "boolean", True, "ReadOnly"),
            prop("Problem", "boolean", True, "ReadOnly"),
            prop("Enabled", "boolean", False),
        ),
    )
    write(cc, "Quiet.json", component("Quiet", prop("Problem", "boolean", False, "ReadOnly")))
    write(cc, "Bare.json", component("Bare", prop("Note", "string", "hi", "ReadOnly", monitoring=False)))
    model = DeviceModel.open(cc, tmp_path / "dm.db", evses=[(1, [1, 2])], check_required=False)
    yield model
    model.close()


def names(report: list[dict]) -> list[str]:
    result = []
    for data in report:
        comp = data["component"]
        evse = comp.get("evse", {})
        ids = "".join(f"/{evse[k]}" for k in ("id", "connector_id") if k in evse)
        result.append(f"{comp['name']}{ids}.{data['variable']['name']}")
    return result


def test_full_inventory(dm: DeviceModel) -> None:
    report = base_report(dm, "FullInventory")
    assert names(report) == [
        "Bare.Note",
        "Connector/1/1.AvailabilityState",
        "Connector/1/1.Available",
        "Connector/1/1.ConnectorType",
        "Connector/1/1.SupplyPhases",
        "Connector/1/2.AvailabilityState",
        "Connector/1/2.Available",
        "Connector/1/2.ConnectorType",
        "Connector/1/2.SupplyPhases",
        "Ctrl.Limit",
        "Ctrl.Secret",
        "Ctrl.Fixed",
        "Ctrl.Problem",
        "Ctrl.Enabled",
        "EVSE/1.AvailabilityState",
        "EVSE/1.Available",
        "EVSE/1.Power",
        "EVSE/1.SupplyPhases",
        "Quiet.Problem",
    ]
    by_name = dict(zip(names(report), report, strict=True))
    assert by_name["Ctrl.Limit"] == {
        "component": {"name": "Ctrl"},
        "variable": {"name": "Limit"},
        "variable_attribute": [
            {
                "type": "Actual",
                "value": "10",
                "mutability": "ReadWrite",
                "persistent": True,
                "constant": False,
            }
        ],
        "variable_characteristics": {
            "data_type": "integer",
            "supports_monitoring": True,
            "unit": "A",
            "min_limit": 0.0,
            "max_limit": 100.0,
        },
    }
    assert by_name["Ctrl.Secret"]["variable_attribute"] == [
        {"type": "Actual", "mutability": "WriteOnly", "persistent": True, "constant": False}
    ]
    assert [a["type"] for a in by_name["EVSE/1.Power"]["variable_attribute"]] == ["Actual", "MaxSet"]
    assert by_name["EVSE/1.Power"]["component"] == {"name": "EVSE", "evse": {"id": 1}}


def test_configuration_inventory_lists_writable_attributes(dm: DeviceModel) -> None:
    report = base_report(dm, "ConfigurationInventory")
    assert names(report) == ["Ctrl.Limit", "Ctrl.Secret", "Ctrl.Enabled"]
    assert "value" not in report[1]["variable_attribute"][0]


def test_summary_inventory(dm: DeviceModel) -> None:
    report = base_report(dm, "SummaryInventory")
    assert names(report) == [
        "Connector/1/1.AvailabilityState",
        "Connector/1/2.AvailabilityState",
        "Ctrl.Problem",
        "EVSE/1.AvailabilityState",
    ]
    assert "variable_characteristics" not in report[0]


def test_unknown_report_base() -> None:
    with pytest.raises(ValueError, match="'Everything' is not a valid ReportBase"):
        base_report(None, "Everything")  # type: ignore[arg-type]


def test_custom_report_by_component_variable(dm: DeviceModel) -> None:
    select = [
        {"component": {"name": "Ctrl"}, "variable": {"name": "Limit"}},
        {
            "component": {"name": "Connector", "evse": {"id": 1, "connector_id": 2}},
            "variable": {"name": "Available"},
        },
        {"component": {"name": "EVSE"}},  # no evse: every EVSE, no variable: every variable
    ]
    assert names(custom_report(dm, select)) == [
        "Connector/1/2.Available",
        "Ctrl.Limit",
        "EVSE/1.AvailabilityState",
        "EVSE/1.Available",
        "EVSE/1.Power",
        "EVSE/1.SupplyPhases",
    ]
    assert names(
        custom_report(
            dm,
            [{"component": {"name": "Connector", "evse": {"id": 1}}, "variable": {"name": "ConnectorType"}}],
        )
    ) == [
        "Connector/1/1.ConnectorType",
        "Connector/1/2.ConnectorType",
    ]
    assert custom_report(dm, [{"component": {"name": "ctrl"}}]) == []


def test_custom_report_never_discloses_write_only(dm: DeviceModel) -> None:
    (data,) = custom_report(dm, [{"component": {"name": "Ctrl"}, "variable": {"name": "Secret"}}])
    assert "value" not in data["variable_attribute"][0]
    assert "0123456789abcdef" not in repr(custom_report(dm)) + repr(base_report(dm, "FullInventory"))


def test_custom_report_by_criteria(dm: DeviceModel) -> None:
    def components(criteria: list[str], select: list[dict] | None = None) -> list[str]:
        return sorted({n.split(".")[0] for n in names(custom_report(dm, select, criteria))})

    # Ctrl: Enabled false, Problem true. Quiet: Problem false. Bare/EVSE/Connector: no such variables.
    assert components(["Problem"]) == ["Ctrl"]
    assert components(["Enabled"]) == ["Bare", "Connector/1/1", "Connector/1/2", "EVSE/1", "Quiet"]
    assert components(["Available"]) == ["Bare", "Connector/1/1", "Connector/1/2", "Ctrl", "EVSE/1", "Quiet"]
    assert components(["Enabled", "Problem"], [{"component": {"name": "Ctrl"}}]) == ["Ctrl"]
    assert components(["Enabled"], [{"component": {"name": "Ctrl"}}]) == []


def test_monitoring_report(dm: DeviceModel) -> None:
    limit = VariableRef("Ctrl", "Limit")
    dm.set_monitors(
        [
            SetMonitoringRequest(limit, 5, MonitorType.DELTA, 3),
            SetMonitoringRequest(limit, 90, MonitorType.UPPER_THRESHOLD, 2, transaction=True),
            SetMonitoringRequest(VariableRef("Ctrl", "Fixed"), 30, MonitorType.PERIODIC, 8),
        ]
    )
    assert monitoring_report(dm) == [
        {
            "component": {"name": "Ctrl"},
            "variable": {"name": "Limit"},
            "variable_monitoring": [
                {"id": 1, "transaction": False, "value": 5.0, "type": "Delta", "severity": 3},
                {"id": 2, "transaction": True, "value": 90.0, "type": "UpperThreshold", "severity": 2},
            ],
        },
        {
            "component": {"name": "Ctrl"},
            "variable": {"name": "Fixed"},
            "variable_monitoring": [
                {"id": 3, "transaction": False, "value": 30.0, "type": "Periodic", "severity": 8}
            ],
        },
    ]
    threshold = monitoring_report(dm, monitoring_criteria=["ThresholdMonitoring"])
    assert [[m["id"] for m in d["variable_monitoring"]] for d in threshold] == [[2]]
    selected = monitoring_report(dm, [{"component": {"name": "Ctrl"}, "variable": {"name": "Fixed"}}])
    assert [d["variable"]["name"] for d in selected] == ["Fixed"]


def test_chunked() -> None:
    assert chunked([1, 2, 3, 4, 5], 2) == [[1, 2], [3, 4], [5]]
    assert chunked([], 3) == [[]]
    with pytest.raises(ValueError):
        chunked([1], 0)
