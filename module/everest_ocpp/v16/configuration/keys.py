"""The declarative table of every standard OCPP 1.6 configuration key libocpp's JSON backend knows.

One line per key: section, type, read-only flag, default (filled in when the section exists but
the key does not), load-time limits, and the parser used for writes. Deviations from libocpp's
schemas are marked ``# differs:`` and explained in docs/v16-configuration.md.
"""

from __future__ import annotations

from typing import Any

from everest_ocpp.v16.configuration import validators as v
from everest_ocpp.v16.configuration.cost_and_price import parse_default_price
from everest_ocpp.v16.configuration.model import JsonValue, KeySpec, Parser, Profile, ValueType

IN, CO, LA, SC = Profile.INTERNAL, Profile.CORE, Profile.LOCAL_AUTH_LIST_MANAGEMENT, Profile.SMART_CHARGING
FW, RS, SE, PN = Profile.FIRMWARE_MANAGEMENT, Profile.RESERVATION, Profile.SECURITY, Profile.PNC
CP = Profile.COST_AND_PRICE

_SUPPORTED_MEASURANDS_DEFAULT = (
    "Energy.Active.Import.Register,Energy.Active.Export.Register,Power.Active.Import,Voltage,"
    "Current.Import,Frequency,Current.Offered,Power.Offered,SoC,Temperature"
)


def default_parser(
    vtype: ValueType,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    min_length: int | None = None,
    max_length: int | None = None,
    separator: str = ",",
) -> Parser:
    """The parser a key gets from its type and limits when it needs no special check."""
    if vtype is ValueType.INTEGER:
        return v.integer(None if minimum is None else int(minimum), None if maximum is None else int(maximum))
    if vtype is ValueType.NUMBER:
        return v.number(minimum, maximum)
    if vtype is ValueType.BOOLEAN:
        return v.strict_boolean
    if vtype is ValueType.ARRAY:
        return v.string_array(separator)
    return v.string(min_length, max_length)


def _key(
    name: str,
    profile: Profile,
    vtype: ValueType,
    *,
    ro: bool,
    default: JsonValue = None,
    required: bool = False,
    minimum: float | None = None,
    maximum: float | None = None,
    min_length: int | None = None,
    max_length: int | None = None,
    parser: Parser | None = None,
    separator: str = ",",
    **flags: bool,
) -> KeySpec:
    if parser is None:
        parser = default_parser(
            vtype,
            minimum=minimum,
            maximum=maximum,
            min_length=min_length,
            max_length=max_length,
            separator=separator,
        )
    return KeySpec(
        name=name,
        profile=profile,
        type=vtype,
        readonly=ro,
        parser=parser,
        default=default,
        required=required,
        minimum=minimum,
        maximum=maximum,
        min_length=min_length,
        max_length=max_length,
        separator=separator,
        **flags,
    )


def _int(name: str, profile: Profile, *, ro: bool, minimum: int | None = 0, **kw: Any) -> KeySpec:
    return _key(name, profile, ValueType.INTEGER, ro=ro, minimum=minimum, **kw)


def _bool(name: str, profile: Profile, *, ro: bool, lenient: bool = False, **kw: Any) -> KeySpec:
    parser = v.lenient_boolean if lenient else v.strict_boolean
    return _key(name, profile, ValueType.BOOLEAN, ro=ro, parser=parser, **kw)


def _str(name: str, profile: Profile, *, ro: bool, **kw: Any) -> KeySpec:
    return _key(name, profile, ValueType.STRING, ro=ro, **kw)


def _arr(name: str, profile: Profile, *, ro: bool, **kw: Any) -> KeySpec:
    return _key(name, profile, ValueType.ARRAY, ro=ro, **kw)


def _num(
    name: str, profile: Profile, *, default: int, minimum: int = 0, maximum: int | None = None
) -> KeySpec:
    # The config file may hold any number; writes accept whole numbers only (as libocpp's setters).
    return _key(
        name,
        profile,
        ValueType.NUMBER,
        ro=False,
        default=default,
        minimum=minimum,
        maximum=maximum,
        parser=v.integer(minimum, maximum),
    )


STANDARD_KEYS: tuple[KeySpec, ...] = (
    # --- Internal (EVerest/libocpp specific) ---
    _str("ChargePointId", IN, ro=True, required=True, min_length=1),
    # differs: writable (RebootRequired) instead of schema-readonly, see docs
    _str(
        "CentralSystemURI",
        IN,
        ro=False,
        required=True,
        min_length=1,
        parser=v.central_system_uri,
        reboot_required=True,
    ),
    _str("ChargeBoxSerialNumber", IN, ro=True, required=True, min_length=1, max_length=25),
    _str("ChargePointModel", IN, ro=True, required=True, min_length=1, max_length=20),
    _str("ChargePointSerialNumber", IN, ro=True, min_length=1, max_length=25),
    _str("ChargePointVendor", IN, ro=True, required=True, min_length=1, max_length=20),
    _str("FirmwareVersion", IN, ro=True, required=True, min_length=1, max_length=50),
    _str("ICCID", IN, ro=True, min_length=1, max_length=20),
    _str("HostName", IN, ro=True, min_length=1),
    _str("IFace", IN, ro=True, min_length=1),
    _str("IMSI", IN, ro=True, min_length=1, max_length=20),
    _str("MeterSerialNumber", IN, ro=True, min_length=1, max_length=25),
    _str("MeterType", IN, ro=True, min_length=1, max_length=25),
    _arr(
        "SupportedCiphers12",
        IN,
        ro=True,
        separator=":",
        default=[
            "ECDHE-ECDSA-AES128-GCM-SHA256",
            "ECDHE-ECDSA-AES256-GCM-SHA384",
            "AES128-GCM-SHA256",
            "AES256-GCM-SHA384",
        ],
    ),
    _arr(
        "SupportedCiphers13",
        IN,
        ro=True,
        separator=":",
        default=["TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256"],
    ),
    _bool("UseTPM", IN, ro=True, default=False),
    _bool("UseTPMSeccLeafCertificate", IN, ro=True, default=False),
    # differs: reported read-only; libocpp reports them writable but rejects every write
    _int("RetryBackoffRandomRange", IN, ro=True, default=10),
    _int("RetryBackoffRepeatTimes", IN, ro=True, default=3),
    _int("RetryBackoffWaitMinimum", IN, ro=True, default=3),
    _bool("AuthorizeConnectorZeroOnConnectorOne", IN, ro=True, default=True),
    _bool("LogMessages", IN, ro=True, default=True),
    _bool("LogMessagesRaw", IN, ro=True, default=False),
    _arr("LogMessagesFormat", IN, ro=True, default=["log", "html", "session_logging", "security"]),
    _bool("LogRotation", IN, ro=True, default=False),
    _bool("LogRotationDateSuffix", IN, ro=True, default=False),
    _int("LogRotationMaximumFileSize", IN, ro=True, default=0),
    _int("LogRotationMaximumFileCount", IN, ro=True, default=0),
    _arr(
        "SupportedChargingProfilePurposeTypes",
        IN,
        ro=True,
        default=["ChargePointMaxProfile", "TxDefaultProfile", "TxProfile"],
    ),
    _str("IgnoredProfilePurposesOffline", IN, ro=False, parser=v.profile_purposes),
    _int("MaxCompositeScheduleDuration", IN, ro=True, default=31536000),
    _num("CompositeScheduleDefaultLimitAmps", IN, default=48),
    _num("CompositeScheduleDefaultLimitWatts", IN, default=33120),
    _num("CompositeScheduleDefaultNumberPhases", IN, default=3, minimum=1, maximum=3),
    _num("SupplyVoltage", IN, default=230),
    _str("WebsocketPingPayload", IN, ro=True, default="hello there"),
    _int("WebsocketPongTimeout", IN, ro=True, default=5),
    _bool("UseSslDefaultVerifyPaths", IN, ro=True, default=True),
    _bool("VerifyCsmsCommonName", IN, ro=True, default=True),
    _bool("VerifyCsmsAllowWildcards", IN, ro=True, default=False),  # read-only as libocpp reports it
    _int("OcspRequestInterval", IN, ro=False, default=604800, minimum=86400),
    _str("SeccLeafSubjectCommonName", IN, ro=False, min_length=7, max_length=64),
    _str("SeccLeafSubjectCountry", IN, ro=False, min_length=2, max_length=2),
    _str("SeccLeafSubjectOrganization", IN, ro=False, min_length=0, max_length=64),
    _str("ConnectorEvseIds", IN, ro=False, min_length=7, max_length=1000, parser=v.evse_ids),
    _bool("AllowChargingProfileWithoutStartSchedule", IN, ro=False, lenient=True),
    _int("WaitForStopTransactionsOnResetTimeout", IN, ro=False, default=60),
    _bool("QueueAllMessages", IN, ro=True),
    _str("MessageTypesDiscardForQueueing", IN, ro=True),
    _int("MessageQueueSizeThreshold", IN, ro=True, minimum=1),
    _str("SupportedMeasurands", IN, ro=True, default=_SUPPORTED_MEASURANDS_DEFAULT),
    _int("MaxMessageSize", IN, ro=True, default=65000, minimum=32000),
    _str("TLSKeylogFile", IN, ro=True, default="/tmp/ocpp_tls_keylog.txt"),
    _bool("EnableTLSKeylog", IN, ro=True, default=False),
    _bool("StopTransactionIfUnlockNotSupported", IN, ro=False, default=False),
    _arr("MeterPublicKeys", IN, ro=True, expanded=True),  # reported as MeterPublicKey<connector>
    # --- Core ---
    _bool("AllowOfflineTxForUnknownId", CO, ro=False),
    _bool("AuthorizationCacheEnabled", CO, ro=False),
    _bool("AuthorizeRemoteTxRequests", CO, ro=False, required=True, lenient=True),
    _int("BlinkRepeat", CO, ro=False),
    _int("ClockAlignedDataInterval", CO, ro=False, required=True),
    _int("ConnectionTimeOut", CO, ro=False, required=True),
    _str("ConnectorPhaseRotation", CO, ro=False, required=True, parser=v.phase_rotation),
    _int("ConnectorPhaseRotationMaxLength", CO, ro=True),
    _int("GetConfigurationMaxKeys", CO, ro=True, required=True),
    _int("HeartbeatInterval", CO, ro=False, required=True),
    _int("LightIntensity", CO, ro=False, maximum=100),
    _bool("LocalAuthorizeOffline", CO, ro=False, required=True),
    _bool("LocalPreAuthorize", CO, ro=False, required=True),
    _int("MaxEnergyOnInvalidId", CO, ro=False),
    _str("MeterValuesAlignedData", CO, ro=False, required=True, parser=v.measurand_list),
    _int("MeterValuesAlignedDataMaxLength", CO, ro=True),
    _str("MeterValuesSampledData", CO, ro=False, required=True, parser=v.measurand_list),
    _int("MeterValuesSampledDataMaxLength", CO, ro=True),
    _int("MeterValueSampleInterval", CO, ro=False, required=True),
    _int("MinimumStatusDuration", CO, ro=False),
    _int("NumberOfConnectors", CO, ro=True, required=True),
    _int("ResetRetries", CO, ro=False, required=True),
    _bool("StopTransactionOnEVSideDisconnect", CO, ro=True),
    _bool("StopTransactionOnInvalidId", CO, ro=False, required=True),
    _str("StopTxnAlignedData", CO, ro=False, required=True, parser=v.measurand_list),
    _int("StopTxnAlignedDataMaxLength", CO, ro=True),
    _str("StopTxnSampledData", CO, ro=False, required=True, parser=v.measurand_list),
    _int("StopTxnSampledDataMaxLength", CO, ro=True),
    _str("SupportedFeatureProfiles", CO, ro=True, required=True),
    _int("SupportedFeatureProfilesMaxLength", CO, ro=True),
    _int("TransactionMessageAttempts", CO, ro=False, required=True),
    _int("TransactionMessageRetryInterval", CO, ro=False, required=True),
    _bool("UnlockConnectorOnEVSideDisconnect", CO, ro=False, required=True),
    _int("WebSocketPingInterval", CO, ro=False),
    # --- LocalAuthListManagement ---
    _bool("LocalAuthListEnabled", LA, ro=False, required=True),
    _int("LocalAuthListMaxLength", LA, ro=True, required=True),
    _int("SendLocalListMaxLength", LA, ro=True, required=True),
    # --- SmartCharging ---
    _int("ChargeProfileMaxStackLevel", SC, ro=True, required=True),
    _str("ChargingScheduleAllowedChargingRateUnit", SC, ro=True, required=True, default="Current,Power"),
    _int("ChargingScheduleMaxPeriods", SC, ro=True, required=True, default=1440),
    _bool("ConnectorSwitch3to1PhaseSupported", SC, ro=True),
    _int("MaxChargingProfilesInstalled", SC, ro=True, required=True, default=500),
    # --- FirmwareManagement / Reservation ---
    _str("SupportedFileTransferProtocols", FW, ro=True),
    _bool("ReserveConnectorZeroSupported", RS, ro=True),
    # --- Security (always supported) ---
    _bool("AdditionalRootCertificateCheck", SE, ro=True),
    _str(
        "AuthorizationKey",
        SE,
        ro=False,
        min_length=8,
        parser=v.authorization_key,
        write_only=True,
        settable_when_unset=True,
    ),
    _int("CertificateSignedMaxChainSize", SE, ro=True, maximum=10000),
    _int("CertificateStoreMaxLength", SE, ro=True),
    _str("CpoName", SE, ro=False, settable_when_unset=True),
    _int("SecurityProfile", SE, ro=False, required=True, default=0, maximum=3),
    _bool("DisableSecurityEventNotifications", SE, ro=False, default=False, lenient=True),
    # --- PnC (supported when the section exists) ---
    _bool("ISO15118CertificateManagementEnabled", PN, ro=False, default=False, lenient=True),
    _bool("ISO15118PnCEnabled", PN, ro=False, required=True, lenient=True),
    _bool("CentralContractValidationAllowed", PN, ro=False, lenient=True),
    _int("CertSigningWaitMinimum", PN, ro=False),
    _int("CertSigningRepeatTimes", PN, ro=False),
    _bool("ContractValidationOffline", PN, ro=False, required=True, lenient=True),
    # --- CostAndPrice (supported when the section exists) ---
    _bool("CustomDisplayCostAndPrice", CP, ro=True, required=True),
    _int("NumberOfDecimalsForCostValues", CP, ro=True),
    _key("DefaultPrice", CP, ValueType.OBJECT, ro=False, parser=parse_default_price),
    _key("DefaultPriceText", CP, ValueType.OBJECT, ro=False, expanded=True),  # as DefaultPriceText,<lang>
    _str("TimeOffset", CP, ro=False, min_length=1, max_length=10, parser=v.time_offset),
    _str(
        "NextTimeOffsetTransitionDateTime",
        CP,
        ro=False,
        min_length=1,
        max_length=40,
        parser=v.future_datetime,
    ),
    _str("TimeOffsetNextTransition", CP, ro=False, min_length=1, max_length=40, parser=v.time_offset),
    _bool("CustomIdleFeeAfterStop", CP, ro=False, lenient=True),
    _str("SupportedLanguages", CP, ro=True, min_length=1),
    _bool("CustomMultiLanguageMessages", CP, ro=True),
    _str("Language", CP, ro=False, min_length=1),  # differs: libocpp reports it read-only
    _int("WaitForSetUserPriceTimeout", CP, ro=False, maximum=30000),
)

STANDARD_BY_NAME: dict[str, KeySpec] = {spec.name: spec for spec in STANDARD_KEYS}

# Sections whose unknown keys are an error (libocpp's schemas forbid additional properties there);
# unknown keys in Security, PnC and CostAndPrice are ignored with a warning, as libocpp does.
STRICT_SECTIONS: frozenset[Profile] = frozenset({IN, CO, LA, SC, FW, RS})
