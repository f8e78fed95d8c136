"""Every value check, seen through ChangeConfiguration: edge cases of integers, booleans, lists, lengths."""

from __future__ import annotations

import pytest

from everest_ocpp.v16.configuration import ChargePointConfiguration, ConfigurationStatus

A, R, NS, RR = (
    ConfigurationStatus.ACCEPTED,
    ConfigurationStatus.REJECTED,
    ConfigurationStatus.NOT_SUPPORTED,
    ConfigurationStatus.REBOOT_REQUIRED,
)

STRICT_BOOLEANS = [
    "AllowOfflineTxForUnknownId",
    "AuthorizationCacheEnabled",
    "LocalAuthorizeOffline",
    "LocalPreAuthorize",
    "StopTransactionOnInvalidId",
    "UnlockConnectorOnEVSideDisconnect",
    "StopTransactionIfUnlockNotSupported",
    "LocalAuthListEnabled",
]
LENIENT_BOOLEANS = [
    "AuthorizeRemoteTxRequests",
    "CentralContractValidationAllowed",
    "ContractValidationOffline",
    "DisableSecurityEventNotifications",
    "ISO15118CertificateManagementEnabled",
    "ISO15118PnCEnabled",
    "AllowChargingProfileWithoutStartSchedule",
    "CustomIdleFeeAfterStop",
]


def value_of(store: ChargePointConfiguration, key: str) -> str | None:
    known = store.get_configuration([key]).known
    return known[0].value if known else None


@pytest.mark.parametrize(
    "text, status, stored",
    [
        ("42", A, "42"),
        ("+5", A, "5"),
        ("-0", A, "0"),
        ("0", A, "0"),
        ("007", A, "7"),
        ("2147483647", A, "2147483647"),
        ("2147483648", R, None),
        ("5.0", R, None),
        ("-1", R, None),
        ("", R, None),
        (" 5", R, None),
        ("5 ", R, None),
        ("1e3", R, None),
        ("0x10", R, None),
        ("٣", R, None),  # a non-ASCII digit
        ("five", R, None),
    ],
)
def test_non_negative_integers(full_store: ChargePointConfiguration, text: str, status, stored) -> None:
    before = value_of(full_store, "HeartbeatInterval")
    assert full_store.change_configuration("HeartbeatInterval", text) is status
    assert value_of(full_store, "HeartbeatInterval") == (stored if stored is not None else before)


@pytest.mark.parametrize("key", STRICT_BOOLEANS)
@pytest.mark.parametrize(
    "text, status, stored", [("true", A, "true"), ("FALSE", A, "false"), ("TrUe", A, "true"), ("1", R, None),
                             ("yes", R, None), ("", R, None), (" true", R, None)]
)  # fmt: skip
def test_strict_booleans(full_store: ChargePointConfiguration, key: str, text: str, status, stored) -> None:
    before = value_of(full_store, key)
    assert full_store.change_configuration(key, text) is status
    assert value_of(full_store, key) == (stored if stored is not None else before)


LENIENT_CASES = [
    ("TRUE", "true"),
    ("true", "true"),
    ("1", "false"),
    ("yes", "false"),
    ("", "false"),
    ("false", "false"),
]


@pytest.mark.parametrize("key", LENIENT_BOOLEANS)
@pytest.mark.parametrize("text, stored", LENIENT_CASES)
def test_lenient_booleans_accept_anything(
    full_store: ChargePointConfiguration, key: str, text, stored
) -> None:
    full_store.change_configuration(key, "true")
    assert full_store.change_configuration(key, text) is A
    assert value_of(full_store, key) == stored


@pytest.mark.parametrize(
    "key, text, status",
    [
        ("LightIntensity", "100", A),
        ("LightIntensity", "101", R),
        ("OcspRequestInterval", "86399", R),
        ("OcspRequestInterval", "86400", A),
        ("CompositeScheduleDefaultNumberPhases", "0", R),
        ("CompositeScheduleDefaultNumberPhases", "3", A),
        ("CompositeScheduleDefaultNumberPhases", "4", R),
        ("CompositeScheduleDefaultNumberPhases", "2.5", R),
        ("CompositeScheduleDefaultLimitAmps", "32.5", R),  # whole numbers only, as libocpp's setter
        ("CompositeScheduleDefaultLimitAmps", "-1", R),
        ("WaitForSetUserPriceTimeout", "30000", A),
        ("WaitForSetUserPriceTimeout", "30001", R),
        ("SecurityProfile", "4", R),
        ("SecurityProfile", "-1", R),
        ("SecurityProfile", "2.0", R),
    ],
)
def test_ranges(full_store: ChargePointConfiguration, key: str, text: str, status) -> None:
    assert full_store.change_configuration(key, text) is status


@pytest.mark.parametrize(
    "text, status",
    [
        ("Energy.Active.Import.Register", A),
        ("SoC,Voltage,Current.Import", A),
        ("", A),  # an empty list is allowed
        ("Voltage,,SoC", A),  # empty elements are skipped
        ("Temperature", R),  # known, but not in this config's SupportedMeasurands
        ("Energy.Active.Import.Register.L1", R),  # no phase suffixes
        ("Voltage, SoC", R),  # no blanks
        ("voltage", R),  # exact spelling
        ("Bogus", R),
    ],
)
def test_measurand_lists_checked_against_supported_measurands(full_store, text: str, status) -> None:
    for key in (
        "MeterValuesAlignedData",
        "MeterValuesSampledData",
        "StopTxnAlignedData",
        "StopTxnSampledData",
    ):
        assert full_store.change_configuration(key, text) is status, key


@pytest.mark.parametrize(
    "text, status",
    [
        ("0.RST,1.RTS,2.SRT", A),
        ("0.STR, 1.TRS ,2.TSR", A),  # whitespace is ignored
        ("1.NotApplicable,2.Unknown", A),
        ("", A),
        ("+1.RST", A),
        ("3.RST", R),  # only 2 connectors
        ("-1.RST", R),
        ("1.rst", R),
        ("1.XYZ", R),
        ("1", R),
        ("1.", R),
        (".RST", R),
        ("1a.RST", R),
        ("1.RST.RST", R),
        ("RST0.RST", R),
    ],
)
def test_connector_phase_rotation(full_store: ChargePointConfiguration, text: str, status) -> None:
    assert full_store.change_configuration("ConnectorPhaseRotation", text) is status


@pytest.mark.parametrize(
    "key, text, status",
    [
        ("SeccLeafSubjectCommonName", "A" * 6, R),
        ("SeccLeafSubjectCommonName", "A" * 7, A),
        ("SeccLeafSubjectCommonName", "A" * 64, A),
        ("SeccLeafSubjectCommonName", "A" * 65, R),
        ("SeccLeafSubjectCountry", "D", R),
        ("SeccLeafSubjectCountry", "DEU", R),
        ("SeccLeafSubjectOrganization", "O" * 64, A),
        ("SeccLeafSubjectOrganization", "O" * 65, R),
        ("ConnectorEvseIds", "DE*ABC", R),  # an id needs 7..37 characters
        ("ConnectorEvseIds", "DE*ABC*1,DE*ABC*2", A),
        ("ConnectorEvseIds", "D" * 38, R),
        ("ConnectorEvseIds", "", R),
        ("IgnoredProfilePurposesOffline", "ChargePointMaxProfile, TxProfile", A),
        ("IgnoredProfilePurposesOffline", "TxProfile,Bogus", R),
        ("TimeOffset", "+24:00", A),
        ("TimeOffset", "-24:59", A),
        ("TimeOffset", "25:00", R),
        ("TimeOffset", "01:60", R),
        ("TimeOffset", "0100", R),
        ("TimeOffsetNextTransition", "1:5", A),
        ("TimeOffsetNextTransition", "a:b", R),
        ("NextTimeOffsetTransitionDateTime", "2025-06-01T12:00:01Z", A),  # the test clock says 12:00:00
        ("NextTimeOffsetTransitionDateTime", "2025-06-01T12:00:00Z", R),
        ("NextTimeOffsetTransitionDateTime", "2025-06-01T13:00:00", A),  # no offset -> UTC
        ("NextTimeOffsetTransitionDateTime", "2025-06-01T13:00:00+02:00", R),  # 11:00 UTC
        ("NextTimeOffsetTransitionDateTime", "tomorrow", R),
        ("Language", "", R),
        ("CentralSystemURI", "", R),
        ("CentralSystemURI", "host with space/cp", R),
        ("CentralSystemURI", "http://host/cp", R),
        ("CentralSystemURI", "ws://host:8080/cp", RR),
        ("CentralSystemURI", "new.example.com/ocpp/cp", RR),
    ],
)
def test_string_checks(full_store: ChargePointConfiguration, key: str, text: str, status) -> None:
    assert full_store.change_configuration(key, text) is status


def test_values_must_fit_a_change_configuration(full_store: ChargePointConfiguration) -> None:
    assert full_store.change_configuration("CpoName", "x" * 500) is A
    assert full_store.change_configuration("CpoName", "x" * 501) is R
    assert full_store.change_configuration("CpoName", "tab\there") is R
    assert full_store.change_configuration("CpoName", "naïve") is R
    assert value_of(full_store, "CpoName") == "x" * 500


@pytest.mark.parametrize(
    "sent, accepted, stored",
    [
        ("12345678", True, "12345678"),
        ("1234567", False, None),
        ("4142434445464748", True, "ABCDEFGH"),  # hex of printable ASCII is decoded
        ("41424344", False, None),  # decodes to 4 characters: too short
        ("DEADBEEFDEADBEEF", True, "DEADBEEFDEADBEEF"),  # decodes to unprintable bytes: kept as sent
        ("AABBCCDDEEFFGGHH", True, "AABBCCDDEEFFGGHH"),  # not hex
        ("414243444546474", True, "414243444546474"),  # odd number of digits: kept as sent
    ],
)
def test_authorization_key(make_store, sent: str, accepted: bool, stored: str | None) -> None:
    store = make_store()
    status = store.change_configuration("AuthorizationKey", sent)
    assert status is (A if accepted else R)
    assert store.authorization_key == stored


@pytest.mark.parametrize(
    "key, value",
    [
        ("BlinkRepeat", "1"),
        ("LightIntensity", "1"),
        ("MaxEnergyOnInvalidId", "1"),
        ("MinimumStatusDuration", "1"),
        ("WebSocketPingInterval", "1"),
        ("AllowOfflineTxForUnknownId", "true"),
        ("IgnoredProfilePurposesOffline", "TxProfile"),
        ("SeccLeafSubjectCountry", "DE"),
        ("ConnectorEvseIds", "DE*ABC*1"),
        ("AllowChargingProfileWithoutStartSchedule", "true"),
    ],
)
def test_unconfigured_optional_keys_are_not_supported(make_store, key: str, value: str) -> None:
    store = make_store()
    assert store.change_configuration(key, value) is NS
    assert value_of(store, key) is None


def test_cpo_name_and_authorization_key_may_be_created(make_store) -> None:
    store = make_store()
    assert store.change_configuration("CpoName", "New CPO") is A
    assert value_of(store, "CpoName") == "New CPO"
    assert store.change_configuration("AuthorizationKey", "created-secret") is A
    assert store.authorization_key == "created-secret"
