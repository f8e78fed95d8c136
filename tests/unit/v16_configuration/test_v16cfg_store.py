"""The store as a VariableStore and as the CSMS sees it: lookup, visibility, secrecy, listeners."""

from __future__ import annotations

import logging

import pytest

from everest_ocpp.v16.configuration import ChargePointConfiguration, ConfigurationStatus, KeyValue
from everest_ocpp.v16.configuration.model import KNOWN_FEATURE_PROFILES
from everest_ocpp.variables import (
    Attribute,
    GetResult,
    GetStatus,
    SetResult,
    SetStatus,
    VariableChange,
    VariableRef,
)

from .conftest import DATA_DIR, Files

SECRET = "s3cret-basic-auth"
MEASURAND = "Energy.Active.Import.Register"


@pytest.fixture
def test_store(files: Files) -> ChargePointConfiguration:
    """config-test.json plus the Custom key EVerest's integration test adds."""
    files.config_path.write_text((DATA_DIR / "config-test.json").read_text())
    files.write_user({"Custom": {"ExampleConfigurationKey": "test_value"}})
    return files.load(number_of_connectors=2)


def ref(name: str, component: str = "", **kw) -> VariableRef:
    return VariableRef(component=component, variable=name, **kw)


def test_get_matches_the_integration_test(test_store: ChargePointConfiguration) -> None:
    assert test_store.get(ref("ChargePointId", "IGNORED")) == GetResult(
        GetStatus.ACCEPTED, ref("ChargePointId"), Attribute.ACTUAL, "cp001"
    )
    assert test_store.get(ref("UNKNOWN"), Attribute.TARGET) == GetResult(
        GetStatus.UNKNOWN_VARIABLE, ref("UNKNOWN")
    )
    custom = test_store.get(
        ref("ExampleConfigurationKey", variable_instance="TO_BE_IGNORED"), Attribute.TARGET
    )
    assert custom == GetResult(
        GetStatus.ACCEPTED, ref("ExampleConfigurationKey"), Attribute.ACTUAL, "test_value"
    )


def test_set_matches_the_integration_test(test_store: ChargePointConfiguration) -> None:
    request = ref("RetryBackoffRandomRange", "IGNORED")
    result = test_store.set(request, "99", source="testcase")
    assert (result.status, result.ref) == (SetStatus.REJECTED, request)
    unknown = test_store.set(ref("UNKNOWN"), "test_value", Attribute.TARGET, source="testcase")
    assert unknown.status is SetStatus.UNKNOWN_VARIABLE
    custom = ref("ExampleConfigurationKey", variable_instance="TO_BE_IGNORED")
    assert test_store.set(custom, "unittest changed value", Attribute.TARGET, source="testcase") == SetResult(
        SetStatus.ACCEPTED, custom, Attribute.TARGET
    )
    assert test_store.get(ref("ExampleConfigurationKey")).value == "unittest changed value"


def test_set_maps_reboot_required_and_validation(test_store: ChargePointConfiguration) -> None:
    uri = test_store.set(ref("CentralSystemURI"), "10.0.0.1:9000/cp001", source="csms")
    assert uri.status is SetStatus.REBOOT_REQUIRED
    assert test_store.central_system_uri == "10.0.0.1:9000/cp001"
    bad = test_store.set(ref("HeartbeatInterval"), "5.0", source="csms")
    assert bad.status is SetStatus.REJECTED
    assert bad.reason == "'5.0' is not an integer"
    unset = test_store.set(ref("LightIntensity"), "10", source="csms")
    assert unset.status is SetStatus.UNKNOWN_VARIABLE


def test_lookup_is_case_insensitive_and_reports_canonical_names(test_store: ChargePointConfiguration) -> None:
    assert test_store.get(ref("heartbeatINTERVAL")).ref == ref("HeartbeatInterval")
    assert test_store.canonical_name("SUPPORTEDFEATUREPROFILES") == "SupportedFeatureProfiles"
    assert test_store.canonical_name("exampleconfigurationkey") == "ExampleConfigurationKey"
    assert test_store.change_configuration("heartbeatinterval", "60") is ConfigurationStatus.ACCEPTED
    result = test_store.get_configuration(["HEARTBEATINTERVAL", "nope", "connectiontimeout"])
    assert result.known == [
        KeyValue("HeartbeatInterval", False, "60"),
        KeyValue("ConnectionTimeOut", False, "10"),
    ]
    assert result.unknown == ["nope"]


def test_keys_longer_than_50_characters_are_unknown(test_store: ChargePointConfiguration) -> None:
    assert test_store.get(ref("HeartbeatInterval" + "x" * 40)).status is GetStatus.UNKNOWN_VARIABLE


def test_number_of_connectors_is_forced(test_store: ChargePointConfiguration) -> None:
    assert test_store.get(ref("NumberOfConnectors")).value == "2"
    assert test_store.number_of_connectors == 2


def test_unsupported_profiles_are_invisible(make_store) -> None:
    store = make_store(
        {
            "LocalAuthListManagement": {"LocalAuthListEnabled": True, "LocalAuthListMaxLength": 1,
                                        "SendLocalListMaxLength": 1},
            "SmartCharging": {"ChargeProfileMaxStackLevel": 3},
            "FirmwareManagement": {"SupportedFileTransferProtocols": "FTP"},
            "Reservation": {"ReserveConnectorZeroSupported": True},
        }
    )  # fmt: skip
    # SupportedFeatureProfiles is "Core": none of these profiles is listed
    for key in ("LocalAuthListEnabled", "ChargeProfileMaxStackLevel", "ChargingScheduleMaxPeriods",
                "SupportedFileTransferProtocols", "ReserveConnectorZeroSupported"):  # fmt: skip
        assert store.get(ref(key)).status is GetStatus.UNKNOWN_VARIABLE, key
        assert store.change_configuration(key, "true") is ConfigurationStatus.NOT_SUPPORTED, key
        assert store.get_configuration([key]).unknown == [key]
    dumped = {kv.key for kv in store.get_configuration().known}
    assert "LocalAuthListMaxLength" not in dumped and "ChargeProfileMaxStackLevel" not in dumped
    assert supported(store) == {"Core", "Internal", "Security"}
    # configured values are still read
    assert store.value("ChargeProfileMaxStackLevel") == 3
    assert store.local_auth_list_enabled is False


def test_listed_profiles_become_visible(make_store) -> None:
    store = make_store(
        {
            "Core": {"SupportedFeatureProfiles": "Core,SmartCharging,Reservation"},
            "SmartCharging": {"ChargeProfileMaxStackLevel": 3},
            "Reservation": {"ReserveConnectorZeroSupported": True},
        }
    )
    assert store.get(ref("ChargeProfileMaxStackLevel")).value == "3"
    assert store.get(ref("ChargingScheduleMaxPeriods")).value == "1440"  # default
    assert store.get(ref("MaxChargingProfilesInstalled")).value == "500"
    assert store.get(ref("ChargingScheduleAllowedChargingRateUnit")).value == "Current,Power"
    assert store.get(ref("ReserveConnectorZeroSupported")).value == "true"


def test_pnc_cost_and_price_and_custom_are_supported_by_their_section(make_store) -> None:
    store = make_store(
        {
            "PnC": {"ISO15118PnCEnabled": True, "ContractValidationOffline": False},
            "CostAndPrice": {"CustomDisplayCostAndPrice": False},
            "Custom": {"Mine": 1},
        }
    )
    assert {"PnC", "CostAndPrice", "Custom"} <= supported(store)
    assert store.get(ref("ISO15118CertificateManagementEnabled")).value == "false"  # default in PnC
    assert store.get(ref("CustomDisplayCostAndPrice")).value == "false"
    assert store.get(ref("Mine")).value == "1"
    bare = make_store()
    assert bare.get(ref("ISO15118PnCEnabled")).status is GetStatus.UNKNOWN_VARIABLE


def test_authorization_key_is_never_disclosed(
    test_store: ChargePointConfiguration, files: Files, caplog
) -> None:
    changes: list[VariableChange] = []
    test_store.add_listener(changes.append)
    caplog.set_level(logging.DEBUG)
    assert test_store.authorization_key == "AABBCCDDEEFFGGHH"
    assert test_store.get(ref("AuthorizationKey")) == GetResult(
        GetStatus.UNKNOWN_VARIABLE, ref("AuthorizationKey")
    )
    assert test_store.get_configuration(["AuthorizationKey"]).unknown == ["AuthorizationKey"]
    assert "AuthorizationKey" not in {kv.key for kv in test_store.get_configuration().known}
    assert "AABBCCDDEEFFGGHH" not in repr(test_store.get_configuration())

    assert test_store.change_configuration("authorizationkey", SECRET) is ConfigurationStatus.ACCEPTED
    assert test_store.set(ref("AuthorizationKey"), "short", source="csms").status is SetStatus.REJECTED
    assert test_store.authorization_key == SECRET
    assert changes == [
        VariableChange(ref("AuthorizationKey"), Attribute.ACTUAL, None, "", "csms", write_only=True)
    ]
    assert SECRET not in caplog.text and "short" not in caplog.text and "AABBCCDDEEFFGGHH" not in caplog.text
    assert files.user()["Security"]["AuthorizationKey"] == SECRET  # persisted for the next start
    assert SECRET not in repr(test_store.get(ref("AuthorizationKey")))


def test_listeners_hear_every_committed_write(test_store: ChargePointConfiguration) -> None:
    changes: list[VariableChange] = []
    test_store.add_listener(changes.append)
    test_store.change_configuration("HeartbeatInterval", "42")
    test_store.change_configuration("HeartbeatInterval", "42")
    test_store.change_configuration("HeartbeatInterval", "x")  # rejected: no event
    test_store.set(ref("MeterValuesAlignedData"), MEASURAND, source="testcase")
    test_store.set_heartbeat_interval(300)
    test_store.change_configuration("CentralSystemURI", "other:1/cp")
    assert [(c.ref.variable, c.old_value, c.new_value, c.source, c.changed) for c in changes] == [
        ("HeartbeatInterval", "86400", "42", "csms", True),
        ("HeartbeatInterval", "42", "42", "csms", False),
        ("MeterValuesAlignedData", MEASURAND, MEASURAND, "testcase", False),
        ("HeartbeatInterval", "42", "300", "internal", True),
        ("CentralSystemURI", "127.0.0.1:9000/cp001", "other:1/cp", "csms", True),
    ]  # fmt: skip
    assert all(c.ref.component == "" and not c.write_only for c in changes)


def test_a_failing_listener_does_not_undo_the_write(test_store: ChargePointConfiguration) -> None:
    seen: list[str] = []

    def broken(change: VariableChange) -> None:
        raise RuntimeError("listener bug")

    test_store.add_listener(broken)
    test_store.add_listener(lambda change: seen.append(change.new_value))
    assert test_store.change_configuration("HeartbeatInterval", "7") is ConfigurationStatus.ACCEPTED
    assert test_store.heartbeat_interval == 7 and seen == ["7"]


def test_internal_writes_bypass_read_only(test_store: ChargePointConfiguration, files: Files) -> None:
    assert test_store.change_configuration("ChargePointVendor", "Other") is ConfigurationStatus.REJECTED
    assert test_store.set_charge_point_information("Vendor2", "Model2", "CPSN", None, "2.0")
    assert (test_store.charge_point_vendor, test_store.charge_point_model) == ("Vendor2", "Model2")
    assert (test_store.charge_point_serial_number, test_store.firmware_version) == ("CPSN", "2.0")
    assert test_store.charge_box_serial_number == "cp001"
    assert files.user()["Internal"] == {
        "ChargePointVendor": "Vendor2",
        "ChargePointModel": "Model2",
        "ChargePointSerialNumber": "CPSN",
        "FirmwareVersion": "2.0",
    }
    assert not test_store.set_charge_point_information("V" * 21, "Model")  # still length-checked
    assert test_store.set_internal("NumberOfConnectors", "x") is ConfigurationStatus.REJECTED
    assert test_store.set_internal("Nope", "1") is ConfigurationStatus.NOT_SUPPORTED


def test_generic_set_may_bypass_read_only_when_asked(test_store: ChargePointConfiguration) -> None:
    result = test_store.set(ref("GetConfigurationMaxKeys"), "10", source="internal", allow_read_only=True)
    assert result.status is SetStatus.ACCEPTED
    assert test_store.get(ref("GetConfigurationMaxKeys")).value == "10"


def test_security_profile_only_goes_up(make_store) -> None:
    store = make_store()
    status = store.change_configuration
    assert status("SecurityProfile", "0") is ConfigurationStatus.REJECTED  # equal
    assert status("SecurityProfile", "1") is ConfigurationStatus.REJECTED  # no AuthorizationKey yet
    assert status("AuthorizationKey", SECRET) is ConfigurationStatus.ACCEPTED
    assert status("SecurityProfile", "1") is ConfigurationStatus.ACCEPTED
    assert store.security_profile == 1
    assert status("SecurityProfile", "0") is ConfigurationStatus.REJECTED  # downgrade
    assert (
        store.set(ref("SecurityProfile"), "0", source="x", allow_read_only=True).status is SetStatus.REJECTED
    )
    # the link's fallback after a failed switch may go down
    assert store.set_internal("SecurityProfile", "0") is ConfigurationStatus.ACCEPTED
    assert store.security_profile == 0


def test_security_profile_certificate_hook(make_store) -> None:
    store = make_store({"Security": {"AuthorizationKey": SECRET}})
    asked: list[int] = []

    def check(profile: int) -> str | None:
        asked.append(profile)
        return None if profile == 2 else "no charging station certificate"

    store.set_security_profile_check(check)
    assert store.change_configuration("SecurityProfile", "1") is ConfigurationStatus.ACCEPTED
    assert store.change_configuration("SecurityProfile", "3") is ConfigurationStatus.REJECTED
    assert store.change_configuration("SecurityProfile", "2") is ConfigurationStatus.ACCEPTED
    assert asked == [3, 2]
    assert store.security_profile == 2


def test_meter_public_keys(make_store, files: Files) -> None:
    store = make_store({"Core": {"NumberOfConnectors": 2}})
    assert store.get(ref("MeterPublicKey1")).status is GetStatus.UNKNOWN_VARIABLE
    assert store.set_meter_public_key(2, "-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----")
    assert not store.set_meter_public_key(3, "key")
    assert files.user()["Internal"]["MeterPublicKeys"] == [
        "",
        "-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----",
    ]
    assert store.get(ref("meterpublickey2")).ref == ref("MeterPublicKey2")
    assert store.change_configuration("MeterPublicKey2", "x") is ConfigurationStatus.REJECTED  # read-only
    reported = [
        (kv.key, kv.value) for kv in store.get_configuration().known if kv.key.startswith("MeterPublic")
    ]
    assert reported == [
        ("MeterPublicKey1", ""),
        ("MeterPublicKey2", "-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----"),
    ]


def test_default_price_text_per_language(full_store: ChargePointConfiguration, files: Files) -> None:
    status = full_store.change_configuration
    assert full_store.get(ref("DefaultPriceText,de")).value == '{"priceText":"0,35 EUR pro kWh"}'
    assert full_store.get(ref("DefaultPriceText,fr")).status is GetStatus.UNKNOWN_VARIABLE
    assert status("DefaultPriceText,fr", '{"priceText":"gratuit"}') is ConfigurationStatus.ACCEPTED
    assert (
        status("DefaultPriceText,de", '{"priceText":"neu","priceTextOffline":"offline"}')
        is ConfigurationStatus.ACCEPTED
    )
    assert (
        status("DefaultPriceText,it", '{"priceText":"gratis"}') is ConfigurationStatus.REJECTED
    )  # unsupported
    assert status("DefaultPriceText,en", "[]") is ConfigurationStatus.REJECTED
    assert status("DefaultPriceText,en", "{}") is ConfigurationStatus.REJECTED
    assert status("DefaultPriceText,en", '"priceText":[]') is ConfigurationStatus.REJECTED
    assert status("DefaultPriceText,en", '{"priceText":null}') is ConfigurationStatus.REJECTED
    assert status("DefaultPriceText", '{"priceText":"x"}') is ConfigurationStatus.NOT_SUPPORTED
    texts = files.user()["CostAndPrice"]["DefaultPriceText"]["priceTexts"]
    assert [(t["language"], t["priceText"]) for t in texts] == [
        ("en", "0.35 EUR per kWh"),
        ("de", "neu"),
        ("fr", "gratuit"),
    ]
    assert [
        kv.key for kv in full_store.get_configuration().known if kv.key.startswith("DefaultPriceText")
    ] == [
        "DefaultPriceText,en",
        "DefaultPriceText,de",
        "DefaultPriceText,fr",
    ]


def test_default_price(full_store: ChargePointConfiguration) -> None:
    status = full_store.change_configuration
    before = full_store.get(ref("DefaultPrice")).value
    assert status("DefaultPrice", '{"priceText":null,"priceTextOffline":null,"chargingPrice":null}') is (
        ConfigurationStatus.REJECTED
    )
    assert status("DefaultPrice", "not json") is ConfigurationStatus.REJECTED
    assert (
        status("DefaultPrice", '{"priceText":"x","chargingPrice":{"kWhPrice":"1"}}')
        is ConfigurationStatus.REJECTED
    )
    assert full_store.get(ref("DefaultPrice")).value == before
    assert (
        status("DefaultPrice", '{"priceText":"1","chargingPrice":{"flatFee":2}}')
        is ConfigurationStatus.ACCEPTED
    )


def test_typed_accessors(full_store: ChargePointConfiguration) -> None:
    s = full_store
    assert (s.charge_point_id, s.central_system_uri) == (
        "cp-full-001",
        "csms.example.com:443/ocpp16/cp-full-001",
    )
    assert (s.security_profile, s.authorization_key, s.cpo_name) == (
        1,
        "full-config-secret-0001",
        "EVerest CPO",
    )
    assert (s.heartbeat_interval, s.websocket_ping_interval, s.value("WebsocketPongTimeout")) == (300, 30, 10)
    assert (s.retry_backoff_random_range, s.retry_backoff_repeat_times, s.retry_backoff_wait_minimum) == (
        5,
        4,
        2,
    )
    assert (s.charge_point_vendor, s.charge_point_model, s.firmware_version) == (
        "EVerest",
        "Full Model",
        "1.2.3",
    )
    assert (s.iccid, s.imsi, s.meter_serial_number, s.meter_type) == (
        "8949000000000000001", "262019876543210", "MTR-0001", "AC 3-phase")  # fmt: skip
    assert s.supported_ciphers12 == "ECDHE-ECDSA-AES256-GCM-SHA384:AES256-GCM-SHA384"
    assert s.number_of_connectors == 2
    # smart charging keys are read through smart_charging.settings (by VariableStore.get)
    smart_charging = [
        "ChargeProfileMaxStackLevel",
        "ChargingScheduleMaxPeriods",
        "MaxChargingProfilesInstalled",
        "ChargingScheduleAllowedChargingRateUnit",
        "CompositeScheduleDefaultLimitAmps",
        "CompositeScheduleDefaultLimitWatts",
        "CompositeScheduleDefaultNumberPhases",
        "SupplyVoltage",
        "IgnoredProfilePurposesOffline",
        "AllowChargingProfileWithoutStartSchedule",
    ]
    assert [s.get(ref(key)).value for key in smart_charging] == [
        "8", "96", "16", "Current", "32", "22080", "3", "230", "TxProfile", "true"]  # fmt: skip
    assert s.disable_security_event_notifications is False
    assert s.meter_values_sampled_data == ("Energy.Active.Import.Register", "Power.Active.Import", "SoC")
    assert s.supports("PnC") and s.value("ISO15118PnCEnabled") is True
    assert s.value("ContractValidationOffline") is False
    assert s.value("MeterPublicKeys") == ["meter-key-connector-1", "meter-key-connector-2"]
    assert s.value("ExampleIntegerKey") == 7


def supported(store: ChargePointConfiguration) -> set[str]:
    """The feature profiles the store supports (listed ones plus the implicit ones)."""
    return {p for p in KNOWN_FEATURE_PROFILES if store.supports(p)}
