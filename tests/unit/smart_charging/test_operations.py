"""The CSMS smart charging operations (request payload -> response payload) for both versions."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from ocpp.charge_point import camel_to_snake_case

from everest_ocpp.smart_charging import (
    ActiveTransaction,
    OcppVersion,
    Purpose,
    RateUnit,
    SqliteProfileStore,
    StationState,
    ValidationLimits,
)
from everest_ocpp.smart_charging.operations import (
    clear_charging_profile_v16,
    clear_charging_profile_v201,
    clear_transaction_profiles_v16,
    clear_transaction_profiles_v201,
    expired_profile_ids,
    get_charging_profiles_v201,
    get_composite_schedule_v16,
    get_composite_schedule_v201,
    set_charging_profile_v16,
    set_charging_profile_v201,
)

from .builders import TX_ID, cp16, cp201, load16, load201, ts
from .harness import SETTINGS_V16, SETTINGS_V201

NOW = ts("2024-05-01T10:00:00.600Z")
TWO_EVSES = StationState(2)
LIMITS = ValidationLimits(max_stack_level=10, max_periods=10, max_profiles=10)


def relative(profile_id: int, stack: int, purpose: str = "TxDefaultProfile", limit: float = 32.0, **extra):
    return cp16(profile_id, stack, purpose, "Relative", "A", [(0, limit)], **extra)


@pytest.fixture
def store16(tmp_path: Path) -> SqliteProfileStore:
    return SqliteProfileStore(tmp_path / "cp16.db", OcppVersion.V16)


@pytest.fixture
def store201(tmp_path: Path) -> SqliteProfileStore:
    return SqliteProfileStore(tmp_path / "cp201.db", OcppVersion.V201)


def set16(store, connector: int, profile: dict, station: StationState = TWO_EVSES) -> dict:
    payload = camel_to_snake_case({"connectorId": connector, "csChargingProfiles": profile})
    return set_charging_profile_v16(store, payload, station, LIMITS, NOW).response


def test_v16_set_accepts_stores_and_replaces_same_slot(store16) -> None:
    assert set16(store16, 0, relative(1, 1)) == {"status": "Accepted"}
    assert set16(store16, 0, relative(2, 1, limit=20.0)) == {"status": "Accepted"}
    assert [(p.id, p.schedule.periods[0].limit) for p in store16.profiles()] == [(2, 20.0)]


def test_v16_set_rejects_invalid_and_malformed(store16) -> None:
    assert set16(store16, 0, relative(1, 1, "TxProfile")) == {"status": "Rejected"}
    malformed = relative(1, 1)
    del malformed["chargingSchedule"]["chargingRateUnit"]
    assert set16(store16, 1, malformed) == {"status": "Rejected"}
    assert store16.count() == 0


def test_v16_reference_example_publishes_sum_on_evse0(store16) -> None:
    """IT16 test_subscribe_charging_schedules: TxDefault 32 A on connector 0, two connectors."""
    from everest_ocpp.smart_charging import calculate_all_composite_schedules, to_everest_charging_schedules

    profile = {
        "chargingProfileId": 0,
        "stackLevel": 1,
        "chargingProfilePurpose": "TxDefaultProfile",
        "chargingProfileKind": "Relative",
        "chargingSchedule": {
            "chargingRateUnit": "A",
            "chargingSchedulePeriod": [{"limit": 32.0, "startPeriod": 0}],
        },
    }
    assert set16(store16, 0, profile) == {"status": "Accepted"}
    schedules = calculate_all_composite_schedules(
        store16.profiles(), NOW, 600, RateUnit.AMPS, SETTINGS_V16, TWO_EVSES
    )
    published = to_everest_charging_schedules(schedules)
    assert [
        (
            s["evse"],
            s["charging_rate_unit"],
            s["charging_schedule_period"],
            s["duration"],
            s["start_schedule"],
        )
        for s in published["schedules"]
    ] == [
        (0, "A", [{"start_period": 0, "limit": 64.0, "stack_level": 0}], 600, "2024-05-01T10:00:00.000Z"),
        (1, "A", [{"start_period": 0, "limit": 32.0, "stack_level": 1}], 600, "2024-05-01T10:00:00.000Z"),
        (2, "A", [{"start_period": 0, "limit": 32.0, "stack_level": 1}], 600, "2024-05-01T10:00:00.000Z"),
    ]


def _install16(store) -> None:
    for pid, stack, connector, purpose in (
        (1, 1, 0, "TxDefaultProfile"),
        (2, 2, 1, "TxDefaultProfile"),
        (3, 1, 2, "TxDefaultProfile"),
        (4, 3, 0, "ChargePointMaxProfile"),
    ):
        extra = {"start": "2024-05-01T00:00:00Z"} if purpose == "ChargePointMaxProfile" else {}
        kind = "Absolute" if purpose == "ChargePointMaxProfile" else "Relative"
        store.add(load16(cp16(pid, stack, purpose, kind, "A", [(0, 10.0)], **extra), connector))


@pytest.mark.parametrize(
    ("request_fields", "status", "left"),
    [
        ({}, "Accepted", []),  # no criteria: everything
        ({"id": 2}, "Accepted", [1, 3, 4]),
        ({"id": 2, "connectorId": 2}, "Accepted", [1, 3, 4]),  # the id alone decides
        ({"id": 9}, "Unknown", [1, 2, 3, 4]),
        ({"id": 9, "connectorId": 1}, "Unknown", [1, 2, 3, 4]),
        ({"connectorId": 0}, "Accepted", [2, 3]),  # station-wide TxDefault and ChargePointMax
        ({"connectorId": 2}, "Accepted", [1, 2, 4]),  # leaves the station-wide TxDefault alone
        ({"stackLevel": 1}, "Accepted", [2, 4]),
        ({"chargingProfilePurpose": "ChargePointMaxProfile"}, "Accepted", [1, 2, 3]),
        ({"connectorId": 0, "chargingProfilePurpose": "TxDefaultProfile"}, "Accepted", [2, 3, 4]),
        ({"connectorId": 1, "stackLevel": 1}, "Unknown", [1, 2, 3, 4]),
    ],
)
def test_v16_clear(store16, request_fields: dict, status: str, left: list[int]) -> None:
    _install16(store16)
    assert clear_charging_profile_v16(store16, camel_to_snake_case(request_fields)) == {"status": status}
    assert sorted(p.id for p in store16.profiles()) == left


def test_v16_clear_all_on_empty_store_is_accepted(store16) -> None:
    assert clear_charging_profile_v16(store16, {}) == {"status": "Accepted"}


def set201(store, evse: int, profile: dict, station: StationState = TWO_EVSES, source: str = "CSO") -> dict:
    payload = camel_to_snake_case({"evseId": evse, "chargingProfile": profile})
    return set_charging_profile_v201(store, payload, station, LIMITS, source, NOW).response


def test_v201_set_accepts_and_conforms(store201) -> None:
    assert set201(store201, 1, cp201(1, 1, "TxDefaultProfile", "Relative", "A", [(0, 16.0)])) == {
        "status": "Accepted"
    }
    assert store201.get(1).schedule.periods[0].number_phases == 3


def test_v201_set_rejection_carries_status_info(store201) -> None:
    response = set201(store201, 1, cp201(1, 1, "TxProfile", "Relative", "A", [(0, 16.0)]))
    assert response == {
        "status": "Rejected",
        "status_info": {"reason_code": "MissingParam", "additional_info": "TxProfileMissingTransactionId"},
    }
    external = set201(
        store201, 0, cp201(1, 1, "ChargingStationExternalConstraints", "Relative", "A", [(0, 1.0)])
    )
    assert (
        external["status_info"]["additional_info"]
        == "ChargingStationExternalConstraintsInSetChargingProfileRequest"
    )
    assert store201.count() == 0


def _install201(store) -> None:
    busy = StationState(2, {1: ActiveTransaction(TX_ID, NOW)})
    for pid, evse, stack, purpose, source in (
        (1, 0, 1, "TxDefaultProfile", "CSO"),
        (2, 1, 2, "TxDefaultProfile", "EMS"),
        (3, 1, 1, "TxProfile", "CSO"),
        (4, 2, 2, "TxDefaultProfile", "CSO"),
    ):
        extra = {"transaction_id": TX_ID} if purpose == "TxProfile" else {}
        profile = cp201(pid, stack, purpose, "Relative", "A", [(0, 8.0)], **extra)
        assert set201(store, evse, profile, busy, source)["status"] == "Accepted"
    # external constraints come from the station itself, never from SetChargingProfile
    external = replace(
        load201(cp201(5, 0, "TxDefaultProfile", "Relative", "A", [(0, 1.0)]), 0),
        purpose=Purpose.EXTERNAL_CONSTRAINTS,
    )
    store.add(external, source="EMS")


@pytest.mark.parametrize(
    ("request_fields", "status", "left"),
    [
        ({}, "Accepted", []),  # K10.FR.09 / no criteria: everything
        ({"chargingProfileId": 3}, "Accepted", [1, 2, 4, 5]),  # K10.FR.03
        ({"chargingProfileId": 9}, "Unknown", [1, 2, 3, 4, 5]),
        ({"chargingProfileCriteria": {"evseId": 1}}, "Accepted", [1, 4, 5]),
        ({"chargingProfileCriteria": {"evseId": 0}}, "Accepted", [2, 3, 4, 5]),  # K10.FR.04: not external
        ({"chargingProfileCriteria": {"stackLevel": 2}}, "Accepted", [1, 3, 5]),
        (
            {"chargingProfileCriteria": {"chargingProfilePurpose": "TxProfile", "stackLevel": 1}},
            "Accepted",
            [1, 2, 4, 5],
        ),
        ({"chargingProfileCriteria": {"evseId": 2, "stackLevel": 1}}, "Unknown", [1, 2, 3, 4, 5]),
        ({"chargingProfileCriteria": {}}, "Unknown", [1, 2, 3, 4, 5]),
    ],
)
def test_v201_clear(store201, request_fields: dict, status: str, left: list[int]) -> None:
    _install201(store201)
    assert clear_charging_profile_v201(store201, camel_to_snake_case(request_fields)) == {"status": status}
    assert sorted(p.id for p in store201.profiles()) == left


def test_v201_clear_external_constraints_by_criteria_is_refused(store201) -> None:
    _install201(store201)
    payload = {
        "charging_profile_criteria": {"charging_profile_purpose": "ChargingStationExternalConstraints"}
    }
    response = clear_charging_profile_v201(store201, payload)
    assert response == {
        "status": "Unknown",
        "status_info": {
            "reason_code": "InvalidValue",
            "additional_info": "ChargingStationExternalConstraintsInClearChargingProfileRequest",
        },
    }
    assert store201.count() == 5


def test_v201_get_charging_profiles_groups_reports(store201) -> None:
    _install201(store201)
    response, reports = get_charging_profiles_v201(
        store201, camel_to_snake_case({"requestId": 7, "chargingProfile": {"stackLevel": 2}})
    )
    assert response == {"status": "Accepted"}
    assert [
        (
            r["request_id"],
            r["evse_id"],
            r["charging_limit_source"],
            [p["id"] for p in r["charging_profile"]],
            r["tbc"],
        )
        for r in reports
    ] == [(7, 1, "EMS", [2], True), (7, 2, "CSO", [4], False)]
    assert reports[0]["charging_profile"][0] == {
        "id": 2,
        "stack_level": 2,
        "charging_profile_purpose": "TxDefaultProfile",
        "charging_profile_kind": "Relative",
        "charging_schedule": [
            {
                "id": 1,
                "charging_rate_unit": "A",
                "charging_schedule_period": [{"start_period": 0, "limit": 8.0, "number_phases": 3}],
            }
        ],
    }


@pytest.mark.parametrize(
    ("request_fields", "expected"),
    [
        ({"evseId": 1, "chargingProfile": {}}, [2, 3]),
        ({"chargingProfile": {"chargingProfileId": [1, 4, 9]}}, [1, 4]),
        ({"evseId": 2, "chargingProfile": {"chargingProfileId": [1, 4]}}, [4]),
        ({"chargingProfile": {"chargingLimitSource": ["EMS"]}}, [2, 5]),
        ({"evseId": 1, "chargingProfile": {"chargingProfilePurpose": "TxProfile", "stackLevel": 1}}, [3]),
    ],
)
def test_v201_get_charging_profiles_criteria(store201, request_fields: dict, expected: list[int]) -> None:
    _install201(store201)
    request_fields["requestId"] = 1
    _, reports = get_charging_profiles_v201(store201, camel_to_snake_case(request_fields))
    assert sorted(p["id"] for r in reports for p in r["charging_profile"]) == expected


def test_v201_get_charging_profiles_none(store201) -> None:
    assert get_charging_profiles_v201(
        store201, {"request_id": 1, "charging_profile": {"stack_level": 3}}
    ) == ({"status": "NoProfiles"}, [])


def test_v16_get_composite_schedule(store16) -> None:
    set16(store16, 0, relative(1, 1, limit=10.0))
    payload = {"connector_id": 1, "duration": 900}
    response = get_composite_schedule_v16(
        payload, store16.profiles(), TWO_EVSES, SETTINGS_V16, (RateUnit.AMPS, RateUnit.WATTS), 600, NOW
    )
    assert response == {
        "status": "Accepted",
        "connector_id": 1,
        "schedule_start": "2024-05-01T10:00:00.000Z",
        "charging_schedule": {
            "charging_rate_unit": "A",
            "duration": 600,
            "start_schedule": "2024-05-01T10:00:00.000Z",
            "charging_schedule_period": [{"start_period": 0, "limit": 10.0}],
        },
    }
    watts = get_composite_schedule_v16(
        {**payload, "charging_rate_unit": "W"},
        store16.profiles(),
        TWO_EVSES,
        SETTINGS_V16,
        (RateUnit.AMPS, RateUnit.WATTS),
        600,
        NOW,
    )
    assert watts["charging_schedule"]["charging_schedule_period"] == [{"start_period": 0, "limit": 6900.0}]


@pytest.mark.parametrize(
    "payload",
    [{"connector_id": 3, "duration": 60}, {"connector_id": 1, "duration": 60, "charging_rate_unit": "W"}],
)
def test_v16_get_composite_schedule_rejected(payload: dict) -> None:
    assert get_composite_schedule_v16(payload, [], TWO_EVSES, SETTINGS_V16, (RateUnit.AMPS,), 600, NOW) == {
        "status": "Rejected"
    }


def test_v201_get_composite_schedule(store201) -> None:
    set201(store201, 0, cp201(1, 1, "TxDefaultProfile", "Relative", "W", [(0, 11000.0)]))
    response = get_composite_schedule_v201(
        {"evse_id": 0, "duration": 300},
        store201.profiles(),
        TWO_EVSES,
        SETTINGS_V201,
        (RateUnit.WATTS, RateUnit.AMPS),
        NOW,
    )
    assert response == {
        "status": "Accepted",
        "schedule": {
            "evse_id": 0,
            "duration": 300,
            "schedule_start": "2024-05-01T10:00:00.000Z",
            "charging_rate_unit": "W",
            "charging_schedule_period": [{"start_period": 0, "limit": 22000.0, "number_phases": 3}],
        },
    }


def test_v201_get_composite_schedule_rejections() -> None:
    unsupported = get_composite_schedule_v201(
        {"evse_id": 1, "duration": 60, "charging_rate_unit": "W"},
        [],
        TWO_EVSES,
        SETTINGS_V201,
        (RateUnit.AMPS,),
        NOW,
    )
    assert unsupported == {
        "status": "Rejected",
        "status_info": {
            "reason_code": "UnsupportedRateUnit",
            "additional_info": "ChargingScheduleChargingRateUnitUnsupported",
        },
    }
    unknown = get_composite_schedule_v201(
        {"evse_id": 5, "duration": 60}, [], TWO_EVSES, SETTINGS_V201, (RateUnit.AMPS,), NOW
    )
    assert unknown == {
        "status": "Rejected",
        "status_info": {"reason_code": "InvalidValue", "additional_info": "EvseDoesNotExist"},
    }


def test_expired_profiles() -> None:
    now = ts("2024-01-01T15:00:00Z")
    finished_absolute = load16(
        cp16(
            1, 1, "TxDefaultProfile", "Absolute", "A", [(0, 1.0)], duration=3600, start="2024-01-01T13:00:00Z"
        ),
        1,
    )
    running_absolute = load16(
        cp16(
            2, 1, "TxDefaultProfile", "Absolute", "A", [(0, 1.0)], duration=7200, start="2024-01-01T13:00:00Z"
        ),
        1,
    )
    past_valid_to = load16(
        cp16(3, 1, "TxDefaultProfile", "Relative", "A", [(0, 1.0)], valid_to="2024-01-01T14:59:59Z"), 1
    )
    open_ended = load16(
        cp16(4, 1, "TxDefaultProfile", "Absolute", "A", [(0, 1.0)], start="2020-01-01T00:00:00Z"), 1
    )
    assert expired_profile_ids([finished_absolute, running_absolute, past_valid_to, open_ended], now) == [
        1,
        3,
    ]


def test_transaction_end_clears_its_tx_profiles(store16, store201) -> None:
    store16.add(load16(relative(1, 1, "TxProfile"), 1))
    store16.add(load16(relative(2, 2, "TxProfile", transaction_id=5), 2))
    store16.add(load16(relative(3, 1), 1))
    assert clear_transaction_profiles_v16(store16, 1) == [1]
    assert sorted(p.id for p in store16.profiles()) == [2, 3]

    _install201(store201)
    assert clear_transaction_profiles_v201(store201, "other") == []
    assert clear_transaction_profiles_v201(store201, TX_ID) == [3]
