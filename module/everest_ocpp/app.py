"""Wiring: EVerest runtime + EVSE bridge + the OCPP backend of the configured version + `ocpp` interface.

Start-up follows the C++ modules: ModuleReady, GlobalReady, ``get_evse`` on every evse_manager, wait
until each signalled ``waiting_for_external_ready`` (or ``ready``), initialise (persisted
availability, charger identity), ``external_ready_to_start_charging`` on each, ``DelayOcppStart``,
the boot reason from ``system``, then the link to the CSMS.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import gc
import importlib
import logging
import sqlite3
from collections.abc import Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .backends import BackendConfigError, PreparedBackend, prepare_backend
from .bridge.errors import EvseErrors
from .bridge.evse import EvseManagers
from .bridge.services import Services
from .bridge.sessions import EvseSessions
from .bridge.system_events import SystemEvents
from .everest.bootstrap import connect, module_config
from .everest.definitions import Definitions
from .everest.runtime import Runtime
from .everest.setup import ModuleSetup, RuntimeSettings, SetupError
from .generic.ocpp_interface import OcppInterface
from .provides import Provided, register_all
from .settings import ModuleSettings, SettingsError
from .storage import StorageError

if TYPE_CHECKING:
    from .backend_base import BackendBase

log = logging.getLogger(__name__)

IMPL = "ocpp_generic"
EXIT_CONFIG_ERROR = 2
WEBSOCKET_CONTROL = "everest_api/ocpp/cmd/"
STARTUP_SETTLED_S = 1.0  # after the CSMS link has started: the start-up memory is released
BACKEND_MODULES = {"1.6": ".v16.backend", "2.0.1": ".v201.backend"}


def release_startup_memory() -> None:
    """Start-up (YAML parsing, schema compiling) leaves freed heap behind; hand it back to the
    system so the module idles small."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    # what start-up created lives as long as the process: keep it out of every later collection
    gc.freeze()


def preload_backend(ocpp_version: str) -> None:
    """Import the OCPP side of the configured version (the ``ocpp`` package, websockets, the
    functional blocks: about half of all imports) after ModuleReady, while the manager waits for
    the other modules, instead of before it; nothing of the other version is imported."""
    module = BACKEND_MODULES.get(ocpp_version)
    if module is None:
        return
    gc.disable()  # imports create long-lived objects only: no collections meanwhile (see __main__)
    try:
        importlib.import_module(module, __package__)
    finally:
        gc.enable()


def log_summary(settings: ModuleSettings, setup: ModuleSetup, backend: BackendBase | None) -> None:
    """One INFO line an integrator can read the whole configuration from (never a secret)."""
    files = {
        "1.6": [
            ("config", settings.charge_point_config or "shipped sample"),
            ("user config", settings.user_config),
        ],
        "2.0.1": [
            ("component config", settings.device_model_config or "shipped set"),
            ("device model", settings.device_model_database),
        ],
    }[settings.ocpp_version]
    where = ", ".join(f"{name} {value}" for name, value in files)
    link = ""
    if backend is not None:
        try:
            conn = backend.connection_settings()
            link = f"; CSMS {conn.url} as {conn.identity}"
        except Exception as exc:  # an unusable URL is reported by the link itself
            link = f"; CSMS address unusable: {exc}"
    log.info(
        "everest-ocpp %s, module %s (%s): OCPP %s (%s); %s; state folder %s%s",
        __version__,
        setup.module_id,
        setup.module_name or "?",
        settings.ocpp_version,
        settings.version_reason,
        where,
        settings.database_dir,
        link,
    )
    for key in settings.no_effect_keys:
        log.info("config key %s is accepted for compatibility and has no effect here", key)


class Application:
    def __init__(
        self,
        settings: RuntimeSettings,
        setup: ModuleSetup | None,
        module_id: str,
        spawned: bool,
        base_dir: Path | None = None,
    ) -> None:
        self._rt_settings = settings
        self._setup = setup
        self._module_id = module_id
        self._spawned = spawned
        self._base_dir = base_dir or Path.cwd()
        self.defs = Definitions()
        self.runtime: Runtime | None = None
        self.backend: BackendBase | None = None
        self._stop = asyncio.Event()

    def request_stop(self) -> None:
        self._stop.set()

    def _settings(self, setup: ModuleSetup) -> ModuleSettings:
        values = module_config(self.defs, setup.config, f"config_module of {setup.module_id}")
        # spawned, the manager starts us in its working directory: look there first, as C++ does
        search = [Path.cwd(), setup.base_dir] if self._spawned else [setup.base_dir]
        try:
            return ModuleSettings.from_config(
                values, setup.base_dir, setup.module_id, module_name=setup.module_name, search_dirs=search
            )
        except SettingsError as exc:
            raise SetupError(f"config_module of {setup.module_id}: {exc}") from None

    async def run(self) -> int:
        """Run until asked to stop; returns the process exit code."""
        prepared: PreparedBackend | None = None
        settings: ModuleSettings | None = None
        if self._setup is not None:  # standalone: a bad configuration fails start-up at once
            settings = self._settings(self._setup)
            prepared = prepare_backend(settings)
        runtime = await connect(self._rt_settings, self._setup, self._module_id, self.defs, self._base_dir)
        self.runtime = runtime
        try:
            if prepared is None:
                try:
                    settings = self._settings(runtime.setup)
                    prepared = prepare_backend(settings)
                except (SetupError, BackendConfigError) as exc:
                    # spawned: exiting would bring the whole EVerest stack down, so stay and refuse
                    log.error("%s; OCPP will not start", exc)
            interface = OcppInterface(lambda var, value: runtime.publish_var(IMPL, var, value))
            for cmd, handler in interface.commands().items():
                runtime.implement(IMPL, cmd, handler)
            provided = register_all(runtime, interface)  # main, auth_validator, data_transfer, ...
            evse = EvseManagers(runtime)
            evse.subscribe()
            sessions = EvseSessions(runtime, evse.evse_id_of_index)
            sessions.early_listeners.append(evse.on_session_event)
            sessions.subscribe()
            errors = EvseErrors(evse.evse_of_module)
            runtime.subscribe_errors(errors.on_error)
            system_events = SystemEvents(runtime)
            system_events.subscribe()
            if settings is not None and settings.external_websocket_control:
                self._subscribe_websocket_control(runtime)
            await runtime.start()
            provided.events.connection_changed(False)
            # compile validators before calls come; not later: compiled once the heap is full of
            # everything else, their garbage leaves it fragmented (about 1 MiB more RSS)
            self.defs.warm_up(self.defs.provides[IMPL]["interface"])
            if prepared is not None and settings is not None:
                preload_backend(settings.ocpp_version)
                services = Services(
                    runtime, evse, errors=errors, sessions=sessions, system_events=system_events
                )
                code = await self._start_ocpp(services, prepared, settings, interface, provided)
                if code is not None:
                    return code
            # once the link's first steps (connect, BootNotification) are done
            asyncio.get_running_loop().call_later(STARTUP_SETTLED_S, release_startup_memory)
            await self._stop.wait()
        finally:
            if self.backend is not None:
                await self.backend.shutdown()
            await runtime.mqtt.close()
        return 0

    async def _start_ocpp(
        self,
        services: Services,
        prepared: PreparedBackend,
        settings: ModuleSettings,
        interface: OcppInterface,
        provided: Provided,
    ) -> int | None:
        """The C++ modules' start order; returns an exit code when a standalone start must end."""
        runtime, evse = services.runtime, services.evse
        if not await self._until_stopped(self._gate(runtime, evse)):
            return None
        try:
            backend = prepared.build(services, provided.events)
        except Exception as exc:  # e.g. a corrupt database or an unwritable DatabaseDir
            return self._cannot_start(exc, settings)
        self.backend = backend
        log_summary(settings, runtime.setup, backend)
        interface.attach(backend)
        provided.attach(backend)
        try:
            await backend.initialise()
            await evse.external_ready_to_start_charging()
            if settings.delay_ocpp_start_s > 0:
                log.info("DelayOcppStart: starting OCPP in %.3f s", settings.delay_ocpp_start_s)
                await asyncio.sleep(settings.delay_ocpp_start_s)
            boot_reason = await services.system.get_boot_reason()
            await backend.start(boot_reason)
        except Exception as exc:  # e.g. a state folder that cannot be written
            self.backend = None
            with contextlib.suppress(Exception):
                await backend.shutdown()
            return self._cannot_start(exc, settings)
        log.info("OCPP %s started (boot reason %s)", settings.ocpp_version, boot_reason)
        services.sessions.release()  # session events and readings held back until now
        services.system_events.release()  # firmware and log status reports likewise
        return None

    def _cannot_start(self, exc: Exception, settings: ModuleSettings) -> int | None:
        """Log why OCPP does not run; a standalone start ends (exit 2), a spawned module stays up
        (exiting would bring the whole EVerest stack down) and answers as "OCPP not running"."""
        if isinstance(exc, BackendConfigError | StorageError):
            log.error("OCPP cannot start: %s", exc)
        elif isinstance(exc, sqlite3.Error | OSError):
            log.error(
                "OCPP cannot start: %s (state folder %s: is it writable, is the disk full?)",
                exc,
                settings.database_dir,
                exc_info=True,
            )
        else:
            log.error("OCPP cannot start: %s", exc, exc_info=True)
        return None if self._spawned else EXIT_CONFIG_ERROR

    def _subscribe_websocket_control(self, runtime: Runtime) -> None:
        """EnableExternalWebsocketControl: raw MQTT commands to drop and restore the CSMS link."""

        def control(connect: bool) -> None:
            backend = self.backend
            if backend is None:
                log.warning(
                    "websocket %s ignored: OCPP is not running", "connect" if connect else "disconnect"
                )
                return
            backend.tasks.spawn(backend.connect_websocket() if connect else backend.disconnect_websocket())

        runtime.subscribe_external(WEBSOCKET_CONTROL + "connect", lambda _payload: control(True))
        runtime.subscribe_external(WEBSOCKET_CONTROL + "disconnect", lambda _payload: control(False))

    async def _until_stopped(self, coro: Coroutine[Any, Any, None]) -> bool:
        """Run ``coro`` unless a stop request comes first; True if it completed."""
        waiting = asyncio.ensure_future(self._stop.wait())
        work = asyncio.ensure_future(coro)
        await asyncio.wait([waiting, work], return_when=asyncio.FIRST_COMPLETED)
        waiting.cancel()
        if not work.done():
            work.cancel()
            return False
        work.result()
        return True

    async def _gate(self, runtime: Runtime, evse: EvseManagers) -> None:
        if not runtime.global_ready:
            log.info("waiting for GlobalReady from the EVerest manager")
        await runtime.wait_global_ready()
        evses = await evse.discover()
        log.info("EVSEs: %s", ", ".join(f"{e.id}:{list(e.connectors)}" for e in evses) or "none")
        await evse.wait_ready()
