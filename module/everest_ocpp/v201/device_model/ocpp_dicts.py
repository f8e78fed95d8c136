"""Conversions between model keys and OCPP 2.0.1 payload dicts (snake_case, as the ``ocpp`` package uses)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from everest_ocpp.variables import VariableRef

from .model import ComponentKey, VariableKey


def component_dict(key: ComponentKey) -> dict[str, Any]:
    result: dict[str, Any] = {"name": key.name}
    if key.instance is not None:
        result["instance"] = key.instance
    if key.evse_id is not None:
        evse: dict[str, Any] = {"id": key.evse_id}
        if key.connector_id is not None:
            evse["connector_id"] = key.connector_id
        result["evse"] = evse
    return result


def variable_dict(key: VariableKey) -> dict[str, Any]:
    return {"name": key.name} if key.instance is None else {"name": key.name, "instance": key.instance}


def ref_component_dict(ref: VariableRef) -> dict[str, Any]:
    return component_dict(ComponentKey(ref.component, ref.component_instance, ref.evse, ref.connector))


def ref_variable_dict(ref: VariableRef) -> dict[str, Any]:
    return variable_dict(VariableKey(ref.variable, ref.variable_instance))


def component_key_from(data: Mapping[str, Any]) -> ComponentKey:
    evse = data.get("evse") or {}
    return ComponentKey(data["name"], data.get("instance") or None, evse.get("id"), evse.get("connector_id"))


def variable_key_from(data: Mapping[str, Any]) -> VariableKey:
    return VariableKey(data["name"], data.get("instance") or None)


def ref_from(component: Mapping[str, Any], variable: Mapping[str, Any]) -> VariableRef:
    """A VariableRef from OCPP ``component`` and ``variable`` dicts."""
    ck, vk = component_key_from(component), variable_key_from(variable)
    return VariableRef(ck.name, vk.name, ck.instance, vk.instance, ck.evse_id, ck.connector_id)
