"""SQLite implementation of :class:`DeviceModelStorage` (our own schema, see ``migrations/``)."""

from __future__ import annotations

import dataclasses
import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import DeviceModelError
from .model import (
    NEW_MONITOR_ID,
    Attribute,
    Component,
    ComponentKey,
    DataType,
    Monitor,
    MonitorConfigType,
    MonitorType,
    Mutability,
    Variable,
    VariableAttribute,
    VariableKey,
    shared_characteristics,
)
from .schema import migrate

logger = logging.getLogger(__name__)

_DATA_TYPES = {t.value: t for t in DataType}
_ATTRIBUTES = {a.value: a for a in Attribute}  # dict lookups: Enum(...) calls are slow for 10,000 rows
_MUTABILITIES = {m.value: m for m in Mutability}
_ATTRIBUTE_UPSERT = (
    "INSERT OR REPLACE INTO attribute (variable_id, type, mutability, persistent, constant, value, "
    "value_source) VALUES (?, ?, ?, ?, ?, ?, ?)"
)


def _attribute_row(variable_id: int, a: VariableAttribute) -> tuple[object, ...]:
    return (
        variable_id,
        a.type.value,
        a.mutability.value,
        int(a.persistent),
        int(a.constant),
        a.value,
        a.value_source,
    )


def _characteristics_row(v: Variable) -> tuple[object, ...]:
    ch = v.characteristics
    return (
        ch.data_type.value,
        int(ch.supports_monitoring),
        ch.unit,
        ch.min_limit,
        ch.max_limit,
        ch.values_list,
        v.source,
    )


class SqliteDeviceModelStorage:
    """Device model storage in one SQLite file; the schema is migrated to the latest version on open."""

    def __init__(self, path: Path | str) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.RLock()
        self._in_batch = False
        try:
            self._conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
            self._conn.execute("PRAGMA foreign_keys = ON")
            # WAL + full sync: each commit is durable at one fsync (rollback journal: several).
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = FULL")
            self.schema_version = migrate(self._conn)
        except sqlite3.Error as exc:
            raise DeviceModelError(f"cannot open device model database {path}: {exc}") from exc
        self._component_ids: dict[ComponentKey, int] = {}
        self._variable_ids: dict[tuple[ComponentKey, VariableKey], int] = {}

    # --- transactions ---
    @contextmanager
    def batch(self) -> Iterator[None]:
        with self._lock:
            if self._in_batch:
                yield
                return
            self._conn.execute("BEGIN")
            self._in_batch = True
            try:
                yield
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")
            finally:
                self._in_batch = False

    # --- loading ---
    def load(self) -> dict[ComponentKey, Component]:
        with self._lock:
            conn = self._conn
            components: dict[int, Component] = {}
            for cid, name, instance, evse_id, connector_id in conn.execute(
                "SELECT id, name, instance, evse_id, connector_id FROM component"
            ):
                components[cid] = Component(ComponentKey(name, instance, evse_id, connector_id))
            variables: dict[int, Variable] = {}
            self._component_ids = {c.key: cid for cid, c in components.items()}
            self._variable_ids = {}
            for row in conn.execute(
                "SELECT id, component_id, name, instance, data_type, supports_monitoring, unit, min_limit, "
                "max_limit, values_list, source FROM variable"
            ):
                vid, cid, name, instance, data_type, monitoring, unit, low, high, values, source = row
                ch = shared_characteristics(_DATA_TYPES[data_type], bool(monitoring), unit, low, high, values)
                variable = Variable(VariableKey(name, instance), ch, {}, source=source)
                component = components[cid]
                component.variables[variable.key] = variable
                variables[vid] = variable
                self._variable_ids[(component.key, variable.key)] = vid
            attribute_rows = conn.execute(
                "SELECT variable_id, type, mutability, persistent, constant, value, value_source "
                "FROM attribute"
            )
            for vid, kind, mutability, persistent, constant, value, source in attribute_rows:
                attr = VariableAttribute(
                    _ATTRIBUTES[kind],
                    _MUTABILITIES[mutability],
                    bool(persistent),
                    bool(constant),
                    value,
                    source,
                )
                variables[vid].attributes[attr.type] = attr
            for mid, vid, kind, severity, value, in_tx, config_type, reference in conn.execute(
                "SELECT id, variable_id, type, severity, value, in_transaction, config_type, reference_value "
                "FROM monitor"
            ):
                monitor = Monitor(
                    mid,
                    MonitorType(kind),
                    severity,
                    value,
                    MonitorConfigType(config_type),
                    bool(in_tx),
                    reference,
                )
                variables[vid].monitors[mid] = monitor
            return {c.key: c for c in components.values()}

    # --- structure (used by the start-up synchronisation) ---
    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        try:
            with self.batch():
                yield self._conn
        except sqlite3.Error as exc:
            raise DeviceModelError(f"device model database write failed: {exc}") from exc

    def add_component(self, component: Component) -> None:
        key = component.key
        with self._write() as conn:
            cursor = conn.execute(
                "INSERT INTO component (name, instance, evse_id, connector_id) VALUES (?, ?, ?, ?)",
                (key.name, key.instance, key.evse_id, key.connector_id),
            )
            assert cursor.lastrowid is not None
            self._component_ids[key] = cursor.lastrowid
            for variable in component.variables.values():
                self.add_variable(key, variable)

    def remove_component(self, component: ComponentKey) -> None:
        with self._write() as conn:
            conn.execute("DELETE FROM component WHERE id = ?", (self._component_ids.pop(component),))
            for ids_key in [k for k in self._variable_ids if k[0] == component]:
                del self._variable_ids[ids_key]

    def add_variable(self, component: ComponentKey, variable: Variable) -> None:
        with self._write() as conn:
            cursor = conn.execute(
                "INSERT INTO variable (component_id, name, instance, data_type, supports_monitoring, unit, "
                "min_limit, max_limit, values_list, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    self._component_ids[component],
                    variable.key.name,
                    variable.key.instance,
                    *_characteristics_row(variable),
                ),
            )
            vid = cursor.lastrowid
            assert vid is not None
            self._variable_ids[(component, variable.key)] = vid
            conn.executemany(
                _ATTRIBUTE_UPSERT, [_attribute_row(vid, a) for a in variable.attributes.values()]
            )

    def remove_variable(self, component: ComponentKey, variable: VariableKey) -> None:
        with self._write() as conn:
            conn.execute(
                "DELETE FROM variable WHERE id = ?", (self._variable_ids.pop((component, variable)),)
            )

    def update_variable(self, component: ComponentKey, variable: Variable) -> None:
        with self._write() as conn:
            conn.execute(
                "UPDATE variable SET data_type = ?, supports_monitoring = ?, unit = ?, min_limit = ?, "
                "max_limit = ?, values_list = ?, source = ? WHERE id = ?",
                (*_characteristics_row(variable), self._variable_ids[(component, variable.key)]),
            )

    def put_attribute(
        self, component: ComponentKey, variable: VariableKey, attribute: VariableAttribute
    ) -> None:
        with self._write() as conn:
            conn.execute(
                _ATTRIBUTE_UPSERT, _attribute_row(self._variable_ids[(component, variable)], attribute)
            )

    def remove_attribute(self, component: ComponentKey, variable: VariableKey, attribute: Attribute) -> None:
        with self._write() as conn:
            conn.execute(
                "DELETE FROM attribute WHERE variable_id = ? AND type = ?",
                (self._variable_ids[(component, variable)], attribute.value),
            )

    # --- runtime writes ---
    def set_value(
        self, component: ComponentKey, variable: VariableKey, attribute: Attribute, value: str, source: str
    ) -> None:
        with self._write() as conn:
            cursor = conn.execute(
                "UPDATE attribute SET value = ?, value_source = ? WHERE variable_id = ? AND type = ?",
                (value, source, self._variable_ids[(component, variable)], attribute.value),
            )
            if cursor.rowcount != 1:
                raise DeviceModelError(f"attribute {attribute.value} of {component}.{variable} is not stored")

    def add_monitor(self, component: ComponentKey, variable: VariableKey, monitor: Monitor) -> Monitor:
        row = (
            self._variable_ids[(component, variable)],
            monitor.type.value,
            monitor.severity,
            monitor.value,
            int(monitor.transaction),
            monitor.config_type.value,
            monitor.reference_value,
        )
        with self._write() as conn:
            if monitor.id == NEW_MONITOR_ID:
                cursor = conn.execute(
                    "INSERT INTO monitor (variable_id, type, severity, value, in_transaction, config_type, "
                    "reference_value) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    row,
                )
                assert cursor.lastrowid is not None
                return dataclasses.replace(monitor, id=cursor.lastrowid)
            conn.execute(
                "INSERT OR REPLACE INTO monitor (id, variable_id, type, severity, value, in_transaction, "
                "config_type, reference_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (monitor.id, *row),
            )
            return monitor

    def remove_monitor(self, monitor_id: int) -> None:
        with self._write() as conn:
            conn.execute("DELETE FROM monitor WHERE id = ?", (monitor_id,))

    def update_monitor_reference(self, monitor_id: int, reference_value: str | None) -> None:
        with self._write() as conn:
            conn.execute("UPDATE monitor SET reference_value = ? WHERE id = ?", (reference_value, monitor_id))

    def close(self) -> None:
        with self._lock:
            self._conn.close()
