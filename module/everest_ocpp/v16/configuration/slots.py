"""Slots: how a key name reported to the outside maps onto a value stored in the config.

Most keys are stored under their own name. Two are stored as one JSON value but reported as a
family of keys: ``MeterPublicKeys`` (array) as ``MeterPublicKey<connector>`` and
``DefaultPriceText`` (object) as ``DefaultPriceText,<language>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from everest_ocpp.v16.configuration.cost_and_price import (
    PRICE_TEXT_PREFIX,
    dump_json,
    find_price_text,
    format_price_text,
    merge_price_text,
    price_text_entries,
    price_text_parser,
)
from everest_ocpp.v16.configuration.keys import STANDARD_BY_NAME
from everest_ocpp.v16.configuration.model import JsonValue, KeySpec, Profile, ValueType
from everest_ocpp.v16.configuration.validators import string
from everest_ocpp.variables import scalar_text

METER_PUBLIC_KEY_PREFIX = "MeterPublicKey"

Values = Mapping[str, JsonValue]


def format_value(spec: KeySpec, value: JsonValue) -> str:
    """The string GetConfiguration reports for a stored JSON value."""
    text = scalar_text(value)
    if text is not None:
        return text
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and spec.profile is not Profile.CUSTOM else repr(value)
    if (
        isinstance(value, list)
        and spec.profile is not Profile.CUSTOM
        and all(isinstance(i, str) for i in value)
    ):
        return spec.separator.join(value)  # type: ignore[arg-type]
    return dump_json(value)


@dataclass(frozen=True, slots=True)
class Slot:
    """A reported key backed by ``storage`` (a key of ``spec.profile``'s section)."""

    name: str
    spec: KeySpec
    storage: str

    def read(self, values: Values) -> JsonValue:
        return values.get(self.storage)

    def merged(self, values: Values, parsed: JsonValue) -> JsonValue:
        """The new stored value after writing ``parsed`` through this slot."""
        return parsed

    def formatted(self, values: Values) -> str | None:
        value = self.read(values)
        return None if value is None else format_value(self.spec, value)


@dataclass(frozen=True, slots=True)
class MeterPublicKeySlot(Slot):
    connector: int = 1
    number_of_connectors: int = 1

    def read(self, values: Values) -> JsonValue:
        keys = values.get(self.storage)
        if isinstance(keys, list) and 1 <= self.connector <= len(keys):
            return keys[self.connector - 1]
        return None

    def merged(self, values: Values, parsed: JsonValue) -> JsonValue:
        current = values.get(self.storage)
        keys = list(current) if isinstance(current, list) else []
        keys.extend([""] * (max(self.connector, self.number_of_connectors) - len(keys)))
        keys[self.connector - 1] = parsed
        return keys


@dataclass(frozen=True, slots=True)
class PriceTextSlot(Slot):
    language: str = ""

    def read(self, values: Values) -> JsonValue:
        entry = find_price_text(values.get(self.storage), self.language)
        return None if entry is None else format_price_text(entry)

    def merged(self, values: Values, parsed: JsonValue) -> JsonValue:
        return merge_price_text(values.get(self.storage), parsed)


def plain_slot(spec: KeySpec) -> Slot:
    return Slot(spec.name, spec, spec.name)


def meter_public_key_slot(name: str, number_of_connectors: int) -> Slot | None:
    """``MeterPublicKey<n>`` for a connector 1..NumberOfConnectors (any letter case)."""
    digits = name[len(METER_PUBLIC_KEY_PREFIX) :]
    if (
        not name.lower().startswith(METER_PUBLIC_KEY_PREFIX.lower())
        or not digits.isascii()
        or not digits.isdigit()
    ):
        return None
    connector = int(digits)
    if not 1 <= connector <= number_of_connectors:
        return None
    storage = STANDARD_BY_NAME["MeterPublicKeys"]
    spec = replace(
        storage,
        name=f"{METER_PUBLIC_KEY_PREFIX}{connector}",
        type=ValueType.STRING,
        parser=string(1),
        expanded=False,
    )
    return MeterPublicKeySlot(spec.name, spec, storage.name, connector, number_of_connectors)


def price_text_slot(name: str) -> Slot | None:
    """``DefaultPriceText,<language>``: language compared exactly, blanks around it ignored."""
    if not name.lower().startswith(PRICE_TEXT_PREFIX.lower()):
        return None
    language = name[len(PRICE_TEXT_PREFIX) :].strip()
    if not language or "," in language:
        return None
    storage = STANDARD_BY_NAME["DefaultPriceText"]
    spec = replace(
        storage,
        name=f"{PRICE_TEXT_PREFIX}{language}",
        parser=price_text_parser(language),
        settable_when_unset=True,
        expanded=False,
    )
    return PriceTextSlot(spec.name, spec, storage.name, language)


def expanded_slots(spec: KeySpec, values: Values) -> list[Slot]:
    """All reported keys of an expanded key, for a full GetConfiguration."""
    value = values.get(spec.name)
    if spec.name == "MeterPublicKeys" and isinstance(value, list):
        count = len(value)
        slots = [meter_public_key_slot(f"{METER_PUBLIC_KEY_PREFIX}{n}", count) for n in range(1, count + 1)]
    elif spec.name == "DefaultPriceText":
        languages = [entry.get("language") for entry in price_text_entries(value)]
        slots = [price_text_slot(f"{PRICE_TEXT_PREFIX}{lang}") for lang in languages if isinstance(lang, str)]
    else:
        return []
    return [slot for slot in slots if slot is not None]
