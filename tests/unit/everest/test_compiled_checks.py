"""The compiled checks (everest/validators.py) give jsonschema's verdict, value for value.

Every command argument, result and var schema of every interface in interfaces/ is compiled; a
valid sample of each and a few hundred mutations of it (wrong types, missing and extra keys, values
out of range, enum misses, bools for numbers, ...) must be judged exactly as Draft7Validator judges
them. A check that accepted what jsonschema refuses would skip validation the protocol requires.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator

from everest_ocpp.everest.definitions import Definitions, bundle_refs
from everest_ocpp.everest.validators import Unsupported, compile_check

REPO = Path(__file__).resolve().parents[3]
DEFS = Definitions(REPO)
INTERFACES = sorted(p.stem for p in (REPO / "interfaces").glob("*.yaml"))
PER_SCHEMA = 300  # mutations judged per schema

ODD_VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    1,
    -1,
    2.0,
    2.5,
    -0.5,
    10**12,
    "",
    "Actual",
    "x" * 51,
    "x" * 1001,
    [],
    [1],
    [{}],
    {},
    {"name": "x"},
    (1, 2),
]


def sample(schema: Any, definitions: dict[str, Any], depth: int = 0) -> Any:
    """A value meant to be valid (pattern-constrained strings may not be; the verdicts must agree
    either way), with every optional property present so that mutations reach all of them."""
    if not isinstance(schema, dict) or not schema:
        return {"anything": 1}
    if "$ref" in schema:
        if depth > 4:
            return None
        return sample(definitions[schema["$ref"].split("/")[-1]], definitions, depth + 1)
    kind = schema.get("type")
    kind = kind[0] if isinstance(kind, list) else kind
    if "enum" in schema:
        return schema["enum"][0]
    if kind == "object" or "properties" in schema:
        return {k: sample(v, definitions, depth + 1) for k, v in (schema.get("properties") or {}).items()}
    if kind == "array":
        count = max(1, schema.get("minItems", 1))
        return [sample(schema.get("items", {}), definitions, depth + 1) for _ in range(count)]
    if kind == "string":
        return "a" * max(1, schema.get("minLength", 1))
    if kind in ("integer", "number"):
        return schema.get("minimum", 1)
    if kind == "boolean":
        return True
    return None


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from paths(v, (*prefix, i))


def replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    out = copy.copy(value)
    out[path[0]] = replaced(value[path[0]], path[1:], new)
    return out


def removed(value: Any, path: tuple[Any, ...]) -> Any:
    out = copy.copy(value)
    if len(path) == 1:
        del out[path[0]]
    else:
        out[path[0]] = removed(value[path[0]], path[1:])
    return out


def mutations(value: Any, rng: random.Random) -> list[Any]:
    out: list[Any] = []
    for path in paths(value):
        target = value
        for step in path:
            target = target[step]
        out += [replaced(value, path, odd) for odd in ODD_VALUES]
        if path:
            out.append(removed(value, path))
        if isinstance(target, dict):
            out.append(replaced(value, path, {**target, "zz_extra": 1}))
        if isinstance(target, list):
            out.append(replaced(value, path, target * 3))
        if isinstance(target, str):
            out.append(replaced(value, path, target + "x"))
        if isinstance(target, (int, float)) and not isinstance(target, bool):
            out += [replaced(value, path, target - 1), replaced(value, path, target + 0.5)]
    rng.shuffle(out)
    return out[:PER_SCHEMA]


def as_sent(value: Any) -> Any:
    """What the receiver sees: a tuple (which a handler may return) is a JSON array."""
    return json.loads(json.dumps(value))


def schemas() -> Iterator[tuple[str, dict[str, Any]]]:
    for name in INTERFACES:
        iface = DEFS.interface(name)
        for cmd, spec in iface.cmds.items():
            yield f"{name}.{cmd}.args", spec.args_validator._schema
            yield f"{name}.{cmd}.result", spec.result_validator._schema
        for var, validator in iface.vars.items():
            yield f"{name}.{var}", validator._schema


ALL = dict(schemas())


@pytest.mark.parametrize("name", list(ALL))
def test_compiled_check_agrees_with_jsonschema(name: str) -> None:
    schema = ALL[name]
    bundled = bundle_refs(schema, DEFS.registry)
    check = compile_check(bundled)
    reference = Draft7Validator(schema, registry=DEFS.registry)
    base = sample(bundled, bundled.get("definitions", {}) if isinstance(bundled, dict) else {})
    values = [base, *mutations(base, random.Random(name))]
    disagreements = [v for v in values if check(v) != reference.is_valid(as_sent(v))]
    assert disagreements == []
    if "pattern" not in str(bundled):
        assert check(base), "the sample should be valid (or the mutations test little)"


def test_every_interface_schema_compiles() -> None:
    assert len(ALL) > 150
    for schema in ALL.values():
        compile_check(bundle_refs(schema, DEFS.registry))  # raises Unsupported otherwise


KEYWORD_CASES: list[tuple[dict[str, Any], list[Any], list[Any]]] = [  # schema, valid, invalid
    ({"type": "integer"}, [1, -3, 2.0, 10**20], [True, 1.5, "1", None]),
    ({"type": "number", "minimum": 0, "exclusiveMaximum": 5}, [0, 4.99, 4], [-0.1, 5, False, "3"]),
    ({"type": ["string", "null"], "maxLength": 2}, [None, "", "ab"], ["abc", 1, []]),
    ({"minLength": 2, "minimum": 3}, ["ab", 3, None, [], {}], ["a", 2]),  # limits only for their type
    (
        {"type": "array", "items": {"type": "boolean"}, "minItems": 1, "maxItems": 2},
        [[True], (False, True)],
        [[], [1], [True] * 3],
    ),
    (
        {
            "type": "object",
            "additionalProperties": {"type": "integer"},
            "properties": {"a": {"type": "string"}},
        },
        [{"a": "x", "b": 1}],
        [{"a": 1}, {"b": "x"}],
    ),
    ({"type": "object", "required": ["a"], "additionalProperties": False}, [], [{"a": 1}, {}]),
    ({"type": "string", "pattern": "^[0-9]+$"}, ["123"], ["12a", ""]),
    ({"enum": ["A", "B"]}, ["A"], ["C", 1, None]),
    ({"properties": {"a": False, "b": True}}, [{"b": 1}, 3], [{"a": 1}]),
    (
        {
            "$ref": "#/definitions/node",
            "definitions": {
                "node": {"type": "object", "properties": {"next": {"$ref": "#/definitions/node"}}}
            },
        },
        [{}, {"next": {"next": {}}}],
        [{"next": 1}, {"next": {"next": []}}],
    ),
]


@pytest.mark.parametrize("schema,valid,invalid", KEYWORD_CASES)
def test_keywords(schema: dict[str, Any], valid: list[Any], invalid: list[Any]) -> None:
    check = compile_check(schema)
    reference = Draft7Validator(schema)
    assert [check(v) for v in valid] == [True] * len(valid)
    assert [check(v) for v in invalid] == [False] * len(invalid)
    assert [reference.is_valid(as_sent(v)) for v in valid + invalid] == [True] * len(valid) + [False] * len(
        invalid
    )


@pytest.mark.parametrize(
    "schema",
    [
        {"enum": [1, 2]},
        {"oneOf": [{"type": "string"}]},
        {"type": "array", "items": [{"type": "string"}]},
        {"$ref": "/ocpp#/Foo"},
        {"type": "decimal"},
        {"minimum": True},
    ],
)
def test_unsupported_schemas_say_so(schema: dict[str, Any]) -> None:
    with pytest.raises(Unsupported):
        compile_check(schema)
