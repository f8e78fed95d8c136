"""The storage interface of the device model.

The device model keeps the whole model in memory and uses storage only to load it once and to
persist changes. Every method that changes data has committed it when it returns, except inside
``batch()``, which commits everything at its end (used for start-up synchronisation).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol

from .model import Attribute, Component, ComponentKey, Monitor, Variable, VariableAttribute, VariableKey


class DeviceModelStorage(Protocol):
    def load(self) -> dict[ComponentKey, Component]:
        """The stored model (variables without compiled validators)."""
        ...

    def batch(self) -> AbstractContextManager[None]:
        """Group writes into one transaction, committed on normal exit and rolled back on error."""
        ...

    def add_component(self, component: Component) -> None:
        """Insert a component with its variables and attributes (monitors are added separately)."""
        ...

    def remove_component(self, component: ComponentKey) -> None: ...

    def add_variable(self, component: ComponentKey, variable: Variable) -> None:
        """Insert a variable with its attributes (not its monitors)."""
        ...

    def remove_variable(self, component: ComponentKey, variable: VariableKey) -> None: ...

    def update_variable(self, component: ComponentKey, variable: Variable) -> None:
        """Rewrite a variable's characteristics and source."""
        ...

    def put_attribute(
        self, component: ComponentKey, variable: VariableKey, attribute: VariableAttribute
    ) -> None:
        """Insert or replace an attribute (metadata and value)."""
        ...

    def remove_attribute(
        self, component: ComponentKey, variable: VariableKey, attribute: Attribute
    ) -> None: ...

    def set_value(
        self, component: ComponentKey, variable: VariableKey, attribute: Attribute, value: str, source: str
    ) -> None:
        """Store one attribute value with its source."""
        ...

    def add_monitor(self, component: ComponentKey, variable: VariableKey, monitor: Monitor) -> Monitor:
        """Insert (id NEW_MONITOR_ID: a fresh id is assigned) or replace (existing id) a monitor."""
        ...

    def remove_monitor(self, monitor_id: int) -> None: ...

    def update_monitor_reference(self, monitor_id: int, reference_value: str | None) -> None: ...

    def close(self) -> None: ...
