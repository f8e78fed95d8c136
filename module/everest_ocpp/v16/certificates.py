"""1.6 certificate management (security whitepaper): InstallCertificate, DeleteCertificate and
GetInstalledCertificateIds through ``security``, and the charging station certificate's signing
request (ExtendedTriggerMessage SignChargePointCertificate, and renewal under security profile 3).

The CSR comes from ``security.generate_certificate_signing_request`` (CSMS leaf; country
SeccLeafSubjectCountry or DE, organization CpoName, common name ChargeBoxSerialNumber, UseTPM) and
goes to the CSMS as SignCertificate; its CertificateSigned is handled by :class:`.security.Security16`.
Under profile 3 the certificate's remaining validity is checked 60 s after every accepted boot and
then every 12 hours; under 30 days left, a new CSR is sent (libocpp's timers).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from ocpp.routing import after, on
from ocpp.v16 import call, call_result
from ocpp.v16.enums import Action

from ..bridge.services import SecurityService
from ..csms.call_state import CallState
from ..csms.outbox import NotConnected, Outbox
from ..tasks import TaskGroup
from .configuration import ChargePointConfiguration

log = logging.getLogger(__name__)

CA_TYPES = {"CentralSystemRootCertificate": "CSMS", "ManufacturerRootCertificate": "MF"}
LIST_TYPES = {
    "CentralSystemRootCertificate": "CSMSRootCertificate",
    "ManufacturerRootCertificate": "MFRootCertificate",
}
HASH_FIELDS = ("hash_algorithm", "issuer_name_hash", "issuer_key_hash", "serial_number")
RENEW_BELOW_DAYS = 30
FIRST_CHECK_S = 60.0
CHECK_EVERY_S = 12 * 3600.0

RaiseEvent = Callable[[str, str | None, bool | None], None]  # (type, info, critical)


class Certificates16:
    def __init__(
        self,
        config: ChargePointConfiguration,
        outbox: Outbox,
        security: SecurityService,
        raise_event: RaiseEvent,
        certificates_changed: Callable[[], Awaitable[Any]],
        tasks: TaskGroup,
    ) -> None:
        self._config = config
        self._outbox = outbox
        self._security = security
        self._raise = raise_event
        self._changed = certificates_changed  # e.g. refresh what the security profile checks know
        self._tasks = tasks
        self._refused: CallState[str] = CallState()  # the install result of a refused certificate
        self._renewal: asyncio.Task[None] | None = None
        self.first_check_s = FIRST_CHECK_S
        self.check_every_s = CHECK_EVERY_S

    # ---- CSMS requests ---------------------------------------------------------------------------
    @on(Action.install_certificate)
    async def on_install_certificate(
        self, certificate_type: str, certificate: str, call_unique_id: str, **_: Any
    ) -> call_result.InstallCertificate:
        ca_type = CA_TYPES.get(certificate_type, "MF")
        result = await self._security.install_ca_certificate(certificate, ca_type)
        status = "Accepted" if result == "Accepted" else "Failed" if result == "WriteError" else "Rejected"
        log.info("InstallCertificate %s: %s (%s)", certificate_type, status, result)
        if status == "Rejected":
            self._refused.put(call_unique_id, result)
        return call_result.InstallCertificate(status=status)

    @after(Action.install_certificate)
    async def after_install_certificate(self, call_unique_id: str, **_: Any) -> None:
        refused = self._refused.pop(call_unique_id)
        if refused is not None:
            self._raise("InvalidCentralSystemCertificate", refused, False)
        await self._changed()

    @on(Action.delete_certificate)
    async def on_delete_certificate(
        self, certificate_hash_data: dict[str, Any], **_: Any
    ) -> call_result.DeleteCertificate:
        hash_data = {key: certificate_hash_data[key] for key in HASH_FIELDS if key in certificate_hash_data}
        status = await self._security.delete_certificate(hash_data)
        log.info("DeleteCertificate serial %s: %s", hash_data.get("serial_number"), status)
        return call_result.DeleteCertificate(status=status)

    @after(Action.delete_certificate)
    async def after_delete_certificate(self, **_: Any) -> None:
        await self._changed()

    @on(Action.get_installed_certificate_ids)
    async def on_get_installed_certificate_ids(
        self, certificate_type: str, **_: Any
    ) -> call_result.GetInstalledCertificateIds:
        chains = await self._security.get_installed_certificates([LIST_TYPES[certificate_type]])
        hashes = [_hash_data(c["certificate_hash_data"]) for c in chains if isinstance(c, dict)]
        if not hashes:
            return call_result.GetInstalledCertificateIds(status="NotFound")
        return call_result.GetInstalledCertificateIds(status="Accepted", certificate_hash_data=hashes)

    # ---- signing ---------------------------------------------------------------------------------
    def can_sign(self) -> bool:
        """ExtendedTriggerMessage SignChargePointCertificate needs a CpoName (the CSR's organization)."""
        return self._config.cpo_name is not None

    async def sign(self) -> None:
        """Ask the security module for a CSR and send it as SignCertificate."""
        config = self._config
        organization = config.cpo_name
        if organization is None:
            self._raise("CSRGenerationFailed", "Sign certificate failed due to CPO name not being set", None)
            return
        country = config.value("SeccLeafSubjectCountry")
        result = await self._security.generate_certificate_signing_request(
            "CSMS",
            country if isinstance(country, str) and country else "DE",
            organization,
            config.charge_box_serial_number,
            config.value("UseTPM") is True,
        )
        csr = result.get("csr")
        if result.get("status") != "Accepted" or not isinstance(csr, str) or not csr:
            status = result.get("status", "GenerationError")
            self._raise("CSRGenerationFailed", f"Sign certificate failed due to:{status}", None)
            return
        try:
            answer = await self._outbox.call(call.SignCertificate(csr=csr))
        except NotConnected:
            log.warning("SignCertificate not sent: not connected")
            return
        except Exception as exc:
            log.warning("SignCertificate failed: %s", exc)
            return
        log.info("SignCertificate: %s", getattr(answer, "status", answer))

    # ---- renewal ---------------------------------------------------------------------------------
    def start_renewal(self) -> None:
        """After an accepted boot: under security profile 3, watch the certificate's expiry."""
        self.stop_renewal()
        if self._config.security_profile == 3:
            self._renewal = self._tasks.spawn(self._renew(), name="charging station certificate renewal")

    def stop_renewal(self) -> None:
        if self._renewal is not None:
            self._renewal.cancel()
            self._renewal = None

    async def _renew(self) -> None:
        await asyncio.sleep(self.first_check_s)
        while True:
            days = await self._security.get_leaf_expiry_days_count("CSMS")
            if days < RENEW_BELOW_DAYS:
                log.info("the charging station certificate expires in %d day(s): requesting a new one", days)
                await self.sign()
            else:
                log.info("the charging station certificate is valid for %d more days", days)
            await asyncio.sleep(self.check_every_s)


def _hash_data(data: dict[str, Any]) -> dict[str, Any]:
    return {key: data[key] for key in HASH_FIELDS if key in data}
