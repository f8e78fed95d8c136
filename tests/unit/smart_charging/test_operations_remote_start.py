"""The TxProfile of a 2.0.1 RequestStartTransaction: installed without a transaction, bound to it later."""

from __future__ import annotations

from pathlib import Path

import pytest
from ocpp.charge_point import camel_to_snake_case

from everest_ocpp.smart_charging import OcppVersion, SqliteProfileStore, StationState, ValidationLimits
from everest_ocpp.smart_charging.operations import (
    add_remote_start_profile_v201,
    bind_tx_profile_v201,
    unbound_tx_profile_ids_v201,
)

from .builders import cp201, ts

NOW = ts("2024-05-01T10:00:00.000Z")
LIMITS = ValidationLimits(max_stack_level=10, max_periods=10, max_profiles=10)


@pytest.fixture
def store(tmp_path: Path) -> SqliteProfileStore:
    return SqliteProfileStore(tmp_path / "cp.db", OcppVersion.V201)


def add(store: SqliteProfileStore, evse: int, profile: dict) -> dict:
    snake = camel_to_snake_case(profile)
    return add_remote_start_profile_v201(store, snake, evse, StationState(2), LIMITS, NOW).response


def test_a_tx_profile_waits_for_its_transaction_and_is_bound_to_it(store: SqliteProfileStore) -> None:
    assert add(store, 1, cp201(40, 1, "TxProfile", "Relative", "A", [(0, 10.0)])) == {"status": "Accepted"}
    assert store.get(40).transaction_id is None
    assert unbound_tx_profile_ids_v201(store) == [40]
    assert bind_tx_profile_v201(store, 40, "tx-9")
    bound = store.get(40)
    assert (bound.transaction_id, bound.evse_id) == ("tx-9", 1)
    assert unbound_tx_profile_ids_v201(store) == []
    assert not bind_tx_profile_v201(store, 41, "tx-9")  # no such profile


def test_only_tx_profiles_for_an_existing_evse(store: SqliteProfileStore) -> None:
    not_tx = add(store, 1, cp201(42, 1, "TxDefaultProfile", "Relative", "A", [(0, 10.0)]))
    assert not_tx == {
        "status": "Rejected",
        "status_info": {
            "reason_code": "InvalidProfile",
            "additional_info": "RequestStartTransactionNonTxProfile",
        },
    }
    no_evse = add(store, 5, cp201(43, 1, "TxProfile", "Relative", "A", [(0, 10.0)]))
    assert no_evse["status_info"] == {"reason_code": "InvalidProfile", "additional_info": "EvseDoesNotExist"}
    malformed = add(store, 1, {"id": 44})
    assert malformed["status_info"] == {
        "reason_code": "InvalidProfile",
        "additional_info": "MalformedProfile",
    }
    assert store.count() == 0
