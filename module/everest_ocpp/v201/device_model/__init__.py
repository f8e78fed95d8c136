"""OCPP 2.0.1 device model: components and variables from libocpp-format component files, values in
SQLite, monitors, reports. Pure (no network); the facade implements the VariableStore protocol.

Typical use::

    dm = DeviceModel.open(config_path, database_path, evses=[EvseSpec(1, (1,))])
    dm.get_int(well_known.HEARTBEAT_INTERVAL)
    dm.set(ref, "60", source=Source.CSMS)
"""

from . import well_known
from .component_config import load_component_configs
from .config_types import AttributeConfig, ComponentConfig, MonitorConfig, VariableConfig
from .device_model import DeviceModel, default_config_path
from .errors import ConfigIssue, DeviceModelConfigError, DeviceModelError, MissingValueError
from .evse_components import EvseSpec, derive_evse_components
from .memory_storage import DiscardingStorage
from .model import (
    Component,
    ComponentKey,
    DataType,
    Monitor,
    MonitorConfigType,
    MonitorType,
    Variable,
    VariableAttribute,
    VariableCharacteristics,
    VariableKey,
    make_ref,
)
from .monitor_settings import (
    ClearMonitoringResult,
    ClearMonitoringStatus,
    MonitorEntry,
    SetMonitoringRequest,
    SetMonitoringResult,
    SetMonitoringStatus,
)
from .monitors import MonitorEvaluator
from .report import (
    ComponentCriterion,
    MonitoringCriterion,
    ReportBase,
    base_report,
    custom_report,
    monitoring_report,
)
from .sqlite_storage import SqliteDeviceModelStorage
from .storage import DeviceModelStorage

__all__ = [
    "AttributeConfig",
    "ClearMonitoringResult",
    "ClearMonitoringStatus",
    "Component",
    "ComponentConfig",
    "ComponentCriterion",
    "ComponentKey",
    "ConfigIssue",
    "DataType",
    "DeviceModel",
    "DeviceModelConfigError",
    "DeviceModelError",
    "DeviceModelStorage",
    "DiscardingStorage",
    "EvseSpec",
    "MissingValueError",
    "Monitor",
    "MonitorConfig",
    "MonitorConfigType",
    "MonitorEntry",
    "MonitorEvaluator",
    "MonitorType",
    "MonitoringCriterion",
    "ReportBase",
    "SetMonitoringRequest",
    "SetMonitoringResult",
    "SetMonitoringStatus",
    "SqliteDeviceModelStorage",
    "Variable",
    "VariableAttribute",
    "VariableCharacteristics",
    "VariableConfig",
    "VariableKey",
    "base_report",
    "custom_report",
    "default_config_path",
    "derive_evse_components",
    "load_component_configs",
    "make_ref",
    "monitoring_report",
    "well_known",
]
