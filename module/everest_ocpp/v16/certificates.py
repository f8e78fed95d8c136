"""1.6 certificate management (security whitepaper): InstallCertificate, DeleteCertificate and
GetInstalledCertificateIds, and the charging station certificate's signing request
(ExtendedTriggerMessage SignChargePointCertificate, and renewal under security profile 3), through
the shared :class:`..shared_blocks.certificates.CertificateBlock`.

The CSR is for the CSMS leaf: country SeccLeafSubjectCountry or DE, organization CpoName, common name
ChargeBoxSerialNumber, UseTPM; its CertificateSigned is handled by :class:`.security.Security16`.
Under profile 3 the certificate's remaining validity is checked 60 s after every accepted boot and
then every 12 hours (libocpp's timers).
"""

from __future__ import annotations

import logging
from typing import Any

from ocpp.routing import on
from ocpp.v16 import call, call_result
from ocpp.v16.enums import Action

from ..shared_blocks.certificates import CertificateBlock, ExpiryCheck, hash_data
from .configuration import ChargePointConfiguration

log = logging.getLogger(__name__)

CA_TYPES = {"CentralSystemRootCertificate": "CSMS", "ManufacturerRootCertificate": "MF"}
LIST_TYPES = {
    "CentralSystemRootCertificate": "CSMSRootCertificate",
    "ManufacturerRootCertificate": "MFRootCertificate",
}
FIRST_CHECK_S = 60.0
CHECK_EVERY_S = 12 * 3600.0


class Certificates16(CertificateBlock[ChargePointConfiguration]):
    first_check_s = FIRST_CHECK_S
    check_every_s = CHECK_EVERY_S

    # ---- CSMS requests ---------------------------------------------------------------------------
    @on(Action.install_certificate)
    async def on_install_certificate(
        self, certificate_type: str, certificate: str, call_unique_id: str, **_: Any
    ) -> call_result.InstallCertificate:
        ca_type = CA_TYPES.get(certificate_type, "MF")
        status, result = await self._install_ca(certificate_type, certificate, ca_type)
        if status == "Rejected":
            self._raise_after_answer(call_unique_id, "InvalidCentralSystemCertificate", result, False)
        return call_result.InstallCertificate(status=status)

    @on(Action.delete_certificate)
    async def on_delete_certificate(
        self, certificate_hash_data: dict[str, Any], **_: Any
    ) -> call_result.DeleteCertificate:
        status, _serial = await self._delete(certificate_hash_data)
        return call_result.DeleteCertificate(status=status)

    @on(Action.get_installed_certificate_ids)
    async def on_get_installed_certificate_ids(
        self, certificate_type: str, **_: Any
    ) -> call_result.GetInstalledCertificateIds:
        chains = await self._security.get_installed_certificates([LIST_TYPES[certificate_type]])
        hashes = [hash_data(c["certificate_hash_data"]) for c in chains if isinstance(c, dict)]
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
        csr = await self._csr(
            "CSMS",
            country if isinstance(country, str) and country else "DE",
            organization,
            config.charge_box_serial_number,
            config.value("UseTPM") is True,
            "Sign certificate failed due to:",
        )
        if csr is not None:
            await self._send_csr(call.SignCertificate(csr=csr))

    # ---- renewal ---------------------------------------------------------------------------------
    def start_renewal(self) -> None:
        """After an accepted boot: under security profile 3, watch the certificate's expiry."""
        self.stop_renewal()
        if self._config.security_profile == 3:
            check = ExpiryCheck(
                "charging station certificate",
                "CSMS",
                lambda: self.first_check_s,
                lambda: self.check_every_s,
                self.sign,
            )
            self._start_check(check)
