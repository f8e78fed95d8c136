"""Certificate management, both versions: InstallCertificate, DeleteCertificate and
GetInstalledCertificateIds through ``security``, the signing request of a leaf certificate (a CSR
from ``security.generate_certificate_signing_request`` sent as SignCertificate), and the renewal
checks (after an initial delay and then periodically, a CSR once under 30 days are left).

The version's block decides which certificate types exist, what goes into a CSR and when renewal
runs; what follows a refused or accepted request (events, refreshing the TLS trust) happens after
the answer went out.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

from ..bridge.services import SecurityService
from ..csms.call_state import CallState
from ..csms.outbox import NotConnected, Outbox
from ..tasks import TaskGroup

log = logging.getLogger(__name__)

HASH_FIELDS = ("hash_algorithm", "issuer_name_hash", "issuer_key_hash", "serial_number")
RENEW_BELOW_DAYS = 30

RaiseEvent = Callable[[str, str | None, bool | None], None]  # (type, info, critical)
Config = TypeVar("Config")  # the version's configuration: 1.6 keys or the 2.0.1 device model


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
    def _start_check(
        self,
        name: str,
        leaf: str,
        first_s: Callable[[], float],
        every_s: Callable[[], float],
        renew: Callable[[], Awaitable[None]],
        enabled: Callable[[], bool] = lambda: True,
    ) -> None:
        """Check the leaf certificate's expiry after ``first_s`` and then every ``every_s``; under
        30 days left (and while ``enabled``) ``renew`` sends a new CSR."""
        task = self._tasks.spawn(
            self._watch(name, leaf, first_s, every_s, renew, enabled), name=f"{name} renewal"
        )
        self._checks.append(task)

    def stop_renewal(self) -> None:
        for task in self._checks:
            task.cancel()
        self._checks.clear()

    async def _watch(
        self,
        name: str,
        leaf: str,
        first_s: Callable[[], float],
        every_s: Callable[[], float],
        renew: Callable[[], Awaitable[None]],
        enabled: Callable[[], bool],
    ) -> None:
        await asyncio.sleep(first_s())
        while True:
            if enabled():
                days = await self._security.get_leaf_expiry_days_count(leaf)
                if days < RENEW_BELOW_DAYS:
                    log.info("the %s expires in %d day(s): requesting a new one", name, days)
                    await renew()
                else:
                    log.info("the %s is valid for %d more days", name, days)
            await asyncio.sleep(every_s())
