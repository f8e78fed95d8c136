"""Typed read access to the values the rest of the module needs (BootNotification, the CSMS link,
authorization, security events, metering). Smart charging reads its keys through the version-neutral
``smart_charging.settings``. Keys of absent optional sections read as None or as the documented
fallback; visibility to the CSMS does not matter here.
"""

from __future__ import annotations

from everest_ocpp.v16.configuration.keys import STANDARD_BY_NAME
from everest_ocpp.v16.configuration.model import JsonValue, Profile
from everest_ocpp.v16.configuration.validators import split_csl


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
    def supported_ciphers12(self) -> str:
        """OpenSSL cipher list (':'-joined) for TLS 1.2."""
        value = self._or_default("SupportedCiphers12")
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
    def max_message_size(self) -> int:
        return self._int("MaxMessageSize") or 65000

    # --- profiles, connectors, core behaviour ---

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

    # --- security ---
    @property
    def disable_security_event_notifications(self) -> bool:
        return bool(self._bool("DisableSecurityEventNotifications"))
