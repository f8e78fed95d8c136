"""The 1.6 keys the authorization blocks read; the remote-start TxProfile on the real smart charging block."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from everest_ocpp.smart_charging import ActiveTransaction, OcppVersion, SqliteProfileStore
from everest_ocpp.v16.configuration import ChargePointConfiguration
from everest_ocpp.v16.smart_charging import SmartCharging16

DATA = Path(__file__).resolve().parents[3] / "module" / "everest_ocpp" / "data" / "v16"


def load(tmp_path: Path) -> ChargePointConfiguration:
    return ChargePointConfiguration.load(
        DATA / "config-test.json", tmp_path / "user_config.json", number_of_connectors=2
    )


def test_authorization_keys_of_the_test_config(tmp_path: Path) -> None:
    c = load(tmp_path)
    assert (
        c.local_pre_authorize,
        c.local_authorize_offline,
        c.allow_offline_tx_for_unknown_id,
        c.authorization_cache_enabled,
        c.local_auth_list_enabled,
        c.local_auth_list_max_length,
        c.send_local_list_max_length,
        c.reservation_supported,
        c.reserve_connector_zero_supported,
        c.stop_transaction_if_unlock_not_supported,
    ) == (False, False, True, True, True, 42, 42, True, True, False)
    for key in ("LocalPreAuthorize", "LocalAuthorizeOffline", "StopTransactionIfUnlockNotSupported"):
        assert c.change_configuration(key, "true") == "Accepted"
    assert c.change_configuration("AuthorizationCacheEnabled", "false") == "Accepted"
    assert (
        c.local_pre_authorize,
        c.local_authorize_offline,
        c.stop_transaction_if_unlock_not_supported,
        c.authorization_cache_enabled,
    ) == (True, True, True, False)


def profile(**more: Any) -> dict[str, Any]:
    return {
        "charging_profile_id": 12,
        "stack_level": 1,
        "charging_profile_purpose": "TxProfile",
        "charging_profile_kind": "Relative",
        "charging_schedule": {
            "charging_rate_unit": "A",
            "charging_schedule_period": [{"start_period": 0, "limit": 8.0}],
        },
        **more,
    }


def test_the_remote_start_tx_profile_is_validated_installed_and_cleared(tmp_path: Path) -> None:
    store = SqliteProfileStore(tmp_path / "profiles.db", OcppVersion("1.6"))
    running: dict[int, ActiveTransaction] = {}
    changed: list[int] = []
    block = SmartCharging16(
        load(tmp_path),
        store,
        SimpleNamespace(online=True),  # type: ignore[arg-type]
        lambda: 2,
        lambda: running,
        lambda: changed.append(1),
    )
    assert block.add_remote_start_profile(1, profile(charging_profile_purpose="TxDefaultProfile")) == (
        "RemoteStartNeedsTxProfile"
    )
    assert block.add_remote_start_profile(1, profile(stack_level=43)) == "StackLevelOutOfRange"
    assert block.add_remote_start_profile(1, profile(transaction_id=3)) == "NoActiveTransaction"
    assert block.add_remote_start_profile(1, {"charging_profile_id": 1}).startswith("malformed")  # type: ignore[union-attr]
    assert (store.profiles(), changed) == ([], [])
    assert block.add_remote_start_profile(1, profile()) is None
    assert [(p.id, p.evse_id, p.transaction_id) for p in store.profiles()] == [(12, 1, None)]
    assert changed == [1]
    running[1] = ActiveTransaction("9", datetime.now(UTC))
    schedule = block.on_get_composite_schedule(connector_id=1, duration=60, charging_rate_unit="A")
    assert schedule.charging_schedule["charging_schedule_period"] == [{"start_period": 0, "limit": 8.0}]
    block.transaction_ended(1)
    assert store.profiles() == []
    store.close()
