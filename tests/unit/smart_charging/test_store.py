"""SqliteProfileStore: persistence across restarts, replacement rules, criteria."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from everest_ocpp.smart_charging import (
    OcppVersion,
    ProfileCriteria,
    Purpose,
    SqliteProfileStore,
)

from .builders import absolute_32_31_30, cp16, cp201, load16, load201, relative_16_15_14


def tx_default(profile_id: int, stack: int, connector: int = 1, limit: float = 16.0):
    return load16(cp16(profile_id, stack, "TxDefaultProfile", "Relative", "A", [(0, limit)]), connector)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "nested" / "charging_profiles.db"


def test_profiles_survive_restart_unchanged(db: Path) -> None:
    store = SqliteProfileStore(db, OcppVersion.V16)
    installed = [
        load16(absolute_32_31_30(), 0),
        load16(relative_16_15_14(profile_id=7), 2),
        load16(cp16(9, 3, "TxProfile", "Relative", "W", [(0, 11000.0, 3)], transaction_id=42), 1),
    ]
    for p in installed:
        store.add(p)
    store.close()

    reopened = SqliteProfileStore(db, OcppVersion.V16)
    assert reopened.profiles() == installed  # full model equality, installation order kept
    assert reopened.profiles(2) == [installed[1]]
    assert reopened.get(9) == installed[2] and reopened.get(9).transaction_id == "42"
    assert reopened.count() == 3


def test_v201_profiles_and_sources_survive_restart(db: Path) -> None:
    store = SqliteProfileStore(db, OcppVersion.V201)
    p = load201(cp201(5, 1, "TxProfile", "Relative", "A", [(0, 10.0, 1)], transaction_id="abc"), 1)
    store.add(p, source="EMS")
    store.close()
    reopened = SqliteProfileStore(db, OcppVersion.V201)
    [stored] = reopened.find(ProfileCriteria())
    assert stored.profile == p and stored.source == "EMS"


def test_add_replaces_same_id_on_any_evse(db: Path) -> None:
    store = SqliteProfileStore(db, OcppVersion.V201)
    store.add(tx_default(1, 1, connector=1, limit=10.0))
    replaced = store.add(tx_default(1, 2, connector=2, limit=20.0))
    assert replaced == [1]
    assert [(p.id, p.evse_id, p.schedule.periods[0].limit) for p in store.profiles()] == [(1, 2, 20.0)]
    store.close()
    assert SqliteProfileStore(db, OcppVersion.V201).count() == 1


def test_v16_replaces_same_stack_level_and_purpose_on_same_connector(db: Path) -> None:
    store = SqliteProfileStore(db, OcppVersion.V16)
    store.add(tx_default(1, 1, connector=1), replace_same_slot=True)
    store.add(tx_default(2, 1, connector=2), replace_same_slot=True)  # other connector: kept
    store.add(tx_default(3, 2, connector=1), replace_same_slot=True)  # other stack level: kept
    store.add(load16(cp16(4, 1, "TxProfile", "Relative", "A", [(0, 6.0)]), 1), replace_same_slot=True)
    assert store.add(tx_default(5, 1, connector=1), replace_same_slot=True) == [1]
    assert sorted(p.id for p in store.profiles()) == [2, 3, 4, 5]
    # without the 1.6 rule both stay
    assert store.add(tx_default(6, 1, connector=1)) == []
    assert sorted(p.id for p in store.profiles(1)) == [3, 4, 5, 6]


def test_remove_by_criteria_persists(db: Path) -> None:
    store = SqliteProfileStore(db, OcppVersion.V16)
    for pid, stack, connector in ((1, 1, 1), (2, 2, 1), (3, 1, 2), (4, 2, 2)):
        store.add(tx_default(pid, stack, connector))
    store.add(load16(cp16(5, 3, "TxProfile", "Relative", "A", [(0, 6.0)], transaction_id=77), 1))
    assert store.remove(ProfileCriteria(evse_id=1, stack_level=1)) == [1]
    assert store.remove(ProfileCriteria(purpose=Purpose.TX, transaction_id="77")) == [5]
    assert store.remove(ProfileCriteria(stack_level=9)) == []
    assert store.remove(ProfileCriteria(profile_ids=frozenset({3, 99}))) == [3]
    store.close()
    reopened = SqliteProfileStore(db, OcppVersion.V16)
    assert sorted(p.id for p in reopened.profiles()) == [2, 4]
    assert reopened.remove(ProfileCriteria()) == [2, 4]
    assert SqliteProfileStore(db, OcppVersion.V16).count() == 0


def test_find_by_sources_and_exclusions(db: Path) -> None:
    store = SqliteProfileStore(db, OcppVersion.V201)
    store.add(tx_default(1, 1), source="CSO")
    store.add(tx_default(2, 2), source="EMS")
    assert [s.profile.id for s in store.find(ProfileCriteria(sources=frozenset({"EMS"})))] == [2]
    assert [
        s.profile.id for s in store.find(ProfileCriteria(exclude_purposes=frozenset({Purpose.TX_DEFAULT})))
    ] == []


def test_writes_are_committed_before_returning(db: Path) -> None:
    store = SqliteProfileStore(db, OcppVersion.V16)
    store.add(tx_default(1, 1))
    # another connection sees the row while the store is still open
    with sqlite3.connect(db) as other:
        rows = other.execute("SELECT id, evse_id, purpose, profile FROM charging_profiles").fetchall()
    assert rows[0][:3] == (1, 1, "TxDefault")
    assert json.loads(rows[0][3])["chargingProfilePurpose"] == "TxDefaultProfile"  # stored as OCPP JSON
    store.remove(ProfileCriteria(profile_ids=frozenset({1})))
    with sqlite3.connect(db) as other:
        assert other.execute("SELECT COUNT(*) FROM charging_profiles").fetchone() == (0,)


def test_unreadable_rows_are_dropped_not_fatal(db: Path) -> None:
    SqliteProfileStore(db, OcppVersion.V16).add(tx_default(1, 1))
    with sqlite3.connect(db) as other:
        other.execute(
            "INSERT INTO charging_profiles (id, evse_id, stack_level, purpose, source, ocpp_version, profile)"
            " VALUES (2, 1, 0, 'TxDefault', 'CSO', '1.6', '{}')"
        )
    store = SqliteProfileStore(db, OcppVersion.V16)
    assert [p.id for p in store.profiles()] == [1]
