"""The `ocpp` interface (``ocpp_generic``, generic/ocpp_interface.py) on a fake backend, in process:
answers before OCPP runs, pass-through of commands, variables through the backend's view, event_data
for monitored variables, and the vars the backend's events become."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from everest_ocpp.generic.backend import AvailabilityResult, SecurityEventRequest
from everest_ocpp.generic.ocpp_interface import OcppInterface
from everest_ocpp.generic.views import KeyView
from everest_ocpp.v16.configuration import ChargePointConfiguration
from everest_ocpp.variables import VariableChange

DATA = Path(__file__).resolve().parents[2] / "module" / "everest_ocpp" / "data" / "v16"


def key(name: str) -> dict[str, Any]:
    return {"component": {"name": ""}, "variable": {"name": name}}


class FakeBackend:
    """A 1.6 backend over the real configuration keys; records what the interface hands it."""

    version = "1.6"
    authorization = None

    def __init__(self, variables: ChargePointConfiguration, trigger: str | None = "Alerting") -> None:
        self.variables = variables
        self.view = KeyView()
        self.trigger = trigger
        self.calls: list[tuple[str, Any]] = []
        self.availability = AvailabilityResult("Rejected", "UnknownEvse", "no EVSE 9")

    async def stop(self) -> bool:
        self.calls.append(("stop", None))
        return True

    async def restart(self) -> bool:
        self.calls.append(("restart", None))
        return False

    def security_event(self, event: SecurityEventRequest) -> None:
        self.calls.append(("security_event", event))

    async def change_availability(
        self, operative: bool, evse_id: int | None, connector_id: int | None
    ) -> AvailabilityResult:
        self.calls.append(("change_availability", (operative, evse_id, connector_id)))
        return self.availability

    def monitor_trigger(self, change: VariableChange) -> str | None:
        return self.trigger


@pytest.fixture
def store(tmp_path: Path) -> ChargePointConfiguration:
    return ChargePointConfiguration.load(DATA / "config-test.json", tmp_path / "user_config.json")


def interface() -> tuple[OcppInterface, list[tuple[str, Any]]]:
    published: list[tuple[str, Any]] = []
    return OcppInterface(lambda var, value: published.append((var, value))), published


def test_before_ocpp_runs_every_request_is_answered_rejected(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="everest_ocpp")
    generic, published = interface()
    assert generic.get_variables(
        [{"component_variable": key("A")}, {"component_variable": key("B"), "attribute_type": "Target"}]
    ) == [
        {"status": "Rejected", "component_variable": key("A"), "attribute_type": "Actual"},
        {"status": "Rejected", "component_variable": key("B"), "attribute_type": "Target"},
    ]
    assert generic.set_variables([{"component_variable": key("A"), "value": "1"}], "LocalAPI") == [
        {"status": "Rejected", "component_variable": key("A")}
    ]
    assert asyncio.run(generic.change_availability({"operational_status": "Operative"})) == {
        "status": "Rejected"
    }
    assert (asyncio.run(generic.stop()), asyncio.run(generic.restart())) == (False, False)
    generic.security_event({"type": "Tamper", "info": "lid"})
    generic.monitor_variables([key("HeartbeatInterval")])
    assert published == []
    assert [r.getMessage() for r in caplog.records] == [
        "stop: OCPP is not running",
        "restart: OCPP is not running",
        "security_event 'Tamper' dropped: OCPP is not running",
        "monitor_variables ignored: OCPP is not running",
    ]


def test_commands_reach_the_backend(store: ChargePointConfiguration) -> None:
    generic, _ = interface()
    backend = FakeBackend(store)
    generic.attach(backend)  # type: ignore[arg-type]
    assert (asyncio.run(generic.stop()), asyncio.run(generic.restart())) == (True, False)
    generic.security_event(
        {"type": "T" * 60, "info": "i" * 300, "critical": True, "timestamp": "2026-01-01T10:00:00Z"}
    )
    generic.security_event({"type": "Tamper", "timestamp": "yesterday"})  # not RFC 3339: now
    answer = asyncio.run(
        generic.change_availability(
            {"operational_status": "Inoperative", "evse": {"id": 9, "connector_id": 1}}
        )
    )
    assert answer == {
        "status": "Rejected",
        "status_info": {"reason_code": "UnknownEvse", "additional_info": "no EVSE 9"},
    }
    backend.availability = AvailabilityResult("Scheduled")
    assert asyncio.run(generic.change_availability({"operational_status": "Operative"})) == {
        "status": "Scheduled"
    }
    assert backend.calls == [
        ("stop", None),
        ("restart", None),
        (
            "security_event",
            SecurityEventRequest("T" * 50, "i" * 255, True, datetime(2026, 1, 1, 10, tzinfo=UTC)),
        ),
        ("security_event", SecurityEventRequest("Tamper", None, None, None)),
        ("change_availability", (False, 9, 1)),
        ("change_availability", (True, None, None)),
    ]


def test_variables_go_through_the_backend_view_in_request_order(store: ChargePointConfiguration) -> None:
    generic, _ = interface()
    generic.attach(FakeBackend(store))  # type: ignore[arg-type]
    seen: list[VariableChange] = []
    store.add_listener(seen.append)
    results = generic.set_variables(
        [
            {"component_variable": key("heartbeatinterval"), "value": "120"},
            {"component_variable": key("NoSuchKey"), "value": "1"},
            {"component_variable": key("MeterValueSampleInterval"), "value": "not a number"},
        ],
        "LocalAPI",
    )
    assert [r["status"] for r in results] == ["Accepted", "UnknownVariable", "Rejected"]
    assert [(c.ref.variable, c.new_value, c.source) for c in seen] == [
        ("HeartbeatInterval", "120", "LocalAPI")
    ]
    assert generic.get_variables(
        [{"component_variable": key("NoSuchKey")}, {"component_variable": key("heartbeatinterval")}]
    ) == [
        {"status": "UnknownVariable", "component_variable": key("NoSuchKey")},
        {
            "status": "Accepted",
            "component_variable": key("HeartbeatInterval"),
            "attribute_type": "Actual",
            "value": "120",
        },
    ]


def test_monitored_variables_publish_event_data_with_the_backend_trigger(
    store: ChargePointConfiguration,
) -> None:
    generic, published = interface()
    backend = FakeBackend(store)
    generic.attach(backend)  # type: ignore[arg-type]
    registered = {"component": {"name": "ignored in 1.6"}, "variable": {"name": "heartbeatinterval"}}
    generic.monitor_variables([registered, key("AuthorizationKey")])
    store.set_internal("HeartbeatInterval", "60")
    store.set_internal("MeterValueSampleInterval", "5")  # not monitored
    store.set_internal("AuthorizationKey", "0123456789abcdef0123")  # write-only: never its value
    backend.trigger = None  # the backend decides which changes count
    store.set_internal("HeartbeatInterval", "61")
    assert [var for var, _ in published] == ["event_data", "event_data"]
    first, second = (value for _, value in published)
    assert {k: v for k, v in first.items() if k != "timestamp"} == {
        "component_variable": registered,
        "event_id": 1,
        "trigger": "Alerting",
        "actual_value": "60",
        "event_notification_type": "CustomMonitor",
    }
    assert (second["component_variable"], second["event_id"], second["actual_value"]) == (
        key("AuthorizationKey"),
        2,
        "",
    )
    assert first["timestamp"].endswith("Z")


def test_backend_events_become_the_interface_vars() -> None:
    generic, published = interface()
    generic.connection_changed(True)
    generic.boot_notification_response({"status": "Accepted"})
    generic.internal_security_event("X" * 60, None)
    generic.internal_security_event("StartupOfTheDevice", "i" * 300)
    generic.charging_schedules([{"evse": 0}])
    generic.transaction_event({"transaction_event": "Started"})
    generic.transaction_event_response({"original_transaction_event": {}})
    assert published == [
        ("is_connected", True),
        ("boot_notification_response", {"status": "Accepted"}),
        ("security_event", {"type": "X" * 50, "info": ""}),
        ("security_event", {"type": "StartupOfTheDevice", "info": "i" * 255}),
        ("charging_schedules", {"schedules": [{"evse": 0}]}),
        ("ocpp_transaction_event", {"transaction_event": "Started"}),
        ("ocpp_transaction_event_response", {"original_transaction_event": {}}),
    ]
