"""Network connection profiles, slot order and the connection settings of each attempt."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from everest_ocpp.v201.device_model import DeviceModel
from everest_ocpp.v201.device_model import well_known as wk
from everest_ocpp.v201.network import (
    NetworkConfigError,
    NetworkSelector,
    check_profiles_value,
    network_plan,
    parse_priority,
    parse_profiles,
    priority_check,
)
from everest_ocpp.variables import SetStatus, Source

from .conftest import SLOT


def slot(number: int, url: str, profile: int, **extra: object) -> dict[str, object]:
    data = {**SLOT["connectionData"], "ocppCsmsUrl": url, "securityProfile": profile, **extra}  # type: ignore[dict-item]
    return {"configurationSlot": number, "connectionData": data}


def test_parse_profiles_reads_slot_url_profile_and_timeout() -> None:
    profiles = parse_profiles(
        json.dumps([slot(2, "ws://h:1/x", 0, messageTimeout=0), slot(1, "wss://h/x", 3)])
    )
    assert sorted(profiles) == [1, 2]
    assert profiles[2].url == "ws://h:1/x" and profiles[2].security_profile == 0
    assert profiles[2].message_timeout_s == 1  # at least a second, or every call would time out
    assert profiles[1].message_timeout_s == 20


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("not json", "not valid JSON"),
        ('{"configurationSlot": 1}', "JSON list"),
        ('[{"configurationSlot": 1}]', "connectionData"),
        ('[{"configurationSlot": 0, "connectionData": {}}]', "configurationSlot must be"),
        ('[{"configurationSlot": 1, "connectionData": {"securityProfile": 1}}]', "ocppCsmsUrl is missing"),
        (
            '[{"configurationSlot": 1, "connectionData": {"ocppCsmsUrl": "ws://h", "securityProfile": 4}}]',
            "0..3",
        ),
        (json.dumps([slot(1, "ws://h", 1, ocppTransport="SOAP")]), "only JSON"),
        (json.dumps([slot(1, "ws://h", 1), slot(1, "ws://g", 1)]), "appears twice"),
    ],
)
def test_parse_profiles_names_the_problem(text: str, problem: str) -> None:
    with pytest.raises(NetworkConfigError, match=problem):
        parse_profiles(text)
    assert problem in (check_profiles_value(text) or "")


def test_parse_priority() -> None:
    assert parse_priority("2, 1,3") == [2, 1, 3]
    with pytest.raises(NetworkConfigError, match="not a comma-separated"):
        parse_priority("1,a")
    with pytest.raises(NetworkConfigError, match="no configuration slot"):
        parse_priority("")


def test_plan_orders_usable_profiles_by_priority(open_dm: Callable[..., DeviceModel]) -> None:
    dm = open_dm(
        **{
            "InternalCtrlr.NetworkConnectionProfiles": json.dumps(
                [slot(1, "ws://a:1/cp001", 0), slot(2, "ws://b:2", 1), slot(3, "wss://c:3/base", 2)]
            ),
            "OCPPCommCtrlr.NetworkConfigurationPriority": "3,1,2",
        }
    )
    plan = network_plan(dm)
    assert [p.slot for p in plan.profiles] == [3, 2]  # profile 0 needs AllowSecurityLevelZeroConnections
    assert plan.identity == "cp001"


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        (
            {"InternalCtrlr.NetworkConnectionProfiles": "[]x"},
            "InternalCtrlr.NetworkConnectionProfiles: not valid",
        ),
        ({"OCPPCommCtrlr.NetworkConfigurationPriority": "1,2"}, r"slot\(s\) \[2\] not in"),
        ({"InternalCtrlr.NetworkConnectionProfiles": json.dumps([slot(1, "wss://h/x", 1)])}, "does not fit"),
        (
            {"InternalCtrlr.NetworkConnectionProfiles": json.dumps([slot(1, "ws://h/x", 0)])},
            "no usable profile",
        ),
    ],
)
def test_plan_refuses_unusable_settings(
    open_dm: Callable[..., DeviceModel], values: dict[str, str], problem: str
) -> None:
    dm = open_dm(**values)
    with pytest.raises(NetworkConfigError, match=problem):
        network_plan(dm)


def test_identity_falls_back_to_charge_point_id(open_dm: Callable[..., DeviceModel]) -> None:
    dm = open_dm(**{"InternalCtrlr.ChargePointId": "station-7"})
    dm.set(wk.IDENTITY, "", source=Source.INTERNAL, allow_read_only=True)
    assert network_plan(dm).identity == "station-7"


def test_selector_settings_carry_url_credentials_ping_and_backoff(
    open_dm: Callable[..., DeviceModel],
) -> None:
    dm = open_dm(
        **{
            "SecurityCtrlr.BasicAuthPassword": "a-long-enough-secret",
            "OCPPCommCtrlr.WebSocketPingInterval": 0,
            "OCPPCommCtrlr.RetryBackOffWaitMinimum": 7,
            "OCPPCommCtrlr.RetryBackOffRandomRange": 0,
            "OCPPCommCtrlr.RetryBackOffRepeatTimes": 2,
        }
    )
    settings = NetworkSelector(dm, network_plan(dm)).settings()
    assert settings.url == "ws://127.0.0.1:9000/cp001"
    assert settings.subprotocol == "ocpp2.0.1"
    assert settings.password == "a-long-enough-secret"
    assert "a-long-enough-secret" not in repr(settings)
    assert settings.ping_interval_s is None
    assert (
        settings.backoff.wait_minimum_s,
        settings.backoff.random_range_s,
        settings.backoff.repeat_times,
    ) == (
        7,
        0,
        2,
    )


def test_selector_moves_to_the_next_slot_after_the_configured_attempts(
    open_dm: Callable[..., DeviceModel],
) -> None:
    dm = open_dm(
        **{
            "InternalCtrlr.NetworkConnectionProfiles": json.dumps(
                [slot(1, "ws://a:1", 1), slot(2, "ws://b:2", 0)]
            ),
            "InternalCtrlr.AllowSecurityLevelZeroConnections": True,
            "OCPPCommCtrlr.NetworkConfigurationPriority": "1,2",
            "OCPPCommCtrlr.NetworkProfileConnectionAttempts": 2,
        }
    )
    selector = NetworkSelector(dm, network_plan(dm))
    urls = [selector.settings().url for _ in range(5)]
    assert urls == ["ws://a:1/cp001", "ws://a:1/cp001", "ws://b:2/cp001", "ws://b:2/cp001", "ws://a:1/cp001"]
    assert selector.connected().slot == 1  # a success resets the count
    first = [selector.settings() for _ in range(3)]
    assert [s.url for s in first] == ["ws://a:1/cp001", "ws://a:1/cp001", "ws://b:2/cp001"]
    assert first[0].password is not None and first[2].password is None  # profile 1 vs. profile 0


def test_priority_writes_need_a_profile_per_slot(open_dm: Callable[..., DeviceModel]) -> None:
    dm = open_dm()
    dm.add_validator(wk.NETWORK_CONFIGURATION_PRIORITY, priority_check(dm))
    dm.add_validator(wk.NETWORK_CONNECTION_PROFILES, check_profiles_value)
    assert dm.set(wk.NETWORK_CONFIGURATION_PRIORITY, "1,2", source=Source.CSMS).status is SetStatus.REJECTED
    assert dm.set(wk.NETWORK_CONNECTION_PROFILES, "{}", source=Source.CSMS).status is SetStatus.REJECTED
    two = json.dumps([SLOT, slot(2, "ws://b:2", 1)])
    assert dm.set(wk.NETWORK_CONNECTION_PROFILES, two, source=Source.CSMS).status is SetStatus.ACCEPTED
    assert dm.set(wk.NETWORK_CONFIGURATION_PRIORITY, "2,1", source=Source.CSMS).status is SetStatus.ACCEPTED
