"""Conversions between OCPP charging profile payloads and the version-neutral model.

Incoming payloads are dicts as the python ``ocpp`` package hands them to handlers (snake_case
keys: 1.6 ``cs_charging_profiles``, 2.0.1 ``charging_profile``); camelCase dicts (raw OCPP JSON,
e.g. from storage) are accepted too. Outgoing dicts are camelCase OCPP JSON by default, or
snake_case (``snake_case=True``) for payloads given to the ``ocpp`` package (it camel-cases them).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import Enum
from typing import Any

from .profile import (
    ChargingProfile,
    ChargingSchedule,
    Kind,
    OcppVersion,
    RateUnit,
    Recurrency,
    SchedulePeriod,
    purpose_from_name,
    purpose_name,
)
from .timeutil import format_datetime, parse_datetime

_CAMEL_BOUNDARY = re.compile(r"([a-z0-9])([A-Z])")


class ProfileFormatError(ValueError):
    """The payload is not a well-formed charging profile."""


def _snake(key: str) -> str:
    return _CAMEL_BOUNDARY.sub(r"\1_\2", key).lower()


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def normalise_keys(data: Any) -> Any:
    """Recursively turn camelCase keys into snake_case so one parser serves both forms."""
    if isinstance(data, Mapping):
        return {_snake(str(k)): normalise_keys(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [normalise_keys(v) for v in data]
    if isinstance(data, Enum):
        return data.value
    return data


def _camelise(data: Any) -> Any:
    if isinstance(data, dict):
        return {_camel(k): _camelise(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_camelise(v) for v in data]
    return data


def _required(data: Mapping[str, Any], key: str) -> Any:
    if key not in data or data[key] is None:
        raise ProfileFormatError(f"charging profile field {key!r} is missing")
    return data[key]


def _opt_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _opt_float(value: Any) -> float | None:
    return None if value is None else float(value)


def _parse_schedule(data: Mapping[str, Any]) -> ChargingSchedule:
    raw_periods = _required(data, "charging_schedule_period")
    periods = tuple(
        SchedulePeriod(
            start_period=int(_required(p, "start_period")),
            limit=float(_required(p, "limit")),
            number_phases=_opt_int(p.get("number_phases")),
            phase_to_use=_opt_int(p.get("phase_to_use")),
        )
        for p in raw_periods
    )
    start = data.get("start_schedule")
    return ChargingSchedule(
        unit=RateUnit(_required(data, "charging_rate_unit")),
        periods=periods,
        duration=_opt_int(data.get("duration")),
        start_schedule=None if start is None else parse_datetime(start),
        min_charging_rate=_opt_float(data.get("min_charging_rate")),
        schedule_id=_opt_int(data.get("id")),
    )


def _parse_common(
    data: Mapping[str, Any], profile_id: int, schedules: tuple[ChargingSchedule, ...], evse_id: int
) -> ChargingProfile:
    recurrency = data.get("recurrency_kind")
    valid_from = data.get("valid_from")
    valid_to = data.get("valid_to")
    transaction_id = data.get("transaction_id")
    return ChargingProfile(
        id=profile_id,
        stack_level=int(_required(data, "stack_level")),
        purpose=purpose_from_name(str(_required(data, "charging_profile_purpose"))),
        kind=Kind(_required(data, "charging_profile_kind")),
        schedules=schedules,
        evse_id=evse_id,
        recurrency=None if recurrency is None else Recurrency(recurrency),
        valid_from=None if valid_from is None else parse_datetime(valid_from),
        valid_to=None if valid_to is None else parse_datetime(valid_to),
        transaction_id=None if transaction_id is None else str(transaction_id),
    )


def profile_from_v16(payload: Mapping[str, Any], connector_id: int) -> ChargingProfile:
    """Build a profile from a 1.6 ``csChargingProfiles`` object installed on ``connector_id``."""
    data = normalise_keys(payload)
    try:
        schedule = _parse_schedule(_required(data, "charging_schedule"))
        return _parse_common(data, int(_required(data, "charging_profile_id")), (schedule,), connector_id)
    except (TypeError, ValueError) as exc:
        raise ProfileFormatError(str(exc)) from exc


def profile_from_v201(payload: Mapping[str, Any], evse_id: int) -> ChargingProfile:
    """Build a profile from a 2.0.1 ``chargingProfile`` object installed on ``evse_id``."""
    data = normalise_keys(payload)
    try:
        raw = _required(data, "charging_schedule")
        schedules = tuple(_parse_schedule(s) for s in (raw if isinstance(raw, list) else [raw]))
        if not schedules:
            raise ProfileFormatError("chargingSchedule is empty")
        return _parse_common(data, int(_required(data, "id")), schedules, evse_id)
    except (TypeError, ValueError) as exc:
        raise ProfileFormatError(str(exc)) from exc


def profile_from_ocpp(payload: Mapping[str, Any], version: OcppVersion, evse_id: int) -> ChargingProfile:
    if version == OcppVersion.V16:
        return profile_from_v16(payload, evse_id)
    return profile_from_v201(payload, evse_id)


def _schedule_to_dict(schedule: ChargingSchedule, version: OcppVersion) -> dict[str, Any]:
    periods = []
    for period in schedule.periods:
        item: dict[str, Any] = {"start_period": period.start_period, "limit": period.limit}
        if period.number_phases is not None:
            item["number_phases"] = period.number_phases
        if version == OcppVersion.V201 and period.phase_to_use is not None:
            item["phase_to_use"] = period.phase_to_use
        periods.append(item)
    out: dict[str, Any] = {}
    if version == OcppVersion.V201:
        out["id"] = schedule.schedule_id if schedule.schedule_id is not None else 0
    out["charging_rate_unit"] = schedule.unit.value
    out["charging_schedule_period"] = periods
    if schedule.duration is not None:
        out["duration"] = schedule.duration
    if schedule.start_schedule is not None:
        out["start_schedule"] = format_datetime(schedule.start_schedule)
    if schedule.min_charging_rate is not None:
        out["min_charging_rate"] = schedule.min_charging_rate
    return out


def _transaction_id_v16(value: str) -> int | str:
    # 1.6 transaction ids are integers on the wire; keep anything else verbatim rather than fail.
    return int(value) if value.lstrip("-").isdigit() else value


def profile_to_v16(profile: ChargingProfile, *, snake_case: bool = False) -> dict[str, Any]:
    """The profile as a 1.6 ``csChargingProfiles`` object."""
    out: dict[str, Any] = {
        "charging_profile_id": profile.id,
        "stack_level": profile.stack_level,
        "charging_profile_purpose": purpose_name(profile.purpose, OcppVersion.V16),
        "charging_profile_kind": profile.kind.value,
    }
    if profile.transaction_id is not None:
        out["transaction_id"] = _transaction_id_v16(profile.transaction_id)
    _add_common_optionals(profile, out)
    out["charging_schedule"] = _schedule_to_dict(profile.schedule, OcppVersion.V16)
    return out if snake_case else _camelise(out)


def profile_to_v201(profile: ChargingProfile, *, snake_case: bool = False) -> dict[str, Any]:
    """The profile as a 2.0.1 ``ChargingProfileType`` object."""
    out: dict[str, Any] = {
        "id": profile.id,
        "stack_level": profile.stack_level,
        "charging_profile_purpose": purpose_name(profile.purpose, OcppVersion.V201),
        "charging_profile_kind": profile.kind.value,
    }
    if profile.transaction_id is not None:
        out["transaction_id"] = profile.transaction_id
    _add_common_optionals(profile, out)
    out["charging_schedule"] = [_schedule_to_dict(s, OcppVersion.V201) for s in profile.schedules]
    return out if snake_case else _camelise(out)


def profile_to_ocpp(
    profile: ChargingProfile, version: OcppVersion, *, snake_case: bool = False
) -> dict[str, Any]:
    if version == OcppVersion.V16:
        return profile_to_v16(profile, snake_case=snake_case)
    return profile_to_v201(profile, snake_case=snake_case)


def _add_common_optionals(profile: ChargingProfile, out: dict[str, Any]) -> None:
    if profile.recurrency is not None:
        out["recurrency_kind"] = profile.recurrency.value
    if profile.valid_from is not None:
        out["valid_from"] = format_datetime(profile.valid_from)
    if profile.valid_to is not None:
        out["valid_to"] = format_datetime(profile.valid_to)
