"""The shipped sample configs load, and upstream's own configs load too (when the mirror is present)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from everest_ocpp.v16.configuration import ChargePointConfiguration, ConfigurationStatus
from everest_ocpp.v16.configuration.keys import STANDARD_KEYS
from everest_ocpp.v16.configuration.model import KNOWN_FEATURE_PROFILES
from harness.upstream import MIRROR, SKIP_REASON

from .conftest import DATA_DIR


def load(config: Path, tmp_path: Path, **kwargs) -> ChargePointConfiguration:
    return ChargePointConfiguration.load(config, tmp_path / "user_config.json", **kwargs)


def test_default_config(tmp_path: Path) -> None:
    store = load(DATA_DIR / "config.json", tmp_path)
    assert (store.central_system_uri, store.charge_point_id) == ("127.0.0.1:9000/cp001", "cp001")
    assert (store.security_profile, store.heartbeat_interval, store.authorization_key) == (0, 86400, None)
    assert {p for p in KNOWN_FEATURE_PROFILES if store.supports(p)} == {
        "Core", "FirmwareManagement", "RemoteTrigger", "Reservation", "SmartCharging", "Internal", "Security"
    }  # fmt: skip
    assert (tmp_path / "user_config.json").read_text() == "{}\n"


def test_full_config_has_every_standard_key(tmp_path: Path) -> None:
    store = load(DATA_DIR / "config-full.json", tmp_path)
    assert [spec.name for spec in STANDARD_KEYS if store.value(spec.name) is None] == []
    assert all(store.supports(p) for p in ("PnC", "CostAndPrice", "Custom"))


def test_integration_test_config(tmp_path: Path) -> None:
    """What EVerest's OCPP 1.6 generic-interface integration test relies on."""
    store = load(DATA_DIR / "config-test.json", tmp_path, number_of_connectors=2)
    expected = {
        "ChargePointId": "cp001",
        "CentralSystemURI": "127.0.0.1:9000/cp001",
        "HeartbeatInterval": "86400",
        "SecurityProfile": "0",
        "MeterValuesAlignedData": "Energy.Active.Import.Register",
        "TransactionMessageAttempts": "5",
        "TransactionMessageRetryInterval": "1",
        "AuthorizeRemoteTxRequests": "true",
        "ReserveConnectorZeroSupported": "true",
        "AdditionalRootCertificateCheck": "true",
    }
    assert {kv.key: kv.value for kv in store.get_configuration(list(expected)).known} == expected
    assert store.authorization_key == "AABBCCDDEEFFGGHH"
    assert store.change_configuration("RetryBackoffRandomRange", "99") is ConfigurationStatus.REJECTED
    assert store.change_configuration("HeartbeatInterval", "1") is ConfigurationStatus.ACCEPTED
    assert store.value("CompositeScheduleDefaultLimitAmps") == 48


# The only allowed skip in this suite: upstream's files are read from the everest-core mirror, which
# exists on the development machines but is not part of the project.
@pytest.mark.skipif(not MIRROR.exists(), reason=SKIP_REASON)
@pytest.mark.parametrize(
    "upstream_path, connectors",
    [
        ("lib/everest/ocpp/config/v16/config-full.json", 2),
        ("lib/everest/ocpp/config/v16/config.json", 1),
        ("tests/ocpp_tests/test_sets/everest-aux/config/libocpp-config-test.json", 2),
        ("lib/everest/ocpp/tests/config/v16/resources/config.json", 1),
    ],
)
def test_upstream_configs_load(tmp_path: Path, upstream_path: str, connectors: int) -> None:
    text = subprocess.run(
        ["git", "-C", str(MIRROR), "show", f"HEAD:{upstream_path}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    config = tmp_path / "upstream.json"
    config.write_text(text)
    store = load(config, tmp_path, number_of_connectors=connectors)
    assert store.charge_point_id == "cp001"
    assert store.number_of_connectors == connectors
    assert len(store.get_configuration().known) > 60
