"""A :class:`DeviceModelStorage` that keeps nothing: for checking component files before start-up.

Checking a configuration builds a throw-away device model; writing its 10,000 variables into an
in-memory SQLite database only to drop it again took about a third of that check. Monitors still
get ids, as the SQLite storage gives them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager

from .model import (
    NEW_MONITOR_ID,
    Attribute,
    Component,
    ComponentKey,
    Monitor,
    Variable,
    VariableAttribute,
    VariableKey,
)


class DiscardingStorage:
    def __init__(self) -> None:
        self._last_monitor_id = 0

    def load(self) -> dict[ComponentKey, Component]:
        return {}

    @contextmanager
    def batch(self) -> Iterator[None]:
        yield

    def add_component(self, component: Component) -> None:
        pass

    def remove_component(self, component: ComponentKey) -> None:
        pass

    def add_variable(self, component: ComponentKey, variable: Variable) -> None:
        pass

    def remove_variable(self, component: ComponentKey, variable: VariableKey) -> None:
        pass

    def update_variable(self, component: ComponentKey, variable: Variable) -> None:
        pass

    def put_attribute(
        self, component: ComponentKey, variable: VariableKey, attribute: VariableAttribute
    ) -> None:
        pass

    def remove_attribute(self, component: ComponentKey, variable: VariableKey, attribute: Attribute) -> None:
        pass

    def set_value(
        self, component: ComponentKey, variable: VariableKey, attribute: Attribute, value: str, source: str
    ) -> None:
        pass

    def add_monitor(self, component: ComponentKey, variable: VariableKey, monitor: Monitor) -> Monitor:
        if monitor.id != NEW_MONITOR_ID:
            self._last_monitor_id = max(self._last_monitor_id, monitor.id)
            return monitor
        self._last_monitor_id += 1
        return dataclasses.replace(monitor, id=self._last_monitor_id)

    def remove_monitor(self, monitor_id: int) -> None:
        pass

    def update_monitor_reference(self, monitor_id: int, reference_value: str | None) -> None:
        pass

    def close(self) -> None:
        pass
