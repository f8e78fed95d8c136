"""OCPP schema validation, compiled and inline: the package's verdicts, never a weaker check.

Every schema of both versions is compiled and given a valid instance and many invalid ones (wrong
types, missing required fields, unknown fields, too long strings, unknown enum values, too few or
too many items); the compiled check must accept exactly what the package's validation accepts.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ocpp
import ocpp.messages
import pytest
from ocpp.exceptions import FormatViolationError, OCPPError, ProtocolError
from ocpp.messages import Call, CallResult

from everest_ocpp.csms import ocpp_validation
from everest_ocpp.csms.ocpp_validation import COMPILE_AFTER, _compiled, validate

SCHEMAS = Path(ocpp.__file__).parent
STAMP = "2026-01-01T00:00:00Z"


def schema_keys() -> list[tuple[str, int, str]]:
    keys = []
    for version, folder in (("1.6", "v16"), ("2.0.1", "v201")):
        for path in sorted((SCHEMAS / folder / "schemas").glob("*.json")):
            name = path.stem
            if name.endswith("Response"):
                keys.append((version, 3, name.removesuffix("Response")))
            elif version == "2.0.1":
                keys.append((version, 2, name.removesuffix("Request")))
            else:
                keys.append((version, 2, name))
    return keys


def _resolve(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = root["definitions"][node["$ref"].split("/")[-1]]
    return node


def example(node: dict[str, Any], root: dict[str, Any], depth: int = 0) -> Any:
    """A valid instance: every property filled (to reach nested schemas), minimal arrays."""
    node = _resolve(node, root)
    if "enum" in node:
        return node["enum"][0]
    kind = node.get("type")
    if kind == "object":
        props = node.get("properties", {})
        wanted = props if depth < 6 else {k: props[k] for k in node.get("required", [])}
        return {k: example(v, root, depth + 1) for k, v in wanted.items()}
    if kind == "array":
        return [
            example(node.get("items", {}), root, depth + 1) for _ in range(max(1, node.get("minItems", 1)))
        ]
    if kind == "string":
        return STAMP if node.get("format") == "date-time" else "x"
    if kind == "integer":
        return max(1, node.get("minimum", 1))
    if kind == "number":
        return 1.0 if "multipleOf" in node else 1.5
    if kind == "boolean":
        return True
    return "x"


def mutations(instance: Any, node: dict[str, Any], root: dict[str, Any]) -> Iterator[Any]:
    """Invalid variants of ``instance`` at this level and below (each changed in one place)."""
    node = _resolve(node, root)
    kind = node.get("type")
    yield [] if kind != "array" else {"not": "an array"}  # wrong type
    if "enum" in node:
        yield "NotOneOfTheEnumValues"
    if kind == "string" and "maxLength" in node:
        yield "y" * (node["maxLength"] + 1)
    if kind == "integer":
        yield 1.5
        yield True
    if kind == "number":
        yield "1.5"
    if kind == "object" and isinstance(instance, dict):
        for key in node.get("required", []):
            if key in instance:
                yield {k: v for k, v in instance.items() if k != key}
        if node.get("additionalProperties") is False:
            yield {**instance, "unknownField": 1}
        for key, sub in node.get("properties", {}).items():
            if key in instance:
                for bad in mutations(instance[key], sub, root):
                    yield {**instance, key: bad}
    if kind == "array" and isinstance(instance, list) and instance:
        if node.get("minItems", 0) > 0:
            yield []
        if "maxItems" in node:
            yield instance * (node["maxItems"] + 1)
        for bad in mutations(instance[0], node.get("items", {}), root):
            yield [bad, *instance[1:]]


def package_accepts(key: tuple[str, int, str], payload: Any) -> bool:
    version, kind, action = key
    message = (
        Call("1", action, copy.deepcopy(payload))
        if kind == 2
        else CallResult("1", copy.deepcopy(payload), action)
    )
    try:
        ocpp.messages._validate_payload(message, version)
    except OCPPError:
        return False
    return True


def compiled_accepts(check: Any, payload: Any) -> bool:
    try:
        check(copy.deepcopy(payload))
    except Exception:
        return False
    return True


@pytest.mark.parametrize("key", schema_keys(), ids=lambda k: f"{k[0]}-{k[2]}-{k[1]}")
def test_compiled_schema_agrees_with_the_package(key: tuple[str, int, str]) -> None:
    check = _compiled(key)
    if key in ocpp_validation._DECIMAL:
        assert check is False  # validated with Decimal numbers: the package's own path only
        return
    assert check, f"{key} did not compile"
    root = ocpp.messages.get_validator(key[1], key[2], key[0]).schema
    valid = example(root, root)
    assert package_accepts(key, valid), valid
    assert compiled_accepts(check, valid)
    rejected = 0
    for checked, bad in enumerate(mutations(valid, root, root)):
        if checked >= 150:
            break
        verdict = package_accepts(key, bad)
        rejected += not verdict
        assert compiled_accepts(check, bad) == verdict, json.dumps(bad)[:300]
    assert rejected > 0  # the variants are invalid (all but "data" of DataTransfer, which has no type)


def test_compiled_once_an_action_is_used_often_and_invalid_payloads_still_raise() -> None:
    key = ("1.6", 2, "FirmwareStatusNotification")
    ocpp_validation._schemas.pop(key, None)
    good = Call("1", "FirmwareStatusNotification", {"status": "Installed"})
    for _ in range(COMPILE_AFTER):
        validate(good, "1.6")
    assert key not in ocpp_validation.compiled_actions()  # start-up messages are not compiled
    validate(good, "1.6")
    assert key in ocpp_validation.compiled_actions()
    with pytest.raises(FormatViolationError):  # the package's error for an unknown enum value
        validate(Call("1", "FirmwareStatusNotification", {"status": "Bogus"}), "1.6")
    with pytest.raises(ProtocolError):  # ... and for a missing required field
        validate(Call("1", "FirmwareStatusNotification", {}), "1.6")


def test_validation_runs_inline() -> None:
    assert ocpp.messages.ASYNC_VALIDATION is False  # incoming calls too: no executor thread
