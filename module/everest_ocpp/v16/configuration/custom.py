"""Custom configuration keys: declared by the config file's ``Custom`` section.

Each key of that section becomes a configuration key. Its type is the JSON type of its value and
it is writable, unless an optional libocpp-style Custom schema (``{"properties": {<key>: {"type":
..., "readOnly": ..., "enum": ..., "default": ...}}}``) says otherwise; that schema also validates
values (with jsonschema) and supplies defaults for keys the section does not list.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import jsonschema

from everest_ocpp.v16.configuration import validators as v
from everest_ocpp.v16.configuration.keys import STANDARD_BY_NAME
from everest_ocpp.v16.configuration.model import (
    InvalidValue,
    JsonValue,
    KeySpec,
    Parser,
    Profile,
    ValidationContext,
    ValueType,
)

MAX_KEY_LENGTH = 50  # CiString<50> of GetConfiguration/ChangeConfiguration keys

_STANDARD_LOWER = {name.lower() for name in STANDARD_BY_NAME}
_JSON_TYPES: dict[type, ValueType] = {
    str: ValueType.STRING,
    bool: ValueType.BOOLEAN,
    int: ValueType.INTEGER,
    float: ValueType.NUMBER,
    list: ValueType.ARRAY,
    dict: ValueType.OBJECT,
}


class CustomKeyError(InvalidValue):
    """A Custom key cannot be used; ``key`` says which."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"Custom.{key}: {problem}")
        self.key = key


def type_of(value: JsonValue) -> ValueType | None:
    return _JSON_TYPES.get(type(value))


def matches_type(value: JsonValue, vtype: ValueType) -> bool:
    if vtype is ValueType.NUMBER:
        return isinstance(value, int | float) and not isinstance(value, bool)
    return type_of(value) is vtype


def _json_parser(vtype: ValueType) -> Parser:
    def parse(text: str, _ctx: ValidationContext) -> JsonValue:
        try:
            value = json.loads(text)
        except ValueError:
            raise InvalidValue(f"not a JSON {vtype.value}") from None
        if not matches_type(value, vtype):
            raise InvalidValue(f"not a JSON {vtype.value}")
        return value

    return parse


def _base_parser(vtype: ValueType) -> Parser:
    if vtype is ValueType.INTEGER:
        return v.integer(None)
    if vtype is ValueType.NUMBER:
        return v.number()
    if vtype is ValueType.BOOLEAN:
        return v.strict_boolean
    if vtype in (ValueType.ARRAY, ValueType.OBJECT):
        return _json_parser(vtype)
    return v.string()


def _schema_parser(base: Parser, validator: jsonschema.protocols.Validator | None) -> Parser:
    if validator is None:
        return base

    def parse(text: str, ctx: ValidationContext) -> JsonValue:
        value = base(text, ctx)
        error = jsonschema.exceptions.best_match(validator.iter_errors(value))
        if error is not None:
            raise InvalidValue(f"violates the Custom schema: {error.message}")
        return value

    return parse


def build_custom_specs(
    section: dict[str, JsonValue], schema: Mapping[str, Any] | None
) -> tuple[dict[str, KeySpec], dict[str, JsonValue]]:
    """Specs and values of the Custom keys, in file order (schema defaults appended).

    Raises CustomKeyError for a bad name, type or value.
    """
    properties: Mapping[str, Any] = (schema or {}).get("properties", {})
    values = dict(section)
    for name, prop in properties.items():
        if name not in values and isinstance(prop, Mapping) and "default" in prop:
            values[name] = prop["default"]

    specs: dict[str, KeySpec] = {}
    seen: set[str] = set()
    for name, value in values.items():
        lowered = name.lower()
        if len(name) > MAX_KEY_LENGTH or not name.isprintable() or not name:
            raise CustomKeyError(name, f"key names must be 1..{MAX_KEY_LENGTH} printable characters")
        if lowered in _STANDARD_LOWER:
            raise CustomKeyError(name, "clashes with the standard key of the same name")
        if lowered in seen:
            raise CustomKeyError(name, "declared twice (key names are case-insensitive)")
        seen.add(lowered)
        prop = properties.get(name, {})
        if not isinstance(prop, Mapping):
            raise CustomKeyError(name, "its Custom schema entry is not an object")
        vtype = _declared_type(name, prop, value)
        validator = None
        if prop:
            validator = jsonschema.Draft7Validator(dict(prop))
            error = jsonschema.exceptions.best_match(validator.iter_errors(value))
            if error is not None:
                raise CustomKeyError(name, f"violates the Custom schema: {error.message}")
        specs[name] = KeySpec(
            name=name,
            profile=Profile.CUSTOM,
            type=vtype,
            readonly=bool(prop.get("readOnly", False)),
            parser=_schema_parser(_base_parser(vtype), validator),
        )
    return specs, values


def _declared_type(name: str, prop: Mapping[str, Any], value: JsonValue) -> ValueType:
    declared = prop.get("type")
    if declared is not None:
        try:
            vtype = ValueType(declared)
        except ValueError:
            raise CustomKeyError(name, f"unsupported schema type {declared!r}") from None
        if not matches_type(value, vtype):
            raise CustomKeyError(name, f"value is not of the declared type {vtype.value}")
        return vtype
    inferred = type_of(value)
    if inferred is None:
        raise CustomKeyError(name, "null is not a usable value")
    return inferred
