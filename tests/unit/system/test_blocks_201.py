"""The 2.0.1 firmware, log upload, certificate, data transfer and SetNetworkProfile blocks in process,
with a fake outbox, sender and EVerest modules; the exact JSON of DataTransfer through a real session."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest
from ocpp.v201 import ChargePoint as V201ChargePoint
from ocpp.v201 import call, call_result

from everest_ocpp.bridge.services import DataTransferService, SecurityService, SystemService
from everest_ocpp.csms.charge_point import ChargePointSession
from everest_ocpp.csms.outbox import Outbox
from everest_ocpp.csms.redaction import redacted
from everest_ocpp.shared_blocks.install_gate import InstallGate
from everest_ocpp.tasks import TaskGroup
from everest_ocpp.v201.certificates import Certificates201
from everest_ocpp.v201.data_transfer import DataTransfer201, ExactJsonSession
from everest_ocpp.v201.device_model import DeviceModel
from everest_ocpp.v201.device_model import well_known as wk
from everest_ocpp.v201.diagnostics import LogUpload201
from everest_ocpp.v201.firmware import Firmware201
from everest_ocpp.v201.network_profile import NetworkProfiles201

from .fakes import Events, FakeEvse, FakeOutbox, FakeRuntime, FakeSender


def firmware201(running: set[int]) -> tuple[Firmware201, FakeSender, Events, FakeOutbox, list[Any]]:
    sender, events, outbox, gate_log = FakeSender(), Events(), FakeOutbox(), []

    async def block(ids: list[int]) -> None:
        gate_log.append(("off", ids))

    async def unblock(ids: list[int]) -> None:
        gate_log.append(("on", ids))

    async def allow() -> None:
        gate_log.append("allow")

    gate = InstallGate(FakeEvse(running=running), block, unblock, allow, TaskGroup())  # type: ignore[arg-type]
    runtime = FakeRuntime({})
    fw = Firmware201(
        sender,  # type: ignore[arg-type]
        outbox,  # type: ignore[arg-type]
        SystemService(runtime),  # type: ignore[arg-type]
        SecurityService(runtime),  # type: ignore[arg-type]
        events,
        gate,
    )
    fw.firmware_version = lambda: "9.9"
    return fw, sender, events, outbox, gate_log


def test_firmware_reports_once_schedules_installation_and_triggers() -> None:
    fw, sender, events, outbox, gate_log = firmware201(running={1})

    async def run() -> None:
        await fw.on_status({"firmware_update_status": "Downloading", "request_id": 3})
        await fw.on_status({"firmware_update_status": "Downloading", "request_id": 3})  # repeated: not sent
        await fw.on_status({"firmware_update_status": "Downloaded", "request_id": 3})
        await fw.send_status()
        await fw.on_status({"firmware_update_status": "Installed", "request_id": 3})
        await fw.send_status()

    asyncio.run(run())
    assert sender.pushed == [
        ("FirmwareStatusNotification", {"status": "Downloading", "request_id": 3}),
        ("FirmwareStatusNotification", {"status": "Downloaded", "request_id": 3}),
        ("FirmwareStatusNotification", {"status": "InstallScheduled", "request_id": 3}),
        ("FirmwareStatusNotification", {"status": "Installed", "request_id": 3}),
    ]
    assert gate_log == [("off", [2]), ("on", [2])]  # EVSE 1 still charging: not allowed yet
    assert events.raised == [("FirmwareUpdated", "New firmware successfully installed! Version: 9.9", True)]
    assert outbox.sent == [
        call.FirmwareStatusNotification(status="InstallScheduled", request_id=3),
        call.FirmwareStatusNotification(status="Idle"),
    ]


def test_log_upload_status_and_trigger() -> None:
    sender, outbox = FakeSender(), FakeOutbox()
    logs = LogUpload201(sender, outbox, SystemService(FakeRuntime({})))  # type: ignore[arg-type]

    async def run() -> None:
        logs.on_status({"log_status": "Uploading", "request_id": 8})
        await logs.send_status()
        logs.on_status({"log_status": "AcceptedCanceled", "request_id": 8})
        await logs.send_status()

    asyncio.run(run())
    assert sender.pushed == [
        ("LogStatusNotification", {"status": "Uploading", "request_id": 8}),
        ("LogStatusNotification", {"status": "AcceptedCanceled", "request_id": 8}),
    ]
    assert outbox.sent == [
        call.LogStatusNotification(status="Uploading", request_id=8),
        call.LogStatusNotification(status="Idle"),
    ]


def certificates201(
    dm: DeviceModel, outbox: FakeOutbox, csr: dict[str, Any]
) -> tuple[Certificates201, TaskGroup]:
    runtime = FakeRuntime({"security": {"generate_certificate_signing_request": csr}})
    tasks = TaskGroup()

    async def changed() -> None:
        return None

    block = Certificates201(dm, outbox, SecurityService(runtime), Events(), changed, tasks)  # type: ignore[arg-type]
    return block, tasks


def test_sign_certificate_is_repeated_until_certificate_signed_then_stops(
    open_dm: Callable[..., DeviceModel], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("everest_ocpp.v201.certificates.MIN_WAIT_S", 0)  # no 10 s minimum in a unit test
    dm = open_dm(
        **{
            "ISO15118Ctrlr.CountryName": "DE",
            "SecurityCtrlr.CertSigningWaitMinimum": 0,
            "SecurityCtrlr.CertSigningRepeatTimes": 2,
        }
    )
    outbox = FakeOutbox({"SignCertificate": call_result.SignCertificate(status="Accepted")})
    block, tasks = certificates201(dm, outbox, {"status": "Accepted", "csr": "CSR"})

    async def run() -> None:
        await block.sign()
        await block.sign()  # awaiting the CertificateSigned: nothing sent
        async with asyncio.timeout(5):
            while len(outbox.sent) < 3:
                await asyncio.sleep(0.005)
        assert len(tasks) == 0  # the third request is the last: no timer after it
        assert block.awaited == "ChargingStationCertificate"
        block.certificate_signed()
        assert block.awaited is None

    asyncio.run(run())
    assert outbox.sent == [call.SignCertificate(csr="CSR", certificate_type="ChargingStationCertificate")] * 3


def test_a_rejected_sign_certificate_is_not_repeated(open_dm: Callable[..., DeviceModel]) -> None:
    dm = open_dm(**{"ISO15118Ctrlr.CountryName": "DE"})
    outbox = FakeOutbox({"SignCertificate": call_result.SignCertificate(status="Rejected")})
    block, _ = certificates201(dm, outbox, {"status": "Accepted", "csr": "CSR"})
    asyncio.run(block.sign())
    assert block.awaited is None and len(outbox.sent) == 1


def test_no_csr_without_a_country(open_dm: Callable[..., DeviceModel]) -> None:
    outbox = FakeOutbox()
    block, _ = certificates201(open_dm(), outbox, {"status": "Accepted", "csr": "CSR"})
    asyncio.run(block.sign())
    assert outbox.sent == []


def test_root_installation_over_an_unsecured_link_follows_the_device_model(
    open_dm: Callable[..., DeviceModel],
) -> None:
    dm = open_dm(
        **{
            "InternalCtrlr.AllowCSMSRootCertInstallWithUnsecureConnection": False,
            "SecurityCtrlr.SecurityProfile": 1,
        }
    )
    runtime = FakeRuntime({"security": {"install_ca_certificate": "Accepted"}})

    async def changed() -> None:
        return None

    block = Certificates201(dm, FakeOutbox(), SecurityService(runtime), Events(), changed, TaskGroup())  # type: ignore[arg-type]
    refused = asyncio.run(block.on_install_certificate("CSMSRootCertificate", "c", "id-1"))
    assert refused == call_result.InstallCertificate(
        status="Rejected",
        status_info={
            "reason_code": "UnsecureConnection",
            "additional_info": "CertificateInstallationNotAllowedWithUnsecureConnection",
        },
    )
    allowed = asyncio.run(block.on_install_certificate("ManufacturerRootCertificate", "m", "id-2"))
    assert allowed == call_result.InstallCertificate(status="Accepted")
    assert runtime.called("security", "install_ca_certificate") == [
        {"certificate": "m", "certificate_type": "MF"}
    ]


# ---- DataTransfer with exact JSON through a real session ------------------------------------------


class Connection:
    def __init__(self) -> None:
        self.sent: list[str] = []
        self.inbox: asyncio.Queue[str] = asyncio.Queue()

    async def send(self, message: str) -> None:
        self.sent.append(message)

    async def recv(self) -> str:
        return await self.inbox.get()


class Session(ExactJsonSession, ChargePointSession, V201ChargePoint):
    pass


def test_incoming_data_transfer_keeps_the_vendor_json_both_ways() -> None:
    runtime = FakeRuntime(
        {
            "data_transfer": {
                "data_transfer": {"status": "Accepted", "data": '{"snake_key": [null, 1], "camelKey": {}}'}
            }
        }
    )
    block = DataTransfer201(Outbox(), lambda: True, DataTransferService(runtime))  # type: ignore[arg-type]

    async def run() -> list[Any]:
        conn = Connection()
        session = Session("cp001", conn, [block])
        frame = [
            2,
            "id-1",
            "DataTransfer",
            {"vendorId": "v", "data": {"someKey": [1, None], "other_key": "x"}},
        ]
        await session.route_message(json.dumps(frame))
        return [json.loads(m) for m in conn.sent]

    sent = asyncio.run(run())
    assert runtime.called("data_transfer", "data_transfer") == [
        {"request": {"vendor_id": "v", "data": '{"someKey": [1, null], "other_key": "x"}'}}
    ]
    assert sent == [[3, "id-1", {"status": "Accepted", "data": {"snake_key": [None, 1], "camelKey": {}}}]]


def test_outgoing_data_transfer_keeps_the_vendor_json_both_ways() -> None:
    outbox = Outbox()
    block = DataTransfer201(outbox, lambda: True, DataTransferService(FakeRuntime({})))  # type: ignore[arg-type]

    async def run() -> tuple[dict[str, Any], list[Any]]:
        conn = Connection()
        session = Session("cp001", conn, [block])
        outbox.session = session
        reader = asyncio.create_task(session.start())
        request = {
            "vendor_id": "v",
            "message_id": "m",
            "data": '{"a_b": null, "csms": 1}',
            "custom_data": {"vendor_id": "v", "data": '{"extra_key": 2}'},
        }
        sending = asyncio.create_task(block.send(request))
        async with asyncio.timeout(5):
            while not conn.sent:
                await asyncio.sleep(0.001)
        unique_id = json.loads(conn.sent[0])[1]
        await conn.inbox.put(json.dumps([3, unique_id, {"status": "Accepted", "data": {"reply_key": None}}]))
        answer = await sending
        reader.cancel()
        return answer, [json.loads(m) for m in conn.sent]

    answer, sent = asyncio.run(run())
    assert sent[0][2:] == [
        "DataTransfer",
        {
            "vendorId": "v",
            "messageId": "m",
            "data": {"a_b": None, "csms": 1},
            "customData": {"extra_key": 2, "vendorId": "v"},
        },
    ]
    assert answer == {"status": "Accepted", "data": '{"reply_key": null}'}


def test_data_transfer_without_a_module_and_when_offline() -> None:
    block = DataTransfer201(FakeOutbox(), lambda: False, DataTransferService(FakeRuntime({})))  # type: ignore[arg-type]
    assert asyncio.run(block.on_data_transfer("v")) == call_result.DataTransfer(status="UnknownVendorId")
    assert asyncio.run(block.send({"vendor_id": "v"})) == {"status": "Offline"}


# ---- SetNetworkProfile -----------------------------------------------------------------------------


def connection_data(url: str, profile: int, **extra: Any) -> dict[str, Any]:
    return {
        "ocpp_version": "OCPP20",
        "ocpp_transport": "JSON",
        "ocpp_csms_url": url,
        "message_timeout": 30,
        "security_profile": profile,
        "ocpp_interface": "Wired0",
        **extra,
    }


def test_set_network_profile_stores_without_secrets_and_refuses_what_cannot_work(
    open_dm: Callable[..., DeviceModel],
) -> None:
    dm = open_dm(**{"SecurityCtrlr.SecurityProfile": 1})
    events = Events()
    block = NetworkProfiles201(dm, lambda: "cp001", events)
    apn = {
        "apn": "internet",
        "apn_user_name": "u",
        "apn_password": "p",
        "sim_pin": 1234,
        "apn_authentication": "AUTO",
    }
    answer = block.on_set_network_profile(3, connection_data("ws://c:3/x", 1, apn=apn))
    assert answer == call_result.SetNetworkProfile(status="Accepted")
    stored = json.loads(dm.get_str(wk.NETWORK_CONNECTION_PROFILES))
    assert stored[-1] == {
        "configurationSlot": 3,
        "connectionData": {
            "ocppVersion": "OCPP20",
            "ocppTransport": "JSON",
            "ocppCsmsUrl": "ws://c:3/x",
            "messageTimeout": 30,
            "securityProfile": 1,
            "ocppInterface": "Wired0",
            "apn": {"apn": "internet", "apnUserName": "u", "apnAuthentication": "AUTO"},
        },
    }
    assert events.raised == [
        (
            "ReconfigurationOfSecurityParameters",
            "Received and stored a new network connection profile at configurationSlot: 3",
            None,
        )
    ]
    assert block.on_set_network_profile(3, connection_data("ws://c:3/x", 0)).status == "Rejected"
    assert block.on_set_network_profile(3, connection_data("http://c:3/x", 1)).status == "Rejected"
    assert (
        block.on_set_network_profile(3, connection_data("ws://c:3/x", 1, ocpp_transport="SOAP")).status
        == "Rejected"
    )
    again = block.on_set_network_profile(3, connection_data("ws://d:4", 2))
    assert (
        again.status == "Rejected"
        and "does not fit security profile 2" in again.status_info["additional_info"]
    )
    replaced = block.on_set_network_profile(3, connection_data("wss://d:4", 2))
    assert replaced.status == "Accepted"
    slots = [p["configurationSlot"] for p in json.loads(dm.get_str(wk.NETWORK_CONNECTION_PROFILES))]
    assert slots.count(3) == 1


def test_network_profile_secrets_are_masked_in_the_frame_log() -> None:
    frame = [
        2,
        "id-1",
        "SetNetworkProfile",
        {
            "configurationSlot": 2,
            "connectionData": {
                "ocppCsmsUrl": "wss://c/x",
                "vpn": {"server": "s", "user": "u", "key": "vpn-key", "password": "vpn-pw", "type": "IPSec"},
                "apn": {"apn": "internet", "apnPassword": "apn-pw", "simPin": 1234},
            },
        },
    ]
    logged = json.loads(redacted(json.dumps(frame)))[3]["connectionData"]
    assert logged["vpn"] == {"server": "s", "user": "u", "key": "***", "password": "***", "type": "IPSec"}
    assert logged["apn"] == {"apn": "internet", "apnPassword": "***", "simPin": "***"}
