"""Wiring: EVerest runtime + EVSE bridge + the OCPP backend of the configured version + `ocpp` interface."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import gc
import logging
from pathlib import Path
from typing import Any

from .backends import BackendConfigError, PreparedBackend, prepare_backend
from .bridge.evse import EvseManagers
from .bridge.services import Services
from .everest.bootstrap import connect, module_config
from .everest.definitions import Definitions
from .everest.runtime import Runtime
from .everest.setup import ModuleSetup, RuntimeSettings, SetupError
from .generic.ocpp_interface import OcppInterface
from .provides import register_all
from .settings import ModuleSettings

log = logging.getLogger(__name__)

IMPL = "ocpp_generic"
EXIT_CONFIG_ERROR = 2


def release_startup_memory() -> None:
    """Start-up (YAML parsing, schema compiling) leaves freed heap behind; hand it back to the
    system so the module idles small."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    # what start-up created lives as long as the process: keep it out of every later collection
    gc.freeze()


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
        self.backend: Any = None
        self._stop = asyncio.Event()

    def request_stop(self) -> None:
        self._stop.set()

    def _settings(self, setup: ModuleSetup) -> ModuleSettings:
        values = module_config(self.defs, setup.config, f"config_module of {setup.module_id}")
        return ModuleSettings.from_config(values, setup.base_dir, setup.module_id)

    async def run(self) -> int:
        """Run until asked to stop; returns the process exit code."""
        prepared: PreparedBackend | None = None
        if self._setup is not None:  # standalone: a bad configuration fails start-up at once
            prepared = prepare_backend(self._settings(self._setup))
        runtime = await connect(self._rt_settings, self._setup, self._module_id, self.defs, self._base_dir)
        self.runtime = runtime
        try:
            if prepared is None:
                try:
                    prepared = prepare_backend(self._settings(runtime.setup))
                except (SetupError, BackendConfigError) as exc:
                    # spawned: exiting would bring the whole EVerest stack down, so stay and refuse
                    log.error("%s; OCPP will not start", exc)
            interface = OcppInterface(lambda var, value: runtime.publish_var(IMPL, var, value))
            for cmd, handler in interface.commands().items():
                runtime.implement(IMPL, cmd, handler)
            provided = register_all(runtime, interface)  # main, auth_validator, data_transfer, ...
            evse = EvseManagers(runtime)
            evse.subscribe()
            await runtime.start()
            provided.events.connection_changed(False)
            self.defs.warm_up(self.defs.provides[IMPL]["interface"])  # compile validators before calls come
            if prepared is not None and await self._until_stopped(self._gate(runtime, evse)):
                try:
                    self.backend = prepared.build(Services(runtime, evse), provided.events)
                except Exception as exc:  # e.g. a corrupt database or an unwritable DatabaseDir
                    log.error("OCPP cannot start: %s", exc, exc_info=not isinstance(exc, BackendConfigError))
                    if not self._spawned:
                        return EXIT_CONFIG_ERROR
                    # spawned: stay, answering every command as "OCPP not running"
                else:
                    interface.attach(self.backend)
                    provided.attach(self.backend)
                    await self.backend.start()
            release_startup_memory()
            await self._stop.wait()
        finally:
            if self.backend is not None:
                await self.backend.shutdown()
            await runtime.mqtt.close()
        return 0

    async def _until_stopped(self, coro: Any) -> bool:
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
        await runtime.wait_global_ready()
        evses = await evse.discover()
        log.info("EVSEs: %s", ", ".join(f"{e.id}:{list(e.connectors)}" for e in evses) or "none")
        await evse.wait_ready()
