"""A 10,000-variable model (generated component files) loads, restarts and answers lookups."""

from __future__ import annotations

import json
from pathlib import Path

from everest_ocpp.v201.device_model import DeviceModel
from everest_ocpp.variables import GetStatus, SetStatus, VariableRef

COMPONENTS = 100
VARIABLES_PER_COMPONENT = 100


def generate(folder: Path) -> None:
    """100 components x 100 variables, cycling through data types; some per EVSE, some with instances."""
    kinds = [
        ("integer", 7, {"minLimit": 0, "maxLimit": 1000}),
        ("decimal", 2.5, {"unit": "W"}),
        ("boolean", True, {}),
        ("string", "text", {"maxLimit": 50}),
        ("OptionList", "B", {"valuesList": "A,B,C"}),
        ("MemberList", "A,C", {"valuesList": "A,B,C"}),
    ]
    (folder / "custom").mkdir(parents=True)
    for c in range(COMPONENTS):
        properties = {}
        for v in range(VARIABLES_PER_COMPONENT):
            data_type, value, extra = kinds[v % len(kinds)]
            properties[f"V{v}"] = {
                "variable_name": f"Var{v // 2}",
                "instance": f"I{v % 2}",
                "characteristics": {"dataType": data_type, "supportsMonitoring": True, **extra},
                "attributes": [{"type": "Actual", "mutability": "ReadWrite", "value": value}],
            }
        data = {"name": f"Generated{c}", "properties": properties}
        if c % 2:
            data["evse_id"] = c % 4 + 1
        (folder / "custom" / f"Generated{c}.json").write_text(json.dumps(data))


def test_ten_thousand_variables(tmp_path: Path) -> None:
    generate(tmp_path / "cc")
    with DeviceModel.open(tmp_path / "cc", tmp_path / "dm.db", check_required=False) as dm:
        assert dm.variable_count() == COMPONENTS * VARIABLES_PER_COMPONENT
        last = VariableRef("Generated99", "Var47", variable_instance="I1", evse=4)
        assert dm.get(last).value == "A,C"
        assert dm.set(last, "B", source="csms").status is SetStatus.ACCEPTED
        assert dm.get(VariableRef("Generated99", "Var47", variable_instance="I1")).status is (
            GetStatus.UNKNOWN_COMPONENT
        )
    with DeviceModel.open(tmp_path / "cc", tmp_path / "dm.db", check_required=False) as dm:
        assert dm.variable_count() == COMPONENTS * VARIABLES_PER_COMPONENT
        assert dm.get(last).value == "B"
        assert dm.get(VariableRef("Generated0", "Var0", variable_instance="I0")).value == "7"
