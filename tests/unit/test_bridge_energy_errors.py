"""External limits from composite schedules, and global errors kept per EVSE."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import pytest

from everest_ocpp.bridge.energy import EnergySinks, external_limits
from everest_ocpp.bridge.errors import EvseErrors

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
SOURCE = "ocpp/OCPP_set_external_limits"


def test_amp_schedule_limits_current_and_phases() -> None:
    schedule = {
        "evse": 1,
        "charging_rate_unit": "A",
        "charging_schedule_period": [
            {"start_period": 0, "limit": 32.0, "number_phases": 3, "stack_level": 0},
            {"start_period": 600, "limit": 16},
        ],
        "duration": 1200,
        "start_schedule": "2026-01-01T12:00:00.000Z",
    }
    assert external_limits(schedule, SOURCE, NOW) == {
        "schedule_import": [
            {
                "timestamp": "2026-01-01T12:00:00.000Z",
                "limits_to_root": {},
                "limits_to_leaves": {
                    "ac_max_current_A": {"value": 32.0, "source": SOURCE},
                    "ac_max_phase_count": {"value": 3, "source": SOURCE},
                },
            },
            {
                "timestamp": "2026-01-01T12:10:00.000Z",
                "limits_to_root": {},
                "limits_to_leaves": {"ac_max_current_A": {"value": 16.0, "source": SOURCE}},
            },
        ],
        "schedule_export": [],
        "schedule_setpoints": [],
    }


def test_watt_schedule_limits_total_power() -> None:
    schedule = {
        "evse": 0,
        "charging_rate_unit": "W",
        "charging_schedule_period": [{"start_period": 0, "limit": 11000}],
    }
    limits = external_limits(schedule, SOURCE, NOW)
    assert limits["schedule_import"][0]["limits_to_leaves"] == {
        "total_power_W": {"value": 11000.0, "source": SOURCE}
    }


def error(uuid: str, kind: str, module: str, evse: int | None = None) -> dict[str, Any]:
    origin: dict[str, Any] = {"module_id": module, "implementation_id": "evse"}
    if evse is not None:
        origin["mapping"] = {"evse": evse}
    return {"uuid": uuid, "type": kind, "sub_type": "", "message": "m", "severity": "High", "origin": origin}


def test_errors_are_kept_per_evse_from_the_mapping_or_the_evse_manager() -> None:
    errors = EvseErrors({"connector_2": 2}.get)
    seen: list[tuple[bool, str, int]] = []
    errors.listeners.append(lambda raised, e: seen.append((raised, e.type, e.evse)))
    errors.on_error(True, error("u1", "evse_board_support/DiodeFault", "yeti", evse=1))
    errors.on_error(True, error("u2", "evse_manager/MREC2GroundFailure", "connector_2"))
    errors.on_error(True, error("u3", "system/Overheat", "system"))
    errors.on_error(True, error("u1", "evse_board_support/DiodeFault", "yeti", evse=1))  # repeated: ignored
    assert [e.type for e in errors.active(1)] == ["evse_board_support/DiodeFault"]
    assert [e.type for e in errors.active(2)] == ["evse_manager/MREC2GroundFailure"]
    assert [e.type for e in errors.active(0)] == ["system/Overheat"]
    errors.on_error(False, error("u1", "evse_board_support/DiodeFault", "yeti", evse=1))
    errors.on_error(False, error("unknown", "system/Overheat", "system"))  # cleared by type
    assert [e.evse for e in errors.active()] == [2]
    assert seen == [
        (True, "evse_board_support/DiodeFault", 1),
        (True, "evse_manager/MREC2GroundFailure", 2),
        (True, "system/Overheat", 0),
        (False, "evse_board_support/DiodeFault", 1),
        (False, "system/Overheat", 0),
    ]


class _NoSinks:
    def connections(self, _requirement: str) -> list[Any]:
        return []


def test_a_station_without_an_energy_sink_says_so_once(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, "everest_ocpp.bridge.energy")
    sinks = EnergySinks(_NoSinks(), "ocpp/OCPP_set_external_limits")  # type: ignore[arg-type]
    sinks.apply([{"evse": 1, "charging_rate_unit": "A", "charging_schedule_period": []}])
    assert [r.getMessage() for r in caplog.records] == [
        "no evse_energy_sink connected: charging profiles from the CSMS will not limit charging"
    ]
