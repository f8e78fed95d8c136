"""Read a folder of libocpp-format component config JSON files.

Layout: ``<folder>/standardized/*.json``, ``<folder>/*.json`` and ``<folder>/custom/*.json``; for the
same component (name, instance, evse, connector) a later level wins (custom over root over
standardized). Every problem in every file is collected and raised as one DeviceModelConfigError.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path
from typing import Any

from ...variables import scalar_text
from .config_types import AttributeConfig, ComponentConfig, MonitorConfig, VariableConfig
from .errors import ConfigIssue, DeviceModelConfigError
from .model import (
    Attribute,
    ComponentKey,
    DataType,
    MonitorConfigType,
    MonitorType,
    Mutability,
    VariableCharacteristics,
    VariableKey,
    shared_characteristics,
)
from .validation import validator_for

logger = logging.getLogger(__name__)

LEVELS = ("standardized", "", "custom")  # increasing precedence; "" is the folder itself
# Data types for which "" is a real value (the empty text or the empty set); for the others it means unset.
_EMPTY_IS_A_VALUE = frozenset({DataType.STRING, DataType.MEMBER_LIST, DataType.SEQUENCE_LIST})
_DATA_TYPES = {t.value: t for t in DataType}  # dict lookups: Enum(...) calls are slow for 10,000 variables
_ATTRIBUTES = {a.value: a for a in Attribute}
_MUTABILITIES = {m.value: m for m in Mutability}
_FILE_MONITOR_TYPES = {MonitorConfigType.HARD_WIRED.value, MonitorConfigType.PRECONFIGURED.value}


def json_to_text(value: Any) -> str | None:
    """Values in files may be JSON strings, numbers, booleans (or arrays/objects); the model stores text."""
    text = scalar_text(value)
    if value is None or text is not None:
        return text
    if isinstance(value, float):
        return repr(value)  # same text as JSON for finite numbers
    return json.dumps(value, separators=(",", ":"))


def _no_empty(value: str | None, data_type: DataType) -> str | None:
    return None if value == "" and data_type not in _EMPTY_IS_A_VALUE else value


class _FileParser:
    """Parses one file, recording issues instead of stopping at the first one."""

    def __init__(self, path: Path, issues: list[ConfigIssue]) -> None:
        self.path = path
        self.issues = issues

    def issue(self, variable: str | None, problem: str) -> None:
        self.issues.append(ConfigIssue(self.path, variable, problem))

    def parse(self, data: Any) -> ComponentConfig | None:
        if not isinstance(data, dict):
            self.issue(None, "top level is not a JSON object")
            return None
        key = self._component_key(data)
        properties = data.get("properties")
        if not isinstance(properties, dict) or not properties:
            self.issue(None, "missing or empty 'properties' object")
            return None
        if key is None:
            return None
        variables: list[VariableConfig] = []
        seen: dict[VariableKey, str] = {}
        for prop_key, prop in properties.items():
            variable = self._variable(key, str(prop_key), prop)
            if variable is None:
                continue
            if variable.key in seen:
                self.issue(
                    str(variable.key), f"defined twice (properties '{seen[variable.key]}', '{prop_key}')"
                )
                continue
            seen[variable.key] = str(prop_key)
            variables.append(variable)
        self._check_required(data.get("required", []), properties)
        return ComponentConfig(key=key, variables=tuple(variables), file=self.path)

    def _component_key(self, data: dict[str, Any]) -> ComponentKey | None:
        name = data.get("name")
        ok = True
        if not isinstance(name, str) or not name:
            self.issue(None, "missing or invalid component 'name'")
            ok = False
        instance = data.get("instance")
        if instance is not None and not isinstance(instance, str):
            self.issue(None, "component 'instance' must be a string")
            ok = False
        ids: list[int | None] = []
        for field_name in ("evse_id", "connector_id"):
            value = data.get(field_name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                self.issue(None, f"'{field_name}' must be an integer >= 1")
                ok = False
                value = None
            ids.append(value)
        if ids[1] is not None and ids[0] is None:
            self.issue(None, "'connector_id' given without 'evse_id'")
            ok = False
        if not ok:
            return None
        assert isinstance(name, str)
        return ComponentKey(name, instance or None, ids[0], ids[1])

    def _check_required(self, required: Any, properties: dict[str, Any]) -> None:
        if not isinstance(required, list):
            self.issue(None, "'required' must be a list of property names")
            return
        names = {p["variable_name"] for p in properties.values() if isinstance(p, dict) and
                 isinstance(p.get("variable_name"), str)}  # fmt: skip
        for entry in required:
            if not isinstance(entry, str) or (entry not in properties and entry not in names):
                self.issue(str(entry), "required variable is missing from 'properties'")

    def _variable(self, component: ComponentKey, prop_key: str, prop: Any) -> VariableConfig | None:
        if not isinstance(prop, dict):
            self.issue(prop_key, "property is not a JSON object")
            return None
        name = prop.get("variable_name")
        if not isinstance(name, str) or not name:
            self.issue(prop_key, "missing or invalid 'variable_name'")
            return None
        instance = prop.get("instance")
        if instance is not None and not isinstance(instance, str):
            self.issue(name, "'instance' must be a string")
            return None
        key = VariableKey(name, instance or None)
        label = str(key)
        characteristics = self._characteristics(label, prop.get("characteristics"))
        attributes = self._attributes(label, prop.get("attributes"))
        if characteristics is None or attributes is None:
            return None
        source = prop.get("source")
        if source is not None and not isinstance(source, str):
            self.issue(label, "'source' must be a string")
            return None
        if characteristics.data_type not in _EMPTY_IS_A_VALUE:
            # libocpp files use "" for "no value" on e.g. dateTime/integer variables.
            attributes = tuple(dataclasses.replace(a, value=None) if a.value == "" else a for a in attributes)
        variable = VariableConfig(
            key=key,
            characteristics=characteristics,
            attributes=attributes,
            default=_no_empty(json_to_text(prop.get("default")), characteristics.data_type),
            source=source,
            monitors=self._monitors(label, characteristics, prop.get("monitors")),
        )
        self._check_values(component, variable, label)
        return variable

    def _characteristics(self, label: str, data: Any) -> VariableCharacteristics | None:
        if not isinstance(data, dict):
            self.issue(label, "missing 'characteristics' object")
            return None
        data_type = _DATA_TYPES.get(data.get("dataType"))  # type: ignore[arg-type]
        if data_type is None:
            self.issue(label, f"unknown dataType {data.get('dataType')!r}")
            return None
        limits: list[float | None] = []
        for limit_name in ("minLimit", "maxLimit"):
            limit = data.get(limit_name)
            if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int | float)):
                self.issue(label, f"'{limit_name}' must be a number")
                return None
            limits.append(None if limit is None else float(limit))
        texts: list[str | None] = []
        for text_name in ("unit", "valuesList"):
            text = data.get(text_name)
            if text is not None and not isinstance(text, str):
                self.issue(label, f"'{text_name}' must be a string")
                return None
            texts.append(text)
        monitoring = data.get("supportsMonitoring", False)
        if not isinstance(monitoring, bool):
            self.issue(label, "'supportsMonitoring' must be a boolean")
            return None
        return shared_characteristics(data_type, monitoring, texts[0], limits[0], limits[1], texts[1])

    def _attributes(self, label: str, data: Any) -> tuple[AttributeConfig, ...] | None:
        if not isinstance(data, list) or not data:
            self.issue(label, "missing or empty 'attributes' list")
            return None
        result: dict[Attribute, AttributeConfig] = {}
        for entry in data:
            if not isinstance(entry, dict):
                self.issue(label, "attribute is not a JSON object")
                return None
            # libocpp stores a missing mutability as ReadOnly (see docs): the CSMS may not write it.
            kind = _ATTRIBUTES.get(entry.get("type", "Actual"))
            mutability = _MUTABILITIES.get(entry.get("mutability", "ReadOnly"))
            if kind is None or mutability is None:
                bad = entry.get("type") if kind is None else entry.get("mutability")
                what = "type" if kind is None else "mutability"
                self.issue(label, f"invalid attribute {what} {bad!r}")
                return None
            if kind in result:
                self.issue(label, f"attribute {kind.value} defined twice")
                return None
            persistent, constant = entry.get("persistent", True), entry.get("constant", False)
            if persistent.__class__ is not bool or constant.__class__ is not bool:
                self.issue(label, f"attribute {kind.value}: 'persistent'/'constant' must be booleans")
                return None
            value = json_to_text(entry.get("value"))
            result[kind] = AttributeConfig(kind, mutability, value, persistent, constant)
        return tuple(result.values())

    def _monitors(self, label: str, ch: VariableCharacteristics, data: Any) -> tuple[MonitorConfig, ...]:
        if data is None:
            return ()
        if not ch.supports_monitoring:
            self.issue(label, "has 'monitors' but supportsMonitoring is false")
            return ()
        if not isinstance(data, list):
            self.issue(label, "'monitors' must be a list")
            return ()
        monitors: list[MonitorConfig] = []
        for entry in data:
            try:
                if not isinstance(entry, dict):
                    raise ValueError("monitor is not a JSON object")
                kind = MonitorType(entry["type"])
                config_type = entry["config_type"]
                if config_type not in _FILE_MONITOR_TYPES:
                    raise ValueError(f"config_type must be one of {sorted(_FILE_MONITOR_TYPES)}")
                severity, value = entry["severity"], entry["value"]
                if isinstance(severity, bool) or not isinstance(severity, int) or not 0 <= severity <= 9:
                    raise ValueError("severity must be an integer 0..9")
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise ValueError("value must be a number")
                reference = json_to_text(entry.get("reference_value"))
                if kind is MonitorType.DELTA and reference is None:
                    raise ValueError("a Delta monitor needs a 'reference_value'")
                transaction = entry.get("transaction", False)
                if not isinstance(transaction, bool):
                    raise ValueError("transaction must be a boolean")
            except KeyError as exc:
                self.issue(label, f"monitor is missing {exc}")
                continue
            except ValueError as exc:
                self.issue(label, f"invalid monitor: {exc}")
                continue
            monitors.append(
                MonitorConfig(
                    kind, severity, float(value), MonitorConfigType(config_type), transaction, reference
                )
            )
        if len({(m.type, m.severity) for m in monitors}) != len(monitors):
            self.issue(label, "two monitors with the same type and severity")
        return tuple(monitors)

    def _check_values(self, component: ComponentKey, variable: VariableConfig, label: str) -> None:
        check = validator_for(component, variable.key, variable.characteristics)
        candidates: list[tuple[AttributeConfig | None, str | None]] = [(None, variable.default)]
        candidates += [(a, a.value) for a in variable.attributes]
        for attribute, value in candidates:
            if value is None or (reason := check(value)) is None:
                continue
            what = "default" if attribute is None else f"attribute {attribute.type.value} value"
            secret = any(a.mutability is Mutability.WRITE_ONLY for a in variable.attributes)
            shown = "" if secret else f" {value!r}"
            data_type = variable.characteristics.data_type.value
            self.issue(label, f"{what}{shown} fails its {data_type} characteristics: {reason}")


def parse_component_file(path: Path, issues: list[ConfigIssue]) -> ComponentConfig | None:
    """Parse one file; problems go to ``issues``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        issues.append(ConfigIssue(path, None, f"cannot read file: {exc}"))
        return None
    except json.JSONDecodeError as exc:
        issues.append(ConfigIssue(path, None, f"invalid JSON: {exc}"))
        return None
    return _FileParser(path, issues).parse(data)


def load_component_configs(folder: Path) -> list[ComponentConfig]:
    """All components declared under ``folder``, sorted by component key; raises DeviceModelConfigError."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DeviceModelConfigError([ConfigIssue(folder, None, "component config folder does not exist")])
    issues: list[ConfigIssue] = []
    chosen: dict[ComponentKey, ComponentConfig] = {}
    files_seen = 0
    for level in LEVELS:
        directory = folder / level if level else folder
        if not directory.is_dir():
            continue
        in_level: dict[ComponentKey, Path] = {}
        for path in sorted(p for p in directory.glob("*.json") if p.is_file()):
            files_seen += 1
            config = parse_component_file(path, issues)
            if config is None:
                continue
            if config.key in in_level:
                issues.append(
                    ConfigIssue(
                        path, None, f"component {config.key} is also defined in {in_level[config.key]}"
                    )
                )
                continue
            in_level[config.key] = path
            if config.key in chosen:
                logger.info("Component %s from %s overrides %s", config.key, path, chosen[config.key].file)
            chosen[config.key] = config
    if files_seen == 0:
        issues.append(ConfigIssue(folder, None, "no component config files (*.json) found"))
    if issues:
        raise DeviceModelConfigError(issues)
    return sorted(chosen.values(), key=lambda c: c.key.sort_key())
