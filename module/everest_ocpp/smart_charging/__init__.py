"""Composite charging schedules shared by OCPP 1.6 and 2.0.1 (pure, no I/O but the profile store).

Public API (see docs/smart-charging.md):

* model: ``ChargingProfile``, ``ChargingSchedule``, ``SchedulePeriod`` and the enums;
* ``convert``: OCPP payload <-> model; ``output``: composite schedule -> EVerest / OCPP dicts;
* ``validate_v16`` / ``validate_v201`` with ``ValidationContext``;
* ``calculate_composite_schedule`` / ``calculate_all_composite_schedules``;
* ``SqliteProfileStore`` behind ``ProfileStore``;
* ``operations``: the CSMS smart charging requests as pure functions.
"""

from .composite import (
    CompositePeriod,
    CompositeSchedule,
    calculate_all_composite_schedules,
    calculate_composite_schedule,
)
from .convert import (
    ProfileFormatError,
    profile_from_ocpp,
    profile_from_v16,
    profile_from_v201,
    profile_to_ocpp,
    profile_to_v16,
    profile_to_v201,
)
from .output import (
    to_everest_charging_schedule,
    to_everest_charging_schedules,
    to_v16_get_composite_schedule_response,
    to_v201_get_composite_schedule_response,
)
from .profile import (
    ChargingProfile,
    ChargingSchedule,
    Kind,
    OcppVersion,
    Purpose,
    RateUnit,
    Recurrency,
    SchedulePeriod,
)
from .settings import (
    CompositeSettings,
    ValidationLimits,
    allowed_units_in_order,
    composite_settings_from_variables,
    max_composite_schedule_duration,
    validation_limits_from_variables,
)
from .station import ActiveTransaction, StationState
from .store import ProfileCriteria, ProfileStore, SqliteProfileStore, StoredProfile
from .validation import ProfileStatus, ValidationContext, ValidationResult
from .validation_v16 import validate_v16
from .validation_v201 import validate_v201

__all__ = [
    "ActiveTransaction",
    "ChargingProfile",
    "ChargingSchedule",
    "CompositePeriod",
    "CompositeSchedule",
    "CompositeSettings",
    "Kind",
    "OcppVersion",
    "ProfileCriteria",
    "ProfileFormatError",
    "ProfileStatus",
    "ProfileStore",
    "Purpose",
    "RateUnit",
    "Recurrency",
    "SchedulePeriod",
    "SqliteProfileStore",
    "StationState",
    "StoredProfile",
    "ValidationContext",
    "ValidationLimits",
    "ValidationResult",
    "allowed_units_in_order",
    "calculate_all_composite_schedules",
    "calculate_composite_schedule",
    "composite_settings_from_variables",
    "max_composite_schedule_duration",
    "profile_from_ocpp",
    "profile_from_v16",
    "profile_from_v201",
    "profile_to_ocpp",
    "profile_to_v16",
    "profile_to_v201",
    "to_everest_charging_schedule",
    "to_everest_charging_schedules",
    "to_v16_get_composite_schedule_response",
    "to_v201_get_composite_schedule_response",
    "validate_v16",
    "validate_v201",
    "validation_limits_from_variables",
]
