"""The device model facade: the 2.0.1 implementation of :class:`everest_ocpp.variables.VariableStore`.

The whole model lives in memory; ``get`` is two dict lookups. Writes are validated, committed to
storage, applied to the cache and then announced to listeners.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import TypeVar

from everest_ocpp.variables import (
    Attribute,
    ChangeListener,
    GetResult,
    GetStatus,
    Mutability,
    SetResult,
    SetStatus,
    VariableChange,
    VariableRef,
)

from .component_config import load_component_configs
from .config_types import ComponentConfig
from .errors import DeviceModelError, MissingValueError
from .evse_components import EvseLike, derive_evse_components, normalise_evses
from .integrity import check_integrity
from .model import Component, ComponentKey, MonitorConfigType, Variable, make_ref
from .monitor_settings import (
    ClearMonitoringResult,
    MonitorEntry,
    MonitorSettings,
    SetMonitoringRequest,
    SetMonitoringResult,
)
from .sqlite_storage import SqliteDeviceModelStorage
from .storage import DeviceModelStorage
from .sync import synchronise

logger = logging.getLogger(__name__)

ExtraValidator = Callable[[str], "str | None"]
_Lookup = tuple[ComponentKey | None, Variable | None]
# Lookups use plain tuples of the ref's fields: hashing and comparing them is done in C, several
# times faster than the generated methods of the frozen VariableRef dataclass.
_RefKey = tuple[str, str, str | None, str | None, int | None, int | None]
T = TypeVar("T")


def default_config_path() -> Path:
    """The component config set shipped with the package."""
    return Path(str(resources.files("everest_ocpp") / "data" / "v201" / "component_config"))


def _ref_key(ref: VariableRef) -> _RefKey:
    return (
        ref.component,
        ref.variable,
        ref.component_instance,
        ref.variable_instance,
        ref.evse,
        ref.connector,
    )


def _canonical_key(component: ComponentKey, variable: Variable) -> _RefKey:
    key = variable.key
    return (
        component.name,
        key.name,
        component.instance,
        key.instance,
        component.evse_id,
        component.connector_id,
    )


def _normalised(ref: VariableRef) -> VariableRef:
    """Empty instance strings mean "no instance" (as in libocpp's component files)."""
    if ref.component_instance == "" or ref.variable_instance == "":
        return VariableRef(
            ref.component,
            ref.variable,
            ref.component_instance or None,
            ref.variable_instance or None,
            ref.evse,
            ref.connector,
        )
    return ref


class DeviceModel:
    """OCPP 2.0.1 device model: variables, values, monitors; backed by a :class:`DeviceModelStorage`."""

    def __init__(
        self,
        storage: DeviceModelStorage,
        configs: Sequence[ComponentConfig],
        evses: Iterable[EvseLike] = (),
        *,
        check_required: bool = True,
    ) -> None:
        """Synchronise ``storage`` with ``configs`` and check required variables.

        ``configs`` must already contain the EVSE/Connector components (see :meth:`open`).
        """
        self._storage = storage
        self._lock = threading.RLock()
        self._listeners: list[ChangeListener] = []
        self._validators: dict[VariableRef, list[ExtraValidator]] = {}
        self._components = synchronise(storage, storage.load(), configs)
        self._by_key: dict[_RefKey, tuple[ComponentKey, Variable]] = {
            _canonical_key(key, variable): (key, variable)
            for key, component in self._components.items()
            for variable in component.variables.values()
        }
        # get() answers for canonical refs, dropped when the attribute is written: a GetResult costs
        # more to build than the lookup itself.
        self._results: dict[tuple[object, ...], GetResult] = {}
        self.monitors = MonitorSettings(storage, self._components, self.locate, self._lock)
        check_integrity(self.locate, configs, normalise_evses(evses), check_required)
        logger.info(
            "Device model ready: %d components, %d variables", len(self._components), len(self._by_key)
        )

    @classmethod
    def open(
        cls,
        config_path: Path | str | None,
        database_path: Path | str,
        evses: Iterable[EvseLike] = (),
        *,
        check_required: bool = True,
        file_configs: Sequence[ComponentConfig] | None = None,
    ) -> DeviceModel:
        """Load component files from ``config_path`` (None: the shipped set), derive EVSE/Connector
        components for ``evses`` and open/update the SQLite model at ``database_path``.

        ``file_configs``: the files of ``config_path`` parsed already (by a start-up check), so that
        a large model is not read twice."""
        if file_configs is None:
            file_configs = load_component_configs(Path(config_path) if config_path else default_config_path())
        file_configs = list(file_configs)
        specs = normalise_evses(evses)
        configs = file_configs + derive_evse_components(specs, (c.key for c in file_configs))
        storage = SqliteDeviceModelStorage(database_path)
        try:
            return cls(storage, configs, specs, check_required=check_required)
        except BaseException:
            storage.close()
            raise

    def close(self) -> None:
        self._storage.close()

    def __enter__(self) -> DeviceModel:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # --- lookups ---
    def locate(self, ref: VariableRef) -> _Lookup:
        """(component key, variable); component None: unknown component; variable None: unknown variable."""
        found = self._by_key.get(_ref_key(ref))
        if found is not None:
            return found
        normalised = _normalised(ref)
        if normalised is not ref and (found := self._by_key.get(_ref_key(normalised))) is not None:
            return found
        key = ComponentKey(ref.component, normalised.component_instance, ref.evse, ref.connector)
        return (key if key in self._components else None), None

    def variable(self, ref: VariableRef) -> Variable | None:
        return self.locate(ref)[1]

    def components(self) -> list[Component]:
        """All components in a stable order (name, instance, evse, connector). Treat as read-only."""
        return list(self._components.values())

    def variable_count(self) -> int:
        return len(self._by_key)

    # --- VariableStore ---
    def get(self, ref: VariableRef, attribute: Attribute = Attribute.ACTUAL) -> GetResult:
        cache_key = (
            ref.component,
            ref.variable,
            ref.component_instance,
            ref.variable_instance,
            ref.evse,
            ref.connector,
            attribute,
        )
        cached = self._results.get(cache_key)
        if cached is not None:
            return cached
        found = self._by_key.get(cache_key[:6])
        if found is None:
            component, variable = self.locate(ref)
            if variable is None:
                status = GetStatus.UNKNOWN_COMPONENT if component is None else GetStatus.UNKNOWN_VARIABLE
                return GetResult(status, ref, attribute)
            return self._answer(ref, variable, attribute)  # found after normalising: not cached
        with self._lock:  # so a concurrent set() cannot leave a stale answer behind
            result = self._results[cache_key] = self._answer(ref, found[1], attribute)
        return result

    @staticmethod
    def _answer(ref: VariableRef, variable: Variable, attribute: Attribute) -> GetResult:
        attr = variable.attributes.get(attribute)
        if attr is None or attr.value is None:
            return GetResult(GetStatus.NOT_SUPPORTED_ATTRIBUTE_TYPE, ref, attribute)
        if attr.mutability is Mutability.WRITE_ONLY:
            return GetResult(GetStatus.REJECTED, ref, attribute)
        return GetResult(GetStatus.ACCEPTED, ref, attribute, attr.value)

    def set(
        self,
        ref: VariableRef,
        value: str,
        attribute: Attribute = Attribute.ACTUAL,
        *,
        source: str,
        allow_read_only: bool = False,
    ) -> SetResult:
        component, variable = self._by_key.get(_ref_key(ref)) or self.locate(ref)
        if component is None or variable is None:
            status = SetStatus.UNKNOWN_COMPONENT if component is None else SetStatus.UNKNOWN_VARIABLE
            return self._refused(
                SetResult(
                    status, ref, attribute, f"no such {'component' if component is None else 'variable'}"
                )
            )
        canonical = make_ref(component, variable.key)
        reason = variable.validator(value)
        for extra in self._validators.get(canonical, ()):
            reason = reason or extra(value)
        if reason is not None:
            return self._refused(SetResult(SetStatus.REJECTED, ref, attribute, f"invalid value: {reason}"))
        attr = variable.attributes.get(attribute)
        if attr is None:
            return self._refused(
                SetResult(
                    SetStatus.NOT_SUPPORTED_ATTRIBUTE_TYPE,
                    ref,
                    attribute,
                    f"variable has no {attribute.value} attribute",
                )
            )
        if attr.mutability is Mutability.READ_ONLY and not allow_read_only:
            return self._refused(SetResult(SetStatus.REJECTED, ref, attribute, "attribute is read-only"))
        with self._lock:
            old = attr.value
            try:
                self._storage.set_value(component, variable.key, attribute, value, source)
            except DeviceModelError as exc:
                logger.error("Storing %s.%s failed: %s", component, variable.key, exc)
                return SetResult(SetStatus.REJECTED, ref, attribute, "storage failure")
            attr.value, attr.value_source = value, source
            self._results.pop((*_canonical_key(component, variable), attribute), None)
        if attr.write_only:
            logger.info(
                "Write-only %s.%s %s changed (source %s)", component, variable.key, attribute.value, source
            )
        else:
            logger.debug("%s.%s %s = %r (source %s)", component, variable.key, attribute.value, value, source)
        self._notify(VariableChange(canonical, attribute, old, value, source, write_only=attr.write_only))
        return SetResult(SetStatus.ACCEPTED, ref, attribute)

    @staticmethod
    def _refused(result: SetResult) -> SetResult:
        logger.info(
            "Set %s.%s %s refused: %s (%s)",
            result.ref.component,
            result.ref.variable,
            result.attribute.value,
            result.status.value,
            result.reason,
        )
        return result

    def add_listener(self, listener: ChangeListener) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: ChangeListener) -> None:
        self._listeners.remove(listener)

    def _notify(self, change: VariableChange) -> None:
        for listener in list(self._listeners):
            try:
                listener(change)
            except Exception:  # one broken listener must not hide the change from the others
                logger.exception(
                    "Device model listener failed for %s.%s", change.ref.component, change.ref.variable
                )

    def add_validator(self, ref: VariableRef, check: ExtraValidator) -> None:
        """An extra value check for one variable (e.g. NetworkConfigurationPriority vs. the profiles)."""
        if self.variable(ref) is None:
            raise DeviceModelError(f"no variable {ref.component}.{ref.variable}")
        component, variable = self.locate(ref)
        assert component is not None and variable is not None
        self._validators.setdefault(make_ref(component, variable.key), []).append(check)

    # --- internal typed reads (WriteOnly values included: module code only, never for the CSMS) ---
    def value(self, ref: VariableRef, attribute: Attribute = Attribute.ACTUAL) -> str | None:
        variable = (self._by_key.get(_ref_key(ref)) or self.locate(ref))[1]
        attr = variable.attributes.get(attribute) if variable is not None else None
        return attr.value if attr is not None else None

    @staticmethod
    def _default(ref: VariableRef, attribute: Attribute, default: T | None) -> T:
        if default is None:
            raise MissingValueError(f"{ref.component}.{ref.variable} has no {attribute.value} value")
        return default

    def get_str(
        self, ref: VariableRef, default: str | None = None, attribute: Attribute = Attribute.ACTUAL
    ) -> str:
        text = self.value(ref, attribute)
        return self._default(ref, attribute, default) if text is None else text

    def get_int(
        self, ref: VariableRef, default: int | None = None, attribute: Attribute = Attribute.ACTUAL
    ) -> int:
        text = self.value(ref, attribute)
        if text is None:
            return self._default(ref, attribute, default)
        try:
            return int(text)
        except ValueError:
            number = self._float(ref, text)  # a decimal variable read as int
            if not number.is_integer():
                raise DeviceModelError(f"{ref.component}.{ref.variable} is not an integer") from None
            return int(number)

    def get_float(
        self, ref: VariableRef, default: float | None = None, attribute: Attribute = Attribute.ACTUAL
    ) -> float:
        text = self.value(ref, attribute)
        return self._default(ref, attribute, default) if text is None else self._float(ref, text)

    @staticmethod
    def _float(ref: VariableRef, text: str) -> float:
        try:
            return float(text)
        except ValueError:
            raise DeviceModelError(f"{ref.component}.{ref.variable} is not a number") from None

    def get_bool(
        self, ref: VariableRef, default: bool | None = None, attribute: Attribute = Attribute.ACTUAL
    ) -> bool:
        text = self.value(ref, attribute)
        if text is None:
            return self._default(ref, attribute, default)
        if text not in ("true", "false"):
            raise DeviceModelError(f"{ref.component}.{ref.variable} is not a boolean")
        return text == "true"

    # --- monitors (SetVariableMonitoring / ClearVariableMonitoring) ---
    def set_monitors(
        self,
        requests: Sequence[SetMonitoringRequest],
        config_type: MonitorConfigType = MonitorConfigType.CUSTOM,
    ) -> list[SetMonitoringResult]:
        return self.monitors.set(requests, config_type)

    def clear_monitors(
        self, ids: Iterable[int], allow_protected: bool = False
    ) -> list[ClearMonitoringResult]:
        return self.monitors.clear(ids, allow_protected)

    def list_monitors(self) -> list[MonitorEntry]:
        return self.monitors.entries()
