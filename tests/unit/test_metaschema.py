"""Our copies of EVerest's meta-schemas and the checks around them reject what the manager rejects."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator

from everest_ocpp.everest import metaschema
from everest_ocpp.everest.yamlfile import parse_everest_yaml

Mutation = Callable[[dict[str, Any]], None]


def _interface() -> dict[str, Any]:
    return {
        "description": "A test interface",
        "cmds": {
            "do": {
                "description": "Does it",
                "arguments": {
                    "what": {"type": "object", "description": "The thing", "$ref": "/ocpp#/SecurityEvent"}
                },
                "result": {"type": "boolean", "description": "Whether it worked"},
            }
        },
        "vars": {"state": {"type": "string", "description": "The state", "qos": 1}},
        "errors": [{"reference": "/errors/generic"}, {"reference": "/errors/generic#/VendorError"}],
    }


def _type_file() -> dict[str, Any]:
    return {
        "description": "Test types",
        "types": {
            "Thing": {
                "type": "object",
                "description": "A thing",
                "properties": {"ref": {"type": "object", "$ref": "/other#/Other"}},
            }
        },
    }


def _manifest() -> dict[str, Any]:
    return {
        "description": "A test module",
        "config": {
            "Port": {"type": "integer", "description": "Port", "minimum": 1, "default": 80},
            "Mode": {"type": "string", "description": "Mode", "enum": ["a", "b"], "default": "a"},
        },
        "provides": {
            "main": {
                "description": "Main impl",
                "interface": "ocpp",
                "extra": 5,
                "config": {"Flag": {"type": "boolean", "description": "A flag"}},
            }
        },
        "requires": {
            "evse": {
                "interface": "evse_manager",
                "min_connections": 0,
                "max_connections": 2,
                "ignore": {"vars": ["limits"], "errors": True},
            }
        },
        "metadata": {
            "license": "https://opensource.org/licenses/Apache-2.0",
            "authors": ["Somebody"],
            "x": 1,
        },
        "enable_external_mqtt": False,
    }


@pytest.mark.parametrize("name", ["manifest", "interface", "type", "config", "error-declaration-list"])
def test_metaschemas_are_draft7_schemas(name: str) -> None:
    Draft7Validator.check_schema(metaschema.metaschema(name))


def test_valid_samples_pass() -> None:
    metaschema.validate_interface(_interface())
    metaschema.validate_type_file(_type_file())
    metaschema.validate_manifest(_manifest())
    metaschema.validate_error_list(
        {"description": "Errors", "errors": [{"name": "VendorError", "description": "x y"}]}
    )


def _set(path: str, value: Any) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = doc
        for key in parents:
            node = node[key]
        node[last] = value

    return mutate


def _drop(path: str) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = doc
        for key in parents:
            node = node[key]
        del node[last]

    return mutate


INTERFACE_CASES = {
    "no top description": (_drop("description"), "'description' is a required property"),
    "no cmd description": (_drop("cmds.do.description"), "'description' is a required property"),
    "no argument description": (_drop("cmds.do.arguments.what.description"), "'description' is a required"),
    "no var type": (_drop("vars.state.type"), "'type' is a required property"),
    "default in argument": (_set("cmds.do.arguments.what.default", {}), "False schema does not allow"),
    "default in result": (_set("cmds.do.result.default", True), "False schema does not allow"),
    "default in var": (_set("vars.state.default", "x"), "False schema does not allow"),
    "null argument type": (_set("cmds.do.arguments.what.type", "null"), "does not match '^(?!null).*$'"),
    "null result type": (_set("cmds.do.result.type", "null"), "does not match '^(?!null).*$'"),
    "qos out of range": (_set("vars.state.qos", 3), "3 is greater than the maximum of 2"),
    "unknown top key": (_set("version", 2), "Additional properties are not allowed ('version'"),
    "unknown cmd key": (_set("cmds.do.timeout", 5), "Additional properties are not allowed ('timeout'"),
    "bad cmd name": (_set("cmds.1do", {"description": "Bad name"}), "'1do' does not match any"),
    "bad error ref": (_set("errors", [{"reference": "/errors/Generic"}]), "is not valid under any"),
    "ref without slash": (
        _set("vars.state.$ref", "ocpp#/X"),
        "vars/state: $ref: 'ocpp#/X' is not a 'uri-reference'",
    ),
    "ref without pointer slash": (_set("vars.state.$ref", "/ocpp#X"), "is not a 'uri-reference'"),
    "ref with scheme": (_set("cmds.do.result.$ref", "http://x/ocpp#/X"), "cmds/do/result: $ref:"),
    "ref in argument": (_set("cmds.do.arguments.what.$ref", "/ocpp#/A/B"), "cmds/do/arguments/what: $ref:"),
    "invalid draft7 schema": (_set("vars.state.minLength", -1), "vars/state: minLength: -1 is less than"),
}


@pytest.mark.parametrize("case", INTERFACE_CASES, ids=list(INTERFACE_CASES))
def test_interface_rejections(case: str) -> None:
    mutate, message = INTERFACE_CASES[case]
    doc = _interface()
    mutate(doc)
    with pytest.raises(metaschema.DefinitionError) as info:
        metaschema.validate_interface(doc)
    assert message in str(info.value)


TYPE_CASES = {
    "no top description": (_drop("description"), "'description' is a required property"),
    "no type description": (_drop("types.Thing.description"), "'description' is a required property"),
    "no type keyword": (_drop("types.Thing.type"), "'type' is a required property"),
    "unknown top key": (_set("version", 1), "Additional properties are not allowed ('version'"),
    "bad type name": (_set("types.1Thing", {"type": "string", "description": "x y"}), "does not match any"),
    "bad ref": (_set("types.Thing.properties.ref.$ref", "other#/Other"), "is not a 'uri-reference'"),
    "not a schema": (_set("types.Thing.required", "name"), "'name' is not of type 'array'"),
}


@pytest.mark.parametrize("case", TYPE_CASES, ids=list(TYPE_CASES))
def test_type_file_rejections(case: str) -> None:
    mutate, message = TYPE_CASES[case]
    doc = _type_file()
    mutate(doc)
    with pytest.raises(metaschema.DefinitionError) as info:
        metaschema.validate_type_file(doc)
    assert message in str(info.value)


MANIFEST_CASES = {
    "no description": (_drop("description"), "'description' is a required property"),
    "no metadata": (_drop("metadata"), "'metadata' is a required property"),
    "unknown top key": (_set("version", 1), "Additional properties are not allowed ('version'"),
    "no config description": (_drop("config.Port.description"), "'description' is a required property"),
    "config type object": (_set("config.Port.type", "object"), "'object' is not one of"),
    "bad mutability": (_set("config.Port.mutability", "Sometimes"), "'Sometimes' is not one of"),
    "default breaks minimum": (_set("config.Port.default", 0), "config/Port/default: <root>: 0 is less than"),
    "default breaks enum": (
        _set("config.Mode.default", "c"),
        "config/Mode/default: <root>: 'c' is not one of",
    ),
    "impl default wrong type": (
        _set("provides.main.config.Flag.default", "yes"),
        "provides/main/config/Flag",
    ),
    "no provides": (_set("provides", {}), "should be non-empty"),
    "short interface": (_set("provides.main.interface", "ab"), "'ab' is too short"),
    "non-scalar impl key": (_set("provides.main.extra", [1]), "[1] is not of type"),
    "cmds in impl": (_set("provides.main.cmds", "x"), "'cmds' does not match any of the regexes"),
    "unknown requires key": (_set("requires.evse.optional", True), "Additional properties are not allowed"),
    "zero max connections": (_set("requires.evse.max_connections", 0), "0 is less than the minimum of 1"),
    "license without scheme": (_set("metadata.license", "Apache-2.0"), "'Apache-2.0' is not a 'uri'"),
    "no authors": (_set("metadata.authors", []), "should be non-empty"),
}


@pytest.mark.parametrize("case", MANIFEST_CASES, ids=list(MANIFEST_CASES))
def test_manifest_rejections(case: str) -> None:
    mutate, message = MANIFEST_CASES[case]
    doc = _manifest()
    mutate(doc)
    with pytest.raises(metaschema.DefinitionError) as info:
        metaschema.validate_manifest(doc)
    assert message in str(info.value)


def test_error_list_rejections() -> None:
    with pytest.raises(metaschema.DefinitionError, match="does not match"):
        metaschema.validate_error_list(
            {"description": "Errors", "errors": [{"name": "vendorError", "description": "x y"}]}
        )
    with pytest.raises(metaschema.DefinitionError, match="'description' is a required property"):
        metaschema.validate_error_list({"errors": []})


@pytest.mark.parametrize(
    ("fmt", "value", "ok"),
    [
        ("uri-reference", "/ocpp#/SecurityEvent", True),
        ("uri-reference", "/a/b_c-d#/T_1", True),
        ("uri-reference", "ocpp#/SecurityEvent", False),
        ("uri-reference", "/ocpp#SecurityEvent", False),
        ("uri-reference", "/ocpp#/Security/Event", False),
        ("uri-reference", "/ocpp.yaml#/X", False),
        ("uri-reference", "#/definitions/x", False),
        ("uri", "https://opensource.org/licenses/MIT", True),
        ("uri", "x://", True),
        ("uri", "opensource.org/licenses/MIT", False),
        ("date-time", "2024-05-01T12:00:00Z", True),
        ("date-time", "2024-05-01t12:00:00.123456+02:00", True),
        ("date-time", "2016-12-31T23:59:60Z", True),
        ("date-time", "2024-05-01 12:00:00Z", False),
        ("date-time", "2024-02-30T12:00:00Z", False),
        ("date-time", "2024-05-01T24:00:00Z", False),
        ("date-time", "2024-05-01T12:00:00", False),
        ("date-time", "2024-05-01T12:00:00+25:00", False),
    ],
)
def test_everest_formats(fmt: str, value: str, ok: bool) -> None:
    assert metaschema.FORMAT_CHECKER.conforms(value, fmt) is ok


def test_interface_defaults() -> None:
    doc = {
        "description": "x y",
        "cmds": {
            "a": {"description": "x y"},
            "b": {"description": "x y", "arguments": {}, "result": {"type": "integer"}},
        },
        "vars": {
            "v": {"type": "string", "description": "x y"},
            "w": {"type": "string", "description": "xy", "qos": 0},
        },
    }
    before = copy.deepcopy(doc)
    out = metaschema.apply_interface_defaults(doc)
    assert doc == before
    assert out["errors"] == []
    assert out["cmds"]["a"]["arguments"] == {}
    assert out["cmds"]["a"]["result"]["type"] == "null"
    assert out["cmds"]["b"]["result"] == {"type": "integer"}
    assert (out["vars"]["v"]["qos"], out["vars"]["w"]["qos"]) == (2, 0)
    assert metaschema.apply_interface_defaults({"description": "x y"}) == {
        "description": "x y",
        "cmds": {},
        "vars": {},
        "errors": [],
    }


def test_manifest_defaults() -> None:
    out = metaschema.apply_manifest_defaults(
        {
            "description": "x y",
            "metadata": {"license": "a://b", "authors": ["ab"]},
            "config": {"A": {"type": "string", "description": "x y"}},
            "provides": {"p": {"description": "x y", "interface": "ocpp"}},
            "requires": {
                "r": {"interface": "system"},
                "s": {"interface": "auth", "max_connections": 3, "ignore": {"vars": "x"}},
            },
        }
    )
    assert out["config"]["A"]["mutability"] == "ReadOnly"
    assert out["provides"]["p"]["config"] == {}
    assert out["requires"]["r"] == {"interface": "system", "min_connections": 1, "max_connections": 1}
    assert out["requires"]["s"] == {
        "interface": "auth",
        "min_connections": 1,
        "max_connections": 3,
        "ignore": {"vars": "x", "errors": False},
    }
    assert (out["enable_external_mqtt"], out["enable_telemetry"], out["enable_global_errors"]) == (False,) * 3
    bare = metaschema.apply_manifest_defaults({"description": "x y", "metadata": {}})
    assert (bare["config"], bare["provides"], bare["requires"]) == ({}, {}, {})


def test_resolve_config_values_rules() -> None:
    entries = {
        "N": {"type": "number", "description": "x y"},
        "S": {"type": "string", "description": "x y", "default": "d"},
    }
    assert metaschema.resolve_config_values(entries, {"N": 3, "X": 1}) == ({"N": 3, "S": "d"}, ["X"])
    with pytest.raises(metaschema.DefinitionError, match="N: missing and has no default"):
        metaschema.resolve_config_values(entries, {})
    with pytest.raises(metaschema.DefinitionError, match="S: <root>: 5 is not of type 'string'"):
        metaschema.resolve_config_values(entries, {"N": 1.5, "S": 5})


RUNTIME_CONFIG = """
settings:
  mqtt_everest_prefix: everest_test
  mqtt_broker_host: localhost
  mqtt_broker_port: 1883
  validate_schema: true
active_modules:
  ocpp:
    module: OCPP
    standalone: true
    config_module:
      OcppVersion: "2.0.1"
      PublishChargingScheduleIntervalS: 0
    config_implementation:
      ocpp_generic: {}
    connections:
      evse_manager:
        - module_id: evse_manager_1
          implementation_id: evse
    mapping:
      module: {evse: 1}
      implementations: {ocpp_generic: {evse: 1, connector: 1}}
    telemetry: {id: 1}
    access: {config: {allow_global_read: true, modules: {other: {allow_read: true}}}}
x-module-layout: {anything: [1, 2]}
"""


def test_runtime_config_accepts_sample() -> None:
    metaschema.validate_runtime_config(parse_everest_yaml(RUNTIME_CONFIG))


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (_drop("active_modules"), "'active_modules' is a required property"),
        (_set("settings.mqtt_port", 1), "Additional properties are not allowed ('mqtt_port'"),
        (_set("active_modules.ocpp.config_module.Nested", {"a": 1}), "is not of type 'boolean', 'integer'"),
        (_drop("active_modules.ocpp.module"), "'module' is a required property"),
        (_set("active_modules.ocpp.module", "My.Module"), "does not match"),
        (
            _set("active_modules.ocpp.connections.evse_manager", [{"module_id": "m"}]),
            "'implementation_id' is a",
        ),
        (
            _set("active_modules.ocpp.mapping.additionalProperties", True),
            "Additional properties are not allowed",
        ),
        (_set("active_modules.ocpp.telemetry", {}), "'id' is a required property"),
        (_set("active_modules.ocpp.unknown", 1), "Additional properties are not allowed ('unknown'"),
        (_set("extra", 1), "Additional properties are not allowed ('extra'"),
    ],
)
def test_runtime_config_rejections(mutate: Mutation, message: str) -> None:
    doc = parse_everest_yaml(RUNTIME_CONFIG)
    mutate(doc)
    with pytest.raises(metaschema.DefinitionError) as info:
        metaschema.validate_runtime_config(doc)
    assert message in str(info.value)


def test_type_registry_flattens_subfolders_and_rejects_duplicate_stems(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.yaml").write_text(
        "description: A types\ntypes:\n  A: {type: integer, description: an A}\n"
    )
    (tmp_path / "sub" / "b.yaml").write_text(
        "description: B types\ntypes:\n"
        "  B: {type: object, description: a B, properties: {a: {$ref: '/a#/A'}}}\n"
    )
    registry = metaschema.type_registry(tmp_path)
    validator = metaschema.value_validator({"$ref": "/b#/B"}, registry)
    assert validator.is_valid({"a": 1})
    assert not validator.is_valid({"a": "one"})
    (tmp_path / "sub" / "a.yaml").write_text("description: dup\n")
    with pytest.raises(metaschema.DefinitionError, match="type file stem 'a' also used"):
        metaschema.type_registry(tmp_path)


def test_everest_yaml_scalars() -> None:
    doc = parse_everest_yaml(
        "a: ON\nb: yes\nc: 2024-01-01\nd: 1.6\ne: 2.0.1\nf: true\ng: True\nh: ~\ni:\nj: '1.6'\n"
        "k: -5\nl: 1e3\n1: x\nm: 1:30\nbase: &b {x: 1}\nn:\n  <<: *b\n  y: 2\n"
    )
    assert doc == {
        "a": "ON",
        "b": "yes",
        "c": "2024-01-01",
        "d": 1.6,
        "e": "2.0.1",
        "f": True,
        "g": "True",
        "h": None,
        "i": None,
        "j": "1.6",
        "k": -5,
        "l": 1000.0,
        "1": "x",
        "m": "1:30",
        "base": {"x": 1},
        "n": {"x": 1, "y": 2},
    }
