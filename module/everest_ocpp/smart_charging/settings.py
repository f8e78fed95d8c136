"""Configuration of the composite calculation and of profile validation.

Both can be read from the version-neutral ``VariableStore``: 1.6 configuration keys
(component ``""``) or the 2.0.1 device model (SmartChargingCtrlr / ChargingStation).
Values that are missing or malformed fall back to libocpp's defaults with a warning.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from ..variables import GetStatus, VariableRef, VariableStore
from .profile import OcppVersion, Purpose, RateUnit, purpose_from_name

log = logging.getLogger(__name__)

DEFAULT_LIMIT_AMPS = 48.0
DEFAULT_LIMIT_WATTS = 33120.0
DEFAULT_NUMBER_PHASES = 3
DEFAULT_SUPPLY_VOLTAGE = 230.0
ALL_UNITS: frozenset[RateUnit] = frozenset(RateUnit)


@dataclass(frozen=True, slots=True)
class CompositeSettings:
    """Inputs of the composite calculation that come from configuration.

    ``version`` selects the two places where 1.6 and 2.0.1 differ: 1.6 reports the stack level
    of every composite period (and so keeps periods apart that differ only in stack level), and
    a 1.6 TxProfile without transactionId applies to any transaction on its connector, while a
    2.0.1 TxProfile applies only during the transaction it names.
    """

    version: OcppVersion = OcppVersion.V16
    default_limit_amps: float = DEFAULT_LIMIT_AMPS
    default_limit_watts: float = DEFAULT_LIMIT_WATTS
    default_number_phases: int = DEFAULT_NUMBER_PHASES
    supply_voltage: float = DEFAULT_SUPPLY_VOLTAGE
    ignored_purposes_offline: frozenset[Purpose] = frozenset()

    @property
    def reports_stack_level(self) -> bool:
        return self.version == OcppVersion.V16

    @property
    def tx_profile_needs_transaction_id(self) -> bool:
        return self.version == OcppVersion.V201

    def default_limit(self, unit: RateUnit) -> float:
        return self.default_limit_amps if unit == RateUnit.AMPS else self.default_limit_watts


@dataclass(frozen=True, slots=True)
class ValidationLimits:
    """Configured limits used when validating incoming profiles (``None`` = not checked)."""

    max_stack_level: int | None = None
    max_periods: int | None = None
    max_profiles: int | None = None  # 1.6 MaxChargingProfilesInstalled
    allowed_units: frozenset[RateUnit] = ALL_UNITS
    allow_without_start_schedule: bool = False  # 1.6 AllowChargingProfileWithoutStartSchedule
    supported_purposes: frozenset[Purpose] | None = None  # 1.6 SupportedChargingProfilePurposeTypes
    supply_phases: int = 3  # 2.0.1 ChargingStation.SupplyPhases: 1 or 3 = AC, 0 = DC
    dc_evses: frozenset[int] = field(default_factory=frozenset)  # 2.0.1: EVSEs that are DC
    ac_phase_switching_supported: bool = False  # 2.0.1 SmartChargingCtrlr.ACPhaseSwitchingSupported


def parse_purposes(csv: str) -> frozenset[Purpose]:
    """Parse a comma-separated purpose list (either version's names); unknown names are logged."""
    purposes: set[Purpose] = set()
    for item in csv.split(","):
        if not item.strip():
            continue
        try:
            purposes.add(purpose_from_name(item))
        except ValueError:
            log.warning("ignoring unknown charging profile purpose %r in configuration", item.strip())
    return frozenset(purposes)


_UNIT_NAMES = {"a": RateUnit.AMPS, "current": RateUnit.AMPS, "w": RateUnit.WATTS, "power": RateUnit.WATTS}


def parse_units(csv: str) -> tuple[RateUnit, ...]:
    """Parse "Current,Power" (1.6) or "A,W" (2.0.1) into units, keeping the configured order."""
    units: list[RateUnit] = []
    for item in csv.split(","):
        unit = _UNIT_NAMES.get(item.strip().lower())
        if unit is None:
            if item.strip():
                log.warning("ignoring unknown charging rate unit %r in configuration", item.strip())
            continue
        if unit not in units:
            units.append(unit)
    return tuple(units)


class _Reader:
    """Typed reads of optional variables with fallbacks."""

    def __init__(self, store: VariableStore) -> None:
        self._store = store

    def text(self, ref: VariableRef) -> str | None:
        result = self._store.get(ref)
        return result.value if result.status == GetStatus.ACCEPTED else None

    def number(self, ref: VariableRef, default: float, check: Callable[[float], bool]) -> float:
        raw = self.text(ref)
        if raw is None:
            return default
        try:
            value = float(raw)
        except ValueError:
            value = float("nan")
        if value != value or not check(value):  # NaN or out of range
            log.warning("%s has unusable value %r; using %s", ref.variable, raw, default)
            return default
        return value

    def optional_int(self, ref: VariableRef) -> int | None:
        raw = self.text(ref)
        try:
            return None if raw is None else int(raw)
        except ValueError:
            log.warning("%s has non-integer value %r; not enforcing it", ref.variable, raw)
            return None

    def flag(self, ref: VariableRef, default: bool = False) -> bool:
        raw = self.text(ref)
        return default if raw is None else raw.strip().lower() == "true"


def _non_negative(value: float) -> bool:
    return value >= 0


def _phase_count(value: float) -> bool:
    return 1 <= value <= 3


def _positive(value: float) -> bool:
    return value > 0


def _v16(key: str) -> VariableRef:
    return VariableRef(component="", variable=key)


def _sc(variable: str, instance: str | None = None) -> VariableRef:
    return VariableRef(component="SmartChargingCtrlr", variable=variable, variable_instance=instance)


def composite_settings_from_variables(store: VariableStore, version: OcppVersion) -> CompositeSettings:
    """Read CompositeScheduleDefaultLimit{Amps,Watts,NumberPhases}, SupplyVoltage and
    IgnoredProfilePurposesOffline from 1.6 keys or the 2.0.1 SmartChargingCtrlr."""
    ref = _v16 if version == OcppVersion.V16 else _sc
    read = _Reader(store)
    return CompositeSettings(
        version=version,
        default_limit_amps=read.number(
            ref("CompositeScheduleDefaultLimitAmps"), DEFAULT_LIMIT_AMPS, _non_negative
        ),
        default_limit_watts=read.number(
            ref("CompositeScheduleDefaultLimitWatts"), DEFAULT_LIMIT_WATTS, _non_negative
        ),
        default_number_phases=int(
            read.number(ref("CompositeScheduleDefaultNumberPhases"), DEFAULT_NUMBER_PHASES, _phase_count)
        ),
        supply_voltage=read.number(ref("SupplyVoltage"), DEFAULT_SUPPLY_VOLTAGE, _positive),
        ignored_purposes_offline=parse_purposes(read.text(ref("IgnoredProfilePurposesOffline")) or ""),
    )


def validation_limits_from_variables(
    store: VariableStore, version: OcppVersion, dc_evses: frozenset[int] = frozenset()
) -> ValidationLimits:
    """Read the validation limits of the version's configuration.

    1.6: ChargeProfileMaxStackLevel, ChargingScheduleMaxPeriods, MaxChargingProfilesInstalled,
    ChargingScheduleAllowedChargingRateUnit, AllowChargingProfileWithoutStartSchedule,
    SupportedChargingProfilePurposeTypes. 2.0.1: SmartChargingCtrlr.ProfileStackLevel,
    PeriodsPerSchedule, RateUnit, ACPhaseSwitchingSupported and ChargingStation.SupplyPhases.
    """
    read = _Reader(store)
    if version == OcppVersion.V16:
        units_text = read.text(_v16("ChargingScheduleAllowedChargingRateUnit"))
        purposes_text = read.text(_v16("SupportedChargingProfilePurposeTypes"))
        return ValidationLimits(
            max_stack_level=read.optional_int(_v16("ChargeProfileMaxStackLevel")),
            max_periods=read.optional_int(_v16("ChargingScheduleMaxPeriods")),
            max_profiles=read.optional_int(_v16("MaxChargingProfilesInstalled")),
            allowed_units=ALL_UNITS if units_text is None else frozenset(parse_units(units_text)),
            allow_without_start_schedule=read.flag(_v16("AllowChargingProfileWithoutStartSchedule")),
            supported_purposes=None if purposes_text is None else parse_purposes(purposes_text),
        )
    units_text = read.text(_sc("RateUnit"))
    supply = read.optional_int(VariableRef(component="ChargingStation", variable="SupplyPhases"))
    return ValidationLimits(
        max_stack_level=read.optional_int(_sc("ProfileStackLevel")),
        max_periods=read.optional_int(_sc("PeriodsPerSchedule")),
        allowed_units=ALL_UNITS if units_text is None else frozenset(parse_units(units_text)),
        supply_phases=3 if supply is None else supply,
        dc_evses=dc_evses,
        ac_phase_switching_supported=read.flag(_sc("ACPhaseSwitchingSupported")),
    )


DEFAULT_MAX_COMPOSITE_DURATION = 31_536_000  # one year, libocpp's default


def max_composite_schedule_duration(store: VariableStore) -> int:
    """1.6 MaxCompositeScheduleDuration: GetCompositeSchedule durations are capped at it."""
    value = _Reader(store).optional_int(_v16("MaxCompositeScheduleDuration"))
    return DEFAULT_MAX_COMPOSITE_DURATION if value is None or value < 0 else value


def allowed_units_in_order(store: VariableStore, version: OcppVersion) -> tuple[RateUnit, ...]:
    """Configured units in configured order; the first is the default unit of GetCompositeSchedule."""
    read = _Reader(store)
    ref = _v16("ChargingScheduleAllowedChargingRateUnit") if version == OcppVersion.V16 else _sc("RateUnit")
    text = read.text(ref)
    return (RateUnit.AMPS, RateUnit.WATTS) if text is None else parse_units(text)
