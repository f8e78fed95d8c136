"""How each OCPP version reads and writes variables through the `ocpp` interface.

1.6 has flat configuration keys: only ``variable.name`` counts, results name the key canonically
with component ``""`` and attribute Actual, and monitors match keys case-insensitively. 2.0.1 has
the device model: full component/variable/attribute addressing, echoed as requested. A backend
names its view; the interface layer (``ocpp_interface.py``) stays free of version branches.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, Protocol

from ..variables import Attribute, GetStatus, VariableChange, VariableRef, VariableStore

CV = dict[str, Any]  # EVerest ComponentVariable


def ref_from(cv: CV) -> VariableRef:
    comp, var = cv.get("component") or {}, cv.get("variable") or {}
    evse = comp.get("evse") or {}
    return VariableRef(
        component=comp.get("name", ""),
        variable=var.get("name", ""),
        component_instance=comp.get("instance"),
        variable_instance=var.get("instance"),
        evse=evse.get("id"),
        connector=evse.get("connector_id"),
    )


def cv_from(ref: VariableRef) -> CV:
    comp: dict[str, Any] = {"name": ref.component}
    if ref.component_instance is not None:
        comp["instance"] = ref.component_instance
    if ref.evse is not None:
        comp["evse"] = {"id": ref.evse}
        if ref.connector is not None:
            comp["evse"]["connector_id"] = ref.connector
    var: dict[str, Any] = {"name": ref.variable}
    if ref.variable_instance is not None:
        var["instance"] = ref.variable_instance
    return {"component": comp, "variable": var}


class VariableView(Protocol):
    def get(self, store: VariableStore, cv: CV, attribute: str) -> dict[str, Any]:
        """A GetVariableResult for one request."""
        ...

    def set(self, store: VariableStore, cv: CV, value: str, attribute: str, source: str) -> dict[str, Any]:
        """A SetVariableResult for one request."""
        ...

    def monitor_key(self, cv: CV) -> Hashable: ...

    def change_key(self, change: VariableChange) -> Hashable: ...

    def event_component(self, registered: CV, change: VariableChange) -> CV:
        """The component_variable of an event_data publication."""
        ...


class KeyView:
    """1.6: configuration keys by name."""

    def get(self, store: VariableStore, cv: CV, attribute: str) -> dict[str, Any]:
        name = cv["variable"]["name"]
        res = store.get(VariableRef("", name))
        if res.status is GetStatus.ACCEPTED:
            return {
                "status": "Accepted",
                "component_variable": {"component": {"name": ""}, "variable": {"name": res.ref.variable}},
                "attribute_type": "Actual",
                "value": res.value,
            }
        return {
            "status": "UnknownVariable",
            "component_variable": {"component": {"name": ""}, "variable": {"name": name}},
        }

    def set(self, store: VariableStore, cv: CV, value: str, attribute: str, source: str) -> dict[str, Any]:
        res = store.set(VariableRef("", cv["variable"]["name"]), value, source=source)
        return {"status": str(res.status), "component_variable": cv}

    def monitor_key(self, cv: CV) -> Hashable:
        return str(cv["variable"]["name"]).lower()

    def change_key(self, change: VariableChange) -> Hashable:
        return change.ref.variable.lower()

    def event_component(self, registered: CV, change: VariableChange) -> CV:
        return registered  # echoed as the caller registered it


class DeviceModelView:
    """2.0.1: component, variable and attribute, echoed as requested."""

    def get(self, store: VariableStore, cv: CV, attribute: str) -> dict[str, Any]:
        attr = Attribute(attribute)
        res = store.get(ref_from(cv), attr)
        out: dict[str, Any] = {
            "status": str(res.status),
            "component_variable": cv,
            "attribute_type": str(attr),
        }
        if res.status is GetStatus.ACCEPTED:
            out["value"] = res.value
        return out

    def set(self, store: VariableStore, cv: CV, value: str, attribute: str, source: str) -> dict[str, Any]:
        attr = Attribute(attribute)
        # internal writes may change ReadOnly attributes (as upstream); the CSMS may not
        res = store.set(ref_from(cv), value, attr, source=source, allow_read_only=True)
        return {"status": str(res.status), "component_variable": cv, "attribute_type": str(attr)}

    def monitor_key(self, cv: CV) -> Hashable:
        return ref_from(cv)

    def change_key(self, change: VariableChange) -> Hashable:
        return change.ref

    def event_component(self, registered: CV, change: VariableChange) -> CV:
        return cv_from(change.ref)
