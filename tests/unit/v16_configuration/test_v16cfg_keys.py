"""Key-by-key expectations: what every key reports, its read-only flag, defaults, and write outcome."""

from __future__ import annotations

import pytest

from everest_ocpp.v16.configuration import ChargePointConfiguration, ConfigurationStatus

from .conftest import Files

# (key, readonly, value) of config-full.json in GetConfiguration order; AuthorizationKey never appears.
EXPECTED_FULL: list[tuple[str, bool, str]] = [
    ("ChargePointId", True, "cp-full-001"),
    ("CentralSystemURI", False, "csms.example.com:443/ocpp16/cp-full-001"),
    ("ChargeBoxSerialNumber", True, "CB-0001"),
    ("ChargePointModel", True, "Full Model"),
    ("ChargePointSerialNumber", True, "CP-0001"),
    ("ChargePointVendor", True, "EVerest"),
    ("FirmwareVersion", True, "1.2.3"),
    ("ICCID", True, "8949000000000000001"),
    ("HostName", True, "charger.local"),
    ("IFace", True, "eth0"),
    ("IMSI", True, "262019876543210"),
    ("MeterSerialNumber", True, "MTR-0001"),
    ("MeterType", True, "AC 3-phase"),
    ("SupportedCiphers12", True, "ECDHE-ECDSA-AES256-GCM-SHA384:AES256-GCM-SHA384"),
    ("SupportedCiphers13", True, "TLS_AES_256_GCM_SHA384"),
    ("UseTPM", True, "false"),
    ("UseTPMSeccLeafCertificate", True, "false"),
    ("RetryBackoffRandomRange", True, "5"),
    ("RetryBackoffRepeatTimes", True, "4"),
    ("RetryBackoffWaitMinimum", True, "2"),
    ("AuthorizeConnectorZeroOnConnectorOne", True, "false"),
    ("LogMessages", True, "true"),
    ("LogMessagesRaw", True, "true"),
    ("LogMessagesFormat", True, "log,security"),
    ("LogRotation", True, "true"),
    ("LogRotationDateSuffix", True, "true"),
    ("LogRotationMaximumFileSize", True, "1048576"),
    ("LogRotationMaximumFileCount", True, "5"),
    ("SupportedChargingProfilePurposeTypes", True, "ChargePointMaxProfile,TxDefaultProfile,TxProfile"),
    ("IgnoredProfilePurposesOffline", False, "TxProfile"),
    ("MaxCompositeScheduleDuration", True, "86400"),
    ("CompositeScheduleDefaultLimitAmps", False, "32"),
    ("CompositeScheduleDefaultLimitWatts", False, "22080"),
    ("CompositeScheduleDefaultNumberPhases", False, "3"),
    ("SupplyVoltage", False, "230"),
    ("WebsocketPingPayload", True, "ping"),
    ("WebsocketPongTimeout", True, "10"),
    ("UseSslDefaultVerifyPaths", True, "false"),
    ("VerifyCsmsCommonName", True, "true"),
    ("VerifyCsmsAllowWildcards", True, "false"),
    ("OcspRequestInterval", False, "172800"),
    ("SeccLeafSubjectCommonName", False, "DEEVS0000001"),
    ("SeccLeafSubjectCountry", False, "DE"),
    ("SeccLeafSubjectOrganization", False, "EVerest CPO"),
    ("ConnectorEvseIds", False, "DE*EVS*E0001*1,DE*EVS*E0001*2"),
    ("AllowChargingProfileWithoutStartSchedule", False, "true"),
    ("WaitForStopTransactionsOnResetTimeout", False, "30"),
    ("QueueAllMessages", True, "true"),
    ("MessageTypesDiscardForQueueing", True, "Heartbeat,MeterValues"),
    ("MessageQueueSizeThreshold", True, "1000"),
    (
        "SupportedMeasurands",
        True,
        "Energy.Active.Import.Register,Power.Active.Import,Current.Import,Voltage,SoC",
    ),
    ("MaxMessageSize", True, "65000"),
    ("TLSKeylogFile", True, "/var/log/ocpp/tls_keylog.txt"),
    ("EnableTLSKeylog", True, "false"),
    ("StopTransactionIfUnlockNotSupported", False, "true"),
    ("MeterPublicKey1", True, "meter-key-connector-1"),
    ("MeterPublicKey2", True, "meter-key-connector-2"),
    ("AllowOfflineTxForUnknownId", False, "false"),
    ("AuthorizationCacheEnabled", False, "true"),
    ("AuthorizeRemoteTxRequests", False, "true"),
    ("BlinkRepeat", False, "3"),
    ("ClockAlignedDataInterval", False, "300"),
    ("ConnectionTimeOut", False, "45"),
    ("ConnectorPhaseRotation", False, "0.RST,1.RST,2.RTS"),
    ("ConnectorPhaseRotationMaxLength", True, "3"),
    ("GetConfigurationMaxKeys", True, "500"),
    ("HeartbeatInterval", False, "300"),
    ("LightIntensity", False, "80"),
    ("LocalAuthorizeOffline", False, "true"),
    ("LocalPreAuthorize", False, "true"),
    ("MaxEnergyOnInvalidId", False, "1000"),
    ("MeterValuesAlignedData", False, "Energy.Active.Import.Register,Voltage"),
    ("MeterValuesAlignedDataMaxLength", True, "5"),
    ("MeterValuesSampledData", False, "Energy.Active.Import.Register,Power.Active.Import,SoC"),
    ("MeterValuesSampledDataMaxLength", True, "5"),
    ("MeterValueSampleInterval", False, "30"),
    ("MinimumStatusDuration", False, "2"),
    ("NumberOfConnectors", True, "2"),
    ("ResetRetries", False, "2"),
    ("StopTransactionOnEVSideDisconnect", True, "true"),
    ("StopTransactionOnInvalidId", False, "false"),
    ("StopTxnAlignedData", False, "Energy.Active.Import.Register"),
    ("StopTxnAlignedDataMaxLength", True, "5"),
    ("StopTxnSampledData", False, "Energy.Active.Import.Register,Current.Import"),
    ("StopTxnSampledDataMaxLength", True, "5"),
    (
        "SupportedFeatureProfiles",
        True,
        "Core,FirmwareManagement,LocalAuthListManagement,RemoteTrigger,Reservation,SmartCharging",
    ),
    ("SupportedFeatureProfilesMaxLength", True, "8"),
    ("TransactionMessageAttempts", False, "4"),
    ("TransactionMessageRetryInterval", False, "20"),
    ("UnlockConnectorOnEVSideDisconnect", False, "false"),
    ("WebSocketPingInterval", False, "30"),
    ("LocalAuthListEnabled", False, "false"),
    ("LocalAuthListMaxLength", True, "250"),
    ("SendLocalListMaxLength", True, "50"),
    ("ChargeProfileMaxStackLevel", True, "8"),
    ("ChargingScheduleAllowedChargingRateUnit", True, "Current"),
    ("ChargingScheduleMaxPeriods", True, "96"),
    ("ConnectorSwitch3to1PhaseSupported", True, "false"),
    ("MaxChargingProfilesInstalled", True, "16"),
    ("SupportedFileTransferProtocols", True, "HTTPS,FTPS"),
    ("ReserveConnectorZeroSupported", True, "true"),
    ("AdditionalRootCertificateCheck", True, "false"),
    ("CertificateSignedMaxChainSize", True, "8000"),
    ("CertificateStoreMaxLength", True, "20"),
    ("CpoName", False, "EVerest CPO"),
    ("SecurityProfile", False, "1"),
    ("DisableSecurityEventNotifications", False, "false"),
    ("ISO15118CertificateManagementEnabled", False, "false"),
    ("ISO15118PnCEnabled", False, "true"),
    ("CentralContractValidationAllowed", False, "false"),
    ("CertSigningWaitMinimum", False, "60"),
    ("CertSigningRepeatTimes", False, "3"),
    ("ContractValidationOffline", False, "false"),
    ("CustomDisplayCostAndPrice", True, "true"),
    ("NumberOfDecimalsForCostValues", True, "2"),
    (
        "DefaultPrice",
        False,
        '{"priceText":"0.35 EUR/kWh","priceTextOffline":"Offline: 0.40 EUR/kWh",'
        '"chargingPrice":{"kWhPrice":0.35,"hourPrice":0.0,"flatFee":1.0}}',
    ),
    (
        "DefaultPriceText,en",
        False,
        '{"priceText":"0.35 EUR per kWh","priceTextOffline":"Offline price 0.40 EUR per kWh"}',
    ),
    ("DefaultPriceText,de", False, '{"priceText":"0,35 EUR pro kWh"}'),
    ("TimeOffset", False, "+01:00"),
    ("NextTimeOffsetTransitionDateTime", False, "2031-03-30T01:00:00Z"),
    ("TimeOffsetNextTransition", False, "+02:00"),
    ("CustomIdleFeeAfterStop", False, "false"),
    ("SupportedLanguages", True, "en,de,fr"),
    ("CustomMultiLanguageMessages", True, "true"),
    ("Language", False, "en"),
    ("WaitForSetUserPriceTimeout", False, "2000"),
    ("ExampleConfigurationKey", False, "example"),
    ("ExampleIntegerKey", False, "7"),
    ("ExampleBooleanKey", False, "false"),
]

# Keys a minimal config gets from defaults (Internal, Core and Security sections only).
EXPECTED_DEFAULTS: dict[str, str] = {
    "SupportedCiphers12": (
        "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:AES128-GCM-SHA256:AES256-GCM-SHA384"
    ),
    "SupportedCiphers13": "TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256",
    "UseTPM": "false",
    "UseTPMSeccLeafCertificate": "false",
    "RetryBackoffRandomRange": "10",
    "RetryBackoffRepeatTimes": "3",
    "RetryBackoffWaitMinimum": "3",
    "AuthorizeConnectorZeroOnConnectorOne": "true",
    "LogMessages": "true",
    "LogMessagesRaw": "false",
    "LogMessagesFormat": "log,html,session_logging,security",
    "LogRotation": "false",
    "LogRotationDateSuffix": "false",
    "LogRotationMaximumFileSize": "0",
    "LogRotationMaximumFileCount": "0",
    "SupportedChargingProfilePurposeTypes": "ChargePointMaxProfile,TxDefaultProfile,TxProfile",
    "MaxCompositeScheduleDuration": "31536000",
    "CompositeScheduleDefaultLimitAmps": "48",
    "CompositeScheduleDefaultLimitWatts": "33120",
    "CompositeScheduleDefaultNumberPhases": "3",
    "SupplyVoltage": "230",
    "WebsocketPingPayload": "hello there",
    "WebsocketPongTimeout": "5",
    "UseSslDefaultVerifyPaths": "true",
    "VerifyCsmsCommonName": "true",
    "VerifyCsmsAllowWildcards": "false",
    "OcspRequestInterval": "604800",
    "WaitForStopTransactionsOnResetTimeout": "60",
    "SupportedMeasurands": (
        "Energy.Active.Import.Register,Energy.Active.Export.Register,Power.Active.Import,Voltage,"
        "Current.Import,Frequency,Current.Offered,Power.Offered,SoC,Temperature"
    ),
    "MaxMessageSize": "65000",
    "TLSKeylogFile": "/tmp/ocpp_tls_keylog.txt",
    "EnableTLSKeylog": "false",
    "StopTransactionIfUnlockNotSupported": "false",
    "SecurityProfile": "0",
    "DisableSecurityEventNotifications": "false",
}

# Writable keys of config-full.json: (key, value sent, value reported afterwards, JSON persisted).
WRITES: list[tuple[str, str, str, object]] = [
    (
        "IgnoredProfilePurposesOffline",
        "TxDefaultProfile,TxProfile",
        "TxDefaultProfile,TxProfile",
        "TxDefaultProfile,TxProfile",
    ),
    ("CompositeScheduleDefaultLimitAmps", "16", "16", 16),
    ("CompositeScheduleDefaultLimitWatts", "11040", "11040", 11040),
    ("CompositeScheduleDefaultNumberPhases", "1", "1", 1),
    ("SupplyVoltage", "+240", "240", 240),
    ("OcspRequestInterval", "86400", "86400", 86400),
    ("SeccLeafSubjectCommonName", "SECC0001", "SECC0001", "SECC0001"),
    ("SeccLeafSubjectCountry", "NL", "NL", "NL"),
    ("SeccLeafSubjectOrganization", "", "", ""),
    ("ConnectorEvseIds", "NL*ABC*E1*1", "NL*ABC*E1*1", "NL*ABC*E1*1"),
    ("AllowChargingProfileWithoutStartSchedule", "FALSE", "false", False),
    ("WaitForStopTransactionsOnResetTimeout", "0", "0", 0),
    ("StopTransactionIfUnlockNotSupported", "False", "false", False),
    ("AllowOfflineTxForUnknownId", "TRUE", "true", True),
    ("AuthorizationCacheEnabled", "false", "false", False),
    ("AuthorizeRemoteTxRequests", "false", "false", False),
    ("BlinkRepeat", "7", "7", 7),
    ("ClockAlignedDataInterval", "0", "0", 0),
    ("ConnectionTimeOut", "60", "60", 60),
    (
        "ConnectorPhaseRotation",
        "0.NotApplicable, 1.TSR, 2.Unknown",
        "0.NotApplicable, 1.TSR, 2.Unknown",
        "0.NotApplicable, 1.TSR, 2.Unknown",
    ),
    ("HeartbeatInterval", "120", "120", 120),
    ("LightIntensity", "100", "100", 100),
    ("LocalAuthorizeOffline", "false", "false", False),
    ("LocalPreAuthorize", "false", "false", False),
    ("MaxEnergyOnInvalidId", "0", "0", 0),
    ("MeterValuesAlignedData", "SoC,Voltage", "SoC,Voltage", "SoC,Voltage"),
    ("MeterValuesSampledData", "", "", ""),
    ("MeterValueSampleInterval", "15", "15", 15),
    ("MinimumStatusDuration", "0", "0", 0),
    ("ResetRetries", "0", "0", 0),
    ("StopTransactionOnInvalidId", "true", "true", True),
    ("StopTxnAlignedData", "Current.Import", "Current.Import", "Current.Import"),
    ("StopTxnSampledData", "Power.Active.Import", "Power.Active.Import", "Power.Active.Import"),
    ("TransactionMessageAttempts", "9", "9", 9),
    ("TransactionMessageRetryInterval", "5", "5", 5),
    ("UnlockConnectorOnEVSideDisconnect", "true", "true", True),
    ("WebSocketPingInterval", "0", "0", 0),
    ("LocalAuthListEnabled", "true", "true", True),
    ("CpoName", "Other CPO", "Other CPO", "Other CPO"),
    ("DisableSecurityEventNotifications", "true", "true", True),
    ("ISO15118CertificateManagementEnabled", "True", "true", True),
    ("ISO15118PnCEnabled", "no", "false", False),
    ("CentralContractValidationAllowed", "true", "true", True),
    ("CertSigningWaitMinimum", "1", "1", 1),
    ("CertSigningRepeatTimes", "0", "0", 0),
    ("ContractValidationOffline", "TRUE", "true", True),
    ("DefaultPrice", '{"priceText":"free"}', '{"priceText":"free"}', {"priceText": "free"}),
    ("TimeOffset", "-05:30", "-05:30", "-05:30"),
    (
        "NextTimeOffsetTransitionDateTime",
        "2030-10-26T01:00:00Z",
        "2030-10-26T01:00:00Z",
        "2030-10-26T01:00:00Z",
    ),
    ("TimeOffsetNextTransition", "1:00", "1:00", "1:00"),
    ("CustomIdleFeeAfterStop", "true", "true", True),
    ("Language", "de", "de", "de"),
    ("WaitForSetUserPriceTimeout", "30000", "30000", 30000),
    ("ExampleConfigurationKey", "changed value", "changed value", "changed value"),
    ("ExampleIntegerKey", "-3", "-3", -3),
    ("ExampleBooleanKey", "TRUE", "true", True),
]


def test_full_config_reports_every_key_in_stable_order(full_store: ChargePointConfiguration) -> None:
    result = full_store.get_configuration()
    assert [(kv.key, kv.readonly, kv.value) for kv in result.known] == EXPECTED_FULL
    assert result.unknown == []
    assert full_store.get_configuration([]).known == result.known


def test_minimal_config_gets_documented_defaults(make_store) -> None:
    store = make_store()
    reported = {kv.key: kv.value for kv in store.get_configuration().known}
    for key, value in EXPECTED_DEFAULTS.items():
        assert reported[key] == value, key
    # optional keys without default stay absent
    for key in ("ChargePointSerialNumber", "LightIntensity", "CpoName", "WebSocketPingInterval", "ICCID"):
        assert key not in reported


@pytest.mark.parametrize("key, readonly, value", [e for e in EXPECTED_FULL if e[1]], ids=lambda x: str(x))
def test_read_only_keys_reject_changes(full_store: ChargePointConfiguration, key, readonly, value) -> None:
    assert full_store.change_configuration(key, value) is ConfigurationStatus.REJECTED
    assert full_store.get_configuration([key]).known[0].value == value


@pytest.mark.parametrize("key, sent, reported, persisted", WRITES, ids=[w[0] for w in WRITES])
def test_writable_keys_accept_valid_values(
    full_store: ChargePointConfiguration, files: Files, key, sent, reported, persisted
) -> None:
    assert full_store.change_configuration(key, sent) is ConfigurationStatus.ACCEPTED
    assert [(kv.key, kv.value) for kv in full_store.get_configuration([key.upper()]).known] == [
        (key, reported)
    ]
    section = next(name for name, keys in files.user().items() if key in keys)
    assert files.user()[section][key] == persisted


def test_every_writable_key_has_a_write_case() -> None:
    writable = {key for key, readonly, _ in EXPECTED_FULL if not readonly}
    special = {"CentralSystemURI", "SecurityProfile", "DefaultPriceText,en", "DefaultPriceText,de"}
    assert writable - special == {w[0] for w in WRITES}
