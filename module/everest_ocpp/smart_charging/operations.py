"""The smart charging CSMS operations as pure functions: request payload in, response out.

The CSMS handlers of both versions call these with the request payload as the ``ocpp`` package
delivers it (snake_case dict) and return the dict as the call result; they only add I/O
(publishing ``charging_schedules`` after an accepted change, sending ReportChargingProfiles).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from .composite import calculate_composite_schedule
from .convert import ProfileFormatError, normalise_keys, profile_from_v16, profile_from_v201, profile_to_v201
from .output import to_v16_get_composite_schedule_response, to_v201_get_composite_schedule_response
from .profile import ChargingProfile, Kind, Purpose, RateUnit, purpose_from_name
from .settings import DEFAULT_MAX_COMPOSITE_DURATION, CompositeSettings, ValidationLimits
from .station import StationState
from .store import DEFAULT_SOURCE, ProfileCriteria, ProfileStore
from .timeutil import floor_seconds, to_epoch
from .validation import ValidationContext, ValidationResult
from .validation_v16 import validate_v16
from .validation_v201 import validate_v201

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SetProfileOutcome:
    response: dict[str, Any]
    result: ValidationResult  # .accepted tells the caller to republish the schedules


def _now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(UTC)


def set_charging_profile_v16(
    store: ProfileStore,
    payload: Mapping[str, Any],
    station: StationState,
    limits: ValidationLimits,
    now: datetime | None = None,
) -> SetProfileOutcome:
    """SetChargingProfile.req (1.6) -> .conf; an accepted profile replaces same id / same slot."""
    data = normalise_keys(payload)
    try:
        profile = profile_from_v16(data["cs_charging_profiles"], int(data["connector_id"]))
    except (KeyError, ProfileFormatError) as exc:
        log.warning("rejecting malformed SetChargingProfile: %s", exc)
        return SetProfileOutcome({"status": "Rejected"}, ValidationResult.reject("MalformedProfile"))
    result = validate_v16(profile, ValidationContext(station, limits, store.profiles(), _now(now)))
    if result.accepted and result.profile is not None:
        store.add(result.profile, replace_same_slot=True)
    return SetProfileOutcome({"status": result.status.value}, result)


def set_charging_profile_v201(
    store: ProfileStore,
    payload: Mapping[str, Any],
    station: StationState,
    limits: ValidationLimits,
    source: str = DEFAULT_SOURCE,
    now: datetime | None = None,
) -> SetProfileOutcome:
    """SetChargingProfileRequest (2.0.1) -> response with StatusInfo on rejection (K01)."""
    data = normalise_keys(payload)
    try:
        profile = profile_from_v201(data["charging_profile"], int(data["evse_id"]))
    except (KeyError, ProfileFormatError) as exc:
        log.warning("rejecting malformed SetChargingProfileRequest: %s", exc)
        result = ValidationResult.reject("MalformedProfile", "InvalidValue")
    else:
        result = validate_v201(profile, ValidationContext(station, limits, store.profiles(), _now(now)))
    if result.accepted and result.profile is not None:
        store.add(result.profile, source=source)
        return SetProfileOutcome({"status": "Accepted"}, result)
    info = {"reason_code": result.reason_code or "InvalidValue", "additional_info": result.reason}
    return SetProfileOutcome({"status": "Rejected", "status_info": info}, result)


def add_remote_start_profile_v201(
    store: ProfileStore,
    charging_profile: Mapping[str, Any],
    evse_id: int,
    station: StationState,
    limits: ValidationLimits,
    now: datetime | None = None,
) -> SetProfileOutcome:
    """The chargingProfile of a RequestStartTransactionRequest (K05, F01.FR.26): a TxProfile for the
    transaction about to start, installed without a transaction id until :func:`bind_tx_profile_v201`.
    Rejected with reasonCode InvalidProfile (and the validation failure as additionalInfo)."""
    data = normalise_keys({"charging_profile": charging_profile})
    try:
        profile = profile_from_v201(data["charging_profile"], evse_id)
    except (KeyError, ProfileFormatError) as exc:
        log.warning("rejecting the malformed charging profile of a RequestStartTransaction: %s", exc)
        result = ValidationResult.reject("MalformedProfile", "InvalidValue")
    else:
        context = ValidationContext(station, limits, store.profiles(), _now(now))
        result = validate_v201(profile, context, remote_start=True)
    if result.accepted and result.profile is not None:
        store.add(result.profile)
        return SetProfileOutcome({"status": "Accepted"}, result)
    info = {"reason_code": "InvalidProfile", "additional_info": result.reason}
    return SetProfileOutcome({"status": "Rejected", "status_info": info}, result)


def bind_tx_profile_v201(store: ProfileStore, profile_id: int, transaction_id: str) -> bool:
    """The remote-started transaction began: its TxProfile now names it (and so applies)."""
    profile = next((p for p in store.profiles() if p.id == profile_id), None)
    if profile is None or profile.purpose != Purpose.TX:
        return False
    store.add(replace(profile, transaction_id=transaction_id))
    return True


def unbound_tx_profile_ids_v201(store: ProfileStore) -> list[int]:
    """TxProfiles still waiting for their remote-started transaction (none survive a restart)."""
    return [p.id for p in store.profiles() if p.purpose == Purpose.TX and p.transaction_id is None]


def clear_charging_profile_v16(store: ProfileStore, payload: Mapping[str, Any]) -> dict[str, Any]:
    """ClearChargingProfile (1.6): no field = clear all (Accepted); an id alone decides when given;
    otherwise connector/purpose/stack level filter. Unknown when nothing matched."""
    data = normalise_keys(payload)
    profile_id = data.get("id")
    if profile_id is None and all(
        data.get(k) is None for k in ("connector_id", "charging_profile_purpose", "stack_level")
    ):
        store.remove(ProfileCriteria())
        return {"status": "Accepted"}
    if profile_id is not None:
        criteria = ProfileCriteria(profile_ids=frozenset({int(profile_id)}))
    else:
        purpose = data.get("charging_profile_purpose")
        criteria = ProfileCriteria(
            evse_id=data.get("connector_id"),
            purpose=None if purpose is None else purpose_from_name(str(purpose)),
            stack_level=data.get("stack_level"),
        )
    return {"status": "Accepted" if store.remove(criteria) else "Unknown"}


def clear_charging_profile_v201(store: ProfileStore, payload: Mapping[str, Any]) -> dict[str, Any]:
    """ClearChargingProfileRequest (2.0.1), K10: by id, else by criteria (never external
    constraints, K10.FR.04/06), else everything."""
    data = normalise_keys(payload)
    criteria = data.get("charging_profile_criteria")
    purpose_filter = None if criteria is None else criteria.get("charging_profile_purpose")
    if purpose_filter is not None and purpose_from_name(str(purpose_filter)) == Purpose.EXTERNAL_CONSTRAINTS:
        return {
            "status": "Unknown",
            "status_info": {
                "reason_code": "InvalidValue",
                "additional_info": "ChargingStationExternalConstraintsInClearChargingProfileRequest",
            },
        }
    if data.get("charging_profile_id") is not None:
        removed = store.remove(ProfileCriteria(profile_ids=frozenset({int(data["charging_profile_id"])})))
    elif criteria is None:
        removed = store.remove(ProfileCriteria())
    elif all(criteria.get(k) is None for k in ("evse_id", "charging_profile_purpose", "stack_level")):
        removed = []
    else:
        purpose = criteria.get("charging_profile_purpose")
        removed = store.remove(
            ProfileCriteria(
                evse_id=criteria.get("evse_id"),
                purpose=None if purpose is None else purpose_from_name(str(purpose)),
                stack_level=criteria.get("stack_level"),
                exclude_purposes=frozenset({Purpose.EXTERNAL_CONSTRAINTS}),
            )
        )
    return {"status": "Accepted" if removed else "Unknown"}


def get_charging_profiles_v201(
    store: ProfileStore, payload: Mapping[str, Any]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """GetChargingProfilesRequest (K09) -> (response, ReportChargingProfilesRequest payloads).

    One report per (EVSE, chargingLimitSource) pair, all with the request's requestId; only the
    last has ``tbc`` false. With chargingProfileId criteria the other criteria are ignored (as
    libocpp).
    """
    data = normalise_keys(payload)
    criterion = data.get("charging_profile") or {}
    ids = criterion.get("charging_profile_id")
    if ids:
        criteria = ProfileCriteria(profile_ids=frozenset(int(i) for i in ids), evse_id=data.get("evse_id"))
    else:
        purpose = criterion.get("charging_profile_purpose")
        sources = criterion.get("charging_limit_source")
        criteria = ProfileCriteria(
            evse_id=data.get("evse_id"),
            purpose=None if purpose is None else purpose_from_name(str(purpose)),
            stack_level=criterion.get("stack_level"),
            sources=frozenset(str(s) for s in sources) if sources else None,
        )
    found = store.find(criteria)
    if not found:
        return {"status": "NoProfiles"}, []
    groups: dict[tuple[int, str], list[ChargingProfile]] = {}
    for stored in found:
        groups.setdefault((stored.profile.evse_id, stored.source), []).append(stored.profile)
    reports = [
        {
            "request_id": data["request_id"],
            "charging_limit_source": source,
            "charging_profile": [profile_to_v201(p, snake_case=True) for p in profiles],
            "evse_id": evse_id,
            "tbc": True,
        }
        for (evse_id, source), profiles in sorted(groups.items())
    ]
    reports[-1]["tbc"] = False
    return {"status": "Accepted"}, reports


def get_composite_schedule_v16(
    payload: Mapping[str, Any],
    profiles: Iterable[ChargingProfile],
    station: StationState,
    settings: CompositeSettings,
    allowed_units: Sequence[RateUnit],
    max_duration: int,
    now: datetime | None = None,
) -> dict[str, Any]:
    """GetCompositeSchedule (1.6): Rejected for an unknown connector or a unit not allowed;
    the duration is capped at MaxCompositeScheduleDuration; the default unit is the first one
    of ChargingScheduleAllowedChargingRateUnit."""
    data = normalise_keys(payload)
    connector_id = int(data["connector_id"])
    requested = data.get("charging_rate_unit")
    if not station.has_evse(connector_id) or (
        requested is not None and RateUnit(requested) not in allowed_units
    ):
        return {"status": "Rejected"}
    unit = (
        RateUnit(requested)
        if requested is not None
        else (allowed_units[0] if allowed_units else RateUnit.AMPS)
    )
    duration = min(int(data["duration"]), max_duration)
    start = floor_seconds(_now(now))
    schedule = calculate_composite_schedule(
        profiles,
        connector_id,
        start,
        start + timedelta(seconds=duration),
        unit,
        settings,
        station,
        simulate_transaction=True,
    )
    return to_v16_get_composite_schedule_response(schedule)


def get_composite_schedule_v201(
    payload: Mapping[str, Any],
    profiles: Iterable[ChargingProfile],
    station: StationState,
    settings: CompositeSettings,
    supported_units: Sequence[RateUnit],
    now: datetime | None = None,
) -> dict[str, Any]:
    """GetCompositeScheduleRequest (2.0.1, K08): Rejected with StatusInfo for an unknown EVSE
    (K08.FR.05) or an unsupported unit (K08.FR.07); default unit = first of RateUnit."""
    data = normalise_keys(payload)
    evse_id = int(data["evse_id"])
    requested = data.get("charging_rate_unit")
    if requested is not None:
        unit: RateUnit | None = RateUnit(requested) if RateUnit(requested) in supported_units else None
    else:
        unit = supported_units[0] if supported_units else None
    if unit is None:
        return {
            "status": "Rejected",
            "status_info": {
                "reason_code": "UnsupportedRateUnit",
                "additional_info": "ChargingScheduleChargingRateUnitUnsupported",
            },
        }
    if not station.has_evse(evse_id):
        return {
            "status": "Rejected",
            "status_info": {"reason_code": "InvalidValue", "additional_info": "EvseDoesNotExist"},
        }
    start = floor_seconds(_now(now))
    # the schema sets no maximum; like 1.6's MaxCompositeScheduleDuration default, a year at most
    end = start + timedelta(seconds=min(int(data["duration"]), DEFAULT_MAX_COMPOSITE_DURATION))
    schedule = calculate_composite_schedule(
        profiles, evse_id, start, end, unit, settings, station, simulate_transaction=True
    )
    return to_v201_get_composite_schedule_response(schedule)


def clear_transaction_profiles_v16(store: ProfileStore, connector_id: int) -> list[int]:
    """A 1.6 transaction ended on ``connector_id``: its TxProfiles go (as libocpp). Republish the
    schedules when this returns ids."""
    return store.remove(ProfileCriteria(evse_id=connector_id, purpose=Purpose.TX))


def clear_transaction_profiles_v201(store: ProfileStore, transaction_id: str) -> list[int]:
    """A 2.0.1 transaction ended: the TxProfiles naming it go (K02.FR.05)."""
    return store.remove(ProfileCriteria(purpose=Purpose.TX, transaction_id=transaction_id))


def expired_profile_ids(profiles: Iterable[ChargingProfile], now: datetime) -> list[int]:
    """Profiles that can never apply again: validTo passed, or an Absolute schedule with a
    duration that ended (1.6 purges these daily, as libocpp)."""
    now_s = to_epoch(now)
    expired = []
    for p in profiles:
        schedule = p.schedule
        past_valid_to = p.valid_to is not None and to_epoch(p.valid_to) < now_s
        absolute_over = (
            p.kind == Kind.ABSOLUTE
            and schedule.start_schedule is not None
            and schedule.duration is not None
            and to_epoch(schedule.start_schedule) + schedule.duration < now_s
        )
        if past_valid_to or absolute_over:
            expired.append(p.id)
    return expired
