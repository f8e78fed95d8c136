"""Certificate management, both versions: InstallCertificate, DeleteCertificate and
GetInstalledCertificateIds through ``security``, the signing request of a leaf certificate (a CSR
from ``security.generate_certificate_signing_request`` sent as SignCertificate), and the renewal
checks (after an initial delay and then periodically, a CSR once under 30 days are left).

The version's block decides which certificate types exist, what goes into a CSR and when renewal
runs; what follows an install or delete (its security event, refreshing the TLS trust) happens in
the ``@after`` handlers here, once the answer went out.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ocpp.routing import after

from ..bridge.services import SecurityService
from ..csms.call_state import CallState
from ..csms.outbox import NotConnected, Outbox
from ..tasks import TaskGroup

log = logging.getLogger(__name__)

HASH_FIELDS = ("hash_algorithm", "issuer_name_hash", "issuer_key_hash", "serial_number")
RENEW_BELOW_DAYS = 30

RaiseEvent = Callable[[str, str | None, bool | None], None]  # (type, info, critical)
Config = TypeVar("Config")  # the version's configuration: 1.6 keys or the 2.0.1 device model


@dataclass(frozen=True, slots=True)
class ExpiryCheck:
    """A leaf certificate's renewal: its expiry is checked after ``first_s`` and then every
    ``every_s``; under 30 days left (and while ``enabled``) ``renew`` sends a new CSR."""

    name: str  # for the log
    leaf: str  # EVerest LeafCertificateType
    first_s: Callable[[], float]
    every_s: Callable[[], float]
    renew: Callable[[], Awaitable[None]]
    enabled: Callable[[], bool] = lambda: True


def hash_data(data: dict[str, Any]) -> dict[str, Any]:
    """The CertificateHashData fields of an EVerest or OCPP (snake_case) hash data dict."""
    return {key: data[key] for key in HASH_FIELDS if key in data}


class CertificateBlock(Generic[Config]):
    """What the certificate blocks of both versions do; a version's subclass adds its messages."""

    def __init__(
        self,
        config: Config,
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
        self._changed = certificates_changed  # e.g. refresh what the TLS checks trust
        self._tasks = tasks
        self._checks: list[asyncio.Task[None]] = []  # renewal checks
        self._events: CallState[tuple[str, str | None, bool | None]] = CallState()  # raised after the answer

    # ---- CSMS requests ---------------------------------------------------------------------------
    async def _install_ca(self, certificate_type: str, certificate: str, ca_type: str) -> tuple[str, str]:
        """Install a root certificate: (InstallCertificateStatus, the security module's result)."""
        result = await self._security.install_ca_certificate(certificate, ca_type)
        status = "Accepted" if result == "Accepted" else "Failed" if result == "WriteError" else "Rejected"
        log.info("InstallCertificate %s: %s (%s)", certificate_type, status, result)
        return status, result

    async def _delete(self, certificate_hash_data: dict[str, Any]) -> tuple[str, Any]:
        """Delete a certificate: (DeleteCertificateStatus, its serial number)."""
        wanted = hash_data(certificate_hash_data)
        status = await self._security.delete_certificate(wanted)
        log.info("DeleteCertificate serial %s: %s", wanted.get("serial_number"), status)
        return status, wanted.get("serial_number")

    def _raise_after_answer(
        self, call_id: str, event_type: str, info: str | None, critical: bool | None = None
    ) -> None:
        self._events.put(call_id, (event_type, info, critical))

    @after("InstallCertificate")
    async def after_install_certificate(self, call_unique_id: str, **_: Any) -> None:
        await self._after_answer(call_unique_id)

    @after("DeleteCertificate")
    async def after_delete_certificate(self, call_unique_id: str, **_: Any) -> None:
        await self._after_answer(call_unique_id)

    async def _after_answer(self, call_id: str) -> None:
        """After an install or delete was answered: its security event, then what depends on the
        installed certificates is refreshed."""
        event = self._events.pop(call_id)
        if event is not None:
            self._raise(*event)
        await self._changed()

    # ---- signing ---------------------------------------------------------------------------------
    async def _csr(
        self, leaf: str, country: str, organization: str, common: str, use_tpm: bool, failure: str
    ) -> str | None:
        """A CSR for the EVerest leaf type; None (CSRGenerationFailed raised: ``failure`` + the
        status) when the security module made none."""
        result = await self._security.generate_certificate_signing_request(
            leaf, country, organization, common, use_tpm
        )
        csr = result.get("csr")
        if result.get("status") != "Accepted" or not isinstance(csr, str) or not csr:
            self._raise("CSRGenerationFailed", f"{failure}{result.get('status', 'GenerationError')}", None)
            return None
        return csr

    async def _send_csr(self, request: Any) -> str | None:
        """SignCertificate to the CSMS: the status of its answer (None: not sent or not answered)."""
        try:
            answer = await self._outbox.call(request)
        except (NotConnected, TimeoutError) as exc:
            log.warning("SignCertificate not answered: %s", exc or "no answer in time")
            return None
        except Exception as exc:
            log.warning("SignCertificate failed: %s", exc)
            return None
        status = str(getattr(answer, "status", answer))
        log.info("SignCertificate: %s", status)
        return status

    # ---- renewal ---------------------------------------------------------------------------------
    def _start_check(self, check: ExpiryCheck) -> None:
        self._checks.append(self._tasks.spawn(self._watch(check), name=f"{check.name} renewal"))

    def stop_renewal(self) -> None:
        for task in self._checks:
            task.cancel()
        self._checks.clear()

    async def _watch(self, check: ExpiryCheck) -> None:
        await asyncio.sleep(check.first_s())
        while True:
            if check.enabled():
                days = await self._security.get_leaf_expiry_days_count(check.leaf)
                if days < RENEW_BELOW_DAYS:
                    log.info("the %s expires in %d day(s): requesting a new one", check.name, days)
                    await check.renew()
                else:
                    log.info("the %s is valid for %d more days", check.name, days)
            await asyncio.sleep(check.every_s())
