"""The optional EVerest services OCPP uses: system (reset, clock, boot reason), security (certificates),
auth (timeouts), reservation (the Auth module's reservations), charger_information (identity), the
energy sinks (limits).

Each is optional in the manifest; ``available`` says whether it is connected, and the OCPP blocks
decide what "not connected" means for their answer (usually Rejected).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
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

    async def verify_certificate(self, chain: str, certificate_types: list[str]) -> str:
        """A CertificateValidationResult ("Valid", "Expired", "IssuerNotFound", ...); "Unknown" when
        no security module answers."""
        if not self.available:
            return "Unknown"
        args = {"certificate_chain": chain, "certificate_types": certificate_types}
        try:
            return str(await self._call("verify_certificate", args))
        except CmdError as exc:
            log.warning("security.verify_certificate failed: %s", exc)
            return "Unknown"

    async def mo_ocsp_request_data(self, chain: str) -> list[dict[str, Any]]:
        """The OCSP request data of a contract certificate chain (EVerest ``OCSPRequestData`` items)."""
        if not self.available:
            return []
        try:
            result = await self._call("get_mo_ocsp_request_data", {"certificate_chain": chain})
        except CmdError as exc:
            log.warning("security.get_mo_ocsp_request_data failed: %s", exc)
            return []
        items = result.get("ocsp_request_data_list") if isinstance(result, dict) else None
        return [i for i in items or [] if isinstance(i, dict)]


class AuthService(_Optional):
    requirement = "auth"

    async def set_connection_timeout(self, seconds: int) -> None:
        if self.available:
            await self._call("set_connection_timeout", {"connection_timeout": seconds})

    async def set_master_pass_group_id(self, group_id: str) -> None:
        if self.available:
            await self._call("set_master_pass_group_id", {"master_pass_group_id": group_id})


class ReservationService(_Optional):
    """The ``reservation`` requirement (EVerest's Auth module): it holds, expires and uses reservations;
    OCPP forwards the CSMS's requests and reports what the module says happened."""

    requirement = "reservation"

    def __init__(self, runtime: Runtime) -> None:
        super().__init__(runtime)
        self.update_listeners: list[Callable[[dict[str, Any]], None]] = []
        if self.available:
            runtime.subscribe_var(self.requirement, 0, "reservation_update", self._on_update)

    def _on_update(self, update: Any) -> None:
        log.info("reservation update: %s", update)
        for listener in self.update_listeners:
            try:
                listener(update)
            except Exception:
                log.exception("reservation update listener failed")

    async def reserve_now(self, reservation: dict[str, Any]) -> str:
        """A ReservationResult ("Accepted", "Occupied", ...); raises CmdError when the module fails."""
        return str(await self._call("reserve_now", {"request": reservation}))

    async def cancel_reservation(self, reservation_id: int) -> bool:
        return bool(await self._call("cancel_reservation", {"reservation_id": reservation_id}))

    async def exists_reservation(self, check: dict[str, Any]) -> str:
        """A ReservationCheckStatus ("NotReserved", "ReservedForToken", ...)."""
        return str(await self._call("exists_reservation", {"request": check}))


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
        self.reservation = ReservationService(runtime)
        self.charger_information = ChargerInformationService(runtime)
        self.energy = energy or EnergySinks(runtime, f"{runtime.module_id}/OCPP_set_external_limits")
