"""The 1.6 firmware, diagnostics, certificate, data transfer and ExtendedTriggerMessage blocks in
process, with a fake outbox, sender and EVerest modules."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from ocpp.exceptions import InternalError
from ocpp.v16 import call, call_result

from everest_ocpp.bridge.services import DataTransferService, SecurityService, SystemService
from everest_ocpp.shared_blocks.install_gate import InstallGate
from everest_ocpp.tasks import TaskGroup
from everest_ocpp.v16.certificates import Certificates16
from everest_ocpp.v16.configuration import ChargePointConfiguration
from everest_ocpp.v16.data_transfer import DataTransfer16
from everest_ocpp.v16.diagnostics import Diagnostics16
from everest_ocpp.v16.extended_trigger import ExtendedTrigger16
from everest_ocpp.v16.firmware import Firmware16, startup_event

from .fakes import Events, FakeEvse, FakeOutbox, FakeRuntime, FakeSender

ROOT = Path(__file__).resolve().parents[3]
CONFIG_16 = ROOT / "module" / "everest_ocpp" / "data" / "v16" / "config-test.json"


def firmware16(
    runtime: FakeRuntime, outbox: FakeOutbox | None = None
) -> tuple[Firmware16, FakeSender, Events, list[Any], TaskGroup]:
    sender, events, gate_log, tasks = FakeSender(), Events(), [], TaskGroup()

    async def block(ids: list[int]) -> None:
        gate_log.append(("off", ids))

    async def unblock(ids: list[int]) -> None:
        gate_log.append(("on", ids))

    system = SystemService(runtime)  # type: ignore[arg-type]
    gate = InstallGate(FakeEvse(), block, unblock, system.allow_firmware_installation, tasks)  # type: ignore[arg-type]
    block16 = Firmware16(
        sender,  # type: ignore[arg-type]
        outbox or FakeOutbox(),  # type: ignore[arg-type]
        system,
        SecurityService(runtime),  # type: ignore[arg-type]
        events,
        gate,
    )
    return block16, sender, events, gate_log, tasks


def test_plain_firmware_statuses_and_the_trigger() -> None:
    runtime = FakeRuntime({"system": {"allow_firmware_installation": None}})
    outbox = FakeOutbox()
    fw, sender, _events, gate_log, _ = firmware16(runtime, outbox)

    async def run() -> None:
        for status in ("Downloading", "Downloaded", "InstallRebooting", "Installing", "Installed"):
            await fw.on_status({"firmware_update_status": status, "request_id": -1})
        await fw.send_status()

    asyncio.run(run())
    assert sender.pushed == [
        ("FirmwareStatusNotification", {"status": s})
        for s in ("Downloading", "Downloaded", "Installing", "Installed")
    ]
    assert gate_log == [("off", [1, 2]), ("on", [1, 2])]
    assert runtime.called("system", "allow_firmware_installation") == [{}]
    assert outbox.sent == [call.FirmwareStatusNotification(status="Idle")]  # Idle again after Installed


def test_signed_firmware_statuses_events_and_extended_trigger() -> None:
    runtime = FakeRuntime({"system": {"allow_firmware_installation": None}})
    outbox = FakeOutbox()
    fw, sender, events, gate_log, _ = firmware16(runtime, outbox)

    async def run() -> None:
        await fw.on_status({"firmware_update_status": "DownloadScheduled", "request_id": 4})
        await fw.send_signed_status()
        await fw.on_status({"firmware_update_status": "SignatureVerified", "request_id": 4})
        await fw.on_status({"firmware_update_status": "InvalidSignature", "request_id": 4})
        await fw.send_signed_status()

    asyncio.run(run())
    assert sender.pushed == [
        ("SignedFirmwareStatusNotification", {"status": s, "request_id": 4})
        for s in ("DownloadScheduled", "SignatureVerified", "InvalidSignature")
    ]
    assert events.raised == [("InvalidFirmwareSignature", None, True)]
    assert gate_log == [("off", [1, 2]), ("on", [1, 2])]
    assert outbox.sent == [
        call.SignedFirmwareStatusNotification(status="DownloadScheduled", request_id=4),
        call.SignedFirmwareStatusNotification(status="Idle", request_id=None),  # type: ignore[arg-type]
    ]


def test_signed_update_without_a_security_module_is_rejected() -> None:
    fw, _, _, _, _ = firmware16(FakeRuntime({"system": {"update_firmware": "Accepted"}}))
    firmware = {
        "location": "x",
        "retrieve_date_time": "2026-01-01T00:00:00Z",
        "signing_certificate": "c",
        "signature": "s",
    }
    answer = asyncio.run(fw.on_signed_update_firmware(request_id=1, firmware=firmware, call_unique_id="id-1"))
    assert answer == call_result.SignedUpdateFirmware(status="Rejected")


def test_startup_events_follow_the_boot_reason() -> None:
    assert startup_event("PowerUp") == ("StartupOfTheDevice", "Charge point started")
    assert startup_event("FirmwareUpdate")[0] == "FirmwareUpdated"
    assert startup_event("RemoteReset")[0] == startup_event("ScheduledReset")[0] == "ResetOrReboot"


def test_diagnostics_and_log_status() -> None:
    sender, outbox = FakeSender(), FakeOutbox()
    diag = Diagnostics16(sender, outbox, SystemService(FakeRuntime({})))  # type: ignore[arg-type]

    async def run() -> None:
        diag.on_status({"log_status": "Uploading", "request_id": -1})
        await diag.send_diagnostics_status()
        diag.on_status({"log_status": "PermissionDenied", "request_id": -1})
        diag.on_status({"log_status": "AcceptedCanceled", "request_id": -1})  # no DiagnosticsStatus for it
        await diag.send_diagnostics_status()
        diag.on_status({"log_status": "Uploading", "request_id": 9})
        diag.on_status({"log_status": "AcceptedCanceled", "request_id": 9})  # no 1.6 UploadLogStatus
        await diag.send_log_status()
        diag.on_status({"log_status": "UploadFailure", "request_id": 9})
        await diag.send_log_status()

    asyncio.run(run())
    assert sender.pushed == [
        ("DiagnosticsStatusNotification", {"status": "Uploading"}),
        ("DiagnosticsStatusNotification", {"status": "UploadFailed"}),
        ("LogStatusNotification", {"status": "Uploading", "request_id": 9}),
        ("LogStatusNotification", {"status": "UploadFailure", "request_id": 9}),
    ]
    assert outbox.sent == [
        call.DiagnosticsStatusNotification(status="Uploading"),
        call.DiagnosticsStatusNotification(status="Idle"),
        call.LogStatusNotification(status="Uploading", request_id=9),
        call.LogStatusNotification(status="Idle", request_id=None),  # type: ignore[arg-type]
    ]


def test_get_log_without_a_system_module_is_rejected() -> None:
    diag = Diagnostics16(FakeSender(), FakeOutbox(), SystemService(FakeRuntime({})))  # type: ignore[arg-type]
    answer = asyncio.run(
        diag.on_get_log(log={"remote_location": "x"}, log_type="DiagnosticsLog", request_id=1)
    )
    assert answer == call_result.GetLog(status="Rejected")
    assert asyncio.run(diag.on_get_diagnostics(location="x")) == call_result.GetDiagnostics()


def certificates16(
    tmp_path: Path, answers: dict[str, Any], outbox: FakeOutbox
) -> tuple[Certificates16, Events, TaskGroup]:
    config = ChargePointConfiguration.load(CONFIG_16, tmp_path / "user.json")
    config.set_internal("SeccLeafSubjectCountry", "NL")
    config.set_internal("SecurityProfile", "3")
    events, tasks = Events(), TaskGroup()

    async def changed() -> None:
        return None

    block = Certificates16(
        config, outbox, SecurityService(FakeRuntime({"security": answers})), events, changed, tasks
    )  # type: ignore[arg-type]
    return block, events, tasks


def test_renewal_under_profile_3_sends_a_csr_when_the_certificate_expires_soon(tmp_path: Path) -> None:
    csr = {"status": "Accepted", "csr": "CSR"}
    outbox = FakeOutbox({"SignCertificate": call_result.SignCertificate(status="Accepted")})
    days = iter([40, 12])
    block, _, tasks = certificates16(
        tmp_path,
        {"get_leaf_expiry_days_count": lambda _args: next(days), "generate_certificate_signing_request": csr},
        outbox,
    )
    block.first_check_s, block.check_every_s = 0.0, 0.01

    async def run() -> None:
        block.start_renewal()
        async with asyncio.timeout(5):
            while not outbox.sent:
                await asyncio.sleep(0.005)
        block.stop_renewal()
        await tasks.cancel_all()

    asyncio.run(run())
    assert outbox.sent == [call.SignCertificate(csr="CSR")]


def test_a_csr_that_cannot_be_made_raises_csr_generation_failed(tmp_path: Path) -> None:
    outbox = FakeOutbox()
    block, events, _ = certificates16(
        tmp_path, {"generate_certificate_signing_request": {"status": "KeyGenError"}}, outbox
    )
    asyncio.run(block.sign())
    assert outbox.sent == [] and events.raised == [
        ("CSRGenerationFailed", "Sign certificate failed due to:KeyGenError", None)
    ]


def test_data_transfer_to_the_csms_offline_refused_and_answered() -> None:
    service = DataTransferService(FakeRuntime({}))  # type: ignore[arg-type]
    request = {"vendor_id": "v", "message_id": "m", "data": "d"}
    offline = DataTransfer16(FakeOutbox(), lambda: False, service)  # type: ignore[arg-type]
    refused = DataTransfer16(FakeOutbox({"DataTransfer": InternalError()}), lambda: True, service)  # type: ignore[arg-type]
    unanswered = DataTransfer16(FakeOutbox({"DataTransfer": TimeoutError()}), lambda: True, service)  # type: ignore[arg-type]
    outbox = FakeOutbox({"DataTransfer": call_result.DataTransfer(status="Accepted", data="r")})
    answered = DataTransfer16(outbox, lambda: True, service)  # type: ignore[arg-type]
    assert asyncio.run(offline.send(request)) == {"status": "Offline"}
    assert asyncio.run(refused.send(request)) == {"status": "Rejected"}
    assert asyncio.run(unanswered.send(request)) == {"status": "Offline"}
    assert asyncio.run(answered.send(request)) == {"status": "Accepted", "data": "r"}
    assert outbox.sent == [call.DataTransfer(vendor_id="v", message_id="m", data="d")]


class Provisioning:
    """What ExtendedTriggerMessage borrows from TriggerMessage."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, int | None]] = []

    def on_trigger_message(
        self, requested_message: str, call_unique_id: str, connector_id: int | None = None
    ) -> Any:
        status = "NotImplemented" if requested_message == "MeterValues" else "Accepted"
        return call_result.TriggerMessage(status=status)

    async def after_trigger_message(
        self, requested_message: str, call_unique_id: str, connector_id: int | None = None
    ) -> None:
        self.sent.append((requested_message, connector_id))


class Sends:
    def __init__(self) -> None:
        self.sent: list[str] = []
        self.cpo = True

    async def send_signed_status(self) -> None:
        self.sent.append("firmware")

    async def send_log_status(self) -> None:
        self.sent.append("log")

    async def sign(self) -> None:
        self.sent.append("sign")

    def can_sign(self) -> bool:
        return self.cpo


def test_extended_trigger_answers_and_sends() -> None:
    provisioning, own = Provisioning(), Sends()
    trigger = ExtendedTrigger16(provisioning, own, own, own, lambda: 2)  # type: ignore[arg-type]

    async def ask(message: str, connector: int | None = None) -> str:
        answer = await trigger.on_extended_trigger_message(message, "id", connector_id=connector)
        await trigger.after_extended_trigger_message(message, "id", connector_id=connector)
        return str(answer.status)

    async def run() -> list[str]:
        answers = [
            await ask("StatusNotification", 2),
            await ask("MeterValues"),
            await ask("FirmwareStatusNotification"),
        ]
        answers += [
            await ask("LogStatusNotification"),
            await ask("SignChargePointCertificate"),
            await ask("Heartbeat", 3),
        ]
        own.cpo = False
        answers.append(await ask("SignChargePointCertificate"))
        return answers

    answers = asyncio.run(run())
    assert answers == [
        "Accepted",
        "NotImplemented",
        "Accepted",
        "Accepted",
        "Accepted",
        "Rejected",
        "Rejected",
    ]
    assert provisioning.sent == [("StatusNotification", 2)]
    assert own.sent == ["firmware", "log", "sign"]
