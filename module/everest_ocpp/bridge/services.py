"""The optional EVerest services OCPP uses: system (reset, clock, boot reason, firmware, logs), security
(certificates), auth (timeouts), reservation (the Auth module's reservations), charger_information
(identity), data_transfer (vendor messages), the energy sinks (limits).

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
from .system_events import SystemEvents

log = logging.getLogger(__name__)

LOOKUP_TIMEOUT_S = 10.0  # security look-ups made before every connection attempt


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

    async def update_firmware(self, request: dict[str, Any]) -> str:
        """An UpdateFirmwareResponse (Rejected when no system module answers)."""
        if not self.available:
            log.warning("no system module connected: firmware update %s rejected", request.get("request_id"))
            return "Rejected"
        try:
            return str(await self._call("update_firmware", {"firmware_update_request": request}))
        except CmdError as exc:
            log.warning("system.update_firmware failed: %s", exc)
            return "Rejected"

    async def allow_firmware_installation(self) -> None:
        if not self.available:
            return
        try:
            await self._call("allow_firmware_installation", {})
        except CmdError as exc:
            log.warning("system.allow_firmware_installation failed: %s", exc)

    async def upload_logs(self, request: dict[str, Any]) -> dict[str, Any]:
        """An UploadLogsResponse ({upload_logs_status: Rejected} when no system module answers)."""
        if not self.available:
            log.warning("no system module connected: log upload rejected")
            return {"upload_logs_status": "Rejected"}
        try:
            result = await self._call("upload_logs", {"upload_logs_request": request})
        except CmdError as exc:
            log.warning("system.upload_logs failed: %s", exc)
            return {"upload_logs_status": "Rejected"}
        return result if isinstance(result, dict) else {"upload_logs_status": "Rejected"}


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

    async def _ask(self, cmd: str, args: dict[str, Any], fallback: Any, timeout: float = 30.0) -> Any:
        """The command's result, or ``fallback`` when no security module answers (logged)."""
        if not self.available:
            log.warning("no security module connected: %s not possible", cmd)
            return fallback
        try:
            return await self._call(cmd, args, timeout)
        except CmdError as exc:
            log.warning("security.%s failed: %s", cmd, exc)
            return fallback

    async def install_ca_certificate(self, certificate: str, certificate_type: str) -> str:
        args = {"certificate": certificate, "certificate_type": certificate_type}
        return str(await self._ask("install_ca_certificate", args, "WriteError"))

    async def delete_certificate(self, certificate_hash_data: dict[str, Any]) -> str:
        args = {"certificate_hash_data": certificate_hash_data}
        return str(await self._ask("delete_certificate", args, "Failed"))

    async def get_installed_certificates(self, certificate_types: list[str]) -> list[dict[str, Any]]:
        """The CertificateHashDataChain entries found (empty when none or on failure)."""
        result = await self._ask("get_installed_certificates", {"certificate_types": certificate_types}, {})
        chains = result.get("certificate_hash_data_chain") if isinstance(result, dict) else None
        return list(chains) if isinstance(chains, list) else []

    async def verify_certificate(self, certificate_chain: str, certificate_types: list[str]) -> str:
        args = {"certificate_chain": certificate_chain, "certificate_types": certificate_types}
        return str(await self._ask("verify_certificate", args, "Unknown"))

    async def is_ca_certificate_installed(self, certificate_type: str) -> bool:
        args = {"certificate_type": certificate_type}
        return bool(await self._ask("is_ca_certificate_installed", args, False, LOOKUP_TIMEOUT_S))

    async def generate_certificate_signing_request(
        self, certificate_type: str, country: str, organization: str, common: str, use_tpm: bool
    ) -> dict[str, Any]:
        """A GetCertificateSignRequestResult ({status: GenerationError} when it cannot be asked)."""
        args = {
            "certificate_type": certificate_type,
            "country": country,
            "organization": organization,
            "common": common,
            "use_tpm": use_tpm,
        }
        result = await self._ask("generate_certificate_signing_request", args, None)
        return result if isinstance(result, dict) else {"status": "GenerationError"}

    async def get_leaf_certificate_info(self, certificate_type: str) -> dict[str, Any]:
        """A GetCertificateInfoResult (PEM, no OCSP); {status: Rejected} when it cannot be asked.

        The answer may hold the private key's password: never log it."""
        args = {"certificate_type": certificate_type, "encoding": "PEM", "include_ocsp": False}
        result = await self._ask("get_leaf_certificate_info", args, None, LOOKUP_TIMEOUT_S)
        return result if isinstance(result, dict) else {"status": "Rejected"}

    async def get_verify_file(self, certificate_type: str) -> str:
        args = {"certificate_type": certificate_type}
        return str(await self._ask("get_verify_file", args, "", LOOKUP_TIMEOUT_S))

    async def get_leaf_expiry_days_count(self, certificate_type: str) -> int:
        args = {"certificate_type": certificate_type}
        days = await self._ask("get_leaf_expiry_days_count", args, None, LOOKUP_TIMEOUT_S)
        return int(days) if isinstance(days, int) else 0

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


class DataTransferService(_Optional):
    """The required ``data_transfer`` (``ocpp_data_transfer``): handles DataTransfer from the CSMS."""

    requirement = "data_transfer"

    async def data_transfer(self, request: dict[str, Any]) -> dict[str, Any] | None:
        """The DataTransferResponse; None when not connected or the call failed (logged)."""
        if not self.available:
            return None
        try:
            result = await self._call("data_transfer", {"request": request})
        except CmdError as exc:
            log.warning("data_transfer.data_transfer failed: %s", exc)
            return None
        return result if isinstance(result, dict) else None


class Services:
    """Everything EVerest-side an OCPP backend talks to."""

    def __init__(
        self,
        runtime: Runtime,
        evse: Any,
        energy: EnergySinks | None = None,
        errors: EvseErrors | None = None,
        sessions: EvseSessions | None = None,
        system_events: SystemEvents | None = None,
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
        self.data_transfer = DataTransferService(runtime)
        self.system_events = system_events or SystemEvents(runtime)
        self.energy = energy or EnergySinks(runtime, f"{runtime.module_id}/OCPP_set_external_limits")
