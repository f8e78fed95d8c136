"""Reading composite settings and validation limits from 1.6 keys / the 2.0.1 device model."""

from __future__ import annotations

from everest_ocpp.smart_charging import (
    CompositeSettings,
    OcppVersion,
    Purpose,
    RateUnit,
    allowed_units_in_order,
    composite_settings_from_variables,
    max_composite_schedule_duration,
    validation_limits_from_variables,
)
from everest_ocpp.variables import (
    Attribute,
    ChangeListener,
    GetResult,
    GetStatus,
    SetResult,
    SetStatus,
    VariableRef,
)


class DictStore:
    """Minimal VariableStore: (component, variable, instance) -> value."""

    def __init__(self, values: dict[tuple[str, str] | tuple[str, str, str], str]) -> None:
        self.values = values

    def get(self, ref: VariableRef, attribute: Attribute = Attribute.ACTUAL) -> GetResult:
        key = (
            (ref.component, ref.variable)
            if ref.variable_instance is None
            else (ref.component, ref.variable, ref.variable_instance)
        )
        if key in self.values:
            return GetResult(GetStatus.ACCEPTED, ref, attribute, self.values[key])
        return GetResult(GetStatus.UNKNOWN_VARIABLE, ref)

    def set(
        self,
        ref: VariableRef,
        value: str,
        attribute: Attribute = Attribute.ACTUAL,
        *,
        source: str,
        allow_read_only: bool = False,
    ) -> SetResult:
        return SetResult(SetStatus.REJECTED, ref)

    def add_listener(self, listener: ChangeListener) -> None:
        pass


def test_v16_defaults_when_keys_absent() -> None:
    settings = composite_settings_from_variables(DictStore({}), OcppVersion.V16)
    assert settings == CompositeSettings(OcppVersion.V16, 48.0, 33120.0, 3, 230.0, frozenset())
    assert settings.reports_stack_level and not settings.tx_profile_needs_transaction_id


def test_v16_keys() -> None:
    store = DictStore(
        {
            ("", "CompositeScheduleDefaultLimitAmps"): "32",
            ("", "CompositeScheduleDefaultLimitWatts"): "22080",
            ("", "CompositeScheduleDefaultNumberPhases"): "1",
            ("", "SupplyVoltage"): "240",
            ("", "IgnoredProfilePurposesOffline"): "TxProfile,ChargePointMaxProfile",
        }
    )
    settings = composite_settings_from_variables(store, OcppVersion.V16)
    assert (
        settings.default_limit_amps,
        settings.default_limit_watts,
        settings.default_number_phases,
        settings.supply_voltage,
    ) == (32.0, 22080.0, 1, 240.0)
    assert settings.ignored_purposes_offline == frozenset({Purpose.TX, Purpose.STATION_MAX})


def test_unusable_values_fall_back_to_defaults() -> None:
    store = DictStore(
        {
            ("", "CompositeScheduleDefaultLimitAmps"): "-1",
            ("", "CompositeScheduleDefaultNumberPhases"): "4",
            ("", "SupplyVoltage"): "lots",
            ("", "IgnoredProfilePurposesOffline"): "TxProfile, Bogus,",
        }
    )
    settings = composite_settings_from_variables(store, OcppVersion.V16)
    assert (settings.default_limit_amps, settings.default_number_phases, settings.supply_voltage) == (
        48.0,
        3,
        230.0,
    )
    assert settings.ignored_purposes_offline == frozenset({Purpose.TX})


def test_v201_smart_charging_ctrlr() -> None:
    store = DictStore(
        {
            ("SmartChargingCtrlr", "CompositeScheduleDefaultLimitAmps"): "57",
            ("SmartChargingCtrlr", "SupplyVoltage"): "400",
            ("SmartChargingCtrlr", "IgnoredProfilePurposesOffline"): "ChargingStationExternalConstraints",
            ("SmartChargingCtrlr", "RateUnit"): "W,A",
            ("SmartChargingCtrlr", "ProfileStackLevel"): "42",
            ("SmartChargingCtrlr", "PeriodsPerSchedule"): "24",
            ("SmartChargingCtrlr", "ACPhaseSwitchingSupported"): "true",
            ("ChargingStation", "SupplyPhases"): "1",
        }
    )
    settings = composite_settings_from_variables(store, OcppVersion.V201)
    assert (
        settings.version,
        settings.default_limit_amps,
        settings.default_limit_watts,
        settings.supply_voltage,
    ) == (OcppVersion.V201, 57.0, 33120.0, 400.0)
    assert settings.ignored_purposes_offline == frozenset({Purpose.EXTERNAL_CONSTRAINTS})
    assert not settings.reports_stack_level and settings.tx_profile_needs_transaction_id
    limits = validation_limits_from_variables(store, OcppVersion.V201, dc_evses=frozenset({2}))
    assert (limits.max_stack_level, limits.max_periods, limits.max_profiles) == (42, 24, None)
    assert limits.allowed_units == frozenset(RateUnit) and limits.ac_phase_switching_supported
    assert (limits.supply_phases, limits.dc_evses) == (1, frozenset({2}))
    assert allowed_units_in_order(store, OcppVersion.V201) == (RateUnit.WATTS, RateUnit.AMPS)


def test_v16_validation_limits() -> None:
    store = DictStore(
        {
            ("", "ChargeProfileMaxStackLevel"): "8",
            ("", "ChargingScheduleMaxPeriods"): "1440",
            ("", "MaxChargingProfilesInstalled"): "500",
            ("", "ChargingScheduleAllowedChargingRateUnit"): "Current",
            ("", "AllowChargingProfileWithoutStartSchedule"): "TRUE",
            ("", "SupportedChargingProfilePurposeTypes"): "ChargePointMaxProfile,TxDefaultProfile",
        }
    )
    limits = validation_limits_from_variables(store, OcppVersion.V16)
    assert (limits.max_stack_level, limits.max_periods, limits.max_profiles) == (8, 1440, 500)
    assert limits.allowed_units == frozenset({RateUnit.AMPS}) and limits.allow_without_start_schedule
    assert limits.supported_purposes == frozenset({Purpose.STATION_MAX, Purpose.TX_DEFAULT})
    assert allowed_units_in_order(store, OcppVersion.V16) == (RateUnit.AMPS,)
    assert allowed_units_in_order(DictStore({}), OcppVersion.V16) == (RateUnit.AMPS, RateUnit.WATTS)


def test_max_composite_schedule_duration() -> None:
    assert max_composite_schedule_duration(DictStore({})) == 31_536_000
    assert (
        max_composite_schedule_duration(DictStore({("", "MaxCompositeScheduleDuration"): "86400"})) == 86_400
    )
