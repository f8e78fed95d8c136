"""Expired charging profiles (validTo passed, or an Absolute schedule whose duration ended): 1.6 deletes
them whenever the profiles are read, as libocpp's daily purge does; libocpp's 2.0.1 keeps them."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from everest_ocpp.smart_charging import OcppVersion, SqliteProfileStore
from everest_ocpp.smart_charging.convert import profile_from_v16, profile_from_v201
from everest_ocpp.v16.configuration import ChargePointConfiguration
from everest_ocpp.v16.smart_charging import SmartCharging16
from everest_ocpp.v201.device_model import DeviceModel
from everest_ocpp.v201.smart_charging import SmartCharging201

DATA = Path(__file__).resolve().parents[3] / "module" / "everest_ocpp" / "data"
CONFIG_16 = DATA / "v16" / "config-test.json"
NOW = datetime.now(UTC)


def _at(delta: timedelta) -> str:
    return (NOW + delta).isoformat().replace("+00:00", "Z")


def v16_profile(profile_id: int, stack_level: int, **more: Any) -> dict[str, Any]:
    return {
        "charging_profile_id": profile_id,
        "stack_level": stack_level,
        "charging_profile_purpose": "TxDefaultProfile",
        "charging_profile_kind": "Absolute",
        "charging_schedule": {
            "charging_rate_unit": "A",
            "start_schedule": _at(-timedelta(days=2)),
            "charging_schedule_period": [{"start_period": 0, "limit": 10.0 + profile_id}],
            **more.pop("schedule", {}),
        },
        **more,
    }


def installed(store: SqliteProfileStore) -> list[int]:
    return sorted(p.id for p in store.profiles())


def block16(
    tmp_path: Path, store: SqliteProfileStore, changed: list[int], user: dict[str, Any] | None = None
) -> SmartCharging16:
    (tmp_path / "user.json").write_text(json.dumps(user or {}))
    config = ChargePointConfiguration.load(CONFIG_16, tmp_path / "user.json", number_of_connectors=2)
    return SmartCharging16(
        config,
        store,
        SimpleNamespace(online=True),  # type: ignore[arg-type]
        lambda: 2,
        dict,
        lambda: changed.append(1),
    )


def test_1_6_deletes_expired_profiles_when_they_are_read(tmp_path: Path) -> None:
    store = SqliteProfileStore(tmp_path / "profiles16.db", OcppVersion("1.6"))
    for profile in (
        v16_profile(1, 1, valid_to=_at(-timedelta(hours=1))),  # validTo passed
        v16_profile(2, 2, schedule={"duration": 3600}),  # Absolute, ended a day ago
        v16_profile(3, 3, valid_to=_at(timedelta(days=1))),  # still valid
        v16_profile(4, 4),  # no end
    ):
        store.add(profile_from_v16(profile, 0))
    changed: list[int] = []
    block = block16(tmp_path, store, changed)
    assert installed(store) == [1, 2, 3, 4]
    schedules = block.all_schedules(600, "A")  # what every publication of charging_schedules reads
    assert installed(store) == [3, 4]
    assert changed == []  # the schedules never contained the expired ones: nothing to republish
    # connector 1: the highest stack level left
    assert schedules[1]["charging_schedule_period"][0]["limit"] == 14.0
    store.add(profile_from_v16(v16_profile(5, 5, valid_to=_at(-timedelta(seconds=1))), 1))
    answer = block.on_get_composite_schedule(connector_id=1, duration=60)
    assert answer.status == "Accepted" and installed(store) == [3, 4]
    store.close()


def test_1_6_expired_profiles_no_longer_count_for_max_charging_profiles_installed(tmp_path: Path) -> None:
    store = SqliteProfileStore(tmp_path / "profiles16.db", OcppVersion("1.6"))
    changed: list[int] = []
    block = block16(tmp_path, store, changed, {"SmartCharging": {"MaxChargingProfilesInstalled": 1}})
    store.add(profile_from_v16(v16_profile(1, 1, valid_to=_at(-timedelta(hours=1))), 0))
    answer = block.on_set_charging_profile(connector_id=0, cs_charging_profiles=v16_profile(2, 2))
    assert answer.status == "Accepted"
    assert installed(store) == [2] and changed == [1]
    store.close()


def test_2_0_1_keeps_expired_profiles_as_libocpp(open_dm: Callable[..., DeviceModel], tmp_path: Path) -> None:
    store = SqliteProfileStore(tmp_path / "profiles201.db", OcppVersion("2.0.1"))
    expired = {
        "id": 1,
        "stack_level": 1,
        "charging_profile_purpose": "TxDefaultProfile",
        "charging_profile_kind": "Absolute",
        "valid_to": _at(-timedelta(hours=1)),
        "charging_schedule": [
            {
                "id": 1,
                "charging_rate_unit": "A",
                "start_schedule": _at(-timedelta(days=2)),
                "charging_schedule_period": [{"start_period": 0, "limit": 11.0}],
            }
        ],
    }
    store.add(profile_from_v201(expired, 0))
    block = SmartCharging201(
        open_dm(),
        store,
        SimpleNamespace(online=True),  # type: ignore[arg-type]
        lambda: 2,
        dict,
        lambda: None,
    )
    block.all_schedules(600, "A")
    assert installed(store) == [1]
    store.close()
