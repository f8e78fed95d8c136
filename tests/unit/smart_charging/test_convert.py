"""OCPP payload <-> model conversion, both versions, both key styles."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from ocpp.charge_point import camel_to_snake_case, snake_to_camel_case

from everest_ocpp.smart_charging import (
    ChargingProfile,
    ChargingSchedule,
    Kind,
    OcppVersion,
    ProfileFormatError,
    Purpose,
    RateUnit,
    Recurrency,
    SchedulePeriod,
    profile_from_ocpp,
    profile_from_v16,
    profile_from_v201,
    profile_to_ocpp,
    profile_to_v16,
    profile_to_v201,
)

V16_PAYLOAD = {
    "chargingProfileId": 12,
    "transactionId": 345,
    "stackLevel": 3,
    "chargingProfilePurpose": "TxProfile",
    "chargingProfileKind": "Recurring",
    "recurrencyKind": "Weekly",
    "validFrom": "2024-01-01T00:00:00.000Z",
    "validTo": "2024-02-01T00:00:00.000Z",
    "chargingSchedule": {
        "duration": 7200,
        "startSchedule": "2024-01-03T16:00:00.000Z",
        "chargingRateUnit": "W",
        "chargingSchedulePeriod": [
            {"startPeriod": 0, "limit": 11000.0, "numberPhases": 3},
            {"startPeriod": 600, "limit": 3680.0, "numberPhases": 1},
        ],
        "minChargingRate": 1380.0,
    },
}

V201_PAYLOAD = {
    "id": 7,
    "stackLevel": 0,
    "chargingProfilePurpose": "ChargingStationMaxProfile",
    "chargingProfileKind": "Absolute",
    "chargingSchedule": [
        {
            "id": 1,
            "startSchedule": "2024-08-21T12:24:36.000Z",
            "chargingRateUnit": "A",
            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 10.0, "numberPhases": 1, "phaseToUse": 2}],
        },
        {"id": 2, "chargingRateUnit": "W", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 6900.0}]},
    ],
}


def test_v16_snake_payload_as_the_ocpp_package_delivers_it() -> None:
    profile = profile_from_v16(camel_to_snake_case(V16_PAYLOAD), connector_id=2)
    assert profile == ChargingProfile(
        id=12,
        stack_level=3,
        purpose=Purpose.TX,
        kind=Kind.RECURRING,
        schedules=(
            ChargingSchedule(
                unit=RateUnit.WATTS,
                periods=(SchedulePeriod(0, 11000.0, 3), SchedulePeriod(600, 3680.0, 1)),
                duration=7200,
                start_schedule=datetime(2024, 1, 3, 16, tzinfo=UTC),
                min_charging_rate=1380.0,
            ),
        ),
        evse_id=2,
        recurrency=Recurrency.WEEKLY,
        valid_from=datetime(2024, 1, 1, tzinfo=UTC),
        valid_to=datetime(2024, 2, 1, tzinfo=UTC),
        transaction_id="345",
    )


def test_v16_round_trip_both_key_styles() -> None:
    profile = profile_from_v16(V16_PAYLOAD, 2)  # camelCase accepted as well
    assert profile_to_v16(profile) == V16_PAYLOAD | {"chargingSchedule": V16_PAYLOAD["chargingSchedule"]}
    assert profile_to_v16(profile, snake_case=True) == camel_to_snake_case(V16_PAYLOAD)
    assert profile_from_v16(profile_to_v16(profile, snake_case=True), 2) == profile


def test_v201_round_trip_keeps_every_schedule() -> None:
    profile = profile_from_v201(camel_to_snake_case(V201_PAYLOAD), evse_id=0)
    assert profile.purpose == Purpose.STATION_MAX and len(profile.schedules) == 2
    assert profile.schedule.periods == (SchedulePeriod(0, 10.0, 1, 2),)
    assert profile_to_v201(profile) == V201_PAYLOAD
    # snake_case output is what the ocpp package camel-cases for the wire
    assert snake_to_camel_case(profile_to_v201(profile, snake_case=True)) == V201_PAYLOAD


def test_purpose_names_per_version() -> None:
    max_16 = profile_from_v16(V16_PAYLOAD | {"chargingProfilePurpose": "ChargePointMaxProfile"}, 0)
    assert max_16.purpose == Purpose.STATION_MAX
    assert profile_to_ocpp(max_16, OcppVersion.V201)["chargingProfilePurpose"] == "ChargingStationMaxProfile"
    assert profile_to_ocpp(max_16, OcppVersion.V16)["chargingProfilePurpose"] == "ChargePointMaxProfile"
    external = profile_from_ocpp(
        V201_PAYLOAD | {"chargingProfilePurpose": "ChargingStationExternalConstraints"}, OcppVersion.V201, 0
    )
    with pytest.raises(ValueError, match=r"does not exist in OCPP 1\.6"):
        profile_to_v16(external)


def test_v201_transaction_id_stays_a_string() -> None:
    profile = profile_from_v201(
        V201_PAYLOAD | {"chargingProfilePurpose": "TxProfile", "transactionId": "0042"}, 1
    )
    assert profile.transaction_id == "0042"
    assert profile_to_v201(profile)["transactionId"] == "0042"


def test_dates_without_offset_are_utc_and_offsets_are_normalised() -> None:
    payload = V16_PAYLOAD | {"validFrom": "2024-01-01T01:00:00+01:00", "validTo": "2024-02-01T00:00:00"}
    profile = profile_from_v16(payload, 1)
    assert profile.valid_from == datetime(2024, 1, 1, tzinfo=UTC)
    assert profile.valid_to == datetime(2024, 2, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    "broken",
    [
        {k: v for k, v in V16_PAYLOAD.items() if k != "stackLevel"},
        V16_PAYLOAD | {"chargingProfileKind": "Sometimes"},
        V16_PAYLOAD | {"chargingProfilePurpose": "Whatever"},
        V16_PAYLOAD | {"chargingSchedule": {"chargingRateUnit": "A"}},
        V16_PAYLOAD | {"validFrom": "yesterday"},
    ],
)
def test_malformed_payloads_raise_profile_format_error(broken: dict) -> None:
    with pytest.raises(ProfileFormatError):
        profile_from_v16(broken, 1)
