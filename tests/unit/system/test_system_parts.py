"""Version-neutral parts: EVerest requests for firmware and logs, the installation gate, the
system and security services' fallbacks, the system events held until OCPP runs, and the provided
data_transfer."""

from __future__ import annotations

import asyncio
from typing import Any

from everest_ocpp.bridge.services import DataTransferService, SecurityService, SystemService
from everest_ocpp.bridge.system_events import SystemEvents
from everest_ocpp.everest.errors import CmdError, CmdErrorType
from everest_ocpp.provides.data_transfer import DataTransfer
from everest_ocpp.shared_blocks.install_gate import InstallGate
from everest_ocpp.shared_blocks.system_requests import firmware_request, log_request, upload_filename
from everest_ocpp.tasks import TaskGroup

from .fakes import FakeEvse, FakeRuntime, settle


def test_firmware_request_counts_every_attempt_and_normalises_times() -> None:
    assert firmware_request(-1, "ftp://x", "2026-01-01T01:00:00+01:00", retries=0, retry_interval=5) == {
        "request_id": -1,
        "location": "ftp://x",
        "retrieve_timestamp": "2026-01-01T00:00:00.000Z",
        "retries": 1,
        "retry_interval_s": 5,
    }
    signed = firmware_request(
        3, "x", "bad time", install="2026-01-02T00:00:00Z", signing_certificate="c", signature="s"
    )
    assert signed == {
        "request_id": 3,
        "location": "x",
        "retrieve_timestamp": "bad time",  # kept as given when it cannot be parsed
        "install_timestamp": "2026-01-02T00:00:00.000Z",
        "signing_certificate": "c",
        "signature": "s",
    }


def test_log_request_and_file_name() -> None:
    assert log_request(
        "ftp://l", request_id=4, log_type="SecurityLog", latest="2026-01-01T00:00:00Z", retries=2
    ) == {
        "location": "ftp://l",
        "retries": 3,
        "request_id": 4,
        "type": "SecurityLog",
        "latest_timestamp": "2026-01-01T00:00:00.000Z",
    }
    assert upload_filename({"file_name": "x" * 300}) == "x" * 255
    assert upload_filename({"upload_logs_status": "Rejected"}) is None


def test_install_gate_waits_for_transactions_and_allows_once() -> None:
    async def run() -> list[Any]:
        evse = FakeEvse(running={1})
        seen: list[Any] = []

        async def block(ids: list[int]) -> None:
            seen.append(("block", ids))

        async def unblock(ids: list[int]) -> None:
            seen.append(("unblock", ids))

        async def allow() -> None:
            seen.append("allow")

        tasks = TaskGroup()
        gate = InstallGate(evse, block, unblock, allow, tasks)  # type: ignore[arg-type]
        await gate.begin()
        assert gate.busy()
        evse.finish(1)
        await settle()
        await gate.begin()  # a later report while pending: nothing new
        await gate.end()
        evse.finish(2)  # not pending any more: ignored
        await settle()
        await tasks.cancel_all()
        return seen

    assert asyncio.run(run()) == [("block", [2]), ("block", [1]), "allow", ("unblock", [2, 1])]


def test_services_answer_when_the_module_is_missing_or_fails() -> None:
    async def run() -> list[Any]:
        failing = FakeRuntime(
            {
                "system": {
                    "update_firmware": CmdError(CmdErrorType.HANDLER_EXCEPTION, "boom"),
                    "upload_logs": "odd",
                },
                "security": {
                    "get_leaf_expiry_days_count": "many",
                    "generate_certificate_signing_request": None,
                },
                "data_transfer": {"data_transfer": CmdError(CmdErrorType.CMD_TIMEOUT, "late")},
            }
        )
        none = FakeRuntime({})
        return [
            await SystemService(failing).update_firmware({}),  # type: ignore[arg-type]
            await SystemService(failing).upload_logs({}),  # type: ignore[arg-type]
            await SystemService(none).update_firmware({}),  # type: ignore[arg-type]
            await SystemService(none).upload_logs({}),  # type: ignore[arg-type]
            await SecurityService(failing).get_leaf_expiry_days_count("CSMS"),  # type: ignore[arg-type]
            await SecurityService(failing).generate_certificate_signing_request(
                "CSMS", "DE", "O", "C", False
            ),  # type: ignore[arg-type]
            await SecurityService(none).install_ca_certificate("c", "CSMS"),  # type: ignore[arg-type]
            await SecurityService(none).delete_certificate({}),  # type: ignore[arg-type]
            await SecurityService(none).get_installed_certificates(["CSMSRootCertificate"]),  # type: ignore[arg-type]
            await SecurityService(none).verify_certificate("c", ["MF"]),  # type: ignore[arg-type]
            await DataTransferService(failing).data_transfer({"vendor_id": "v"}),  # type: ignore[arg-type]
            await DataTransferService(none).data_transfer({"vendor_id": "v"}),  # type: ignore[arg-type]
        ]

    assert asyncio.run(run()) == [
        "Rejected",
        {"upload_logs_status": "Rejected"},
        "Rejected",
        {"upload_logs_status": "Rejected"},
        0,
        {"status": "GenerationError"},
        "WriteError",
        "Failed",
        [],
        "Unknown",
        None,
        None,
    ]


class VarRuntime(FakeRuntime):
    def __init__(self) -> None:
        super().__init__({"system": {}})
        self.subscribed: dict[str, Any] = {}

    def subscribe_var(self, requirement: str, index: int, var: str, callback: Any) -> None:
        self.subscribed[var] = callback


def test_system_reports_are_held_until_ocpp_runs_then_delivered_in_order() -> None:
    runtime = VarRuntime()
    events = SystemEvents(runtime)  # type: ignore[arg-type]
    events.subscribe()
    firmware: list[Any] = []
    logs: list[Any] = []
    events.firmware_listeners.append(firmware.append)
    events.log_listeners.append(logs.append)
    runtime.subscribed["firmware_update_status"]({"firmware_update_status": "Downloading", "request_id": 1})
    runtime.subscribed["log_status"]({"log_status": "Uploading", "request_id": 2})
    runtime.subscribed["firmware_update_status"]("not an object")
    assert firmware == [] and logs == []
    events.release()
    runtime.subscribed["firmware_update_status"]({"firmware_update_status": "Downloaded", "request_id": 1})
    assert [f["firmware_update_status"] for f in firmware] == ["Downloading", "Downloaded"]
    assert logs == [{"log_status": "Uploading", "request_id": 2}]


def test_system_events_without_a_system_module_subscribe_nothing() -> None:
    runtime = FakeRuntime({})
    events = SystemEvents(runtime)  # type: ignore[arg-type]
    events.subscribe()  # would fail on a missing subscribe_var if it tried
    assert events.connected is False


class Block:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []

    async def send(self, request: dict[str, Any]) -> dict[str, Any]:
        self.requests.append(request)
        return {"status": "Accepted", "data": "pong"}


class Backend:
    def __init__(self) -> None:
        self.data_transfer = Block()


def test_provided_data_transfer_goes_through_the_running_backend() -> None:
    provided = DataTransfer(lambda _var, _value: None)
    request = {"vendor_id": "v", "message_id": "m", "data": "d"}
    assert asyncio.run(provided.data_transfer(request)) == {"status": "Offline"}  # OCPP not running
    backend = Backend()
    provided.attach(backend)  # type: ignore[arg-type]
    assert asyncio.run(provided.data_transfer(request)) == {"status": "Accepted", "data": "pong"}
    assert backend.data_transfer.requests == [request]
