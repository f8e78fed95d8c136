"""The provided implementations besides ocpp_generic (module/everest_ocpp/provides), in process.

A fake runtime records registrations and publications; ``main`` runs on the real 1.6 configuration
store (the package's test config) behind a minimal backend. Every answer is checked against the
interface's result schema, as the runtime does before replying.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from everest_ocpp.everest import metaschema
from everest_ocpp.everest.definition_check import CheckedDefinitions, check_definitions
from everest_ocpp.generic.backend import AvailabilityResult, SecurityEventRequest
from everest_ocpp.provides import Provided, register_all
from everest_ocpp.provides.events import BackendEventsFanOut
from everest_ocpp.v16.configuration import ChargePointConfiguration
from everest_ocpp.variables import Source, VariableChange, VariableRef

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "module" / "everest_ocpp" / "data" / "v16"


@dataclass
class FakeRuntime:
    handlers: dict[tuple[str, str], Any] = field(default_factory=dict)
    published: list[tuple[str, str, Any]] = field(default_factory=list)

    def implement(self, impl: str, cmd: str, handler: Any) -> None:
        assert (impl, cmd) not in self.handlers
        self.handlers[(impl, cmd)] = handler

    def publish_var(self, impl: str, var: str, value: Any) -> bool:
        self.published.append((impl, var, value))
        return True

    def call(self, impl: str, cmd: str, **args: Any) -> Any:
        result = self.handlers[(impl, cmd)](**args)
        return asyncio.run(result) if asyncio.iscoroutine(result) else result


class Events:
    """Stands in for ocpp_generic (an OcppInterface) as a BackendEvents sink."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, Any]] = []

    def connection_changed(self, connected: bool) -> None:
        self.seen.append(("connection_changed", connected))

    def boot_notification_response(self, response: dict[str, Any]) -> None:
        self.seen.append(("boot_notification_response", response))

    def internal_security_event(self, type: str, info: str | None) -> None:
        self.seen.append(("internal_security_event", (type, info)))

    def charging_schedules(self, schedules: list[dict[str, Any]]) -> None:
        self.seen.append(("charging_schedules", schedules))


class FakeBackend:
    def __init__(self, version: str, variables: Any) -> None:
        self.version = version
        self.variables = variables
        self.calls: list[tuple[str, Any]] = []
        self.running = True

    async def stop(self) -> bool:
        self.calls.append(("stop", None))
        was, self.running = self.running, False
        return was

    async def restart(self) -> bool:
        self.calls.append(("restart", None))
        was, self.running = self.running, True
        return not was

    def security_event(self, event: SecurityEventRequest) -> None:
        self.calls.append(("security_event", event))

    async def change_availability(
        self, operative: bool, evse_id: int | None, connector_id: int | None
    ) -> AvailabilityResult:
        return AvailabilityResult("Rejected")

    def monitor_trigger(self, change: VariableChange) -> str | None:
        return None


@pytest.fixture(scope="module")
def defs() -> CheckedDefinitions:
    return check_definitions(ROOT)


@pytest.fixture
def runtime() -> FakeRuntime:
    return FakeRuntime()


@pytest.fixture
def provided(runtime: FakeRuntime) -> Provided:
    return register_all(runtime, Events())


@pytest.fixture
def store(tmp_path: Path) -> ChargePointConfiguration:
    return ChargePointConfiguration.load(DATA / "config-test.json", tmp_path / "user_config.json")


def _valid_result(defs: CheckedDefinitions, impl: str, cmd: str, value: Any) -> None:
    iface = defs.manifest["provides"][impl]["interface"]
    schema = defs.interfaces[iface]["cmds"][cmd].get("result", {"type": "null"})
    errors = [e.message for e in metaschema.value_validator(schema, defs.registry).iter_errors(value)]
    assert errors == [], f"{impl}.{cmd} answered {value!r}"


def _valid_var(defs: CheckedDefinitions, impl: str, var: str, value: Any) -> None:
    iface = defs.manifest["provides"][impl]["interface"]
    schema = defs.interfaces[iface]["vars"][var]
    assert [e.message for e in metaschema.value_validator(schema, defs.registry).iter_errors(value)] == []


# --------------------------------------------------------------------------- registration


def test_every_command_of_every_provided_interface_has_a_handler(
    defs: CheckedDefinitions, runtime: FakeRuntime, provided: Provided
) -> None:
    expected = {
        (impl, cmd)
        for impl, spec in defs.manifest["provides"].items()
        if impl != "ocpp_generic"
        for cmd in defs.interfaces[spec["interface"]].get("cmds") or {}
    }
    assert set(runtime.handlers) == expected
    assert set(provided.implementations) == set(defs.manifest["provides"]) - {"ocpp_generic"}
    assert len(expected) == 8  # main: 6, auth_validator: 1, data_transfer: 1


# --------------------------------------------------------------------------- placeholders


PLACEHOLDER_CALLS = {
    ("auth_validator", "validate_token"): (
        {"provided_token": {"id_token": {"value": "TAG", "type": "ISO14443"}, "authorization_type": "RFID"}},
        {"authorization_status": "Unknown", "tariff_messages": []},
    ),
    ("data_transfer", "data_transfer"): (
        {"request": {"vendor_id": "com.example", "message_id": "m", "data": "x"}},
        {"status": "Offline"},
    ),
}


@pytest.mark.parametrize("version", [None, "1.6", "2.0.1"])
@pytest.mark.parametrize("call", PLACEHOLDER_CALLS, ids=[f"{i}.{c}" for i, c in PLACEHOLDER_CALLS])
def test_placeholders_answer_like_cpp_without_charge_point(
    defs: CheckedDefinitions,
    runtime: FakeRuntime,
    provided: Provided,
    store: ChargePointConfiguration,
    version: str | None,
    call: tuple[str, str],
) -> None:
    if version is not None:
        provided.attach(FakeBackend(version, store))  # type: ignore[arg-type]
    args, expected = PLACEHOLDER_CALLS[call]
    for _ in range(2):
        result = runtime.call(*call, **args)
        assert result == expected
        _valid_result(defs, *call, result)
    assert runtime.published == []


# --------------------------------------------------------------------------- main on 1.6


@pytest.fixture
def main16(
    runtime: FakeRuntime, provided: Provided, store: ChargePointConfiguration
) -> tuple[FakeRuntime, FakeBackend, ChargePointConfiguration]:
    backend = FakeBackend("1.6", store)
    provided.attach(backend)  # type: ignore[arg-type]
    return runtime, backend, store


def test_main_get_configuration_key_matches_get_configuration(defs: CheckedDefinitions, main16: Any) -> None:
    runtime, _, store = main16
    keys = ["heartbeatinterval", "Nope", "AuthorizationKey"]
    result = runtime.call("main", "get_configuration_key", keys=keys)
    assert result == {
        "configuration_keys": [{"key": "HeartbeatInterval", "read_only": False, "value": "86400"}],
        "unknown_keys": ["Nope", "AuthorizationKey"],
    }
    _valid_result(defs, "main", "get_configuration_key", result)
    everything = runtime.call("main", "get_configuration_key", keys=[])
    known = store.get_configuration([]).known
    assert [(k["key"], k["read_only"], k.get("value")) for k in everything["configuration_keys"]] == [
        (kv.key, kv.readonly, kv.value) for kv in known
    ]
    assert everything["unknown_keys"] == [] and len(known) > 30
    _valid_result(defs, "main", "get_configuration_key", everything)


@pytest.mark.parametrize(
    ("key", "value", "status"),
    [
        ("HeartbeatInterval", "120", "Accepted"),
        ("heartbeatinterval", "abc", "Rejected"),
        ("ChargePointModel", "X", "Rejected"),  # a read-only Internal key
        ("GetConfigurationMaxKeys", "5", "Rejected"),  # read-only
        ("NoSuchKey", "1", "NotSupported"),
        ("MeterValueSampleInterval", "x" * 501, "Rejected"),
    ],
)
def test_main_set_configuration_key_follows_change_configuration(
    defs: CheckedDefinitions, main16: Any, key: str, value: str, status: str
) -> None:
    runtime, _, store = main16
    assert runtime.call("main", "set_configuration_key", key=key, value=value) == status
    _valid_result(defs, "main", "set_configuration_key", status)
    if status == "Accepted":
        assert store.get_configuration([key]).known[0].value == value


def test_main_monitors_publish_accepted_changes_only(defs: CheckedDefinitions, main16: Any) -> None:
    runtime, _, store = main16
    assert runtime.call("main", "monitor_configuration_keys", keys=["heartbeatInterval"]) is None
    assert runtime.call("main", "monitor_configuration_keys", keys=["AuthorizationKey"]) is None
    store.change_configuration("HeartbeatInterval", "60")  # the CSMS
    store.change_configuration("MeterValueSampleInterval", "10")  # not monitored
    store.change_configuration("HeartbeatInterval", "oops")  # refused
    store.set_internal("HeartbeatInterval", "300")  # the module's own write (BootNotification.conf)
    runtime.call("main", "set_configuration_key", key="HeartbeatInterval", value="90")
    store.change_configuration("AuthorizationKey", "0123456789abcdef0123")
    assert runtime.published == [
        ("main", "configuration_key", {"key": "HeartbeatInterval", "read_only": False, "value": "60"}),
        ("main", "configuration_key", {"key": "HeartbeatInterval", "read_only": False, "value": "90"}),
        ("main", "configuration_key", {"key": "AuthorizationKey", "read_only": False}),
    ]
    for _, var, value in runtime.published:
        _valid_var(defs, "main", var, value)


def test_main_monitors_registered_before_the_backend_hold(
    runtime: FakeRuntime, provided: Provided, store: ChargePointConfiguration
) -> None:
    runtime.call("main", "monitor_configuration_keys", keys=["HeartbeatInterval"])
    provided.attach(FakeBackend("1.6", store))  # type: ignore[arg-type]
    store.change_configuration("HeartbeatInterval", "61")
    assert runtime.published == [
        ("main", "configuration_key", {"key": "HeartbeatInterval", "read_only": False, "value": "61"})
    ]


def test_main_stop_restart_and_security_event_reach_the_backend(main16: Any) -> None:
    runtime, backend, _ = main16
    assert runtime.call("main", "restart") is False
    assert runtime.call("main", "stop") is True
    assert runtime.call("main", "stop") is False
    assert runtime.call("main", "restart") is True
    assert runtime.call("main", "security_event", type="T" * 60, info="i" * 300) is None
    assert backend.calls[:4] == [
        ("restart", None),
        ("stop", None),
        ("stop", None),
        ("restart", None),
    ]
    assert backend.calls[4] == ("security_event", SecurityEventRequest(type="T" * 50, info="i" * 255))


# --------------------------------------------------------------------------- main without a 1.6 charge point


STOPPED_ANSWERS = [
    ("stop", {}, False),
    ("restart", {}, False),
    ("get_configuration_key", {"keys": ["HeartbeatInterval", "X"]}, None),
    ("set_configuration_key", {"key": "HeartbeatInterval", "value": "1"}, "Rejected"),
    ("monitor_configuration_keys", {"keys": ["HeartbeatInterval"]}, None),
    ("security_event", {"type": "StartupOfTheDevice", "info": ""}, None),
]


@pytest.mark.parametrize("version", [None, "2.0.1"])
def test_main_answers_as_a_stopped_charge_point(
    defs: CheckedDefinitions,
    runtime: FakeRuntime,
    provided: Provided,
    version: str | None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    backend = FakeBackend(version or "", variables=None)
    if version is not None:
        provided.attach(backend)  # type: ignore[arg-type]
    with caplog.at_level(logging.WARNING, logger="everest_ocpp.provides.charge_point_16"):
        for cmd, args, expected in STOPPED_ANSWERS * 2:
            result = runtime.call("main", cmd, **args)
            if cmd == "get_configuration_key":
                expected = {"configuration_keys": [], "unknown_keys": ["HeartbeatInterval", "X"]}
            assert result == expected, cmd
            _valid_result(defs, "main", cmd, result)
    assert backend.calls == [] and runtime.published == []
    if version == "2.0.1":
        assert len(caplog.records) == 1  # warned once
        assert "only works with OCPP 1.6" in caplog.records[0].getMessage()
    else:
        assert len(caplog.records) == 10  # every call but monitor_configuration_keys (kept for later)


# --------------------------------------------------------------------------- events fan-out


def test_backend_events_reach_ocpp_generic_and_main(defs: CheckedDefinitions) -> None:
    runtime = FakeRuntime()
    generic = Events()
    provided = register_all(runtime, generic)
    events = provided.events
    assert isinstance(events, BackendEventsFanOut)
    events.connection_changed(True)
    events.internal_security_event("StartupOfTheDevice", None)
    events.internal_security_event("X" * 60, "y" * 300)
    events.boot_notification_response({"status": "Accepted"})
    events.charging_schedules([])
    assert generic.seen == [
        ("connection_changed", True),
        ("internal_security_event", ("StartupOfTheDevice", None)),
        ("internal_security_event", ("X" * 60, "y" * 300)),
        ("boot_notification_response", {"status": "Accepted"}),
        ("charging_schedules", []),
    ]
    assert runtime.published == [
        ("main", "is_connected", True),
        ("main", "security_event", {"type": "StartupOfTheDevice", "info": ""}),
        ("main", "security_event", {"type": "X" * 50, "info": "y" * 255}),
    ]
    for _, var, value in runtime.published:
        _valid_var(defs, "main", var, value)


def test_internal_writes_are_tagged_internal(store: ChargePointConfiguration) -> None:
    # main relies on this to skip the module's own writes
    seen: list[VariableChange] = []
    store.add_listener(seen.append)
    store.set_heartbeat_interval(42)
    assert [(c.ref, c.source) for c in seen] == [(VariableRef("", "HeartbeatInterval"), Source.INTERNAL)]
