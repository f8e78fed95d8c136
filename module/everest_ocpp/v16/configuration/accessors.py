"""Typed read access to the values the rest of the module needs (BootNotification, the CSMS link,
smart charging, security events, metering). Keys of absent optional sections read as None or as
the documented fallback; visibility to the CSMS does not matter here.
"""

from __future__ import annotations

from everest_ocpp.v16.configuration.keys import STANDARD_BY_NAME
from everest_ocpp.v16.configuration.model import JsonValue, Profile
from everest_ocpp.v16.configuration.validators import PROFILE_PURPOSES, split_csl

_RATE_UNITS = {"Current": "A", "Power": "W"}


class ConfigurationAccessors:
    """Mixin over ``_values`` (canonical key -> JSON value) and ``_supported`` (feature profiles)."""

    _values: dict[str, JsonValue]
    _supported: frozenset[str]

    def value(self, key: str) -> JsonValue:
        """The stored JSON value of a key by canonical name, or None (also for unset keys)."""
        return self._values.get(key)

    def _or_default(self, key: str) -> JsonValue:
        value = self._values.get(key)
        return STANDARD_BY_NAME[key].default if value is None else value

    def _int(self, key: str) -> int | None:
        value = self._or_default(key)
        return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None

    def _float(self, key: str) -> float | None:
        value = self._or_default(key)
        return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None

    def _bool(self, key: str) -> bool | None:
        value = self._or_default(key)
        return value if isinstance(value, bool) else None

    def _str(self, key: str) -> str | None:
        value = self._or_default(key)
        return value if isinstance(value, str) else None

    def _csl(self, key: str) -> tuple[str, ...]:
        return tuple(item.strip() for item in split_csl(self._str(key) or "") if item.strip())

    # --- identity and connection ---
    @property
    def charge_point_id(self) -> str:
        return self._str("ChargePointId") or ""

    @property
    def central_system_uri(self) -> str:
        """As configured: normally without scheme (ws:// for SecurityProfile 0/1, wss:// for 2/3)."""
        return self._str("CentralSystemURI") or ""

    @property
    def charge_point_vendor(self) -> str:
        return self._str("ChargePointVendor") or ""

    @property
    def charge_point_model(self) -> str:
        return self._str("ChargePointModel") or ""

    @property
    def charge_box_serial_number(self) -> str:
        return self._str("ChargeBoxSerialNumber") or ""

    @property
    def charge_point_serial_number(self) -> str | None:
        return self._str("ChargePointSerialNumber")

    @property
    def firmware_version(self) -> str:
        return self._str("FirmwareVersion") or ""

    @property
    def iccid(self) -> str | None:
        return self._str("ICCID")

    @property
    def imsi(self) -> str | None:
        return self._str("IMSI")

    @property
    def meter_serial_number(self) -> str | None:
        return self._str("MeterSerialNumber")

    @property
    def meter_type(self) -> str | None:
        return self._str("MeterType")

    @property
    def security_profile(self) -> int:
        return self._int("SecurityProfile") or 0

    @property
    def authorization_key(self) -> str | None:
        """The websocket basic-auth password. Internal only: never report or log it."""
        return self._str("AuthorizationKey")

    @property
    def cpo_name(self) -> str | None:
        return self._str("CpoName")

    @property
    def heartbeat_interval(self) -> int:
        return self._int("HeartbeatInterval") or 0

    @property
    def retry_backoff_random_range(self) -> int:
        return self._int("RetryBackoffRandomRange") or 0

    @property
    def retry_backoff_repeat_times(self) -> int:
        return self._int("RetryBackoffRepeatTimes") or 0

    @property
    def retry_backoff_wait_minimum(self) -> int:
        return self._int("RetryBackoffWaitMinimum") or 0

    @property
    def websocket_ping_interval(self) -> int:
        """Seconds between websocket pings; 0 (also when unset) disables them."""
        return self._int("WebSocketPingInterval") or 0

    @property
    def websocket_ping_payload(self) -> str:
        return self._str("WebsocketPingPayload") or ""

    @property
    def websocket_pong_timeout(self) -> int:
        return self._int("WebsocketPongTimeout") or 0

    @property
    def supported_ciphers12(self) -> str:
        """OpenSSL cipher list (':'-joined) for TLS 1.2."""
        value = self._or_default("SupportedCiphers12")
        return ":".join(value) if isinstance(value, list) else ""  # type: ignore[arg-type]

    @property
    def supported_ciphers13(self) -> str:
        value = self._or_default("SupportedCiphers13")
        return ":".join(value) if isinstance(value, list) else ""  # type: ignore[arg-type]

    @property
    def verify_csms_common_name(self) -> bool:
        return bool(self._bool("VerifyCsmsCommonName"))

    @property
    def verify_csms_allow_wildcards(self) -> bool:
        return bool(self._bool("VerifyCsmsAllowWildcards"))

    @property
    def use_ssl_default_verify_paths(self) -> bool:
        return bool(self._bool("UseSslDefaultVerifyPaths"))

    @property
    def additional_root_certificate_check(self) -> bool:
        return bool(self._bool("AdditionalRootCertificateCheck"))

    @property
    def max_message_size(self) -> int:
        return self._int("MaxMessageSize") or 65000

    # --- profiles, connectors, core behaviour ---
    @property
    def supported_feature_profiles(self) -> frozenset[str]:
        """Listed profiles plus the implicit ones (Internal, Security; PnC/CostAndPrice/Custom by section)."""
        return self._supported

    def supports(self, profile: Profile | str) -> bool:
        return str(profile) in self._supported

    @property
    def number_of_connectors(self) -> int:
        return self._int("NumberOfConnectors") or 0

    @property
    def connection_timeout(self) -> int:
        return self._int("ConnectionTimeOut") or 0

    @property
    def meter_value_sample_interval(self) -> int:
        return self._int("MeterValueSampleInterval") or 0

    @property
    def clock_aligned_data_interval(self) -> int:
        return self._int("ClockAlignedDataInterval") or 0

    @property
    def transaction_message_attempts(self) -> int:
        return self._int("TransactionMessageAttempts") or 0

    @property
    def transaction_message_retry_interval(self) -> int:
        return self._int("TransactionMessageRetryInterval") or 0

    @property
    def minimum_status_duration(self) -> int:
        """Seconds a status must last before it is reported; 0 (also when unset) reports every change."""
        return self._int("MinimumStatusDuration") or 0

    @property
    def stop_transaction_on_invalid_id(self) -> bool:
        return bool(self._bool("StopTransactionOnInvalidId"))

    @property
    def unlock_connector_on_ev_side_disconnect(self) -> bool:
        return bool(self._bool("UnlockConnectorOnEVSideDisconnect"))

    @property
    def authorize_remote_tx_requests(self) -> bool:
        return bool(self._bool("AuthorizeRemoteTxRequests"))

    @property
    def authorize_connector_zero_on_connector_one(self) -> bool:
        """Only meaningful with exactly one connector (false otherwise, as libocpp)."""
        return self.number_of_connectors == 1 and bool(self._bool("AuthorizeConnectorZeroOnConnectorOne"))

    @property
    def local_auth_list_enabled(self) -> bool:
        return self.supports(Profile.LOCAL_AUTH_LIST_MANAGEMENT) and bool(self._bool("LocalAuthListEnabled"))

    # --- authorization ---
    @property
    def local_pre_authorize(self) -> bool:
        return bool(self._bool("LocalPreAuthorize"))

    @property
    def local_authorize_offline(self) -> bool:
        return bool(self._bool("LocalAuthorizeOffline"))

    @property
    def allow_offline_tx_for_unknown_id(self) -> bool:
        return bool(self._bool("AllowOfflineTxForUnknownId"))

    @property
    def authorization_cache_enabled(self) -> bool:
        return bool(self._bool("AuthorizationCacheEnabled"))

    @property
    def local_auth_list_max_length(self) -> int | None:
        """None without the LocalAuthListManagement section (then there is no list)."""
        return self._int("LocalAuthListMaxLength")

    @property
    def send_local_list_max_length(self) -> int | None:
        return self._int("SendLocalListMaxLength")

    @property
    def reservation_supported(self) -> bool:
        return self.supports(Profile.RESERVATION)

    @property
    def reserve_connector_zero_supported(self) -> bool:
        return bool(self._bool("ReserveConnectorZeroSupported"))

    @property
    def stop_transaction_if_unlock_not_supported(self) -> bool:
        return bool(self._bool("StopTransactionIfUnlockNotSupported"))

    @property
    def supported_measurands(self) -> tuple[str, ...]:
        return self._csl("SupportedMeasurands")

    @property
    def meter_values_sampled_data(self) -> tuple[str, ...]:
        return self._csl("MeterValuesSampledData")

    @property
    def meter_values_aligned_data(self) -> tuple[str, ...]:
        return self._csl("MeterValuesAlignedData")

    @property
    def stop_txn_sampled_data(self) -> tuple[str, ...]:
        return self._csl("StopTxnSampledData")

    @property
    def stop_txn_aligned_data(self) -> tuple[str, ...]:
        return self._csl("StopTxnAlignedData")

    def max_length(self, key: str) -> int | None:
        """``<key>MaxLength`` (e.g. MeterValuesSampledDataMaxLength) when configured."""
        value = self._values.get(f"{key}MaxLength")
        return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None

    @property
    def wait_for_stop_transactions_on_reset_timeout(self) -> int:
        return self._int("WaitForStopTransactionsOnResetTimeout") or 0

    # --- security and PnC ---
    @property
    def disable_security_event_notifications(self) -> bool:
        return bool(self._bool("DisableSecurityEventNotifications"))

    @property
    def ocsp_request_interval(self) -> int:
        return self._int("OcspRequestInterval") or 0

    @property
    def iso15118_pnc_enabled(self) -> bool:
        return bool(self._values.get("ISO15118PnCEnabled") is True)

    @property
    def central_contract_validation_allowed(self) -> bool | None:
        value = self._values.get("CentralContractValidationAllowed")
        return value if isinstance(value, bool) else None

    @property
    def contract_validation_offline(self) -> bool:
        return bool(self._values.get("ContractValidationOffline") is True)

    @property
    def iso15118_certificate_management_enabled(self) -> bool:
        return bool(self._values.get("ISO15118CertificateManagementEnabled") is True)

    # --- smart charging ---
    @property
    def charge_profile_max_stack_level(self) -> int | None:
        """None when the config has no SmartCharging section."""
        return self._int("ChargeProfileMaxStackLevel")

    @property
    def charging_schedule_max_periods(self) -> int:
        return self._int("ChargingScheduleMaxPeriods") or 0

    @property
    def max_charging_profiles_installed(self) -> int:
        return self._int("MaxChargingProfilesInstalled") or 0

    @property
    def charging_schedule_allowed_charging_rate_units(self) -> tuple[str, ...]:
        """'A' for Current, 'W' for Power, in configured order; unknown names are skipped."""
        return tuple(
            _RATE_UNITS[u] for u in self._csl("ChargingScheduleAllowedChargingRateUnit") if u in _RATE_UNITS
        )

    @property
    def max_composite_schedule_duration(self) -> int:
        return self._int("MaxCompositeScheduleDuration") or 0

    @property
    def composite_schedule_default_limit_amps(self) -> float:
        return self._float("CompositeScheduleDefaultLimitAmps") or 0.0

    @property
    def composite_schedule_default_limit_watts(self) -> float:
        return self._float("CompositeScheduleDefaultLimitWatts") or 0.0

    @property
    def composite_schedule_default_number_phases(self) -> int:
        return self._int("CompositeScheduleDefaultNumberPhases") or 3

    @property
    def supply_voltage(self) -> float:
        return self._float("SupplyVoltage") or 0.0

    @property
    def ignored_profile_purposes_offline(self) -> tuple[str, ...]:
        return tuple(
            p
            for p in (s.strip() for s in (self._str("IgnoredProfilePurposesOffline") or "").split(","))
            if p in PROFILE_PURPOSES
        )

    @property
    def supported_charging_profile_purpose_types(self) -> tuple[str, ...]:
        value = self._or_default("SupportedChargingProfilePurposeTypes")
        return tuple(p for p in value if p in PROFILE_PURPOSES) if isinstance(value, list) else ()

    @property
    def allow_charging_profile_without_start_schedule(self) -> bool:
        return self._values.get("AllowChargingProfileWithoutStartSchedule") is True

    @property
    def meter_public_keys(self) -> tuple[str, ...]:
        value = self._values.get("MeterPublicKeys")
        return tuple(k for k in value if isinstance(k, str)) if isinstance(value, list) else ()
