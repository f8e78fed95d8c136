"""Start-up synchronisation: make the stored model match the component config, keeping runtime values.

Rules (libocpp's, with the differences listed in docs/v201-device-model.md):

* components and variables not in the config are removed, new ones added, changed ones updated;
* an attribute value from the file replaces the stored value only when the stored value's source is
  "default", empty or unset; values written by the CSMS or the module ("csms", "internal", any other
  source) survive restarts and config changes - unless they no longer satisfy the (changed)
  characteristics, in which case the file value is restored and a warning logged;
* hard-wired/preconfigured monitors follow the file (matched by type and severity); custom monitors
  set by the CSMS are kept.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from .config_types import ComponentConfig, MonitorConfig, VariableConfig
from .model import (
    NEW_MONITOR_ID,
    Attribute,
    Component,
    ComponentKey,
    Monitor,
    MonitorConfigType,
    Variable,
    VariableAttribute,
)
from .storage import DeviceModelStorage
from .validation import validator_for

logger = logging.getLogger(__name__)

DEFAULT_SOURCES = frozenset({None, "", "default"})
FILE_SOURCE = "default"


def _file_attributes(config: VariableConfig) -> dict[Attribute, VariableAttribute]:
    result: dict[Attribute, VariableAttribute] = {}
    for a in config.attributes:
        value = config.file_value(a)
        result[a.type] = VariableAttribute(
            a.type, a.mutability, a.persistent, a.constant, value, FILE_SOURCE if value is not None else None
        )
    return result


def _new_variable(component: ComponentKey, config: VariableConfig) -> Variable:
    return Variable(
        key=config.key,
        characteristics=config.characteristics,
        attributes=_file_attributes(config),
        source=config.source,
        validator=validator_for(component, config.key, config.characteristics),
    )


def _monitor_from(
    config: MonitorConfig, monitor_id: int = NEW_MONITOR_ID, reference: str | None = None
) -> Monitor:
    return Monitor(
        id=monitor_id,
        type=config.type,
        severity=config.severity,
        value=config.value,
        config_type=config.config_type,
        transaction=config.transaction,
        reference_value=reference if reference is not None else config.reference_value,
    )


def _sync_monitors(
    storage: DeviceModelStorage, component: ComponentKey, variable: Variable, config: VariableConfig
) -> None:
    if not config.characteristics.supports_monitoring:
        for monitor_id in list(variable.monitors):
            storage.remove_monitor(monitor_id)
        variable.monitors.clear()
        return
    stored = {
        (m.type, m.severity): m
        for m in variable.monitors.values()
        if m.config_type is not MonitorConfigType.CUSTOM
    }
    wanted = {(m.type, m.severity): m for m in config.monitors}
    for identity, monitor in stored.items():
        if identity not in wanted:
            storage.remove_monitor(monitor.id)
            del variable.monitors[monitor.id]
    for identity, monitor_config in wanted.items():
        existing = stored.get(identity)
        if existing is None:
            added = storage.add_monitor(component, variable.key, _monitor_from(monitor_config))
            variable.monitors[added.id] = added
            continue
        # Keep the runtime Delta reference: it is the last value reported.
        replacement = _monitor_from(monitor_config, existing.id, existing.reference_value)
        if replacement != existing:
            variable.monitors[existing.id] = storage.add_monitor(component, variable.key, replacement)


def _sync_variable(
    storage: DeviceModelStorage, component: ComponentKey, variable: Variable, config: VariableConfig
) -> Variable:
    if variable.characteristics != config.characteristics or variable.source != config.source:
        variable.characteristics = config.characteristics
        variable.source = config.source
        storage.update_variable(component, variable)
    variable.validator = validator_for(component, variable.key, config.characteristics)
    wanted = _file_attributes(config)
    for kind in [k for k in variable.attributes if k not in wanted]:
        storage.remove_attribute(component, variable.key, kind)
        del variable.attributes[kind]
    for kind, new in wanted.items():
        old = variable.attributes.get(kind)
        if old is not None and old.value_source not in DEFAULT_SOURCES:
            if old.value is not None and (reason := variable.validator(old.value)) is not None:
                logger.warning(
                    "%s.%s %s: stored value (source %r) no longer valid (%s); using the file value",
                    component,
                    variable.key,
                    kind.value,
                    old.value_source,
                    reason,
                )
            else:
                new.value, new.value_source = old.value, old.value_source
        if old is None or (old.mutability, old.persistent, old.constant, old.value, old.value_source) != (
            new.mutability,
            new.persistent,
            new.constant,
            new.value,
            new.value_source,
        ):
            storage.put_attribute(component, variable.key, new)
        variable.attributes[kind] = new
    _sync_monitors(storage, component, variable, config)
    return variable


def _sync_component(storage: DeviceModelStorage, current: Component, config: ComponentConfig) -> Component:
    key = config.key
    wanted = {v.key: v for v in config.variables}
    for variable_key in [k for k in current.variables if k not in wanted]:
        storage.remove_variable(key, variable_key)
        logger.info("Removed variable %s.%s (no longer in the component config)", key, variable_key)
    result = Component(key)
    for variable_config in config.variables:
        stored = current.variables.get(variable_config.key)
        if stored is None:
            variable = _new_variable(key, variable_config)
            storage.add_variable(key, variable)
            _sync_monitors(storage, key, variable, variable_config)
        else:
            variable = _sync_variable(storage, key, stored, variable_config)
        result.variables[variable.key] = variable
    return result


def synchronise(
    storage: DeviceModelStorage, stored: dict[ComponentKey, Component], configs: Sequence[ComponentConfig]
) -> dict[ComponentKey, Component]:
    """Bring storage in line with ``configs``; returns the resulting model (validators compiled)."""
    wanted = {c.key: c for c in configs}
    result: dict[ComponentKey, Component] = {}
    with storage.batch():
        for key in [k for k in stored if k not in wanted]:
            storage.remove_component(key)
            logger.info("Removed component %s (no longer in the component config)", key)
        for config in sorted(configs, key=lambda c: c.key.sort_key()):
            current = stored.get(config.key)
            if current is None:
                component = Component(
                    config.key, {v.key: _new_variable(config.key, v) for v in config.variables}
                )
                storage.add_component(component)
                for variable_config in config.variables:
                    _sync_monitors(
                        storage, config.key, component.variables[variable_config.key], variable_config
                    )
            else:
                component = _sync_component(storage, current, config)
            result[config.key] = component
    return result
