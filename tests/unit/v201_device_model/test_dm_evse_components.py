"""EVSE and Connector components derived from the EVSE list, and the required-variable checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from everest_ocpp.v201.device_model import (
    ComponentKey,
    DeviceModel,
    DeviceModelConfigError,
    EvseSpec,
    derive_evse_components,
)
from everest_ocpp.v201.device_model import well_known as wk
from everest_ocpp.variables import Attribute, GetStatus, Mutability, VariableRef

from .helpers import component, prop, write


def test_derived_components(dm: DeviceModel) -> None:
    keys = [c.key for c in dm.components() if c.key.name in ("EVSE", "Connector")]
    assert keys == [
        ComponentKey("Connector", None, 1, 1),
        ComponentKey("Connector", None, 2, 1),
        ComponentKey("Connector", None, 2, 2),
        ComponentKey("EVSE", None, 1),
        ComponentKey("EVSE", None, 2),
    ]
    evse = {
        name: dm.get(VariableRef("EVSE", name, evse=2)).value
        for name in ("AvailabilityState", "Available", "Power", "SupplyPhases")
    }
    assert evse == {"AvailabilityState": "Available", "Available": "true", "Power": "0", "SupplyPhases": "3"}
    connector = {
        name: dm.get(VariableRef("Connector", name, evse=2, connector=2)).value
        for name in ("AvailabilityState", "Available", "ConnectorType", "SupplyPhases")
    }
    assert connector == {
        "AvailabilityState": "Available",
        "Available": "true",
        "ConnectorType": "Unknown",
        "SupplyPhases": "3",
    }
    power = dm.variable(VariableRef("EVSE", "Power", evse=1))
    assert power is not None and power.characteristics.max_limit == 22080
    assert power.attributes[Attribute.MAX_SET].value == "22080"
    assert power.attributes[Attribute.ACTUAL].mutability is Mutability.READ_ONLY


def test_spec_details_are_used() -> None:
    spec = EvseSpec(3, (1,), max_power_w=11000, supply_phases=1, connector_types={1: "cType2"})
    evse, connector = derive_evse_components([spec])
    values = {v.key.name: v.attributes[0].value for v in connector.variables}
    assert values["ConnectorType"] == "cType2" and values["SupplyPhases"] == "1"
    power = next(v for v in evse.variables if v.key.name == "Power")
    assert power.characteristics.max_limit == 11000


def test_component_files_take_precedence(config_dir: Path, db_path: Path) -> None:
    write(
        config_dir,
        "EVSE_1.json",
        component(
            "EVSE",
            prop(
                "AvailabilityState",
                "OptionList",
                "Unavailable",
                "ReadOnly",
                valuesList="Available,Unavailable",
            ),
            prop("Available", "boolean", True, "ReadOnly"),
            prop("Power", "decimal", 0, "ReadOnly", maxLimit=7400),
            prop("SupplyPhases", "integer", 1, "ReadOnly"),
            prop("AllowReset", "boolean", False, "ReadOnly"),
            evse_id=1,
        ),
        level="custom",
    )
    with DeviceModel.open(config_dir, db_path, evses=[(1, [1])]) as dm:
        assert dm.get(VariableRef("EVSE", "AllowReset", evse=1)).value == "false"
        assert dm.get(VariableRef("EVSE", "AvailabilityState", evse=1)).value == "Unavailable"
        assert dm.get(VariableRef("Connector", "ConnectorType", evse=1, connector=1)).value == "Unknown"


def test_evse_list_changes_add_and_remove_components(config_dir: Path, db_path: Path) -> None:
    with DeviceModel.open(config_dir, db_path, evses=[(1, [1]), (2, [1])]) as dm:
        dm.set(
            VariableRef("EVSE", "AvailabilityState", evse=1),
            "Occupied",
            source="internal",
            allow_read_only=True,
        )
    with DeviceModel.open(config_dir, db_path, evses=[(1, [1, 2])]) as dm:
        assert dm.get(VariableRef("EVSE", "Available", evse=2)).status is GetStatus.UNKNOWN_COMPONENT
        assert dm.get(VariableRef("Connector", "Available", evse=1, connector=2)).value == "true"
        assert dm.get(VariableRef("EVSE", "AvailabilityState", evse=1)).value == "Occupied"


@pytest.mark.parametrize(
    ("evses", "message"),
    [
        ([(0, [1])], "EVSE ids must be unique and >= 1"),
        ([(1, [1]), (1, [2])], "EVSE ids must be unique and >= 1"),
        ([(1, [])], "connector ids must be unique and non-empty"),
        ([(1, [0])], "connector ids must be >= 1"),
    ],
)
def test_invalid_evse_lists(evses: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        derive_evse_components(evses)


def test_file_evse_missing_required_variables(config_dir: Path, db_path: Path) -> None:
    path = write(
        config_dir, "EVSE_1.json", component("EVSE", prop("Power", "decimal", 0, "ReadOnly"), evse_id=1)
    )
    with pytest.raises(DeviceModelConfigError) as err:
        DeviceModel.open(config_dir, db_path, evses=[(1, [1])])
    assert [(i.file, i.variable, i.problem) for i in err.value.issues] == [
        (path, "EVSE(evse 1).Available", "required variable missing from the component"),
        (path, "EVSE(evse 1).AvailabilityState", "required variable missing from the component"),
        (path, "EVSE(evse 1).SupplyPhases", "required variable missing from the component"),
        (path, "EVSE(evse 1).Power", "Power needs a maxLimit (the EVSE's maximum power)"),
    ]


def test_required_variable_without_value(config_dir: Path, db_path: Path) -> None:
    path = config_dir / "standardized" / "InternalCtrlr.json"
    data = json.loads(path.read_text())
    del data["properties"]["ChargePointVendor"]["attributes"][0]["value"]
    data["properties"].pop("ChargePointModel")
    data["required"].remove("ChargePointModel")
    path.write_text(json.dumps(data))
    with pytest.raises(DeviceModelConfigError) as err:
        DeviceModel.open(config_dir, db_path)
    assert [(i.file, i.variable, i.problem) for i in err.value.issues] == [
        (path, "InternalCtrlr.ChargePointModel", "required variable missing from the component"),
        (path, "InternalCtrlr.ChargePointVendor", "required variable has no Actual value"),
    ]


def test_required_component_missing(config_dir: Path, db_path: Path) -> None:
    (config_dir / "standardized" / "SecurityCtrlr.json").unlink()
    with pytest.raises(DeviceModelConfigError) as err:
        DeviceModel.open(config_dir, db_path)
    assert [(i.file, i.variable) for i in err.value.issues] == [
        (None, "SecurityCtrlr.CertificateEntries"),
        (None, "SecurityCtrlr.Identity"),
        (None, "SecurityCtrlr.OrganizationName"),
        (None, "SecurityCtrlr.SecurityProfile"),
    ]
    assert err.value.problem == "required variable missing: no component file defines SecurityCtrlr"


def test_required_when_available(config_dir: Path, db_path: Path) -> None:
    path = config_dir / "standardized" / "SmartChargingCtrlr.json"
    data = json.loads(path.read_text())
    del data["properties"]["SupplyVoltage"]["attributes"][0]["value"]
    path.write_text(json.dumps(data))
    with pytest.raises(DeviceModelConfigError, match=r"SmartChargingCtrlr\.SupplyVoltage"):
        DeviceModel.open(config_dir, db_path)
    data["properties"]["Available"]["attributes"][0]["value"] = False
    path.write_text(json.dumps(data))
    with DeviceModel.open(config_dir, db_path) as dm:
        assert dm.get_bool(wk.SMART_CHARGING_AVAILABLE) is False


def test_a_stored_value_satisfies_a_requirement(config_dir: Path, db_path: Path) -> None:
    with DeviceModel.open(config_dir, db_path) as dm:
        dm.set(wk.CHARGE_POINT_VENDOR, "Acme", source="internal", allow_read_only=True)
    path = config_dir / "standardized" / "InternalCtrlr.json"
    data = json.loads(path.read_text())
    del data["properties"]["ChargePointVendor"]["attributes"][0]["value"]
    path.write_text(json.dumps(data))
    with DeviceModel.open(config_dir, db_path) as dm:
        assert dm.get_str(wk.CHARGE_POINT_VENDOR) == "Acme"
