"""What firmware updates and log uploads share across versions: the EVerest requests to ``system``
and taking the EVSEs out of service before a new firmware is installed.

OCPP counts ``retries`` after the first attempt while EVerest's ``retries`` counts every attempt, so
one is added, as the C++ modules do. Timestamps are handed on in RFC 3339 UTC.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from ..bridge.evse import EvseManagers
from ..tasks import TaskGroup
from ..timestamps import normalized

log = logging.getLogger(__name__)

FILENAME_MAX = 255  # GetLog / GetDiagnostics fileName: CiString255
# firmware update outcomes after which the EVSEs are back in service
FIRMWARE_END_STATES = frozenset(
    {"DownloadFailed", "InstallationFailed", "Installed", "InstallVerificationFailed", "InvalidSignature"}
)


def _retries(retries: int | None) -> dict[str, int]:
    return {} if retries is None else {"retries": max(retries, 0) + 1}


def firmware_request(
    request_id: int,
    location: str,
    retrieve: str,
    *,
    install: str | None = None,
    retries: int | None = None,
    retry_interval: int | None = None,
    signing_certificate: str | None = None,
    signature: str | None = None,
) -> dict[str, Any]:
    """An EVerest FirmwareUpdateRequest (request id -1: a plain 1.6 UpdateFirmware)."""
    request: dict[str, Any] = {
        "request_id": request_id,
        "location": location,
        "retrieve_timestamp": normalized(retrieve),
        **_retries(retries),
    }
    if retry_interval is not None:
        request["retry_interval_s"] = retry_interval
    if install is not None:
        request["install_timestamp"] = normalized(install)
    if signing_certificate is not None:
        request["signing_certificate"] = signing_certificate
    if signature is not None:
        request["signature"] = signature
    return request


def log_request(
    location: str,
    *,
    request_id: int | None = None,
    log_type: str | None = None,
    oldest: str | None = None,
    latest: str | None = None,
    retries: int | None = None,
    retry_interval: int | None = None,
) -> dict[str, Any]:
    """An EVerest UploadLogsRequest (no request id: a 1.6 GetDiagnostics)."""
    request: dict[str, Any] = {"location": location, **_retries(retries)}
    if request_id is not None:
        request["request_id"] = request_id
    if log_type is not None:
        request["type"] = log_type
    if oldest is not None:
        request["oldest_timestamp"] = normalized(oldest)
    if latest is not None:
        request["latest_timestamp"] = normalized(latest)
    if retry_interval is not None:
        request["retry_interval_s"] = retry_interval
    return request


def upload_filename(response: dict[str, Any]) -> str | None:
    """The file name of an UploadLogsResponse, cut to what OCPP carries (the upload may already run)."""
    name = response.get("file_name")
    return name[:FILENAME_MAX] if isinstance(name, str) and name else None


EvseAction = Callable[[list[int]], Awaitable[None]]


class InstallGate:
    """Before a downloaded firmware is installed every EVSE goes out of service, one with a transaction
    when it ends; once none charges, ``system.allow_firmware_installation`` (``allow``) is called.
    When the update ends the EVSEs this gate took out come back (``unblock``)."""

    def __init__(
        self,
        evse: EvseManagers,
        block: EvseAction,
        unblock: EvseAction,
        allow: Callable[[], Awaitable[None]],
        tasks: TaskGroup,
    ) -> None:
        self._evse = evse
        self._block = block
        self._unblock = unblock
        self._allow = allow
        self._tasks = tasks
        self.pending = False
        self.blocked: list[int] = []
        self._allowed = False
        evse.transaction_listeners.append(self._on_transaction)

    def busy(self) -> bool:
        return any(self._evse.transaction_running(e.id) for e in self._evse.evses)

    async def begin(self) -> None:
        """The firmware is ready to install."""
        if not self.pending:
            log.info("firmware ready to install: taking the EVSEs out of service")
        self.pending = True
        await self._advance()

    async def end(self) -> None:
        """The update ended (installed or failed): back in service."""
        self.pending, self._allowed = False, False
        blocked, self.blocked = self.blocked, []
        if blocked:
            log.info("firmware update over: EVSE(s) %s back in service", blocked)
            await self._unblock(blocked)

    async def _advance(self) -> None:
        evse = self._evse
        idle = [e.id for e in evse.evses if e.id not in self.blocked and not evse.transaction_running(e.id)]
        if idle:
            self.blocked.extend(idle)
            await self._block(idle)
        if self.busy():
            log.info("firmware installation waits for the running transaction(s) to end")
        elif not self._allowed:
            self._allowed = True
            log.info("no EVSE in use: allowing the firmware installation")
            await self._allow()

    def _on_transaction(self, evse_id: int, running: bool) -> None:
        if self.pending and not running:
            self._tasks.spawn(self._advance(), name="firmware installation gate")
