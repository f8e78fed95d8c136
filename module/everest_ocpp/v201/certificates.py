"""2.0.1 certificate management (A02/A03, M03-M05): InstallCertificate, DeleteCertificate and
GetInstalledCertificateIds through ``security``, and the signing requests of the charging station
and V2G certificates.

A CSR comes from ``security.generate_certificate_signing_request`` (charging station: common name
InternalCtrlr.ChargeBoxSerialNumber, organization SecurityCtrlr.OrganizationName; V2G:
ISO15118Ctrlr.SeccId and ISO15118Ctrlr.OrganizationName; country ISO15118Ctrlr.CountryName; UseTPM /
UseTPMSeccLeafCertificate) and goes out as SignCertificate on TriggerMessage SignChargingStationCertificate
/ SignV2GCertificate and on renewal. While the CertificateSigned is awaited no new request is sent;
an Accepted SignCertificate without CertificateSigned in CertSigningWaitMinimum (doubling, at least
10 s) is sent again up to CertSigningRepeatTimes times (A02.FR.17-19). Renewal as libocpp: the
charging station certificate under security profile 3 and the V2G certificate when
V2GCertificateInstallationEnabled, checked after ...ExpireCheckInitialDelaySeconds and then every
...ExpireCheckIntervalSeconds; under 30 days left, a CSR.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from ocpp.routing import on
from ocpp.v201 import call, call_result
from ocpp.v201.enums import Action

from ..shared_blocks.certificates import CertificateBlock, ExpiryCheck, hash_data
from ..variables import VariableRef
from .device_model import DeviceModel
from .device_model import well_known as wk

log = logging.getLogger(__name__)

CS, V2G = "ChargingStationCertificate", "V2GCertificate"
LEAF = {CS: "CSMS", V2G: "V2G"}  # OCPP CertificateSigningUse -> EVerest LeafCertificateType
INSTALL_TYPES = {
    "CSMSRootCertificate": "CSMS",
    "ManufacturerRootCertificate": "MF",
    "MORootCertificate": "MO",
    "V2GRootCertificate": "V2G",
}
ID_TYPES = {  # OCPP GetCertificateIdUse <-> EVerest CertificateType
    "V2GRootCertificate": "V2GRootCertificate",
    "MORootCertificate": "MORootCertificate",
    "CSMSRootCertificate": "CSMSRootCertificate",
    "V2GCertificateChain": "V2GCertificateChain",
    "ManufacturerRootCertificate": "MFRootCertificate",
}
OCPP_ID_TYPES = {everest: ocpp for ocpp, everest in ID_TYPES.items()}
MIN_WAIT_S = 10


def _ref(component: str, variable: str) -> VariableRef:
    return VariableRef(component, variable)


COUNTRY = _ref("ISO15118Ctrlr", "CountryName")
SECC_ID = _ref("ISO15118Ctrlr", "SeccId")
V2G_ORGANIZATION = _ref("ISO15118Ctrlr", "OrganizationName")
V2G_INSTALLATION = _ref("ISO15118Ctrlr", "V2GCertificateInstallationEnabled")
USE_TPM = _ref("InternalCtrlr", "UseTPM")
USE_TPM_SECC = _ref("InternalCtrlr", "UseTPMSeccLeafCertificate")
WAIT_MINIMUM = _ref("SecurityCtrlr", "CertSigningWaitMinimum")
REPEAT_TIMES = _ref("SecurityCtrlr", "CertSigningRepeatTimes")
ALLOW_UNSECURE = {
    "CSMSRootCertificate": _ref("InternalCtrlr", "AllowCSMSRootCertInstallWithUnsecureConnection"),
    "ManufacturerRootCertificate": _ref("InternalCtrlr", "AllowMFRootCertInstallWithUnsecureConnection"),
}
CHECKS = {  # use -> (initial delay, interval) variables
    CS: (
        _ref("InternalCtrlr", "ClientCertificateExpireCheckInitialDelaySeconds"),
        _ref("InternalCtrlr", "ClientCertificateExpireCheckIntervalSeconds"),
    ),
    V2G: (
        _ref("InternalCtrlr", "V2GCertificateExpireCheckInitialDelaySeconds"),
        _ref("InternalCtrlr", "V2GCertificateExpireCheckIntervalSeconds"),
    ),
}


class Certificates201(CertificateBlock[DeviceModel]):
    awaited: str | None = None  # the use whose CertificateSigned is awaited
    _attempt = 1
    _retry: asyncio.Task[None] | None = None

    # ---- CSMS requests ---------------------------------------------------------------------------
    @on(Action.install_certificate)
    async def on_install_certificate(
        self, certificate_type: str, certificate: str, call_unique_id: str, **_: Any
    ) -> Any:
        if not self._install_allowed(certificate_type):
            log.info("InstallCertificate %s rejected: not over an unsecured connection", certificate_type)
            info = {
                "reason_code": "UnsecureConnection",
                "additional_info": "CertificateInstallationNotAllowedWithUnsecureConnection",
            }
            return call_result.InstallCertificate(status="Rejected", status_info=info)
        ca_type = INSTALL_TYPES[certificate_type]  # the schema allows no other type
        status, _result = await self._install_ca(certificate_type, certificate, ca_type)
        if status == "Accepted":
            installed = f"Installed certificate: {certificate_type}"
            self._raise_after_answer(call_unique_id, "ReconfigurationOfSecurityParameters", installed)
        return call_result.InstallCertificate(status=status)

    def _install_allowed(self, certificate_type: str) -> bool:
        if self._config.get_int(wk.SECURITY_PROFILE, default=0) > 1:
            return True
        ref = ALLOW_UNSECURE.get(certificate_type)
        return ref is None or self._config.get_bool(ref, default=True)

    @on(Action.delete_certificate)
    async def on_delete_certificate(
        self, certificate_hash_data: dict[str, Any], call_unique_id: str, **_: Any
    ) -> Any:
        status, serial = await self._delete(certificate_hash_data)
        if status == "Accepted":
            deleted = f"Deleted certificate with serial number: {serial}"
            self._raise_after_answer(call_unique_id, "ReconfigurationOfSecurityParameters", deleted)
        return call_result.DeleteCertificate(status=status)

    @on(Action.get_installed_certificate_ids)
    async def on_get_installed_certificate_ids(
        self, certificate_type: list[str] | None = None, **_: Any
    ) -> Any:
        wanted = [ID_TYPES[t] for t in certificate_type or ID_TYPES if t in ID_TYPES]
        chains = [
            _chain(c) for c in await self._security.get_installed_certificates(wanted) if isinstance(c, dict)
        ]
        found = [c for c in chains if c is not None]
        if not found:
            return call_result.GetInstalledCertificateIds(status="NotFound")
        return call_result.GetInstalledCertificateIds(status="Accepted", certificate_hash_data_chain=found)

    # ---- signing ---------------------------------------------------------------------------------
    def v2g_installation_enabled(self) -> bool:
        return self._config.get_bool(V2G_INSTALLATION, default=False)

    async def sign(self, use: str = CS) -> None:
        """Ask the security module for a CSR and send it as SignCertificate."""
        if self.awaited is not None:
            log.warning("SignCertificate not sent: still waiting for the CertificateSigned of the last one")
            return
        dm = self._config
        if use == CS:
            common, organization = dm.value(wk.CHARGE_BOX_SERIAL_NUMBER), dm.value(wk.ORGANIZATION_NAME)
            use_tpm = dm.get_bool(USE_TPM, default=False)
        else:
            common, organization = dm.value(SECC_ID), dm.value(V2G_ORGANIZATION)
            use_tpm = dm.get_bool(USE_TPM_SECC, default=False)
        country = dm.value(COUNTRY)
        missing = [
            name
            for name, value in (("common name", common), ("country", country), ("organization", organization))
            if not value
        ]
        if missing:
            log.warning("no CSR for the %s: %s not configured", use, ", ".join(missing))
            return
        assert common is not None and country is not None and organization is not None
        csr = await self._csr(
            LEAF[use], country, organization, common, use_tpm, "Sign certificate req failed due to:"
        )
        if csr is None:
            return
        self.awaited = use
        status = await self._send_csr(call.SignCertificate(csr=csr, certificate_type=use))
        if status is None:
            self._give_up()
        else:
            self._answered(status)

    def _answered(self, status: str) -> None:
        use = self.awaited
        if use is None:
            return
        if status != "Accepted":
            log.warning("SignCertificate for the %s was not accepted by the CSMS", use)
            self._give_up()
            return
        repeat = self._config.get_int(REPEAT_TIMES, default=0)
        if self._attempt > repeat:
            return  # the last attempt: wait for CertificateSigned without a timer
        wait = max(MIN_WAIT_S, self._config.get_int(WAIT_MINIMUM, default=MIN_WAIT_S)) * 2 ** (
            self._attempt - 1
        )
        self._retry = self._tasks.spawn(self._retry_after(use, wait), name="SignCertificate retry")

    async def _retry_after(self, use: str, wait_s: float) -> None:
        await asyncio.sleep(wait_s)
        log.info("no CertificateSigned within %.0f s: sending SignCertificate again", wait_s)
        self._attempt += 1
        self._retry = None
        self.awaited = None
        await self.sign(use)

    def _give_up(self) -> None:
        self.awaited = None
        self._attempt = 1
        if self._retry is not None:
            self._retry.cancel()
            self._retry = None

    def certificate_signed(self) -> None:
        """A CertificateSigned arrived (whatever its outcome): the signing request is answered."""
        self._give_up()

    # ---- renewal ---------------------------------------------------------------------------------
    def start_renewal(self) -> None:
        self.stop_renewal()
        uses = [V2G]
        if self._config.get_int(wk.SECURITY_PROFILE, default=0) == 3:
            uses.insert(0, CS)
        for use in uses:
            self._start_use_check(use)

    def _start_use_check(self, use: str) -> None:
        first, every = CHECKS[use]
        check = ExpiryCheck(
            use,
            LEAF[use],
            lambda: self._config.get_int(first, default=60),
            lambda: max(self._config.get_int(every, default=12 * 3600), 1),
            lambda: self.sign(use),
            (lambda: True) if use == CS else self.v2g_installation_enabled,
        )
        self._start_check(check)

    def stop_renewal(self) -> None:
        super().stop_renewal()
        self._give_up()


def _chain(chain: dict[str, Any]) -> dict[str, Any] | None:
    """An EVerest CertificateHashDataChain as OCPP's (None for a type OCPP has no name for)."""
    kind = OCPP_ID_TYPES.get(str(chain.get("certificate_type")))
    data = chain.get("certificate_hash_data")
    if kind is None or not isinstance(data, dict):
        return None
    result: dict[str, Any] = {"certificate_type": kind, "certificate_hash_data": hash_data(data)}
    children = [hash_data(c) for c in chain.get("child_certificate_hash_data") or [] if isinstance(c, dict)]
    if children:
        result["child_certificate_hash_data"] = children
    return result
