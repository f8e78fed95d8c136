"""Reading component config folders: the shipped set, layout precedence and bad-file errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from everest_ocpp.v201.device_model import (
    ComponentKey,
    DataType,
    DeviceModel,
    DeviceModelConfigError,
    VariableKey,
    default_config_path,
    load_component_configs,
)
from everest_ocpp.v201.device_model import well_known as wk
from everest_ocpp.variables import Attribute, Mutability

from .helpers import component, prop, write

STANDARDIZED = [
    "AlignedDataCtrlr",
    "AuthCacheCtrlr",
    "AuthCtrlr",
    "ChargingStation",
    "ClockCtrlr",
    "CustomizationCtrlr",
    "DeviceDataCtrlr",
    "DisplayMessageCtrlr",
    "ISO15118Ctrlr",
    "InternalCtrlr",
    "LocalAuthListCtrlr",
    "MonitoringCtrlr",
    "OCPPCommCtrlr",
    "ReservationCtrlr",
    "SampledDataCtrlr",
    "SecurityCtrlr",
    "SmartChargingCtrlr",
    "TariffCostCtrlr",
    "TxCtrlr",
]


def test_shipped_set_has_every_standardized_controller() -> None:
    configs = load_component_configs(default_config_path())
    assert [c.key.name for c in configs] == sorted(STANDARDIZED)
    assert all(c.file is not None and c.file.parent.name == "standardized" for c in configs)


def test_shipped_set_values_the_module_relies_on(dm: DeviceModel) -> None:
    assert dm.get_int(wk.HEARTBEAT_INTERVAL) == 1800  # from the property's "default"
    assert dm.get_str(wk.CHARGE_POINT_ID) == "cp001"
    assert dm.get_bool(wk.MONITORING_ENABLED) is False
    assert dm.get_str(wk.SUPPORTED_OCPP_VERSIONS) == "ocpp2.0.1"
    assert dm.get_int(wk.SECURITY_PROFILE) == 1
    profiles = json.loads(dm.get_str(wk.NETWORK_CONNECTION_PROFILES))
    assert profiles == [
        {
            "configurationSlot": 1,
            "connectionData": {
                "messageTimeout": 30,
                "ocppCsmsUrl": "ws://127.0.0.1:9000/cp001",
                "ocppInterface": "Wired0",
                "ocppTransport": "JSON",
                "ocppVersion": "OCPP20",
                "securityProfile": 1,
            },
        }
    ]
    password = dm.variable(wk.BASIC_AUTH_PASSWORD)
    assert password is not None
    assert password.attributes[Attribute.ACTUAL].mutability is Mutability.WRITE_ONLY
    assert password.characteristics.min_limit == 16 and password.characteristics.max_limit == 40
    security = dm.variable(wk.SECURITY_PROFILE)
    assert security is not None and security.attributes[Attribute.ACTUAL].mutability is Mutability.READ_ONLY
    assert dm.get_int(wk.ITEMS_PER_MESSAGE_GET_VARIABLES) == 100
    assert dm.get_int(wk.ITEMS_PER_MESSAGE_SET_VARIABLE_MONITORING) == 100
    assert dm.get_str(wk.CHARGING_RATE_UNIT) == "A,W"
    assert dm.get_int(wk.COMPOSITE_SCHEDULE_DEFAULT_LIMIT_WATTS) == 33120
    assert dm.get_str(wk.IGNORED_PROFILE_PURPOSES_OFFLINE) == ""
    assert dm.get_str(wk.ACTIVE_MONITORING_BASE) == "All"


def test_custom_overrides_root_overrides_standardized(tmp_path: Path) -> None:
    write(tmp_path, "A.json", component("Ctrl", prop("X", value=1), prop("Only", value=5)))
    write(tmp_path, "B.json", component("Ctrl", prop("X", value=2)), level="")
    configs = load_component_configs(tmp_path)
    assert [v.key.name for v in configs[0].variables] == ["X"]
    assert configs[0].variables[0].attributes[0].value == "2"
    write(tmp_path, "C.json", component("Ctrl", prop("X", value=3)), level="custom")
    (config,) = load_component_configs(tmp_path)
    assert config.variables[0].attributes[0].value == "3"
    assert config.file == tmp_path / "custom" / "C.json"


def test_same_component_twice_in_one_level_is_an_error(tmp_path: Path) -> None:
    first = write(tmp_path, "A.json", component("Ctrl", prop("X", value=1)))
    second = write(tmp_path, "B.json", component("Ctrl", prop("Y", value=1)))
    with pytest.raises(DeviceModelConfigError) as err:
        load_component_configs(tmp_path)
    assert err.value.file == second
    assert err.value.problem == f"component Ctrl is also defined in {first}"


def test_component_keys_include_instance_evse_and_connector(tmp_path: Path) -> None:
    write(
        tmp_path, "a.json", component("Thing", prop("X", value=1), instance="left", evse_id=2, connector_id=1)
    )
    (config,) = load_component_configs(tmp_path)
    assert config.key == ComponentKey("Thing", "left", 2, 1)


def test_values_of_every_json_type_become_text(tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.json",
        component(
            "Ctrl",
            prop("Bool", "boolean", True),
            prop("Int", "integer", 7),
            prop("Dec", "decimal", 2.5),
            prop("Json", "string", [{"a": 1}]),
            {**prop("Def", "integer"), "default": 30},
        ),
    )
    (config,) = load_component_configs(tmp_path)
    values = {v.key.name: v.file_value(v.attributes[0]) for v in config.variables}
    assert values == {"Bool": "true", "Int": "7", "Dec": "2.5", "Json": '[{"a":1}]', "Def": "30"}


def test_empty_value_means_unset_except_for_strings_and_lists(tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.json",
        component(
            "Ctrl", prop("When", "dateTime", ""), prop("Text", "string", ""), prop("Set", "MemberList", "")
        ),
    )
    (config,) = load_component_configs(tmp_path)
    values = {v.key.name: v.attributes[0].value for v in config.variables}
    assert values == {"When": None, "Text": "", "Set": ""}


def test_missing_mutability_is_read_only_and_missing_type_is_actual(tmp_path: Path) -> None:
    data = component("Ctrl", prop("X", value=1))
    data["properties"]["X"]["attributes"] = [{"value": 4}]
    write(tmp_path, "a.json", data)
    (config,) = load_component_configs(tmp_path)
    (attribute,) = config.variables[0].attributes
    assert (attribute.type, attribute.mutability, attribute.value) == (
        Attribute.ACTUAL,
        Mutability.READ_ONLY,
        "4",
    )


def _error(tmp_path: Path, data: dict | str) -> DeviceModelConfigError:
    write(tmp_path, "Broken.json", data)
    with pytest.raises(DeviceModelConfigError) as err:
        load_component_configs(tmp_path)
    assert err.value.file == tmp_path / "standardized" / "Broken.json"
    assert str(tmp_path / "standardized" / "Broken.json") in str(err.value)
    return err.value


def test_bad_json_names_the_file(tmp_path: Path) -> None:
    err = _error(tmp_path, '{"name": "Ctrl", "properties": {')
    assert err.variable is None
    assert err.problem.startswith("invalid JSON: ")


def test_unknown_data_type_names_file_and_variable(tmp_path: Path) -> None:
    err = _error(tmp_path, component("Ctrl", prop("Speed", "float", 1)))
    assert (err.variable, err.problem) == ("Speed", "unknown dataType 'float'")
    assert "variable Speed: unknown dataType 'float'" in str(err)


def test_value_failing_its_own_characteristics(tmp_path: Path) -> None:
    err = _error(tmp_path, component("Ctrl", prop("Level", "integer", 12, instance="Inner", maxLimit=9)))
    assert err.variable == "Level[Inner]"
    assert err.problem == "attribute Actual value '12' fails its integer characteristics: above maxLimit 9"


def test_default_failing_its_characteristics(tmp_path: Path) -> None:
    err = _error(
        tmp_path, component("Ctrl", {**prop("Mode", "OptionList", valuesList="A,B"), "default": "C"})
    )
    assert err.problem == "default 'C' fails its OptionList characteristics: not one of valuesList"


def test_write_only_value_is_not_echoed_in_errors(tmp_path: Path) -> None:
    err = _error(
        tmp_path, component("Ctrl", prop("Secret", "string", "short-secret", "WriteOnly", minLimit=16))
    )
    assert err.problem == "attribute Actual value fails its string characteristics: shorter than minLimit 16"
    assert "short-secret" not in str(err)


@pytest.mark.parametrize(
    ("mutate", "variable", "problem"),
    [
        (lambda d: d.pop("name"), None, "missing or invalid component 'name'"),
        (lambda d: d.pop("properties"), None, "missing or empty 'properties' object"),
        (lambda d: d["properties"]["X"].pop("variable_name"), "X", "missing or invalid 'variable_name'"),
        (lambda d: d["properties"]["X"].pop("characteristics"), "X", "missing 'characteristics' object"),
        (lambda d: d["properties"]["X"].pop("attributes"), "X", "missing or empty 'attributes' list"),
        (lambda d: d.update(connector_id=1), None, "'connector_id' given without 'evse_id'"),
        (lambda d: d.update(evse_id=0), None, "'evse_id' must be an integer >= 1"),
        (
            lambda d: d.update(required=["X", "Missing"]),
            "Missing",
            "required variable is missing from 'properties'",
        ),
        (
            lambda d: d["properties"]["X"]["attributes"].append({"type": "Actual"}),
            "X",
            "attribute Actual defined twice",
        ),
        (
            lambda d: d["properties"]["X"]["characteristics"].update(maxLimit="9"),
            "X",
            "'maxLimit' must be a number",
        ),
        (
            lambda d: d["properties"]["X"]["attributes"][0].update(mutability="Sometimes"),
            "X",
            "invalid attribute mutability 'Sometimes'",
        ),
    ],
)
def test_structural_problems(tmp_path: Path, mutate, variable: str | None, problem: str) -> None:
    data = component("Ctrl", prop("X", value=1))
    mutate(data)
    err = _error(tmp_path, data)
    assert (err.variable, err.problem) == (variable, problem)


def test_duplicate_variable_in_one_component(tmp_path: Path) -> None:
    data = component("Ctrl", prop("X", value=1))
    data["properties"]["Again"] = prop("X", value=2)
    err = _error(tmp_path, data)
    assert (err.variable, err.problem) == ("X", "defined twice (properties 'X', 'Again')")


@pytest.mark.parametrize(
    ("monitor", "problem"),
    [
        (
            {"type": "Delta", "value": 1, "severity": 5, "config_type": "HardWiredMonitor"},
            "invalid monitor: a Delta monitor needs a 'reference_value'",
        ),
        (
            {
                "type": "Delta",
                "value": 1,
                "severity": 12,
                "config_type": "HardWiredMonitor",
                "reference_value": "1",
            },
            "invalid monitor: severity must be an integer 0..9",
        ),
        (
            {"type": "UpperThreshold", "value": 1, "severity": 5, "config_type": "CustomMonitor"},
            "invalid monitor: config_type must be one of ['HardWiredMonitor', 'PreconfiguredMonitor']",
        ),
        (
            {"type": "UpperThreshold", "severity": 5, "config_type": "HardWiredMonitor"},
            "monitor is missing 'value'",
        ),
    ],
)
def test_bad_monitors(tmp_path: Path, monitor: dict, problem: str) -> None:
    err = _error(tmp_path, component("Ctrl", {**prop("X", value=1), "monitors": [monitor]}))
    assert (err.variable, err.problem) == ("X", problem)


def test_monitors_need_supports_monitoring(tmp_path: Path) -> None:
    monitor = {"type": "UpperThreshold", "value": 1, "severity": 5, "config_type": "HardWiredMonitor"}
    err = _error(tmp_path, component("Ctrl", {**prop("X", value=1, monitoring=False), "monitors": [monitor]}))
    assert (err.variable, err.problem) == ("X", "has 'monitors' but supportsMonitoring is false")


def test_all_problems_are_reported_together(tmp_path: Path) -> None:
    write(tmp_path, "One.json", component("One", prop("A", "float", 1)))
    write(tmp_path, "Two.json", component("Two", prop("B", "integer", "x")))
    with pytest.raises(DeviceModelConfigError) as err:
        load_component_configs(tmp_path)
    assert [(i.file.name if i.file else None, i.variable) for i in err.value.issues] == [
        ("One.json", "A"),
        ("Two.json", "B"),
    ]
    assert str(err.value).startswith("2 problems:")


def test_missing_or_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(DeviceModelConfigError, match="component config folder does not exist"):
        load_component_configs(tmp_path / "nope")
    with pytest.raises(DeviceModelConfigError, match=r"no component config files \(\*\.json\) found"):
        load_component_configs(tmp_path)


def test_characteristics_are_read(tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.json",
        component("Ctrl", prop("P", "decimal", 1.5, unit="W", minLimit=0, maxLimit=22000, valuesList=None)),
    )
    (config,) = load_component_configs(tmp_path)
    ch = config.variables[0].characteristics
    assert (ch.data_type, ch.unit, ch.min_limit, ch.max_limit, ch.supports_monitoring) == (
        DataType.DECIMAL,
        "W",
        0.0,
        22000.0,
        True,
    )
    assert config.variables[0].key == VariableKey("P")
