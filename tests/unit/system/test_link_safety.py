"""No state a CSMS can set locks the station out: the 1.6 fallback record (LinkFallback, also across
restarts), the 1.6 SecurityProfile checks, and the 2.0.1 last working network profile."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from everest_ocpp.bridge.services import SecurityService
from everest_ocpp.csms.fallback import LinkFallback
from everest_ocpp.csms.tls import TlsSetup
from everest_ocpp.storage import read_json
from everest_ocpp.v16.configuration import ChargePointConfiguration
from everest_ocpp.v16.link_security import LinkSecurity16
from everest_ocpp.v201.device_model import DeviceModel
from everest_ocpp.v201.device_model import well_known as wk
from everest_ocpp.v201.network import NetworkSelector, network_plan, priority_check
from everest_ocpp.variables import SetStatus, Source

from .fakes import FakeRuntime

ROOT = Path(__file__).resolve().parents[3]
CONFIG_16 = ROOT / "module" / "everest_ocpp" / "data" / "v16" / "config-test.json"


class Settings:
    """The values a LinkFallback watches, as a dict a test changes directly."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {"CentralSystemURI": "a:1/cp", "SecurityProfile": 1}
        self.restored: list[dict[str, Any]] = []

    def current(self) -> dict[str, Any]:
        return dict(self.values)

    def restore(self, values: dict[str, Any]) -> None:
        self.restored.append(values)
        self.values.update(values)


def fallback(tmp_path: Path, settings: Settings) -> LinkFallback:
    return LinkFallback(tmp_path / "link.json", settings.current, settings.restore, "test")


def test_a_change_gets_one_attempt_then_the_last_working_values_come_back(tmp_path: Path) -> None:
    s = Settings()
    fb = fallback(tmp_path, s)
    fb.changed()  # never connected: nothing proven to go back to
    assert fb.pending is None
    fb.before_attempt()
    fb.connected()
    assert fb.last_working == {"CentralSystemURI": "a:1/cp", "SecurityProfile": 1}
    s.values["SecurityProfile"] = 2
    fb.changed()
    assert fb.pending == {"CentralSystemURI": "a:1/cp", "SecurityProfile": 2} and not fb.tried
    assert fb.after_failure() is False  # an attempt with the old values failed: nothing to do yet
    fb.before_attempt()
    assert read_json(tmp_path / "link.json", None)["tried"] is True  # noted before the attempt starts
    assert fb.after_failure() is True
    assert s.restored == [{"CentralSystemURI": "a:1/cp", "SecurityProfile": 1}]
    assert s.values["SecurityProfile"] == 1 and fb.pending is None
    assert fb.after_failure() is False  # the restored values are retried with the usual back-off


def test_a_change_that_connects_becomes_the_last_working_one(tmp_path: Path) -> None:
    s = Settings()
    fb = fallback(tmp_path, s)
    fb.connected()
    s.values["CentralSystemURI"] = "b:2/cp"
    fb.changed()
    fb.before_attempt()
    fb.connected()
    assert fb.pending is None and fb.last_working == {"CentralSystemURI": "b:2/cp", "SecurityProfile": 1}
    again = fallback(tmp_path, s)  # persisted
    assert again.last_working == fb.last_working and again.pending is None


def test_changing_back_to_the_working_values_clears_the_pending_switch(tmp_path: Path) -> None:
    s = Settings()
    fb = fallback(tmp_path, s)
    fb.connected()
    s.values["SecurityProfile"] = 2
    fb.changed()
    s.values["SecurityProfile"] = 1
    fb.changed()
    assert fb.pending is None


def test_restart_during_the_attempt_restores_at_the_next_start(tmp_path: Path) -> None:
    s = Settings()
    fb = fallback(tmp_path, s)
    fb.connected()
    s.values["SecurityProfile"] = 3
    fb.changed()
    fb.before_attempt()  # ... and the process dies here
    fallback(tmp_path, s)
    assert s.restored == [{"CentralSystemURI": "a:1/cp", "SecurityProfile": 1}]
    assert read_json(tmp_path / "link.json", None)["pending"] is None


def test_restart_before_the_attempt_keeps_the_one_attempt(tmp_path: Path) -> None:
    s = Settings()
    fb = fallback(tmp_path, s)
    fb.connected()
    s.values["SecurityProfile"] = 2
    fb.changed()
    again = fallback(tmp_path, s)
    assert again.pending == {"CentralSystemURI": "a:1/cp", "SecurityProfile": 2} and s.restored == []


def test_values_edited_while_not_running_are_left_alone(tmp_path: Path) -> None:
    s = Settings()
    fb = fallback(tmp_path, s)
    fb.connected()
    s.values["SecurityProfile"] = 2
    fb.changed()
    fb.before_attempt()
    s.values["CentralSystemURI"] = "edited:9/cp"  # an integrator fixed the file before the restart
    again = fallback(tmp_path, s)
    assert again.pending is None and s.restored == []


def test_an_unreadable_record_is_reported_and_ignored(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "link.json").write_text("{not json")
    fb = fallback(tmp_path, Settings())
    assert fb.last_working is None and fb.pending is None
    assert "cannot read" in caplog.text


# ---- 1.6: SecurityProfile checks with the security module's facts ------------------------------


def security(answers: dict[str, Any]) -> SecurityService:
    return SecurityService(FakeRuntime({"security": answers}))  # type: ignore[arg-type]


LEAF = {"status": "Accepted", "info": {"key": "/k.pem", "certificate": "/c.pem", "certificate_count": 1}}


@pytest.mark.parametrize(
    ("root", "leaf", "profile", "status"),
    [
        (False, LEAF, "2", "Rejected"),
        (True, LEAF, "2", "Accepted"),
        (True, {"status": "NotFound"}, "3", "Rejected"),
        (True, {"status": "Accepted"}, "3", "Rejected"),  # no files named: not usable
        (True, LEAF, "3", "Accepted"),
    ],
)
def test_security_profile_upgrades_need_their_certificates(
    tmp_path: Path, root: bool, leaf: dict[str, Any], profile: str, status: str
) -> None:
    config = ChargePointConfiguration.load(CONFIG_16, tmp_path / "user.json")
    tls = TlsSetup(security({"is_ca_certificate_installed": root, "get_leaf_certificate_info": leaf}))
    link = LinkSecurity16(config, tls, tmp_path / "link.json")
    asyncio.run(link.before_change("securityprofile"))
    assert config.change_configuration("SecurityProfile", profile).value == status


def test_security_profile_2_needs_a_url_that_fits(tmp_path: Path) -> None:
    config = ChargePointConfiguration.load(CONFIG_16, tmp_path / "user.json")
    assert config.set_internal("CentralSystemURI", "ws://127.0.0.1:9000/cp001").value == "RebootRequired"
    tls = TlsSetup(security({"is_ca_certificate_installed": True, "get_leaf_certificate_info": LEAF}))
    link = LinkSecurity16(config, tls, tmp_path / "link.json")
    asyncio.run(link.before_change("SecurityProfile"))
    assert link.profile_problem(2) is not None and "does not fit security profile 2" in str(
        link.profile_problem(2)
    )
    assert config.change_configuration("SecurityProfile", "2").value == "Rejected"


def test_a_csms_change_is_tracked_and_reverted_through_the_configuration(tmp_path: Path) -> None:
    config = ChargePointConfiguration.load(CONFIG_16, tmp_path / "user.json")
    link = LinkSecurity16(config, TlsSetup(security({})), tmp_path / "link.json")
    config.add_listener(link.on_config_change)
    link.fallback.connected()
    assert config.change_configuration("SecurityProfile", "1").value == "Accepted"
    assert link.fallback.pending == {"CentralSystemURI": config.central_system_uri, "SecurityProfile": 1}
    link.fallback.before_attempt()
    assert link.fallback.after_failure() is True
    assert config.security_profile == 0
    assert json.loads((tmp_path / "user.json").read_text())["Security"]["SecurityProfile"] == 0


# ---- 2.0.1: the last working network profile ---------------------------------------------------


def slot(n: int, url: str, profile: int = 0) -> dict[str, Any]:
    return {
        "configurationSlot": n,
        "connectionData": {
            "messageTimeout": 30,
            "ocppCsmsUrl": url,
            "ocppInterface": "Wired0",
            "ocppTransport": "JSON",
            "ocppVersion": "OCPP20",
            "securityProfile": profile,
        },
    }


def test_the_last_working_profile_stays_a_last_resort(
    open_dm: Callable[..., DeviceModel], tmp_path: Path
) -> None:
    dm = open_dm(
        **{
            "InternalCtrlr.NetworkConnectionProfiles": json.dumps([slot(1, "ws://a:1"), slot(2, "ws://b:2")]),
            "InternalCtrlr.AllowSecurityLevelZeroConnections": True,
            "OCPPCommCtrlr.NetworkConfigurationPriority": "1",
            "OCPPCommCtrlr.NetworkProfileConnectionAttempts": 1,
        }
    )
    state = tmp_path / "network.json"
    selector = NetworkSelector(dm, network_plan(dm), state)
    assert selector.settings().url == "ws://a:1/cp001"
    selector.connected()
    # the CSMS overwrites slot 1 with an address that does not work and prefers slot 2
    assert (
        dm.set(
            wk.NETWORK_CONNECTION_PROFILES,
            json.dumps([slot(1, "ws://x:9"), slot(2, "ws://b:2")]),
            source=Source.CSMS,
        ).status
        is SetStatus.ACCEPTED
    )
    assert dm.set(wk.NETWORK_CONFIGURATION_PRIORITY, "2,1", source=Source.CSMS).status is SetStatus.ACCEPTED
    urls = [selector.settings().url for _ in range(4)]
    assert urls == ["ws://b:2/cp001", "ws://x:9/cp001", "ws://a:1/cp001", "ws://b:2/cp001"]
    again = NetworkSelector(dm, network_plan(dm), state)  # persisted across restarts
    assert [again.settings().url for _ in range(3)] == ["ws://b:2/cp001", "ws://x:9/cp001", "ws://a:1/cp001"]
    assert again.connected().url == "ws://a:1"
    dm.set(wk.NETWORK_CONFIGURATION_PRIORITY, "1,2", source=Source.CSMS)
    dm.set(
        wk.NETWORK_CONNECTION_PROFILES,
        json.dumps([slot(1, "ws://a:1"), slot(2, "ws://b:2")]),
        source=Source.CSMS,
    )
    # the working profile is configured again: no extra candidate
    assert [again.settings().url for _ in range(3)] == ["ws://a:1/cp001", "ws://b:2/cp001", "ws://a:1/cp001"]


def test_priority_with_a_higher_profile_needs_its_certificates(open_dm: Callable[..., DeviceModel]) -> None:
    dm = open_dm(
        **{
            "InternalCtrlr.NetworkConnectionProfiles": json.dumps(
                [slot(1, "ws://a:1", 1), slot(2, "wss://b:2", 3)]
            ),
            "SecurityCtrlr.SecurityProfile": 1,
        }
    )
    problems = {3: "security profile 3 needs a charging station certificate"}
    dm.add_validator(wk.NETWORK_CONFIGURATION_PRIORITY, priority_check(dm, problems.get))
    result = dm.set(wk.NETWORK_CONFIGURATION_PRIORITY, "2,1", source=Source.CSMS)
    assert result.status is SetStatus.REJECTED
    assert "slot 2: security profile 3 needs a charging station certificate" in str(result.reason)
    problems.clear()
    assert dm.set(wk.NETWORK_CONFIGURATION_PRIORITY, "2,1", source=Source.CSMS).status is SetStatus.ACCEPTED
