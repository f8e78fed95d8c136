"""Reading a libocpp-format 1.6 config plus its user overlay into checked key values.

Pipeline: read config -> merge-patch the user config (created as ``{}`` if missing) -> force
``Core.NumberOfConnectors`` -> check sections, key names, types and limits -> fill defaults ->
required keys -> feature profiles and measurands -> Custom keys. Every failure is a ConfigError
whose message names the file the offending value came from, the key and the problem.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from everest_ocpp.v16.configuration.cost_and_price import check_default_price, check_default_price_text
from everest_ocpp.v16.configuration.custom import CustomKeyError, build_custom_specs, matches_type
from everest_ocpp.v16.configuration.keys import STANDARD_BY_NAME, STANDARD_KEYS, STRICT_SECTIONS
from everest_ocpp.v16.configuration.model import (
    KNOWN_FEATURE_PROFILES,
    ConfigError,
    InvalidValue,
    JsonValue,
    KeySpec,
    Profile,
    ValueType,
)
from everest_ocpp.v16.configuration.persistence import UserConfigFile, merge_patch, read_json_object
from everest_ocpp.v16.configuration.validators import MEASURANDS, check_measurands, split_csl

_LOG = logging.getLogger(__name__)

_REQUIRED_SECTIONS = (Profile.INTERNAL, Profile.CORE, Profile.SECURITY)
_ALWAYS_SUPPORTED = frozenset({Profile.INTERNAL.value, Profile.SECURITY.value})
_SUPPORTED_WHEN_PRESENT = (Profile.PNC, Profile.COST_AND_PRICE, Profile.CUSTOM)
_NEED_SECTION_WHEN_LISTED = (Profile.LOCAL_AUTH_LIST_MANAGEMENT, Profile.SMART_CHARGING)
_MEASURAND_KEYS = (
    "MeterValuesAlignedData",
    "MeterValuesSampledData",
    "StopTxnAlignedData",
    "StopTxnSampledData",
)
_OBJECT_CHECKS = {"DefaultPrice": check_default_price, "DefaultPriceText": check_default_price_text}


@dataclass(frozen=True, slots=True)
class LoadedConfiguration:
    user_config: UserConfigFile
    specs: dict[str, KeySpec]  # every key this configuration can have, canonical name -> spec
    values: dict[str, JsonValue]  # keys that have a value, canonical name -> JSON value
    sections: frozenset[Profile]  # sections present in the merged config
    supported_profiles: frozenset[str]  # feature profiles whose keys are visible


def default_custom_schema_path(config_path: Path) -> Path:
    """libocpp keeps its profile schemas beside the config; a Custom.json there is picked up."""
    return config_path.parent / "profile_schemas" / "Custom.json"


def load_configuration(
    config_path: Path,
    user_config_path: Path,
    *,
    number_of_connectors: int | None = None,
    custom_schema_path: Path | None = None,
) -> LoadedConfiguration:
    base = read_json_object(config_path, "OCPP 1.6 config")
    user_config = UserConfigFile(user_config_path)
    user_config.ensure_exists()
    overlay = user_config.read()
    merged = merge_patch(base, overlay)
    assert isinstance(merged, dict)

    origin = _Origins(config_path, user_config_path, overlay)

    if number_of_connectors is not None:
        if number_of_connectors < 0:
            raise ConfigError(
                f"{config_path}: Core.NumberOfConnectors: cannot be forced to {number_of_connectors}"
            )
        core = merged.get("Core")
        if isinstance(core, dict):
            merged["Core"] = {**core, "NumberOfConnectors": number_of_connectors}

    sections = _check_sections(merged, origin, config_path)
    values: dict[str, JsonValue] = {}
    for profile in (p for p in Profile if p in sections and p is not Profile.CUSTOM):
        for key, value in _section(merged, profile).items():
            spec = _standard_spec(profile, key, origin)
            if spec is not None:
                _check_value(spec, value, origin(profile.value, key))
                values[key] = value
    _fill_defaults_and_required(sections, values, config_path)

    supported = _supported_profiles(values, sections, origin)
    _check_measurands(values, origin)

    specs = {spec.name: spec for spec in STANDARD_KEYS}
    if Profile.CUSTOM in sections:
        schema = _load_custom_schema(custom_schema_path, config_path)
        try:
            custom_specs, custom_values = build_custom_specs(_section(merged, Profile.CUSTOM), schema)
        except CustomKeyError as exc:
            raise ConfigError(f"{origin(Profile.CUSTOM.value, exc.key)}: {exc}") from None
        specs.update(custom_specs)
        values.update(custom_values)
    return LoadedConfiguration(user_config, specs, values, sections, supported)


@dataclass(frozen=True, slots=True)
class _Origins:
    """Which file a section or key came from, so errors point at the file to fix."""

    config_path: Path
    user_config_path: Path
    overlay: dict[str, JsonValue]

    def __call__(self, section: str, key: str | None = None) -> Path:
        patch = self.overlay.get(section)
        from_user = section in self.overlay if key is None else isinstance(patch, dict) and key in patch
        return self.user_config_path if from_user else self.config_path


def _section(merged: dict[str, JsonValue], profile: Profile) -> dict[str, JsonValue]:
    section = merged[profile.value]
    assert isinstance(section, dict)
    return section


def _check_sections(merged: dict[str, JsonValue], origin: _Origins, config_path: Path) -> frozenset[Profile]:
    present: set[Profile] = set()
    for name, section in merged.items():
        try:
            profile = Profile(name)
        except ValueError:
            raise ConfigError(f"{origin(name)}: unknown section {name!r}") from None
        if not isinstance(section, dict):
            raise ConfigError(f"{origin(name)}: section {name!r} must be a JSON object")
        present.add(profile)
    for profile in _REQUIRED_SECTIONS:
        if profile not in present:
            raise ConfigError(f"{config_path}: required section {profile.value!r} is missing")
    return frozenset(present)


def _standard_spec(profile: Profile, key: str, origin: _Origins) -> KeySpec | None:
    spec = STANDARD_BY_NAME.get(key)
    if spec is not None and spec.profile is profile:
        return spec
    where = f" (it belongs to section {spec.profile.value!r})" if spec is not None else ""
    if profile in STRICT_SECTIONS or spec is not None:
        raise ConfigError(f"{origin(profile.value, key)}: {profile.value}.{key}: unknown key{where}")
    _LOG.warning("%s: %s.%s: unknown key ignored", origin(profile.value, key), profile.value, key)
    return None


def _check_value(spec: KeySpec, value: JsonValue, path: Path) -> None:
    where = f"{path}: {spec.profile.value}.{spec.name}"
    if not matches_type(value, spec.type):
        raise ConfigError(f"{where}: expected a JSON {spec.type.value}, got {_json_type(value)}")
    if spec.type is ValueType.ARRAY and not all(isinstance(item, str) for item in value):  # type: ignore[union-attr]
        raise ConfigError(f"{where}: expected an array of strings")
    shown = "the value" if spec.write_only else repr(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if spec.minimum is not None and value < spec.minimum:
            raise ConfigError(f"{where}: {shown} is below the minimum {spec.minimum:g}")
        if spec.maximum is not None and value > spec.maximum:
            raise ConfigError(f"{where}: {shown} is above the maximum {spec.maximum:g}")
    if isinstance(value, str):
        if spec.min_length is not None and len(value) < spec.min_length:
            raise ConfigError(f"{where}: {shown} is shorter than {spec.min_length} characters")
        if spec.max_length is not None and len(value) > spec.max_length:
            raise ConfigError(f"{where}: {shown} is longer than {spec.max_length} characters")
    check = _OBJECT_CHECKS.get(spec.name)
    if check is not None:
        try:
            check(value)
        except InvalidValue as exc:
            raise ConfigError(f"{where}: {exc}") from None


def _json_type(value: JsonValue) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    return {str: "string", int: "integer", float: "number", list: "array", dict: "object"}[type(value)]


def _fill_defaults_and_required(
    sections: frozenset[Profile], values: dict[str, JsonValue], path: Path
) -> None:
    for spec in STANDARD_KEYS:
        if spec.profile not in sections or spec.name in values:
            continue
        if spec.default is not None:
            values[spec.name] = spec.default
        elif spec.required:
            raise ConfigError(f"{path}: {spec.profile.value}.{spec.name}: required key is missing")


def _supported_profiles(
    values: dict[str, JsonValue], sections: frozenset[Profile], origin: _Origins
) -> frozenset[str]:
    text = values["SupportedFeatureProfiles"]
    assert isinstance(text, str)
    where = f"{origin('Core', 'SupportedFeatureProfiles')}: Core.SupportedFeatureProfiles"
    listed = {name.strip() for name in text.split(",") if name.strip()}
    unknown = sorted(listed - KNOWN_FEATURE_PROFILES)
    if unknown:
        raise ConfigError(f"{where}: unknown feature profile(s) {', '.join(unknown)}")
    if Profile.CORE.value not in listed:
        raise ConfigError(f"{where}: must list Core")
    for profile in _NEED_SECTION_WHEN_LISTED:
        if profile.value in listed and profile not in sections:
            raise ConfigError(f"{where}: lists {profile.value} but the config has no such section")
    present = {p.value for p in _SUPPORTED_WHEN_PRESENT if p in sections}
    return frozenset(listed | present | _ALWAYS_SUPPORTED)


def _check_measurands(values: dict[str, JsonValue], origin: _Origins) -> None:
    supported = supported_measurands(values)
    unknown = sorted(supported - MEASURANDS)
    if unknown:
        where = origin("Internal", "SupportedMeasurands")
        raise ConfigError(f"{where}: Internal.SupportedMeasurands: unknown measurand(s) {', '.join(unknown)}")
    for key in _MEASURAND_KEYS:
        value = values[key]
        assert isinstance(value, str)
        try:
            check_measurands(value, supported)
        except InvalidValue as exc:
            raise ConfigError(f"{origin('Core', key)}: Core.{key}: {exc}") from None


def supported_measurands(values: Mapping[str, JsonValue]) -> frozenset[str]:
    text = values.get("SupportedMeasurands", "")
    return frozenset(item.strip() for item in split_csl(text)) if isinstance(text, str) else frozenset()


def _load_custom_schema(explicit: Path | None, config_path: Path) -> dict[str, Any] | None:
    path = explicit if explicit is not None else default_custom_schema_path(config_path)
    if explicit is None and not path.exists():
        return None
    schema = read_json_object(path, "Custom schema")
    if not isinstance(schema.get("properties", {}), dict):
        raise ConfigError(f"{path}: 'properties' of the Custom schema must be an object")
    return schema
