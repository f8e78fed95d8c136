"""OCPP 1.6 configuration keys: libocpp-format JSON config + user overlay, as a VariableStore.

Entry point: :meth:`ChargePointConfiguration.load`. See docs/v16-configuration.md.
"""

from everest_ocpp.v16.configuration.model import (
    ConfigError,
    ConfigurationStatus,
    GetConfigurationResult,
    KeySpec,
    KeyValue,
    Profile,
    SecurityProfileCheck,
    ValueType,
)
from everest_ocpp.v16.configuration.store import ChargePointConfiguration

__all__ = [
    "ChargePointConfiguration",
    "ConfigError",
    "ConfigurationStatus",
    "GetConfigurationResult",
    "KeySpec",
    "KeyValue",
    "Profile",
    "SecurityProfileCheck",
    "ValueType",
]
