"""The optional EVerest services OCPP uses: system (reset, clock, boot reason), security (certificates),
auth (timeouts), charger_information (identity), the energy sinks (limits).

Each is optional in the manifest; ``available`` says whether it is connected, and the OCPP blocks
decide what "not connected" means for their answer (usually Rejected).
"""

from __future__ import annotations

import logging
from typing import Any

from ..everest.errors import CmdError
from ..everest.runtime import Runtime
from .energy import EnergySinks
from .errors import EvseErrors
from .sessions import EvseSessions

log = logging.getLogger(__name__)


class _Optional:
    requirement = ""

    def __init__(self, runtime: Runtime) -> None:
        self._rt = runtime
        self.available = bool(runtime.connections(self.requirement))

    async def _call(self, cmd: str, args: dict[str, Any], timeout: float = 30.0) -> Any:
        return await self._rt.call(self.requirement, 0, cmd, args, timeout=timeout)


class SystemService(_Optional):
    requirement = "system"

    async def is_reset_allowed(self, reset_type: str) -> bool:
        if not self.available:
            return False
        try:
            return bool(await self._call("is_reset_allowed", {"type": reset_type}))
        except CmdError as exc:
            log.warning("system.is_reset_allowed failed: %s", exc)
            return False

    async def reset(self, reset_type: str, scheduled: bool = False) -> None:
        await self._call("reset", {"type": reset_type, "scheduled": scheduled})

    async def get_boot_reason(self) -> str:
        """The system's BootReason (PowerUp when no system module answers)."""
        if not self.available:
            return "PowerUp"
        try:
            return str(await self._call("get_boot_reason", {}, timeout=10.0))
        except CmdError as exc:
            log.warning("system.get_boot_reason failed (%s); assuming PowerUp", exc)
            return "PowerUp"

    async def set_system_time(self, timestamp: str) -> None:
        if not self.available:
            return
        try:
            if not await self._call("set_system_time", {"timestamp": timestamp}):
                log.warning("system.set_system_time(%s) was refused", timestamp)
        except CmdError as exc:
            log.warning("system.set_system_time failed: %s", exc)


class SecurityService(_Optional):
    requirement = "security"

    async def update_leaf_certificate(self, chain: str, certificate_type: str) -> str:
        """Returns the InstallCertificateResult ("Accepted", "InvalidSignature", ...)."""
        if not self.available:
            log.warning("no security module connected: cannot install a %s certificate", certificate_type)
            return "WriteError"
        args = {"certificate_chain": chain, "certificate_type": certificate_type}
        try:
            return str(await self._call("update_leaf_certificate", args))
        except CmdError as exc:
            log.warning("security.update_leaf_certificate failed: %s", exc)
            return "WriteError"


class AuthService(_Optional):
    requirement = "auth"

    async def set_connection_timeout(self, seconds: int) -> None:
        if self.available:
            await self._call("set_connection_timeout", {"connection_timeout": seconds})

    async def set_master_pass_group_id(self, group_id: str) -> None:
        if self.available:
            await self._call("set_master_pass_group_id", {"master_pass_group_id": group_id})


class ChargerInformationService(_Optional):
    requirement = "charger_information"

    async def get(self) -> dict[str, Any] | None:
        """vendor, model, serials and firmware version (None when not connected or failing)."""
        if not self.available:
            return None
        try:
            info = await self._call("get_charger_information", {}, timeout=10.0)
        except CmdError as exc:
            log.warning("charger_information.get_charger_information failed: %s", exc)
            return None
        return info if isinstance(info, dict) else None


class Services:
    """Everything EVerest-side an OCPP backend talks to."""

    def __init__(
        self,
        runtime: Runtime,
        evse: Any,
        energy: EnergySinks | None = None,
        errors: EvseErrors | None = None,
        sessions: EvseSessions | None = None,
    ) -> None:
        self.runtime = runtime
        self.evse = evse
        self.errors = errors or EvseErrors(lambda _module: None)
        self.sessions = sessions or EvseSessions(runtime, lambda index: index + 1)
        self.system = SystemService(runtime)
        self.security = SecurityService(runtime)
        self.auth = AuthService(runtime)
        self.charger_information = ChargerInformationService(runtime)
        self.energy = energy or EnergySinks(runtime, f"{runtime.module_id}/OCPP_set_external_limits")
