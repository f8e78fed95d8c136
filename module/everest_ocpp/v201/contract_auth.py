"""C07: authorization of eMAID tokens by their contract certificate (Plug & Charge), as libocpp decides.

Online, the CSMS decides: with the OCSP data the EV sent, else with OCSP data generated from the
certificate chain (security module), else with the whole chain when
ISO15118Ctrlr.CentralContractValidationAllowed (C07.FR.06); a chain without a local contract root or
without OCSP data and without central validation is Invalid. Offline, ContractValidationOffline lets
the chain be checked locally (C07.FR.08): a valid one goes on to the local list and cache when
AuthCtrlr.LocalAuthorizeOffline (C07.FR.09); without ContractValidationOffline the answer is
NotAtThisTime (C07.FR.07).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from ..bridge.services import SecurityService
from ..generic.authorization import OcspData, TokenRequest, Validation
from ..variables import VariableRef
from .device_model import DeviceModel

log = logging.getLogger(__name__)

CENTRAL_CONTRACT_VALIDATION_ALLOWED = VariableRef("ISO15118Ctrlr", "CentralContractValidationAllowed")
CONTRACT_VALIDATION_OFFLINE = VariableRef("ISO15118Ctrlr", "ContractValidationOffline")
CONTRACT_ROOTS = ["MO", "V2G"]  # trust anchors a contract chain may end in

# (request, certificate to send, OCSP data to send) -> the CSMS's verdict
Authorize = Callable[[TokenRequest, str | None, tuple[OcspData, ...] | None], Awaitable[Validation]]


def _ocsp_of_everest(item: dict[str, Any]) -> OcspData | None:
    hashes = item.get("certificate_hash_data")
    if not isinstance(hashes, dict):
        return None
    return OcspData(
        str(hashes.get("hash_algorithm", "")),
        str(hashes.get("issuer_name_hash", "")),
        str(hashes.get("issuer_key_hash", "")),
        str(hashes.get("serial_number", "")),
        str(item.get("responder_url", "")),
    )


async def validate_contract(
    request: TokenRequest,
    *,
    online: bool,
    local_authorize_offline: bool,
    dm: DeviceModel,
    security: SecurityService,
    authorize: Authorize,
) -> Validation | None:
    """The verdict on an eMAID token, or None when the local list and cache are to decide."""
    if online and request.ocsp_data:
        log.info("eMAID %s: asking the CSMS with the EV's OCSP data", request.id_token.value)
        return await authorize(request, None, request.ocsp_data)
    certificate = request.certificate
    if certificate is None:
        log.warning("eMAID %s: no contract certificate to validate it with", request.id_token.value)
        return Validation("Invalid")
    local = await security.verify_certificate(certificate, CONTRACT_ROOTS)
    log.info("eMAID %s: local contract validation %s", request.id_token.value, local)
    central_allowed = dm.get_bool(CENTRAL_CONTRACT_VALIDATION_ALLOWED, default=False)
    if online:
        if local != "IssuerNotFound":
            ocsp = [o for o in map(_ocsp_of_everest, await security.mo_ocsp_request_data(certificate)) if o]
            if ocsp:
                return await authorize(request, None, tuple(ocsp))
        if central_allowed:  # C07.FR.06: no local root, or no OCSP data to ask with
            return await authorize(request, certificate, None)
        log.warning("eMAID %s: CentralContractValidationAllowed is false: Invalid", request.id_token.value)
        return Validation("Invalid")
    if not dm.get_bool(CONTRACT_VALIDATION_OFFLINE, default=False):
        return Validation("NotAtThisTime")  # C07.FR.07
    if local == "Valid":
        if local_authorize_offline:
            return None  # C07.FR.09
        return Validation("Unknown", certificate_status="Accepted")
    if local == "Expired":
        return Validation("Expired", certificate_status="CertificateExpired")
    return Validation("Unknown")
