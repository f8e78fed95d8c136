"""The real backend of a version, in process, with fake EVerest modules and a fake CSMS websocket.

The backend is built as the module builds it (``prepare_backend(settings).build(services, events)``)
over a fake runtime that answers every required and optional module's commands; a session of the
backend's own session class serves a fake websocket that answers the station's calls as a CSMS would.
Requests are routed through ``session.route_message`` like the python ``ocpp`` package's own tests do.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from ocpp.messages import get_validator

from everest_ocpp.backends import prepare_backend
from everest_ocpp.bridge.evse import EvseInfo, EvseManagers
from everest_ocpp.bridge.services import Services
from everest_ocpp.csms.charge_point import serve_session
from everest_ocpp.everest.errors import CmdError
from everest_ocpp.everest.protocol import CmdErrorType
from everest_ocpp.generic.authorization import TokenRequest
from everest_ocpp.settings import ModuleSettings

DATA = Path(__file__).resolve().parents[3] / "module" / "everest_ocpp" / "data"
EVSES = [EvseInfo(0, 1, (1,)), EvseInfo(1, 2, (1,))]

HASH = {"hash_algorithm": "SHA256", "issuer_name_hash": "aa", "issuer_key_hash": "bb", "serial_number": "1"}
ROOT_CHAIN = {"certificate_type": "CSMSRootCertificate", "certificate_hash_data": HASH}

# what the fake EVerest modules answer (a value, or a callable of the arguments)
ANSWERS: dict[str, dict[str, Any]] = {
    "evse_manager": {
        "enable_disable": True,
        "force_unlock": True,
        "stop_transaction": True,
        "pause_charging": True,
        "external_ready_to_start_charging": None,
    },
    "system": {
        "is_reset_allowed": True,
        "reset": None,
        "update_firmware": "Accepted",
        "upload_logs": {"upload_logs_status": "Accepted", "file_name": "logs.tar.gz"},
        "allow_firmware_installation": None,
        "get_boot_reason": "PowerUp",
        "set_system_time": True,
    },
    "security": {
        "install_ca_certificate": "Accepted",
        "delete_certificate": "Accepted",
        "get_installed_certificates": {"status": "Accepted", "certificate_hash_data_chain": [ROOT_CHAIN]},
        "verify_certificate": "Valid",
        "update_leaf_certificate": "Accepted",
        "generate_certificate_signing_request": {"status": "Accepted", "csr": "CSR"},
        "get_leaf_expiry_days_count": 365,
        "is_ca_certificate_installed": False,
        "get_leaf_certificate_info": {"status": "NotFound"},
        "get_verify_file": "",
        "get_mo_ocsp_request_data": {"ocsp_request_data_list": []},
    },
    "auth": {"set_connection_timeout": None, "set_master_pass_group_id": None},
    "reservation": {
        "reserve_now": "Accepted",
        "cancel_reservation": True,
        "exists_reservation": "NotReserved",
    },
    "data_transfer": {"data_transfer": {"status": "Accepted", "data": "pong"}},
}


class FakeRuntime:
    """The EVerest side: answers commands from ``answers``, records them, delivers published vars."""

    module_id = "ocpp"
    global_ready = True

    def __init__(self, answers: dict[str, dict[str, Any]]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, int, str, dict[str, Any]]] = []
        self._vars: dict[tuple[str, int, str], list[Callable[[Any], None]]] = {}

    def connections(self, requirement: str) -> list[object]:
        if requirement == "evse_manager":
            return [object() for _ in EVSES]
        return [object()] if requirement in self.answers else []

    async def call(
        self, requirement: str, index: int, cmd: str, args: dict[str, Any] | None = None, timeout: float = 30
    ) -> Any:
        self.calls.append((requirement, index, cmd, args or {}))
        commands = self.answers.get(requirement, {})
        if cmd not in commands:
            raise CmdError(CmdErrorType.NOT_READY, f"{requirement}.{cmd}: not faked")
        answer = commands[cmd]
        if isinstance(answer, Exception):
            raise answer
        return answer(args or {}) if callable(answer) else answer

    def called(self, requirement: str, cmd: str) -> list[dict[str, Any]]:
        return [args for req, _i, name, args in self.calls if (req, name) == (requirement, cmd)]

    def subscribe_var(self, requirement: str, index: int, var: str, callback: Callable[[Any], None]) -> None:
        self._vars.setdefault((requirement, index, var), []).append(callback)

    def publish(self, requirement: str, index: int, var: str, value: Any) -> None:
        for callback in self._vars.get((requirement, index, var), []):
            callback(value)


class Events:
    """BackendEvents: records what the backend reports (as (name, value))."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, Any]] = []

    def __getattr__(self, name: str) -> Callable[..., None]:
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *args: self.seen.append((name, args[0] if len(args) == 1 else args))

    def of(self, name: str) -> list[Any]:
        return [value for seen, value in self.seen if seen == name]


class FakeCsms:
    """The websocket of the session: what the station sends is recorded; its calls are answered from
    ``answers`` (by action, a payload in OCPP's camelCase) as soon as they arrive."""

    def __init__(self, answers: dict[str, dict[str, Any]]) -> None:
        self.answers = answers
        self.sent: list[list[Any]] = []
        self.inbox: asyncio.Queue[str] = asyncio.Queue()

    async def send(self, message: str) -> None:
        frame = json.loads(message)
        self.sent.append(frame)
        if frame[0] == 2:
            await self.inbox.put(json.dumps([3, frame[1], self.answers.get(frame[2], {})]))

    async def recv(self) -> str:
        return await self.inbox.get()

    async def close(self, *_: Any) -> None:
        pass

    def calls(self, action: str) -> list[dict[str, Any]]:
        """The payloads of the station's calls of ``action``."""
        return [f[3] for f in self.sent if f[0] == 2 and f[2] == action]

    def answer_to(self, unique_id: str) -> list[Any]:
        return next(f for f in self.sent if f[0] in (3, 4) and f[1] == unique_id)


class Rig:
    def __init__(
        self, backend: Any, runtime: FakeRuntime, events: Events, csms: FakeCsms, version: str
    ) -> None:
        self.backend = backend
        self.runtime = runtime
        self.events = events
        self.csms = csms
        self.version = version
        self.provided: list[TokenRequest] = []  # tokens handed to the Auth module (provided_token)
        self.reconnects: list[str] = []  # why the backend asked to reconnect
        backend.reconnect_when_quiet = self.reconnects.append
        self._count = 0
        self._serving: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        """A session as the CSMS link makes one: BootNotification answered Accepted, then online."""
        b = self.backend
        session = b.session_class(b.identity(), self.csms, b.blocks, 5)
        self._serving = asyncio.create_task(
            serve_session(session, b.outbox, b.sender, b.registering(), b.registration.stop_heartbeat)
        )
        await until(lambda: b.registration.accepted and b.outbox.session is session)

    async def request(self, action: str, payload: dict[str, Any]) -> list[Any]:
        """Route one CSMS request (camelCase payload) through the session; returns the answer frame."""
        self._count += 1
        unique_id = f"{action}-{self._count}"
        await self.backend.outbox.session.route_message(json.dumps([2, unique_id, action, payload]))
        return self.csms.answer_to(unique_id)

    def schema_valid(self, action: str, answer: dict[str, Any]) -> bool:
        validator = get_validator(3, action, self.version, parse_float=Decimal)
        validator.validate(json.loads(json.dumps(answer), parse_float=Decimal))
        return True

    async def close(self) -> None:
        # first the queued messages go out: stopping the queue sender while its call is being answered
        # can lose the cancel (Python 3.11's asyncio.wait_for), and it would then wait forever
        sender = self.backend.sender
        with contextlib.suppress(TimeoutError):
            await until(lambda: sender.queue.head() is None or not sender.online.is_set(), 2.0)
        await settle()
        if self._serving is not None:
            self._serving.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._serving
        await self.backend.shutdown()


async def until(condition: Callable[[], Any], timeout: float = 5.0) -> None:
    """Let the loop run until ``condition()`` holds (bounded)."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.001)


async def settle() -> None:
    """Let tasks spawned by the last request (``@after`` handlers and what they start) run."""
    for _ in range(20):
        await asyncio.sleep(0)


async def build(
    tmp_path: Path,
    version: str,
    csms_answers: dict[str, dict[str, Any]],
    prepare: Callable[[Path], None] | None = None,
    answers: dict[str, dict[str, Any]] | None = None,
    published: list[tuple[str, int, str, Any]] = (),  # type: ignore[assignment]
) -> Rig:
    """The version's backend built and initialised as the module does, not yet connected.

    ``prepare`` may change the copied configuration (in ``tmp_path``) first; ``answers`` overrides
    what the fake EVerest modules answer; ``published`` vars are delivered before the backend
    initialises."""
    values: dict[str, Any] = {"OcppVersion": version, "DatabaseDir": str(tmp_path / "state")}
    if version == "1.6":
        config = tmp_path / "ocpp-config.json"
        shutil.copy(DATA / "v16" / "config-test.json", config)
        values["ChargePointConfigPath"] = str(config)
    else:
        folder = tmp_path / "component_config"
        shutil.copytree(DATA / "v201" / "component_config", folder)
        values["DeviceModelConfigPath"] = str(folder)
    if prepare is not None:
        prepare(tmp_path)
    settings = ModuleSettings.from_config(values, tmp_path, "ocpp", env={})
    runtime = FakeRuntime({req: {**cmds, **(answers or {}).get(req, {})} for req, cmds in ANSWERS.items()})
    evse = EvseManagers(runtime)  # type: ignore[arg-type]
    evse.evses = list(EVSES)
    services = Services(runtime, evse)  # type: ignore[arg-type]
    services.sessions.subscribe()
    for requirement, index, var, value in published:  # published before OCPP initialises
        runtime.publish(requirement, index, var, value)
    events = Events()
    backend = prepare_backend(settings).build(services, events)  # type: ignore[arg-type]
    rig = Rig(backend, runtime, events, FakeCsms(csms_answers), version)
    backend.authorization.events.provided_token_listeners.append(rig.provided.append)
    await backend.initialise()
    services.sessions.release()
    backend.registration.reset("PowerUp")
    backend.sender.start()
    backend.on_link_start("PowerUp")
    return rig
