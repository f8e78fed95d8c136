"""Compiled validators: same verdicts as jsonschema, readable messages, self-referring types."""

from __future__ import annotations

from pathlib import Path

from referencing import Registry
from referencing.jsonschema import DRAFT7

from everest_ocpp.everest.definitions import Validator, bundle_refs

TYPES = {
    "Node": {
        "type": "object",
        "required": ["name"],
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string"},
            "children": {"type": "array", "items": {"$ref": "/t#/Node"}},
        },
    },
    "Name": {"type": "string", "maxLength": 3},
}
REGISTRY = Registry().with_resource("/t", DRAFT7.create_resource(TYPES))


def test_refs_are_inlined_and_cycles_kept_once() -> None:
    bundled = bundle_refs({"type": "object", "properties": {"n": {"$ref": "/t#/Name"}}}, REGISTRY)
    assert bundled == {"type": "object", "properties": {"n": {"type": "string", "maxLength": 3}}}
    tree = bundle_refs({"$ref": "/t#/Node"}, REGISTRY)
    assert tree["properties"]["children"]["items"] == {"$ref": "#/definitions/t.Node"}
    assert tree["definitions"]["t.Node"]["properties"]["children"]["items"] == {
        "$ref": "#/definitions/t.Node"
    }


def test_verdicts_and_messages() -> None:
    v = Validator({"$ref": "/t#/Node"}, REGISTRY)
    assert v.error({"name": "a", "children": [{"name": "b", "children": []}]}) is None
    assert v.error({"name": "a", "children": [{"name": 5}]}) == "children/0/name: 5 is not of type 'string'"
    assert v.error({"name": "a", "extra": 1}) == (
        "Additional properties are not allowed ('extra' was unexpected)"
    )
    names = Validator({"$ref": "/t#/Name"}, REGISTRY)
    assert names.error("abc") is None
    assert names.error("abcd") == "'abcd' is too long"


def test_formats_are_annotations() -> None:
    v = Validator({"type": "string", "format": "date-time"}, REGISTRY)
    assert v.error("2024-01-01T12:00:00") is None  # no offset: accepted, as EVerest callers send it


def test_real_interface_schemas_compile(tmp_path: Path) -> None:
    from everest_ocpp.everest.definitions import Definitions

    defs = Definitions()
    defs.warm_up("ocpp")
    cmd = defs.interface("ocpp").cmds["get_variables"]
    assert cmd.args_validator.error({"requests": []}) is None
    assert "'requests' is a required property" in (cmd.args_validator.error({}) or "")


def test_long_strings_are_not_echoed() -> None:
    v = Validator({"type": "string", "maxLength": 50}, REGISTRY)
    secret = "S3CRET" * 20
    message = v.error(secret) or ""
    assert secret not in message
    assert message == "<string of 120 characters> is too long"


def test_a_var_validator_is_compiled_once_hot_with_the_same_verdicts() -> None:
    schema = {
        "type": "object",
        "required": ["total"],
        "properties": {"total": {"type": "number"}, "decimals": {"type": "integer", "default": 2}},
    }
    v = Validator(schema, REGISTRY, compiled=False)
    verdicts = []
    for n in range(Validator.HOT + 3):
        value: dict[str, object] = {"total": float(n)}
        verdicts.append((v.compiled, v.error(value), v.error({"total": "x"}), value))
    assert not verdicts[0][0] and v.compiled  # jsonschema while rare, compiled once frequent
    assert {(error, bad) for _c, error, bad, _v in verdicts} == {(None, "total: 'x' is not of type 'number'")}
    assert all("decimals" not in value for *_rest, value in verdicts)  # no defaults written, ever


def test_the_powermeter_var_validator_of_the_interface_is_compiled_when_hot() -> None:
    from everest_ocpp.everest.definitions import Definitions

    validator = Definitions().interface("evse_manager").vars["powermeter"]
    reading = {"timestamp": "2026-01-01T00:00:00Z", "energy_Wh_import": {"total": 1.0}}
    for _ in range(Validator.HOT + 1):
        assert validator.error(reading) is None
    assert validator.compiled
    assert validator.error({"timestamp": 1, "energy_Wh_import": {"total": 1.0}}) == (
        "timestamp: 1 is not of type 'string'"
    )
